//! One precedence for every setting, credentials included: command line > environment > config
//! file > default, checked setting by setting through the real parser (clap, with its `env`
//! attributes), the real environment and a real config file; and the deployment taken whole
//! from one source.
//!
//! These tests change this process's environment, so this binary holds nothing else: no test
//! here starts a thread or a process, and each holds `ENV` while it touches the environment.

use sentui::cli::Command;
use sentui::settings::{Chosen, Password, Settings, Source, from_args};
use std::path::Path;
use std::sync::Mutex;

static ENV: Mutex<()> = Mutex::new(());

/// Removes every variable sentui reads, then sets `vars`.
fn set_env(vars: &[(&str, &str)], config_home: &Path) {
    let ours: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("SENTUI_") || k == "NO_COLOR")
        .collect();
    // SAFETY: ENV is held and no other thread of this binary reads the environment (above).
    unsafe {
        for k in ours {
            std::env::remove_var(k);
        }
        std::env::set_var("XDG_CONFIG_HOME", config_home);
        for (k, v) in vars {
            std::env::set_var(k, v);
        }
    }
}

/// The settings of `sentui ARGS` with exactly `vars` in the environment and `file` as the
/// config file.
fn resolve(args: &[&str], vars: &[(&str, &str)], file: &str) -> Settings {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, file).unwrap();
    set_env(vars, dir.path());
    let mut all = vec!["sentui", "--config", cfg.to_str().unwrap()];
    all.extend_from_slice(args);
    from_args(all).unwrap_or_else(|e| panic!("{args:?} {vars:?} {file:?}: {e}"))
}

fn password(p: &Option<Chosen<Password>>) -> String {
    match p {
        None => "none".into(),
        Some(Chosen { value, source }) => {
            let what = match value {
                Password::Given(s) => format!("secret {}", s.expose()),
                Password::File(p) => format!("file {}", p.display()),
            };
            format!("{what} from {source}")
        }
    }
}

fn username(u: &Option<Chosen<String>>) -> String {
    match u {
        None => "none".into(),
        Some(c) => format!("{} from {}", c.value, c.source),
    }
}

/// One setting: how each source sets it, and what sentui then runs with.
struct Row {
    name: &'static str,
    /// The subcommand (and its arguments) every run of the row uses.
    sub: &'static [&'static str],
    /// Arguments that set it on the command line (after `sub`), none when it has no flag.
    cli: &'static [&'static str],
    env: Option<(&'static str, &'static str)>,
    /// Config file text that sets it, none when the file has no key for it.
    file: Option<&'static str>,
    /// The value seen when set by the command line, the environment, the file; or by none.
    from: [&'static str; 3],
    default: &'static str,
    get: fn(&Settings) -> String,
}

const GLOBAL: &[&str] = &["status"];

