//! The subcommands' own arguments (`status`, `events`, `ctl`, `replay`, `screenshot`, `drill`,
//! `lab`), each in its own struct.

use super::values::*;
use clap::{Args, Subcommand};
use sentui_io::lab::server::ServerImage;
use sentui_model::action::Action;
use sentui_model::log::Event;
use sentui_model::time::parse_duration;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    /// Print JSON instead of a table.
    #[arg(long, env = "SENTUI_JSON", value_parser = env_bool("SENTUI_JSON"))]
    pub json: bool,
    /// Take a snapshot every INTERVAL (default 2s) until Ctrl-C: redrawn in place on a
    /// terminal, one after another otherwise (JSON: one object a line). The exit status
    /// tells the last one's health.
    #[arg(long, value_name = "INTERVAL", num_args = 0..=1, default_missing_value = "2s", value_parser = parse_duration)]
    pub watch: Option<Duration>,
    /// Every column on one line, however wide. Without it, on a terminal the table fits the
    /// terminal's width: columns give way whole (server, offset, role, link, lag) and flags
    /// and notes wrap by word. Not on a terminal, every column shows.
    #[arg(long, env = "SENTUI_WIDE", value_parser = env_bool("SENTUI_WIDE"))]
    pub wide: bool,
    /// Name the local process behind every endpoint (pid, name, stopped or not). Without it,
    /// only endpoints that do not answer are looked up in /proc: they are where it explains
    /// something (a SIGSTOPped process, nothing listening).
    #[arg(long)]
    pub processes: bool,
}

#[derive(Args, Debug, Clone)]
pub struct DoctorArgs {
    /// Print JSON instead of text.
    #[arg(long, env = "SENTUI_JSON", value_parser = env_bool("SENTUI_JSON"))]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct EventsArgs {
    /// One JSON object a line.
    #[arg(long, env = "SENTUI_JSON", value_parser = env_bool("SENTUI_JSON"))]
    pub json: bool,
    /// Stop after this long.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Stop after the first entry with this event name (e.g. +switch-master).
    #[arg(long, value_name = "EVENT")]
    pub until: Option<Event>,
}

#[derive(Args, Debug, Clone)]
pub struct CtlArgs {
    #[arg(value_parser = action_parser(&CTL_ACTIONS))]
    pub action: Action,
    /// `master` (of the group named by --master, or the only group), a compose service or
    /// container name, or HOST:PORT of a node or sentinel the sentinels report. For
    /// `failover`: the master group (default: --master, or the only group).
    #[arg(required_if_eq_any = CTL_NEEDS_TARGET)]
    pub target: Option<String>,
    /// With `failover`: ask for a coordinated failover (`SENTINEL FAILOVER <group>
    /// COORDINATED`, Valkey 9): an election, then the master pauses its writes and hands over
    /// once the replica caught up.
    #[arg(long)]
    pub coordinated: bool,
    /// Act even though the deployment is not a sentui lab (pause, stop, restart and failover
    /// need it there).
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// Every ctl action but `failover` names its target.
const CTL_NEEDS_TARGET: [(&str, &str); 8] = [
    ("action", "pause"),
    ("action", "unpause"),
    ("action", "stop"),
    ("action", "start"),
    ("action", "restart"),
    ("action", "partition"),
    ("action", "heal"),
    ("action", "restart-empty"),
];

#[derive(Args, Debug, Clone)]
pub struct ReplayArgs {
    /// The recording (`--record FILE`).
    pub file: PathBuf,
    /// Playback speed (2 = twice as fast).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Render the whole session to an asciicast v2 file instead (for `asciinema play`).
    #[arg(long, value_name = "OUT.cast")]
    pub to_cast: Option<PathBuf>,
    /// Save one frame as SVG instead (see --at).
    #[arg(long, value_name = "OUT.svg")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: an event name (the first one, e.g. +switch-master) or seconds from
    /// the start.
    #[arg(long, value_name = "EVENT|SECS", default_value = "0")]
    pub at: String,
    /// With --screenshot: this long after --at.
    #[arg(long, value_name = "DURATION", default_value = "0ms", value_parser = parse_duration_or_zero)]
    pub after: Duration,
    /// Terminal size of the rendering (default: the recorded one).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub size: Option<(u16, u16)>,
    /// Check that replaying reproduces every frame the live session drew (exit 0), or name
    /// the first that differs (exit 1).
    #[arg(long, conflicts_with_all = ["to_cast", "screenshot"])]
    pub verify: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// A recording (`--record FILE`), a capture of `sentui events --json`, or a drill's JSON
    /// report (`drill --report json`; an A/B drill's holds two). Two or more pages are put
    /// side by side.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Where to write: FILE.html is the whole page (summary and timeline, one self-contained
    /// file), FILE.svg the timeline alone.
    #[arg(short = 'o', long = "out", value_name = "FILE.html|FILE.svg")]
    pub out: PathBuf,
}

#[derive(Args, Debug, Clone)]
pub struct ScreenshotArgs {
    #[arg(long, value_name = "OUT.svg")]
    pub out: PathBuf,
    #[arg(long, value_name = "WxH", default_value = "120x36", value_parser = parse_size)]
    pub size: (u16, u16),
    /// How long to collect before drawing.
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = parse_duration)]
    pub wait: Duration,
}

