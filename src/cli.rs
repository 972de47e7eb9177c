//! Command line. The connection and display flags also read a `SENTUI_*` environment variable
//! (`--no-color` reads NO_COLOR), and the config file can set them too (config.rs); flags of a
//! single subcommand are flags only, but for a few named in their help. Which source wins is
//! settings.rs's: [`PRECEDENCE`], shown under `--help`.

use clap::{Args, Parser, Subcommand};
use sentui_io::lab::server::ServerImage;
use sentui_model::action::Action;
use sentui_model::log::Event;
use sentui_model::time::parse_duration;
use sentui_model::{Addr, AddrMap};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "sentui",
    version,
    about = "Watch and rehearse Redis Sentinel failovers from the terminal",
    long_about = "sentui connects to every sentinel and every Redis node of a Sentinel deployment \
and shows the topology, replication and the merged sentinel event log live. With no subcommand \
it opens the terminal UI.",
    after_help = PRECEDENCE
)]
pub struct Cli {
    #[command(flatten)]
    pub conn: ConnArgs,
    #[command(flatten)]
    pub ui: UiArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One precedence for every setting (settings.rs), said under `--help`.
pub const PRECEDENCE: &str = "Precedence, for every setting, credentials included: command line \
> environment (SENTUI_*) > config file > default. The deployment (--sentinel, --compose-project) \
comes whole from the first of these that names one; what another source names instead is \
ignored, and said on stderr.";

#[derive(Args, Debug, Clone)]
pub struct ConnArgs {
    /// A sentinel to start from (repeatable); the others and every node are discovered
    /// [default: 127.0.0.1:26379, or the sentinels of --compose-project].
    #[arg(help_heading = "Connection", 
        short = 's',
        long = "sentinel",
        value_name = "HOST:PORT",
        env = "SENTUI_SENTINELS",
        value_delimiter = ',',
        global = true,
        value_parser = parse_addr
    )]
    pub sentinels: Vec<Addr>,

    /// Watch a Docker Compose project: find its containers by their compose labels, reach
    /// them through their published 127.0.0.1 ports, show container states and events, and
    /// control them.
    #[arg(
        help_heading = "Connection",
        long,
        value_name = "NAME",
        env = "SENTUI_COMPOSE_PROJECT",
        global = true
    )]
    pub compose_project: Option<String>,

    /// Reach an announced address at another one, e.g. redis-master:6379=127.0.0.1:49153
    /// (repeatable; for NAT and containers).
    #[arg(help_heading = "Connection", long = "map", value_name = "ANNOUNCED=REACHABLE", env = "SENTUI_MAP", value_delimiter = ',', global = true, value_parser = parse_map)]
    pub map: Vec<(Addr, Addr)>,

    /// Look up announced host names through the system resolver (default: never; announced
    /// names are reached only through the address map or --compose-project).
    #[arg(
        help_heading = "Connection",
        long,
        env = "SENTUI_RESOLVE_NAMES",
        global = true,
        value_parser = env_bool("SENTUI_RESOLVE_NAMES")
    )]
    pub resolve_names: bool,

    /// Only this master group (default: every group the sentinels monitor).
    #[arg(
        help_heading = "Connection",
        long = "master",
        value_name = "NAME",
        env = "SENTUI_MASTER",
        global = true
    )]
    pub master: Option<String>,

    /// Read settings from this TOML file [default: ~/.config/sentui/config.toml if present].
    #[arg(
        help_heading = "Connection",
        long,
        value_name = "PATH",
        env = "SENTUI_CONFIG",
        global = true
    )]
    pub config: Option<PathBuf>,

    /// Use TLS (rediss) to every node and sentinel.
    #[arg(
        help_heading = "Credentials and TLS",
        long,
        env = "SENTUI_TLS",
        global = true,
        value_parser = env_bool("SENTUI_TLS")
    )]
    pub tls: bool,
    /// Trust this CA (PEM) instead of the system's; implies --tls.
    #[arg(
        help_heading = "Credentials and TLS",
        long,
        value_name = "FILE",
        env = "SENTUI_TLS_CA",
        global = true
    )]
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS, with --tls-key.
    #[arg(
        help_heading = "Credentials and TLS",
        long,
        value_name = "FILE",
        env = "SENTUI_TLS_CERT",
        global = true
    )]
    pub tls_cert: Option<PathBuf>,
    /// Client key (PEM) for mutual TLS.
    #[arg(
        help_heading = "Credentials and TLS",
        long,
        value_name = "FILE",
        env = "SENTUI_TLS_KEY",
        global = true
    )]
    pub tls_key: Option<PathBuf>,
    /// Skip certificate and hostname verification (testing only); implies --tls.
    #[arg(
        help_heading = "Credentials and TLS",
        long,
        env = "SENTUI_TLS_INSECURE",
        global = true,
        value_parser = env_bool("SENTUI_TLS_INSECURE")
    )]
    pub tls_insecure: bool,

    /// Read the Redis nodes' password from this file. On the command line it wins over
    /// SENTUI_PASSWORD; in the environment, SENTUI_PASSWORD wins over it.
    #[arg(
        help_heading = "Credentials and TLS",
        long,
        value_name = "FILE",
        env = "SENTUI_PASSWORD_FILE",
        global = true
    )]
    pub password_file: Option<PathBuf>,
    /// Read the sentinels' password from this file. On the command line it wins over
    /// SENTUI_SENTINEL_PASSWORD; in the environment, SENTUI_SENTINEL_PASSWORD wins over it.
    #[arg(
        help_heading = "Credentials and TLS",
        long,
        value_name = "FILE",
        env = "SENTUI_SENTINEL_PASSWORD_FILE",
        global = true
    )]
    pub sentinel_password_file: Option<PathBuf>,

    /// Connect and response timeout of every call.
    #[arg(help_heading = "Connection", long, value_name = "DURATION", env = "SENTUI_TIMEOUT", default_value = "1s", global = true, value_parser = parse_duration)]
    pub timeout: Duration,

    /// How often each sentinel is polled.
    #[arg(help_heading = "Connection", long, value_name = "DURATION", env = "SENTUI_REFRESH", default_value = "1s", global = true, value_parser = parse_duration)]
    pub refresh: Duration,

    /// How often each node's liveness is probed.
    #[arg(help_heading = "Connection", long, value_name = "DURATION", env = "SENTUI_PROBE_EVERY", default_value = "100ms", global = true, value_parser = parse_duration)]
    pub probe_every: Duration,

    /// Most liveness probes per second across all nodes; with more nodes than that allows at
    /// --probe-every, each node is probed less often.
    #[arg(help_heading = "Connection", long, value_name = "N", env = "SENTUI_PROBE_BUDGET", default_value_t = sentui_model::budget::DEFAULT_PROBE_BUDGET, global = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub probe_budget: u32,

    /// Most group-detail commands (REPLICAS, SENTINELS, CKQUORUM) per poll of one sentinel;
    /// past it, groups are refreshed in turn, changed ones first.
    #[arg(help_heading = "Connection", long, value_name = "N", env = "SENTUI_POLL_BUDGET", default_value_t = sentui_model::budget::DEFAULT_POLL_BUDGET, global = true, value_parser = clap::value_parser!(u32).range(3..))]
    pub poll_budget: u32,

    /// A node that has not answered for this long is flagged unresponsive.
    #[arg(help_heading = "Connection", long, value_name = "DURATION", env = "SENTUI_UNRESPONSIVE_AFTER", default_value = "300ms", global = true, value_parser = parse_duration)]
    pub unresponsive_after: Duration,
}

