//! The dispatcher: a command line becomes a [`Job`] of the kind its row in the command table
//! (`table.rs`) says, and each kind is run with what it needs: nothing, a connection, or a
//! connection recognised as a lab or not and the hands to act with. A command that needs a
//! connection is only ever given one: its type has no way to run without.

use super::table::{Name, recorders};
use crate::cli::{
    Cli, Command, ConnArgs, CtlArgs, DoctorArgs, DrillArgs, EventsArgs, LabAction, LabOptions,
    ReplayArgs, ReportArgs, ScreenshotArgs, StatusArgs, UiArgs,
};
use crate::connection::{self, Connection};
use crate::settings::{CredentialSettings, Settings};
use sentui_io::hands::{Hands, Holder};
use std::path::PathBuf;

/// A command line, by what it needs before it starts.
pub enum Job {
    Offline(Offline),
    Watching(Watching),
    Acting(Acting),
}

/// Runs without a connection (`demo` makes its own, to the lab it starts).
pub enum Offline {
    Lab(LabAction),
    Demo(LabOptions),
    Replay(ReplayArgs),
    Report(ReportArgs),
    Config { print_template: bool },
    Completions(clap_complete::Shell),
    Man(Option<PathBuf>),
    Guard(PathBuf),
}

/// Reads a deployment through a connection.
pub enum Watching {
    Status(StatusArgs),
    Doctor(DoctorArgs),
    Events(EventsArgs),
    Screenshot(ScreenshotArgs),
}

/// Acts on a deployment: a connection recognised as a lab or not, and hands.
pub enum Acting {
    Tui,
    Ctl(CtlArgs),
    Drill(DrillArgs),
}

impl Job {
    pub fn new(command: Option<Command>) -> Job {
        match command {
            None => Job::Acting(Acting::Tui),
            Some(Command::Status(a)) => Job::Watching(Watching::Status(a)),
            Some(Command::Doctor(a)) => Job::Watching(Watching::Doctor(a)),
            Some(Command::Events(a)) => Job::Watching(Watching::Events(a)),
            Some(Command::Screenshot(a)) => Job::Watching(Watching::Screenshot(a)),
            Some(Command::Ctl(a)) => Job::Acting(Acting::Ctl(a)),
            Some(Command::Drill(a)) => Job::Acting(Acting::Drill(a)),
            Some(Command::Lab { action }) => Job::Offline(Offline::Lab(action)),
            Some(Command::Demo(o)) => Job::Offline(Offline::Demo(o)),
            Some(Command::Replay(a)) => Job::Offline(Offline::Replay(a)),
            Some(Command::Report(a)) => Job::Offline(Offline::Report(a)),
            Some(Command::Config { print_template }) => {
                Job::Offline(Offline::Config { print_template })
            }
            Some(Command::Completions { shell }) => Job::Offline(Offline::Completions(shell)),
            Some(Command::Man { dir }) => Job::Offline(Offline::Man(dir)),
            Some(Command::Guard { lease_file }) => Job::Offline(Offline::Guard(lease_file)),
        }
    }

    pub fn name(&self) -> Name {
        match self {
            Job::Offline(o) => match o {
                Offline::Lab(_) => Name::Lab,
                Offline::Demo(_) => Name::Demo,
                Offline::Replay(_) => Name::Replay,
                Offline::Report(_) => Name::Report,
                Offline::Config { .. } => Name::Config,
                Offline::Completions(_) => Name::Completions,
                Offline::Man(_) => Name::Man,
                Offline::Guard(_) => Name::Guard,
            },
            Job::Watching(w) => match w {
                Watching::Status(_) => Name::Status,
                Watching::Doctor(_) => Name::Doctor,
                Watching::Events(_) => Name::Events,
                Watching::Screenshot(_) => Name::Screenshot,
            },
            Job::Acting(a) => match a {
                Acting::Tui => Name::Tui,
                Acting::Ctl(_) => Name::Ctl,
                Acting::Drill(_) => Name::Drill,
            },
        }
    }
}

/// Runs the command the settings describe; returns its exit status.
pub async fn run(settings: Settings) -> u8 {
    let Settings {
        cli: Cli { conn, ui, command },
        credentials,
        deployment,
    } = settings;
    let job = Job::new(command);
    if ui.record.is_some() && !job.name().spec().records {
        return super::fail(format!("--record works with {}", recorders()));
    }
    let group = conn.master.clone();
    if !matches!(job, Job::Offline(_))
        && let Some(notice) = deployment.notice()
    {
        eprintln!("sentui: {notice}");
    }
    match job {
        Job::Offline(o) => o.run(conn, &credentials, ui).await,
        Job::Watching(w) => match connection::connect(&conn, &credentials, ui.read_only).await {
            Ok(c) => w.run(c, group, &ui).await,
            Err(e) => super::fail(e),
        },
        Job::Acting(a) => {
            let holder = a.holder();
            match crate::hands::connect(&conn, &credentials, ui.read_only, ui.lease, holder).await {
                Ok((c, hands)) => a.run(c, hands, group, &ui).await,
                Err(e) => super::fail(e),
            }
        }
    }
}