fn rows() -> Vec<Row> {
    fn conn(s: &Settings) -> &sentui::cli::ConnArgs {
        &s.cli.conn
    }
    vec![
        Row {
            name: "sentinels",
            sub: GLOBAL,
            cli: &["--sentinel", "127.0.0.1:1"],
            env: Some(("SENTUI_SENTINELS", "127.0.0.1:2")),
            file: Some("sentinels = [\"127.0.0.1:3\"]"),
            from: ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"],
            default: "",
            get: |s| {
                conn(s)
                    .sentinels
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            },
        },
        Row {
            name: "compose project",
            sub: GLOBAL,
            cli: &["--compose-project", "cli"],
            env: Some(("SENTUI_COMPOSE_PROJECT", "env")),
            file: Some("compose_project = \"file\""),
            from: ["cli", "env", "file"],
            default: "",
            get: |s| conn(s).compose_project.clone().unwrap_or_default(),
        },
        Row {
            name: "map",
            sub: GLOBAL,
            cli: &["--map", "a:1=127.0.0.1:1"],
            env: Some(("SENTUI_MAP", "a:1=127.0.0.1:2")),
            file: Some("map = [\"a:1=127.0.0.1:3\"]"),
            from: ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"],
            default: "",
            get: |s| {
                conn(s)
                    .map
                    .iter()
                    .map(|(_, to)| to.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            },
        },
        Row {
            name: "resolve names",
            sub: GLOBAL,
            cli: &["--resolve-names"],
            env: Some(("SENTUI_RESOLVE_NAMES", "0")),
            file: None,
            from: ["true", "false", ""],
            default: "false",
            get: |s| conn(s).resolve_names.to_string(),
        },
        Row {
            name: "master",
            sub: GLOBAL,
            cli: &["--master", "cli"],
            env: Some(("SENTUI_MASTER", "env")),
            file: Some("master = \"file\""),
            from: ["cli", "env", "file"],
            default: "",
            get: |s| conn(s).master.clone().unwrap_or_default(),
        },
        Row {
            name: "tls",
            sub: GLOBAL,
            cli: &["--tls"],
            env: Some(("SENTUI_TLS", "off")),
            file: Some("[tls]\nenabled = true"),
            from: ["true", "false", "true"],
            default: "false",
            get: |s| conn(s).tls.to_string(),
        },
        Row {
            name: "tls ca",
            sub: GLOBAL,
            cli: &["--tls-ca", "/cli"],
            env: Some(("SENTUI_TLS_CA", "/env")),
            file: Some("[tls]\nca = \"/file\""),
            from: ["/cli", "/env", "/file"],
            default: "",
            get: |s| path(&conn(s).tls_ca),
        },
        Row {
            name: "tls cert",
            sub: GLOBAL,
            cli: &["--tls-cert", "/cli"],
            env: Some(("SENTUI_TLS_CERT", "/env")),
            file: Some("[tls]\ncert = \"/file\""),
            from: ["/cli", "/env", "/file"],
            default: "",
            get: |s| path(&conn(s).tls_cert),
        },
        Row {
            name: "tls key",
            sub: GLOBAL,
            cli: &["--tls-key", "/cli"],
            env: Some(("SENTUI_TLS_KEY", "/env")),
            file: Some("[tls]\nkey = \"/file\""),
            from: ["/cli", "/env", "/file"],
            default: "",
            get: |s| path(&conn(s).tls_key),
        },
        Row {
            name: "tls insecure",
            sub: GLOBAL,
            cli: &["--tls-insecure"],
            env: Some(("SENTUI_TLS_INSECURE", "no")),
            file: Some("[tls]\ninsecure = true"),
            from: ["true", "false", "true"],
            default: "false",
            get: |s| conn(s).tls_insecure.to_string(),
        },
        Row {
            name: "timeout",
            sub: GLOBAL,
            cli: &["--timeout", "3s"],
            env: Some(("SENTUI_TIMEOUT", "4s")),
            file: Some("timeout = \"5s\""),
            from: ["3s", "4s", "5s"],
            default: "1s",
            get: |s| humantime::format_duration(conn(s).timeout).to_string(),
        },
        Row {
            name: "refresh",
            sub: GLOBAL,
            cli: &["--refresh", "3s"],
            env: Some(("SENTUI_REFRESH", "4s")),
            file: Some("refresh = \"5s\""),
            from: ["3s", "4s", "5s"],
            default: "1s",
            get: |s| humantime::format_duration(conn(s).refresh).to_string(),
        },
        Row {
            name: "probe every",
            sub: GLOBAL,
            cli: &["--probe-every", "3s"],
            env: Some(("SENTUI_PROBE_EVERY", "4s")),
            file: Some("probe_every = \"5s\""),
            from: ["3s", "4s", "5s"],
            default: "100ms",
            get: |s| humantime::format_duration(conn(s).probe_every).to_string(),
        },
        Row {
            name: "unresponsive after",
            sub: GLOBAL,
            cli: &["--unresponsive-after", "3s"],
            env: Some(("SENTUI_UNRESPONSIVE_AFTER", "4s")),
            file: Some("unresponsive_after = \"5s\""),
            from: ["3s", "4s", "5s"],
            default: "300ms",
            get: |s| humantime::format_duration(conn(s).unresponsive_after).to_string(),
        },
        Row {
            name: "probe budget",
            sub: GLOBAL,
            cli: &["--probe-budget", "11"],
            env: Some(("SENTUI_PROBE_BUDGET", "12")),
            file: Some("probe_budget = 13"),
            from: ["11", "12", "13"],
            default: "300",
            get: |s| conn(s).probe_budget.to_string(),
        },
        Row {
            name: "poll budget",
            sub: GLOBAL,
            cli: &["--poll-budget", "11"],
            env: Some(("SENTUI_POLL_BUDGET", "12")),
            file: Some("poll_budget = 13"),
            from: ["11", "12", "13"],
            default: "30",
            get: |s| conn(s).poll_budget.to_string(),
        },
        Row {
            name: "read only",
            sub: GLOBAL,
            cli: &["--read-only"],
            env: Some(("SENTUI_READ_ONLY", "false")),
            file: Some("read_only = true"),
            from: ["true", "false", "true"],
            default: "false",
            get: |s| s.cli.ui.read_only.to_string(),
        },
        Row {
            name: "leave paused",
            sub: GLOBAL,
            cli: &["--leave-paused"],
            env: Some(("SENTUI_LEAVE_PAUSED", "0")),
            file: Some("leave_paused = true"),
            from: ["true", "false", "true"],
            default: "false",
            get: |s| s.cli.ui.leave_paused.to_string(),
        },
        Row {
            name: "lease",
            sub: GLOBAL,
            cli: &["--lease", "3m"],
            env: Some(("SENTUI_LEASE", "4m")),
            file: Some("lease = \"5m\""),
            from: ["3m", "4m", "5m"],
            default: "10m",
            get: |s| humantime::format_duration(s.cli.ui.lease).to_string(),
        },
        // NO_COLOR can only turn colours off, so the file's `false` is what it overrides.
        Row {
            name: "no color",
            sub: GLOBAL,
            cli: &["--no-color"],
            env: Some(("NO_COLOR", "1")),
            file: Some("no_color = false"),
            from: ["true", "true", "false"],
            default: "false",
            get: |s| s.cli.ui.colorless().to_string(),
        },
        Row {
            name: "record",
            sub: &[],
            cli: &["--record", "/cli"],
            env: Some(("SENTUI_RECORD", "/env")),
            file: None,
            from: ["/cli", "/env", ""],
            default: "",
            get: |s| path(&s.cli.ui.record),
        },
        // Credentials: a password file named on the command line wins over a password in the
        // environment, which wins over one in the file.
        Row {
            name: "node password",
            sub: GLOBAL,
            cli: &["--password-file", "/cli"],
            env: Some(("SENTUI_PASSWORD", "env-pw")),
            file: Some("[auth]\npassword = \"file-pw\""),
            from: [
                "file /cli from the command line",
                "secret env-pw from the environment",
                "secret file-pw from the config file",
            ],
            default: "none",
            get: |s| password(&s.credentials.password),
        },
        Row {
            name: "node password file",
            sub: GLOBAL,
            cli: &["--password-file", "/cli"],
            env: Some(("SENTUI_PASSWORD_FILE", "/env")),
            file: Some("[auth]\npassword_file = \"/file\""),
            from: [
                "file /cli from the command line",
                "file /env from the environment",
                "file /file from the config file",
            ],
            default: "none",
            get: |s| password(&s.credentials.password),
        },
        Row {
            name: "node username",
            sub: GLOBAL,
            cli: &[],
            env: Some(("SENTUI_USERNAME", "env-user")),
            file: Some("[auth]\nusername = \"file-user\""),
            from: [
                "",
                "env-user from the environment",
                "file-user from the config file",
            ],
            default: "none",
            get: |s| username(&s.credentials.username),
        },
        Row {
            name: "sentinel password",
            sub: GLOBAL,
            cli: &["--sentinel-password-file", "/cli"],
            env: Some(("SENTUI_SENTINEL_PASSWORD", "env-pw")),
            file: Some("[auth]\nsentinel_password = \"file-pw\""),
            from: [
                "file /cli from the command line",
                "secret env-pw from the environment",
                "secret file-pw from the config file",
            ],
            default: "none",
            get: |s| password(&s.credentials.sentinel_password),
        },
        Row {
            name: "sentinel password file",
            sub: GLOBAL,
            cli: &["--sentinel-password-file", "/cli"],
            env: Some(("SENTUI_SENTINEL_PASSWORD_FILE", "/env")),
            file: Some("[auth]\nsentinel_password_file = \"/file\""),
            from: [
                "file /cli from the command line",
                "file /env from the environment",
                "file /file from the config file",
            ],
            default: "none",
            get: |s| password(&s.credentials.sentinel_password),
        },
        Row {
            name: "sentinel username",
            sub: GLOBAL,
            cli: &[],
            env: Some(("SENTUI_SENTINEL_USERNAME", "env-user")),
            file: Some("[auth]\nsentinel_username = \"file-user\""),
            from: [
                "",
                "env-user from the environment",
                "file-user from the config file",
            ],
            default: "none",
            get: |s| username(&s.credentials.sentinel_username),
        },
        // Flags of one subcommand: command line and environment.
        Row {
            name: "status --json",
            sub: &["status"],
            cli: &["--json"],
            env: Some(("SENTUI_JSON", "0")),
            file: None,
            from: ["true", "false", ""],
            default: "false",
            get: |s| match &s.cli.command {
                Some(Command::Status(a)) => a.json.to_string(),
                other => panic!("{other:?}"),
            },
        },
        Row {
            name: "events --json",
            sub: &["events"],
            cli: &["--json"],
            env: Some(("SENTUI_JSON", "0")),
            file: None,
            from: ["true", "false", ""],
            default: "false",
            get: |s| match &s.cli.command {
                Some(Command::Events(a)) => a.json.to_string(),
                other => panic!("{other:?}"),
            },
        },
        Row {
            name: "drill --scenario",
            sub: &["drill"],
            cli: &["--scenario", "/cli"],
            env: Some(("SENTUI_DRILL_SCENARIO", "/env")),
            file: None,
            from: ["/cli", "/env", ""],
            default: "",
            get: |s| match &s.cli.command {
                Some(Command::Drill(d)) => path(&d.scenario),
                other => panic!("{other:?}"),
            },
        },
        Row {
            name: "lab --project",
            sub: &["lab", "up"],
            cli: &["--project", "cli"],
            env: Some(("SENTUI_LAB_PROJECT", "env")),
            file: None,
            from: ["cli", "env", ""],
            default: "",
            get: |s| match &s.cli.command {
                Some(Command::Lab {
                    action: sentui::cli::LabAction::Up(o),
                }) => o.project.clone().unwrap_or_default(),
                other => panic!("{other:?}"),
            },
        },
        Row {
            name: "lab --dir",
            sub: &["lab", "up"],
            cli: &["--dir", "/cli"],
            env: Some(("SENTUI_LAB_DIR", "/env")),
            file: None,
            from: ["/cli", "/env", ""],
            default: "",
            get: |s| match &s.cli.command {
                Some(Command::Lab {
                    action: sentui::cli::LabAction::Up(o),
                }) => path(&o.dir),
                other => panic!("{other:?}"),
            },
        },
        Row {
            name: "lab --server-bin",
            sub: &["lab", "up"],
            cli: &["--server-bin", "/cli"],
            env: Some(("SENTUI_LAB_SERVER_BIN", "/env")),
            file: None,
            from: ["/cli", "/env", ""],
            default: "",
            get: |s| match &s.cli.command {
                Some(Command::Lab {
                    action: sentui::cli::LabAction::Up(o),
                }) => path(&o.server_bin),
                other => panic!("{other:?}"),
            },
        },
    ]
}

fn path(p: &Option<std::path::PathBuf>) -> String {
    p.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

#[test]
fn every_setting_command_line_over_environment_over_file_over_default() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let mut checked = 0;
    for row in rows() {
        // Every combination of the sources the setting has.
        for mask in 0u8..8 {
            let (cli, env, file) = (mask & 1 != 0, mask & 2 != 0, mask & 4 != 0);
            if (cli && row.cli.is_empty())
                || (env && row.env.is_none())
                || (file && row.file.is_none())
            {
                continue;
            }
            let mut args: Vec<&str> = row.sub.to_vec();
            if cli {
                args.extend_from_slice(row.cli);
            }
            let vars: Vec<(&str, &str)> = row.env.filter(|_| env).into_iter().collect();
            let text = row.file.filter(|_| file).unwrap_or("");
            let want = if cli {
                row.from[0]
            } else if env {
                row.from[1]
            } else if file {
                row.from[2]
            } else {
                row.default
            };
            let got = (row.get)(&resolve(&args, &vars, text));
            assert_eq!(
                got, want,
                "{}: command line {cli}, environment {env}, file {file}",
                row.name
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked} combinations");
}

#[test]
fn the_config_file_is_named_by_the_command_line_over_the_environment() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, timeout: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("timeout = \"{timeout}\"\n")).unwrap();
        p.to_str().unwrap().to_string()
    };
    let (cli, env) = (file("cli.toml", "3s"), file("env.toml", "4s"));
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("sentui")).unwrap();
    std::fs::write(home.join("sentui/config.toml"), "timeout = \"5s\"\n").unwrap();
    let timeout = |args: &[&str], vars: &[(&str, &str)]| {
        set_env(vars, &home);
        let mut all = vec!["sentui"];
        all.extend_from_slice(args);
        let s = from_args(all).unwrap();
        humantime::format_duration(s.cli.conn.timeout).to_string()
    };
    let env_var = [("SENTUI_CONFIG", env.as_str())];
    assert_eq!(timeout(&["--config", &cli], &env_var), "3s");
    assert_eq!(timeout(&[], &env_var), "4s");
    assert_eq!(timeout(&[], &[]), "5s", "the default file");
    std::fs::remove_file(home.join("sentui/config.toml")).unwrap();
    assert_eq!(timeout(&[], &[]), "1s", "no file: the default");
}