impl ConnArgs {
    /// TLS file paths and flags, read into settings (a missing file is an error naming it).
    pub fn tls_settings(&self) -> Result<Option<sentui_io::link::TlsSettings>, String> {
        let any = self.tls || self.tls_ca.is_some() || self.tls_cert.is_some() || self.tls_insecure;
        if !any {
            return Ok(None);
        }
        // Checked here, so a bad file is named as the culprit rather than every link failing.
        let read = |p: &std::path::Path, what: &str| {
            let bytes = std::fs::read(p)
                .map_err(|e| format!("cannot read the TLS {what} {}: {e}", p.display()))?;
            let marker: &[u8] = if what == "key" {
                b"PRIVATE KEY-----"
            } else {
                b"-----BEGIN CERTIFICATE-----"
            };
            if !bytes.windows(marker.len()).any(|w| w == marker) {
                return Err(format!(
                    "the TLS {what} {} is not a PEM {}",
                    p.display(),
                    if what == "key" {
                        "private key"
                    } else {
                        "certificate"
                    }
                ));
            }
            Ok(bytes)
        };
        let client = match (&self.tls_cert, &self.tls_key) {
            (Some(c), Some(k)) => Some((read(c, "certificate")?, read(k, "key")?)),
            (None, None) => None,
            _ => return Err("--tls-cert and --tls-key go together".into()),
        };
        Ok(Some(sentui_io::link::TlsSettings {
            ca: self.tls_ca.as_deref().map(|p| read(p, "CA")).transpose()?,
            client,
            insecure: self.tls_insecure,
        }))
    }

