//! sentui: watch and rehearse Redis Sentinel failovers.
//!
//! Data flows one way: collectors (`collect`) own all I/O and send timestamped updates; the
//! pure `model` applies them; commands and the TUI read the model; `control` carries out
//! actions. See docs/design.md.

/// `println!` that never panics. When stdout is closed (piped into `head`), the line is dropped
/// and the command still finishes its work: a lab still comes up, a drill still restores what it
/// changed. `events`, which only streams, stops instead (see `cmd::events`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that never panics (see `outln!`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

pub mod app;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod drill;
pub mod keymap;
pub mod keys;
pub mod record;
pub mod replay;
pub mod session;
pub mod tui;
pub mod ui;

use cli::{Cli, Command, ConnArgs, LabAction};
use sentui_io::collect::CollectSettings;
use sentui_io::collect::node::ProbeSettings;
use sentui_io::control::Controller;
use sentui_io::docker::{self, DockerScope};
use sentui_io::link::{Credentials, LinkSettings, Secret, SharedMap, now_ms};
use sentui_model::Addr;
use std::process::ExitCode;

pub use sentui_model::EXIT_USAGE;

/// The sentinel tried when none is given.
pub const DEFAULT_SENTINEL: &str = "127.0.0.1:26379";

pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let applied = config::load(cli.conn.config.as_deref())
        .and_then(|(file, _)| config::apply(&mut cli, &matches, &file));
    if let Err(e) = applied {
        eprintln!("sentui: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    // Readable reports for errors and panics; ratatui::init chains its terminal restore to it.
    let _ = color_eyre::install();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sentui: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    ExitCode::from(rt.block_on(run(cli)))
}

fn fail(msg: impl std::fmt::Display) -> u8 {
    eprintln!("sentui: {msg}");
    EXIT_USAGE
}

/// Everything a command needs to reach and control a deployment.
pub struct Connection {
    pub settings: CollectSettings,
    pub seeds: Vec<Addr>,
    pub control: Controller,
}

/// Resolves the connection flags: the address map, the compose project's containers (through
/// the Docker API) and the sentinels to start from.
pub async fn connect(c: &ConnArgs, read_only: bool) -> Result<Connection, String> {
    let map = SharedMap::new(c.addr_map());
    let mut seeds = c.sentinels.clone();
    let mut docker = None;
    if let Some(project) = &c.compose_project {
        match docker::Engine::connect().await {
            Ok(engine) => {
                let containers = engine.project(project).await?;
                if containers.is_empty() {
                    return Err(format!(
                        "compose project '{project}' has no containers (is the lab up? `sentui lab up --project {project}`)"
                    ));
                }
                let found = docker::discover(&containers);
                map.merge(&found.map);
                if seeds.is_empty() {
                    seeds = found.sentinels.clone();
                }
                if seeds.is_empty() {
                    return Err(format!(
                        "compose project '{project}' publishes no sentinel port on 127.0.0.1"
                    ));
                }
                docker = Some(DockerScope {
                    engine,
                    project: project.clone(),
                });
            }
            // Without the engine, a user who named sentinels still gets monitoring.
            Err(e) if !seeds.is_empty() => {
                eprintln!("sentui: {e}; container states and control are off")
            }
            Err(e) => {
                return Err(format!(
                    "{e}; cannot find the sentinels of '{project}' (name them with --sentinel)"
                ));
            }
        }
    }
    if seeds.is_empty() {
        seeds.push(DEFAULT_SENTINEL.parse().expect("a valid default"));
    }
    let (auth, sentinel_auth) = credentials(c)?;
    let tls = c.tls_settings()?;
    let settings = CollectSettings {
        link: LinkSettings {
            connect_timeout: c.timeout,
            response_timeout: c.timeout,
            map: map.clone(),
            auth,
            sentinel_auth,
            tls,
        },
        docker: docker.clone(),
        probe: ProbeSettings {
            probe_every: c.probe_every,
            unresponsive_after: c.unresponsive_after,
            budget_per_sec: c.probe_budget,
            ..ProbeSettings::default()
        },
        poll_every: c.refresh,
        poll_budget: c.poll_budget,
        ..CollectSettings::default()
    };
    Ok(Connection {
        settings,
        seeds,
        control: Controller::new(map, docker, read_only),
    })
}

/// Credentials, never from the command line (where `ps` and shell history would show them).
/// Nodes: SENTUI_PASSWORD, else --password-file, else the config file; SENTUI_USERNAME or the
/// file's username for an ACL user. Sentinels: the same with SENTUI_SENTINEL_*, defaulting to
/// the nodes' credentials; an empty sentinel password means "none".
pub fn credentials(c: &ConnArgs) -> Result<(Option<Credentials>, Option<Credentials>), String> {
    let env = |k: &str| std::env::var(k).ok();
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p)
            .map(|s| s.trim_end_matches(['\n', '\r']).to_string())
            .map_err(|e| format!("cannot read the password file {}: {e}", p.display()))
    };
    let f = &c.file_auth;
    let node_password = match env("SENTUI_PASSWORD").filter(|p| !p.is_empty()) {
        Some(p) => Some(p),
        None => match &c.password_file {
            Some(path) => Some(read(path)?),
            None => f.password.clone().filter(|p| !p.is_empty()),
        },
    };
    let node = node_password.map(|p| Credentials {
        username: env("SENTUI_USERNAME")
            .filter(|u| !u.is_empty())
            .or_else(|| f.username.clone()),
        password: Secret::new(p),
    });
    let sentinel_password = match env("SENTUI_SENTINEL_PASSWORD") {
        Some(p) => Some(p),
        None => match &c.sentinel_password_file {
            Some(path) => Some(read(path)?),
            None => f.sentinel_password.clone(),
        },
    };
    let sentinel = match sentinel_password {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(Credentials {
            username: env("SENTUI_SENTINEL_USERNAME")
                .filter(|u| !u.is_empty())
                .or_else(|| f.sentinel_username.clone()),
            password: Secret::new(p),
        }),
        None => node.clone(),
    };
    Ok((node, sentinel))
}