/// One deployment from one source: what sentui runs with and what it says it ignored.
struct Case {
    args: &'static [&'static str],
    vars: &'static [(&'static str, &'static str)],
    file: &'static str,
    source: Source,
    sentinels: &'static str,
    project: &'static str,
    /// What the stderr line says was ignored (None: no line).
    ignored: Option<&'static str>,
}

#[test]
fn the_deployment_comes_whole_from_one_source() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let cases = [
        // `lab up --local` says to export SENTUI_SENTINELS; then a compose project is named.
        Case {
            args: &["--compose-project", "newbie1"],
            vars: &[("SENTUI_SENTINELS", "127.0.0.1:1,127.0.0.1:2")],
            file: "",
            source: Source::CommandLine,
            sentinels: "",
            project: "newbie1",
            ignored: Some(
                "using --compose-project newbie1; ignoring SENTUI_SENTINELS=127.0.0.1:1,127.0.0.1:2 (",
            ),
        },
        Case {
            args: &["--sentinel", "127.0.0.1:1"],
            vars: &[("SENTUI_COMPOSE_PROJECT", "prod")],
            file: "compose_project = \"other\"",
            source: Source::CommandLine,
            sentinels: "127.0.0.1:1",
            project: "",
            ignored: Some(
                "using --sentinel 127.0.0.1:1; ignoring SENTUI_COMPOSE_PROJECT=prod, compose_project = \"other\" in ",
            ),
        },
        Case {
            args: &["--sentinel", "127.0.0.1:1"],
            vars: &[("SENTUI_SENTINELS", "127.0.0.1:2")],
            file: "",
            source: Source::CommandLine,
            sentinels: "127.0.0.1:1",
            project: "",
            ignored: Some("ignoring SENTUI_SENTINELS=127.0.0.1:2 ("),
        },
        Case {
            args: &[],
            vars: &[("SENTUI_SENTINELS", "127.0.0.1:2")],
            file: "compose_project = \"p\"\nsentinels = [\"127.0.0.1:3\"]",
            source: Source::Environment,
            sentinels: "127.0.0.1:2",
            project: "",
            ignored: Some(
                "using SENTUI_SENTINELS=127.0.0.1:2; ignoring compose_project = \"p\" and sentinels = [\"127.0.0.1:3\"] in ",
            ),
        },
        // Both parts from one source go together, as before.
        Case {
            args: &["--compose-project", "p", "--sentinel", "127.0.0.1:1"],
            vars: &[],
            file: "",
            source: Source::CommandLine,
            sentinels: "127.0.0.1:1",
            project: "p",
            ignored: None,
        },
        Case {
            args: &[],
            vars: &[
                ("SENTUI_SENTINELS", "127.0.0.1:2"),
                ("SENTUI_COMPOSE_PROJECT", "p"),
            ],
            file: "",
            source: Source::Environment,
            sentinels: "127.0.0.1:2",
            project: "p",
            ignored: None,
        },
        Case {
            args: &[],
            vars: &[],
            file: "compose_project = \"p\"\nsentinels = [\"127.0.0.1:3\"]",
            source: Source::File,
            sentinels: "127.0.0.1:3",
            project: "p",
            ignored: None,
        },
        // The same deployment named twice is nothing to say.
        Case {
            args: &["--compose-project", "p"],
            vars: &[("SENTUI_COMPOSE_PROJECT", "p")],
            file: "compose_project = \"p\"",
            source: Source::CommandLine,
            sentinels: "",
            project: "p",
            ignored: None,
        },
        // An empty variable names nothing.
        Case {
            args: &[],
            vars: &[("SENTUI_COMPOSE_PROJECT", "")],
            file: "sentinels = [\"127.0.0.1:3\"]",
            source: Source::File,
            sentinels: "127.0.0.1:3",
            project: "",
            ignored: None,
        },
        Case {
            args: &[],
            vars: &[],
            file: "",
            source: Source::Default,
            sentinels: "",
            project: "",
            ignored: None,
        },
    ];
    for c in cases {
        let s = resolve(c.args, c.vars, c.file);
        let what = format!("{:?} {:?} {:?}", c.args, c.vars, c.file);
        let sentinels: Vec<String> = s.cli.conn.sentinels.iter().map(|a| a.to_string()).collect();
        assert_eq!(s.deployment.source, c.source, "{what}");
        assert_eq!(sentinels.join(","), c.sentinels, "{what}");
        assert_eq!(
            s.cli.conn.compose_project.as_deref().unwrap_or(""),
            c.project,
            "{what}"
        );
        match (c.ignored, s.deployment.notice()) {
            (None, None) => {}
            (Some(want), Some(got)) => assert!(got.contains(want), "{what}: {got}"),
            (want, got) => panic!("{what}: wanted {want:?}, got {got:?}"),
        }
    }
}