    pub fn addr_map(&self) -> AddrMap {
        let mut m = AddrMap::default();
        for (a, r) in &self.map {
            m.insert(a.clone(), r.clone());
        }
        m
    }
}

/// Terminal UI options.
#[derive(Args, Debug, Clone)]
pub struct UiArgs {
    /// On quit, leave the nodes sentui paused as they are (default: resume them).
    #[arg(
        help_heading = "Control",
        long,
        env = "SENTUI_LEAVE_PAUSED",
        global = true,
        value_parser = env_bool("SENTUI_LEAVE_PAUSED")
    )]
    pub leave_paused: bool,
    /// How long a fault sentui injects (pause, stop, partition) may last: a guard process
    /// outside sentui ends it then, or at once if this sentui dies first (`--leave-paused` and
    /// `ctl` keep it until then).
    #[arg(
        help_heading = "Control",
        long,
        value_name = "DURATION",
        env = "SENTUI_LEASE",
        default_value = "10m",
        global = true,
        value_parser = parse_lease
    )]
    pub lease: Duration,
    /// Disable every control action (pause, failover).
    #[arg(
        help_heading = "Control",
        long,
        env = "SENTUI_READ_ONLY",
        global = true,
        value_parser = env_bool("SENTUI_READ_ONLY")
    )]
    pub read_only: bool,
    /// No colours (also when NO_COLOR is set to anything non-empty).
    #[arg(help_heading = "Display", long, global = true)]
    pub no_color: bool,
    /// Write the TUI's measured figures (event-to-screen latency) as JSON here on exit
    /// (used by the benchmark).
    #[arg(
        help_heading = "Display",
        long,
        value_name = "FILE",
        hide = true,
        global = true
    )]
    pub stats_out: Option<std::path::PathBuf>,
    /// Record the session (TUI or `events`) as NDJSON: every update, event, key, action and
    /// terminal size, for `sentui replay`. Credentials never enter a recording.
    #[arg(
        help_heading = "Display",
        long,
        value_name = "FILE",
        env = "SENTUI_RECORD",
        global = true
    )]
    pub record: Option<PathBuf>,
}