#[derive(Args, Debug, Clone)]
pub struct DrillArgs {
    /// A scenario file (TOML, see docs/drill.md and drills/); default: the built-in drill.
    #[arg(long, value_name = "FILE", env = "SENTUI_DRILL_SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// The built-in drill's fault on the master: pause (container, or SIGSTOP locally), stop
    /// (container), failover (SENTINEL FAILOVER), failover-coordinated (SENTINEL FAILOVER
    /// COORDINATED, Valkey 9) or partition (cut it off from the sentinels and replicas, clients
    /// still reach it; Docker lab) or restart-empty (restarted at once with its data removed,
    /// as a server without persistence).
    #[arg(long, value_name = "FAULT", conflicts_with = "scenario", value_parser = action_parser(&DRILL_FAULTS))]
    pub fault: Option<Action>,
    /// A/B: the built-in drill twice on the same deployment, first with a classic failover,
    /// then with a coordinated one (Valkey 9), each with the write probe; one report with the
    /// two side by side (lost, refused and failed writes, unavailability, every phase).
    #[arg(long, conflicts_with_all = ["scenario", "fault", "no_probe"])]
    pub ab: bool,
    /// Keep the built-in drill's fault this long after +switch-master before undoing it
    /// (default: undo at once).
    #[arg(long, value_name = "DURATION", conflicts_with = "scenario", value_parser = parse_duration)]
    pub hold: Option<Duration>,
    /// How the write probe follows the master: sentinel (moves at the first +switch-master)
    /// or stay (keeps its master until a write fails, then asks the sentinels: pooled
    /// clients).
    #[arg(long, value_name = "HOW", value_enum)]
    pub probe_follow: Option<ProbeFollow>,
    /// Probe writes per second.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub rate: Option<u32>,
    /// No write probe.
    #[arg(long)]
    pub no_probe: bool,
    /// Fail when the fault to +switch-master takes longer.
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub max_failover_secs: Option<f64>,
    /// Fail when the new master lost more acknowledged writes.
    #[arg(long, value_name = "N")]
    pub max_lost_writes: Option<u64>,
    /// Fail when the probe could not write for longer (in total).
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub max_unavailable_secs: Option<f64>,
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub report: ReportFormat,
    /// Run even though the deployment is not a sentui lab (its faults need it there).
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Bound on all steps together.
    #[arg(long, value_name = "SECS", default_value = "120", value_parser = parse_secs)]
    pub timeout_secs: f64,
}

/// The faults the built-in drill can inject on the master.
pub const DRILL_FAULTS: [Action; 6] = [
    Action::Pause,
    Action::Stop,
    Action::Failover,
    Action::FailoverCoordinated,
    Action::Partition,
    Action::RestartEmpty,
];

/// What `sentui ctl` can do: to a node, or (`failover`) to a group.
pub const CTL_ACTIONS: [Action; 9] = [
    Action::Failover,
    Action::Pause,
    Action::Unpause,
    Action::Stop,
    Action::Start,
    Action::Restart,
    Action::Partition,
    Action::Heal,
    Action::RestartEmpty,
];

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeFollow {
    Sentinel,
    Stay,
}

impl From<ProbeFollow> for sentui_model::probe::Follow {
    fn from(f: ProbeFollow) -> Self {
        match f {
            ProbeFollow::Sentinel => sentui_model::probe::Follow::Sentinel,
            ProbeFollow::Stay => sentui_model::probe::Follow::Stay,
        }
    }
}

/// A parser that takes the names of `allowed` (and lists them in `--help`).
fn action_parser(
    allowed: &'static [Action],
) -> impl clap::builder::TypedValueParser<Value = Action> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(allowed.iter().map(|a| a.name()))
        .try_map(|s| s.parse::<Action>())
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Md,
    Json,
    /// The post-mortem page: one self-contained HTML file (`sentui report` draws it again
    /// from the JSON report).
    Html,
}