fn tui_options(ui: &cli::UiArgs, group: Option<String>) -> tui::TuiOptions {
    tui::TuiOptions {
        group,
        leave_paused: ui.leave_paused,
        read_only: ui.read_only,
        no_color: ui.colorless(),
        stats_out: ui.stats_out.clone(),
        record: ui.record.clone(),
    }
}

pub async fn run(cli: Cli) -> u8 {
    let group = cli.conn.master.clone();
    let needs_connection = !matches!(
        cli.command,
        Some(Command::Lab { .. })
            | Some(Command::Demo(_))
            | Some(Command::Replay { .. })
            | Some(Command::Config { .. })
    );
    if cli.ui.record.is_some()
        && !matches!(
            cli.command,
            None | Some(Command::Events { .. }) | Some(Command::Demo(_))
        )
    {
        return fail("--record works with the TUI, `events` and `demo`");
    }
    let conn = if needs_connection {
        match connect(&cli.conn, cli.ui.read_only).await {
            Ok(c) => Some(c),
            Err(e) => return fail(e),
        }
    } else {
        None
    };
    match (cli.command, conn) {
        (Some(Command::Status { json }), Some(c)) => status(&c, group.as_deref(), json).await,
        (
            Some(Command::Events {
                json,
                duration,
                until,
            }),
            Some(c),
        ) => {
            let args = cmd::events::EventsArgs {
                json,
                duration,
                until,
                only: group,
                record: cli.ui.record.clone(),
            };
            cmd::events::run(c.settings, c.seeds, args).await
        }
        (Some(Command::Ctl { action, target }), Some(c)) => {
            match cmd::ctl::run(
                action,
                &target,
                &c.settings.link,
                &c.seeds,
                group.as_deref(),
                &c.control,
            )
            .await
            {
                Ok(msg) => {
                    outln!("{msg}");
                    0
                }
                Err(e) => fail(e),
            }
        }
        (
            Some(Command::Lab {
                action: LabAction::Up(opts),
            }),
            _,
        ) => match cmd::lab::up(&opts).await {
            Ok(_) => 0,
            Err(e) => fail(e),
        },
        (
            Some(Command::Lab {
                action: LabAction::Down(opts),
            }),
            _,
        ) => match cmd::lab::down(&opts).await {
            Ok(()) => 0,
            Err(e) => fail(e),
        },
        (Some(Command::Demo(opts)), _) => demo(cli.conn, cli.ui, opts).await,
        (Some(Command::Config { print_template }), _) => {
            if print_template {
                out!("{}", config::TEMPLATE);
            } else {
                match config::load(cli.conn.config.as_deref()) {
                    Ok((_, Some(path))) => outln!("config file: {} (valid)", path.display()),
                    Ok((_, None)) => outln!(
                        "no config file ({}); `sentui config --print-template` prints one",
                        config::default_path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    ),
                    Err(e) => return fail(e),
                }
            }
            0
        }
        (
            Some(Command::Replay {
                file,
                speed,
                to_cast,
                screenshot,
                at,
                after,
                size,
                verify,
            }),
            _,
        ) => {
            if verify {
                return replay::verify_file(&file);
            }
            let done = match (to_cast, screenshot) {
                (Some(_), Some(_)) => Err("--to-cast and --screenshot: one at a time".to_string()),
                (Some(out), None) => replay::to_cast(&file, &out, size),
                (None, Some(out)) => replay::screenshot(
                    &file,
                    &out,
                    &replay::At::parse(&at),
                    after.as_millis() as u64,
                    size,
                ),
                (None, None) => replay::run_tui(&file, speed, cli.ui.colorless())
                    .await
                    .map(|_| String::new()),
            };
            match done {
                Ok(msg) => {
                    if !msg.is_empty() {
                        outln!("{msg}");
                    }
                    0
                }
                Err(e) => fail(e),
            }
        }
        (Some(Command::Screenshot { out, size, wait }), Some(c)) => {
            match cmd::screenshot::run(c, group, size, wait, &out, cli.ui.colorless()).await {
                Ok(msg) => {
                    outln!("{msg}");
                    0
                }
                Err(e) => fail(e),
            }
        }
        (Some(Command::Drill(args)), Some(c)) => cmd::drill::run(c, &args, group).await,
        (None, Some(c)) => {
            match tui::run(c.settings, c.seeds, c.control, tui_options(&cli.ui, group)).await {
                Ok(code) => code,
                Err(e) => fail(e),
            }
        }
        _ => fail("internal: a command ran without its connection"),
    }
}