impl UiArgs {
    pub fn colorless(&self) -> bool {
        self.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// One snapshot of every master group; the exit status tells the health.
    #[command(after_help = PRECEDENCE)]
    Status {
        /// Print JSON instead of a table.
        #[arg(long, env = "SENTUI_JSON", value_parser = env_bool("SENTUI_JSON"))]
        json: bool,
        /// Take a snapshot every INTERVAL (default 2s) until Ctrl-C: redrawn in place on a
        /// terminal, one after another otherwise (JSON: one object a line). The exit status
        /// tells the last one's health.
        #[arg(long, value_name = "INTERVAL", num_args = 0..=1, default_missing_value = "2s", value_parser = parse_duration)]
        watch: Option<Duration>,
    },
    /// Stream the merged event log of all sentinels (and sentui's own observations).
    #[command(after_help = PRECEDENCE)]
    Events {
        /// One JSON object a line.
        #[arg(long, env = "SENTUI_JSON", value_parser = env_bool("SENTUI_JSON"))]
        json: bool,
        /// Stop after this long.
        #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
        duration: Option<Duration>,
        /// Stop after the first entry with this event name (e.g. +switch-master).
        #[arg(long, value_name = "EVENT")]
        until: Option<Event>,
    },
    /// Pause, resume, stop, start, restart, partition or heal a node: its container (with
    /// --compose-project) or the local process listening on its port (pause/unpause:
    /// SIGSTOP/SIGCONT). A partition cuts a Docker lab node off from the sentinels and the
    /// other nodes while clients still reach it; heal undoes it.
    #[command(after_help = PRECEDENCE)]
    Ctl {
        #[arg(value_parser = action_parser(&CTL_ACTIONS))]
        action: Action,
        /// `master` (of the group named by --master, or the only group), a compose service or
        /// container name, or HOST:PORT of a node or sentinel the sentinels report.
        target: String,
        /// Act even though the deployment is not a sentui lab (pause, stop and restart need it
        /// there).
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Start or stop the failover lab.
    Lab {
        #[command(subcommand)]
        action: LabAction,
    },
    /// Start the lab and open the terminal UI on it.
    Demo(LabOptions),
    /// Replay a recording in the TUI (Space pause, . step, ←/→ seek, +/- speed), or render it.
    Replay {
        /// The recording (`--record FILE`).
        file: PathBuf,
        /// Playback speed (2 = twice as fast).
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Render the whole session to an asciicast v2 file instead (for `asciinema play`).
        #[arg(long, value_name = "OUT.cast")]
        to_cast: Option<PathBuf>,
        /// Save one frame as SVG instead (see --at).
        #[arg(long, value_name = "OUT.svg")]
        screenshot: Option<PathBuf>,
        /// With --screenshot: an event name (the first one, e.g. +switch-master) or seconds from
        /// the start.
        #[arg(long, value_name = "EVENT|SECS", default_value = "0")]
        at: String,
        /// With --screenshot: this long after --at.
        #[arg(long, value_name = "DURATION", default_value = "0ms", value_parser = parse_duration_or_zero)]
        after: Duration,
        /// Terminal size of the rendering (default: the recorded one).
        #[arg(long, value_name = "WxH", value_parser = parse_size)]
        size: Option<(u16, u16)>,
        /// Check that replaying reproduces every frame the live session drew (exit 0), or name
        /// the first that differs (exit 1).
        #[arg(long, conflicts_with_all = ["to_cast", "screenshot"])]
        verify: bool,
    },
    /// Shell completions on standard output, e.g. `sentui completions bash >
    /// ~/.local/share/bash-completion/completions/sentui`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff) on standard output: `sentui man | man -l -`.
    Man {
        /// Write sentui.1 and a page for each subcommand (sentui-status.1, ...) here instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Hold one lease and end its fault when the lease runs out or its sentui is gone (started
    /// by sentui itself, detached; not for use by hand).
    #[command(hide = true)]
    Guard {
        /// The lease file.
        lease_file: PathBuf,
    },
    /// The configuration file.
    Config {
        /// Print a commented template with every setting.
        #[arg(long)]
        print_template: bool,
    },
    /// Connect, collect for a moment, and save the screen as SVG.
    #[command(after_help = PRECEDENCE)]
    Screenshot {
        #[arg(long, value_name = "OUT.svg")]
        out: PathBuf,
        #[arg(long, value_name = "WxH", default_value = "120x36", value_parser = parse_size)]
        size: (u16, u16),
        /// How long to collect before drawing.
        #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = parse_duration)]
        wait: Duration,
    },
    /// Rehearse a failover: run a scenario (default: freeze the master, wait for
    /// +switch-master, resume it, wait until it is a replica) with a write probe, check limits
    /// and report. Exit 0 when every check holds, 1 when one fails, 2 on usage or connection
    /// errors. What the drill changed is always restored.
    #[command(after_help = PRECEDENCE)]
    Drill(DrillArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DrillArgs {
    /// A scenario file (TOML, see docs/drill.md and drills/); default: the built-in drill.
    #[arg(long, value_name = "FILE", env = "SENTUI_DRILL_SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// The built-in drill's fault on the master: pause (container, or SIGSTOP locally), stop
    /// (container), failover (SENTINEL FAILOVER) or partition (cut it off from the sentinels
    /// and replicas, clients still reach it; Docker lab) or restart-empty (restarted at once
    /// with its data removed, as a server without persistence).
    #[arg(long, value_name = "FAULT", conflicts_with = "scenario", value_parser = action_parser(&DRILL_FAULTS))]
    pub fault: Option<Action>,
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
pub const DRILL_FAULTS: [Action; 5] = [
    Action::Pause,
    Action::Stop,
    Action::Failover,
    Action::Partition,
    Action::RestartEmpty,
];

/// What `sentui ctl` can do to a node.
pub const CTL_ACTIONS: [Action; 8] = [
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
    /// Where the local lab keeps its directories and state.
    #[arg(long, value_name = "DIR", env = "SENTUI_LAB_DIR")]
    pub dir: Option<PathBuf>,
    /// Number of replicas (local lab; the Docker lab has two).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub replicas: u8,
    /// Number of master groups the three sentinels watch (local lab; the scale lab runs 100).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub groups: u16,
    /// The server of the Docker lab: redis:7.0 (default), redis:8.0 or valkey:8.1. The
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

/// A boolean flag's environment variable, read as people write them: 1/0, true/false, yes/no,
/// on/off in any case; empty means unset. A bad value names the variable (the flag itself takes
/// no value, so only the variable can be wrong).
pub fn env_bool(
    var: &'static str,
) -> impl Fn(&str) -> Result<bool, String> + Clone + Send + Sync + 'static {
    move |value: &str| match value.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "off" | "n" | "f" => Ok(false),
        "1" | "true" | "yes" | "on" | "y" | "t" => Ok(true),
        _ => Err(format!(
            "{var}={value:?} is not a boolean: use 1/0, true/false, yes/no or on/off"
        )),
    }
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
    pub fn with_compose_project(mut self, compose_project: Option<&str>) -> Result<Self, String> {
        match (&self.project, compose_project) {
            (Some(p), Some(c)) if p != c => {
                return Err(format!(
                    "--project {p} and --compose-project {c} name different projects: give one"
                ));
            }
            (None, Some(c)) => self.project = Some(c.to_string()),
            _ => {}
        }
        Ok(self)
    }
}

pub fn parse_addr(s: &str) -> Result<Addr, sentui_model::addr::AddrError> {
    s.parse()
}

fn parse_map(s: &str) -> Result<(Addr, Addr), sentui_model::addr::MapEntryError> {
    AddrMap::parse_entry(s)
}

fn parse_duration_or_zero(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|e| format!("'{s}': {e} (try 500ms, 2s)"))
}

/// `120x36`: a terminal size, at least 20x5.
pub fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}' is not WIDTHxHEIGHT (e.g. 120x36)"))?;
    let w: u16 = w.trim().parse().map_err(|_| format!("'{s}': bad width"))?;
    let h: u16 = h.trim().parse().map_err(|_| format!("'{s}': bad height"))?;
    if w < 20 || h < 5 || w > 1000 || h > 500 {
        return Err(format!("'{s}': between 20x5 and 1000x500"));
    }
    Ok((w, h))
}

/// A lease: at least a second (a guard must have time to start before it ends), at most a day.
pub fn parse_lease(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s).map_err(|e| e.to_string())?;
    if d < Duration::from_secs(1) || d > Duration::from_secs(86_400) {
        return Err(format!("'{s}': a lease is from 1s to 24h"));
    }
    Ok(d)
}