/// Seconds as a number (`30`, `2.5`), at least 0.
pub fn parse_secs(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}': a number of seconds, e.g. 30 or 2.5"))?;
    if !(v.is_finite() && v >= 0.0) {
        return Err(format!("'{s}': must be 0 or more seconds"));
    }
    Ok(v)
}

#[derive(Subcommand, Debug)]
pub enum LabAction {
    /// Start a master, replicas and three sentinels, and wait until the sentinels agree.
    Up(LabOptions),
    /// Stop exactly what `lab up` started.
    Down(LabOptions),
}

#[derive(Args, Debug, Clone)]
pub struct LabOptions {
    /// Use local redis-server processes instead of Docker (the default when no Docker engine
    /// is reachable).
    #[arg(long)]
    pub local: bool,
    /// The compose project name of the Docker lab (several labs can run side by side)
    /// [default: --compose-project if given, else sentui-lab].
    #[arg(long, value_name = "NAME", env = "SENTUI_LAB_PROJECT")]
    pub project: Option<String>,
    /// A local lab that speaks mutual TLS only: it makes its own CA, server and client
    /// certificates (client keys in PKCS#8, PKCS#1 and SEC1) under DIR/tls. Implies --local.
    #[arg(long)]
    pub tls: bool,
    /// Where the local lab keeps its directories and state.
    #[arg(long, value_name = "DIR", env = "SENTUI_LAB_DIR")]
    pub dir: Option<PathBuf>,
    /// Number of replicas (local lab; the Docker lab has two).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub replicas: u8,
    /// Number of master groups the three sentinels watch (local lab; the scale lab runs 100).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub groups: u16,
    /// The server of the Docker lab: redis:7.0 (default), redis:8.0, valkey:8.1 or valkey:9.1. The
    /// official image when a registry serves it, else one built offline from Debian's packages.
    #[arg(long, value_name = "SERVER", env = "SENTUI_LAB_SERVER")]
    pub server: Option<ServerImage>,
    /// The server binary of the local lab, which this implies (redis-server or valkey-server;
    /// default: redis-server on PATH, else valkey-server).
    #[arg(long, value_name = "PATH", env = "SENTUI_LAB_SERVER_BIN")]
    pub server_bin: Option<PathBuf>,
    /// Every node refuses writes (NOREPLICAS) with fewer than N replicas lagging at most
    /// --min-replicas-max-lag: bounds what a partitioned master can acknowledge.
    #[arg(long, value_name = "N", help_heading = "Settings that bound data loss")]
    pub min_replicas_to_write: Option<u32>,
    /// Seconds a replica may lag and still count for --min-replicas-to-write (Redis default
    /// 10).
    #[arg(
        long,
        value_name = "SECS",
        help_heading = "Settings that bound data loss"
    )]
    pub min_replicas_max_lag: Option<u32>,
    /// The sentinels take a master that restarted (a new run id) within this many
    /// milliseconds as down, so one that came back empty is failed over, not taken back.
    #[arg(
        long,
        value_name = "MS",
        help_heading = "Settings that bound data loss"
    )]
    pub master_reboot_down_after_period: Option<u64>,
}

impl LabOptions {
    pub fn loss_settings(&self) -> sentui_io::lab::LossSettings {
        sentui_io::lab::LossSettings {
            min_replicas_to_write: self.min_replicas_to_write,
            min_replicas_max_lag: self.min_replicas_max_lag,
            master_reboot_down_after_ms: self.master_reboot_down_after_period,
        }
    }
}

/// `--project` and `--compose-project` naming two projects.
#[derive(Debug, thiserror::Error)]
#[error(
    "--project {project} and --compose-project {compose_project} name different projects: give one"
)]
pub struct ProjectConflict {
    pub project: String,
    pub compose_project: String,
}

/// The Docker lab's project when none is named.
pub const DEFAULT_LAB_PROJECT: &str = "sentui-lab";

impl LabOptions {
    /// The compose project of the Docker lab.
    pub fn project(&self) -> &str {
        self.project.as_deref().unwrap_or(DEFAULT_LAB_PROJECT)
    }

    /// `--project` and the global `--compose-project` are one name: either sets it, and two
    /// different ones are an error rather than a guess.
    pub fn with_compose_project(
        mut self,
        compose_project: Option<&str>,
    ) -> Result<Self, ProjectConflict> {
        match (&self.project, compose_project) {
            (Some(p), Some(c)) if p != c => {
                return Err(ProjectConflict {
                    project: p.clone(),
                    compose_project: c.to_string(),
                });
            }
            (None, Some(c)) => self.project = Some(c.to_string()),
            _ => {}
        }
        Ok(self)
    }
}