async fn status(c: &Connection, group: Option<&str>, json: bool) -> u8 {
    let mut d = sentui_io::collect::snapshot::snapshot(&c.settings.link, &c.seeds).await;
    if let Some(scope) = &c.settings.docker {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        let listed = sentui_io::collect::docker::publish(
            &scope.engine,
            &scope.project,
            &c.settings.link.map,
            &tx,
        )
        .await;
        drop(tx);
        while let Some(u) = rx.recv().await {
            d.apply(u);
        }
        if let Err(e) = listed {
            eprintln!("sentui: {e}");
        }
    }
    let report = cmd::status::StatusReport::new(&d, group, now_ms());
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => outln!("{s}"),
            Err(e) => return fail(e),
        }
    } else {
        out!("{}", report.to_text());
    }
    report.exit_code()
}

/// `sentui demo`: the lab, then the TUI on it; on exit, offer to take the lab down.
async fn demo(conn: ConnArgs, ui: cli::UiArgs, opts: cli::LabOptions) -> u8 {
    let lab = match cmd::lab::up(&opts).await {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let mut conn = conn;
    match &lab {
        cmd::lab::Lab::Local(state) => conn.sentinels = state.sentinels(),
        cmd::lab::Lab::Docker(project) => conn.compose_project = Some(project.clone()),
    }
    let code = match connect(&conn, ui.read_only).await {
        Ok(c) => match tui::run(
            c.settings,
            c.seeds,
            c.control,
            tui_options(&ui, conn.master.clone()),
        )
        .await
        {
            Ok(code) => code,
            Err(e) => fail(e),
        },
        Err(e) => fail(e),
    };
    let opts = cli::LabOptions {
        local: matches!(lab, cmd::lab::Lab::Local(_)),
        ..opts
    };
    if cmd::lab::ask_down(&opts) {
        if let Err(e) = cmd::lab::down(&opts).await {
            return fail(e);
        }
    } else {
        outln!(
            "the lab keeps running; stop it with: {}",
            cmd::lab::down_hint(&opts)
        );
    }
    code
}
