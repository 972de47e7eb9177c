//! Command line. The connection and display flags also read a `SENTUI_*` environment variable
//! (`--no-color` reads NO_COLOR), and the config file can set them too (config.rs); flags of a
//! single subcommand are flags only, but for a few named in their help. Which source wins is
//! settings.rs's: [`PRECEDENCE`], shown under `--help`.

mod commands;
mod values;

pub use commands::*;
pub use values::*;

use clap::{Args, Parser, Subcommand};
pub use sentui_io::tls::TlsError;
use sentui_io::tls::{TlsContext, TlsPaths};
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
    /// Client key (PEM: PKCS#8, PKCS#1 or SEC1, not encrypted) for mutual TLS.
    #[arg(
        help_heading = "Credentials and TLS",
        long,
        value_name = "FILE",
        env = "SENTUI_TLS_KEY",
        global = true
    )]
    pub tls_key: Option<PathBuf>,
    /// Skip checking the servers' certificates and names (testing only); a client certificate
    /// is still presented. Implies --tls.
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
    /// TLS, set up once from the file paths and flags: every file read and checked now, so
    /// a bad one is named before any connection.
    pub fn tls_settings(&self) -> Result<Option<TlsContext>, TlsError> {
        let any = self.tls
            || self.tls_ca.is_some()
            || self.tls_cert.is_some()
            || self.tls_key.is_some()
            || self.tls_insecure;
        if !any {
            return Ok(None);
        }
        TlsContext::load(&TlsPaths {
            ca: self.tls_ca.clone(),
            cert: self.tls_cert.clone(),
            key: self.tls_key.clone(),
            insecure: self.tls_insecure,
        })
        .map(Some)
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
    Status(StatusArgs),
    /// Can Sentinel fail each master over right now? Which replica it would promote, and what
    /// blocks it, rule by rule as sentinel.c decides, with the evidence and the remedy. Exit 0
    /// ready, 1 at risk, 3 blocked, 2 usage error or unreachable.
    #[command(after_help = PRECEDENCE)]
    Doctor(DoctorArgs),
    /// Stream the merged event log of all sentinels (and sentui's own observations).
    #[command(after_help = PRECEDENCE)]
    Events(EventsArgs),
    /// Pause, resume, stop, start, restart, partition or heal a node: its container (with
    /// --compose-project) or the local process listening on its port (pause/unpause:
    /// SIGSTOP/SIGCONT). A partition cuts a Docker lab node off from the sentinels and the
    /// other nodes while clients still reach it; heal undoes it. `ctl failover [GROUP]
    /// [--coordinated]` asks the sentinels for a manual failover (coordinated: Valkey 9).
    #[command(after_help = PRECEDENCE)]
    Ctl(CtlArgs),
    /// Start or stop the failover lab.
    Lab {
        #[command(subcommand)]
        action: LabAction,
    },
    /// Start the lab and open the terminal UI on it.
    Demo(LabOptions),
    /// Replay a recording in the TUI (Space pause, . step, ←/→ seek, +/- speed), or render it.
    Replay(ReplayArgs),
    /// The post-mortem page of a failover: Sentinel's phases beside what the clients lived,
    /// every sentinel, node and probe write on one time axis, as one self-contained HTML file
    /// (or the timeline alone as SVG). From a recording, a capture of `events --json` or a
    /// drill's JSON report; two drill reports side by side.
    Report(ReportArgs),
    /// Shell completions on standard output, e.g. `mkdir -p
    /// ~/.local/share/bash-completion/completions && sentui completions bash >
    /// ~/.local/share/bash-completion/completions/sentui` (the shell writes the file: its
    /// directory must exist).
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
    Screenshot(ScreenshotArgs),
    /// Rehearse a failover: run a scenario (default: freeze the master, wait for
    /// +switch-master, resume it, wait until it is a replica) with a write probe, check limits
    /// and report. Exit 0 when every check holds, 1 when one fails, 2 on usage or connection
    /// errors. What the drill changed is always restored.
    #[command(after_help = PRECEDENCE)]
    Drill(DrillArgs),
}