impl Offline {
    async fn run(self, conn: ConnArgs, credentials: &CredentialSettings, ui: UiArgs) -> u8 {
        match self {
            Offline::Lab(action) => super::lab::run(action, conn.compose_project.as_deref()).await,
            Offline::Demo(opts) => super::demo::run(conn, credentials, ui, opts).await,
            Offline::Replay(args) => super::replay::run(&args, ui.colorless()).await,
            Offline::Report(args) => super::report::run(&args, conn.master.as_deref()),
            Offline::Config { print_template } => {
                super::config::run(print_template, conn.config.as_deref())
            }
            Offline::Completions(shell) => super::manual::completions(shell),
            Offline::Man(dir) => super::manual::man(dir.as_deref()),
            // main() runs the guard before any config file is read; here for completeness.
            Offline::Guard(lease_file) => sentui_io::guard::run(lease_file).await,
        }
    }
}

impl Watching {
    async fn run(self, c: Connection, group: Option<String>, ui: &UiArgs) -> u8 {
        match self {
            Watching::Status(a) => match a.watch {
                Some(every) => {
                    let (json, wide, processes) = (a.json, a.wide, a.processes);
                    super::watch::run(&c, group.as_deref(), json, wide, processes, every).await
                }
                None => {
                    let (json, wide, processes) = (a.json, a.wide, a.processes);
                    super::status::run(&c, group.as_deref(), json, wide, processes).await
                }
            },
            Watching::Doctor(a) => super::doctor::run(&c, group.as_deref(), a.json).await,
            Watching::Events(a) => {
                super::events::run(c.settings, c.seeds, &a, group, ui.record.clone()).await
            }
            Watching::Screenshot(a) => super::screenshot::run(c, group, &a, ui.colorless()).await,
        }
    }
}

impl Acting {
    /// Who holds the faults it injects: the TUI and a drill hold them while they run; `ctl`
    /// exits at once and leaves them to their leases.
    fn holder(&self) -> Holder {
        match self {
            Acting::Tui | Acting::Drill(_) => Holder::ThisProcess,
            Acting::Ctl(_) => Holder::Nobody,
        }
    }

    async fn run(self, c: Connection, hands: Hands, group: Option<String>, ui: &UiArgs) -> u8 {
        match self {
            Acting::Tui => {
                let opts = crate::tui::TuiOptions::from_args(ui, group);
                match crate::tui::run(c, hands, opts).await {
                    Ok(code) => code,
                    Err(e) => super::fail(e),
                }
            }
            Acting::Ctl(a) => super::ctl::run(&c, &hands, &a, group.as_deref()).await,
            Acting::Drill(a) => super::drill::run(c, hands, &a, group).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::table::Reach;
    use clap::Parser;

    /// A command line for every row of the table.
    fn sample(name: Name) -> &'static [&'static str] {
        match name {
            Name::Tui => &[],
            Name::Status => &["status"],
            Name::Doctor => &["doctor"],
            Name::Events => &["events"],
            Name::Ctl => &["ctl", "pause", "master"],
            Name::Lab => &["lab", "up"],
            Name::Demo => &["demo"],
            Name::Replay => &["replay", "r.ndjson"],
            Name::Report => &["report", "r.ndjson", "-o", "r.html"],
            Name::Completions => &["completions", "bash"],
            Name::Man => &["man"],
            Name::Guard => &["guard", "lease.json"],
            Name::Config => &["config"],
            Name::Screenshot => &["screenshot", "--out", "s.svg"],
            Name::Drill => &["drill"],
        }
    }

    #[test]
    fn every_command_runs_with_what_its_row_says_it_needs() {
        for name in Name::ALL {
            let args = std::iter::once("sentui").chain(sample(name).iter().copied());
            let cli = Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{name:?}: {e}"));
            let job = Job::new(cli.command);
            assert_eq!(job.name(), name);
            let reach = name.spec().reach;
            let kind_fits = match &job {
                Job::Offline(_) => matches!(reach, Reach::Offline | Reach::OwnLab),
                Job::Watching(_) => reach == Reach::Watch,
                Job::Acting(_) => reach == Reach::Act,
            };
            assert!(
                kind_fits,
                "{name:?} runs as its row does not say ({reach:?})"
            );
        }
    }
}
