//! `sentui completions SHELL` and `sentui man`: generated from the command line's own
//! definition, so they always say what this binary accepts. The manual adds what the command
//! line does not hold: the TUI's keys (from the keymap), every environment variable, the exit
//! statuses (from the command table), the files sentui reads and writes, and examples.

use super::shape;
use crate::keymap::{KEYMAP, REPLAY_KEYMAP};
use std::path::Path;

pub fn completions(shell: clap_complete::Shell) -> u8 {
    // Into memory first: clap_complete panics when its writer fails (stdout closed early,
    // `| head`), and out! does not.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut shape::command(), "sentui", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    0
}

pub fn man(dir: Option<&Path>) -> u8 {
    let cmd = shape::command();
    match dir {
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return super::fail(format!("cannot create {}: {e}", dir.display()));
            }
            // Each subcommand's page, then the main one with the sections below.
            if let Err(e) = clap_mangen::generate_to(cmd.clone(), dir) {
                return super::fail(format!("cannot write into {}: {e}", dir.display()));
            }
            let main = dir.join("sentui.1");
            match page(cmd).map(|p| std::fs::write(&main, p)) {
                Ok(Ok(())) => {
                    outln!("manual pages written to {}", dir.display());
                    0
                }
                Ok(Err(e)) | Err(e) => super::fail(format!("cannot write {}: {e}", main.display())),
            }
        }
        None => match page(cmd) {
            Ok(p) => {
                out!("{}", String::from_utf8_lossy(&p));
                0
            }
            Err(e) => super::fail(format!("cannot render the manual: {e}")),
        },
    }
}

/// The main page: clap's sections, then KEYS, ENVIRONMENT, EXIT STATUS, FILES, EXAMPLES.
fn page(cmd: clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut w = Vec::new();
    man.render_title(&mut w)?;
    man.render_name_section(&mut w)?;
    man.render_synopsis_section(&mut w)?;
    man.render_description_section(&mut w)?;
    man.render_options_section(&mut w)?;
    man.render_subcommands_section(&mut w)?;
    w.extend(keys().as_bytes());
    w.extend(environment(&cmd).as_bytes());
    w.extend(exit_status().as_bytes());
    w.extend(FILES.as_bytes());
    w.extend(EXAMPLES.as_bytes());
    man.render_version_section(&mut w)?;
    Ok(w)
}

/// Text for roff: backslashes doubled, a leading dot or quote kept from being a request.
fn roff(text: &str) -> String {
    let t = text.replace('\\', "\\\\").replace('-', "\\-");
    if t.starts_with(['.', '\'']) {
        format!("\\&{t}")
    } else {
        t
    }
}

/// A tagged paragraph: the tag in bold, the text under it.
fn item(tag: &str, text: &str) -> String {
    format!(".TP\n\\fB{}\\fR\n{}\n", roff(tag), roff(text))
}

fn keys() -> String {
    let mut s = String::from(".SH KEYS\nIn the terminal UI (\\fB?\\fR shows the same list):\n");
    for b in KEYMAP {
        s.push_str(&item(b.keys, b.help));
    }
    s.push_str(".PP\nIn a replay (\\fBsentui replay FILE\\fR), besides those that only look:\n");
    for b in REPLAY_KEYMAP {
        s.push_str(&item(b.keys, b.help));
    }
    s
}

/// Every variable a flag reads (from the command line's definition), then the ones no flag
/// reads.
fn environment(cmd: &clap::Command) -> String {
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut add = |c: &clap::Command| {
        for a in c.get_arguments() {
            if let Some(env) = a.get_env() {
                let name = env.to_string_lossy().to_string();
                if !vars.iter().any(|(n, _)| *n == name) {
                    let flag = a.get_long().map(|l| format!("--{l}")).unwrap_or_default();
                    vars.push((name, format!("as {flag}")));
                }
            }
        }
    };
    add(cmd);
    for sc in cmd.get_subcommands() {
        add(sc);
        for nested in sc.get_subcommands() {
            add(nested);
        }
    }
    for (name, text) in OTHER_VARIABLES {
        vars.push((name.to_string(), text.to_string()));
    }
    let mut s = String::from(
        ".SH ENVIRONMENT\nA flag given on the command line wins over its variable, a variable over the \
config file (see PRECEDENCE in \\fBsentui \\-\\-help\\fR).\n",
    );
    for (name, text) in vars {
        s.push_str(&item(&name, &text));
    }
    s
}

/// Variables no flag reads.
const OTHER_VARIABLES: [(&str, &str); 10] = [
    (
        "SENTUI_PASSWORD",
        "the Redis nodes' password (wins over SENTUI_PASSWORD_FILE; --password-file on the command line wins over it)",
    ),
    ("SENTUI_USERNAME", "the Redis nodes' ACL user"),
    (
        "SENTUI_SENTINEL_PASSWORD",
        "the sentinels' password; empty: the sentinels get none (without it they get the nodes' password)",
    ),
    ("SENTUI_SENTINEL_USERNAME", "the sentinels' ACL user"),
    (
        "SENTUI_LEASE_DIR",
        "where leases are kept (default $XDG_RUNTIME_DIR/sentui/leases, else /tmp/sentui-UID/leases)",
    ),
    (
        "SENTUI_SCREENSHOT_DIR",
        "where the TUI saves c (SVG) and x (log) files (default: the working directory)",
    ),
    (
        "SENTUI_COMPOSE",
        "the compose tool the Docker lab runs: `docker compose` or `docker-compose` (default: the first that runs)",
    ),
    ("NO_COLOR", "any non-empty value: no colours, as --no-color"),
    (
        "DOCKER_HOST",
        "the Docker engine to talk to (default: the local socket)",
    ),
    (
        "XDG_RUNTIME_DIR",
        "where leases are kept, under sentui/leases",
    ),
];

fn exit_status() -> String {
    let mut s = String::from(
        ".SH EXIT STATUS\nAn action on a target already as asked does nothing, says so, and succeeds.\n",
    );
    for n in crate::cmd::table::Name::ALL {
        let spec = n.spec();
        if n == crate::cmd::table::Name::Guard {
            continue;
        }
        let word = if spec.word.is_empty() {
            "sentui".to_string()
        } else {
            format!("sentui {}", spec.word)
        };
        s.push_str(&format!(".SS {}\n", roff(&word)));
        for e in spec.exits {
            s.push_str(&item(&e.code.to_string(), e.means));
        }
    }
    s
}

const FILES: &str = r".SH FILES
.TP
\fB~/.config/sentui/config.toml\fR
The config file, when present (\fB\-\-config\fR names another; \fBsentui config \-\-print\-template\fR prints one with every setting).
.TP
\fB$XDG_RUNTIME_DIR/sentui/leases/\fR
One JSON file a lease on a fault sentui injected (else \fB/tmp/sentui\-UID/leases/\fR), with \fBguard.log\fR, the guards' own log.
.TP
\fB/tmp/sentui\-lab\-UID/\fR
The local lab's directories and state (\fBlab up \-\-local \-\-dir\fR names another).
.TP
\fBsentui\-*.svg\fR, \fBsentui\-log\-*.txt\fR
What the TUI's \fBc\fR and \fBx\fR save, in the working directory or \fB$SENTUI_SCREENSHOT_DIR\fR.
";

const EXAMPLES: &str = r".SH EXAMPLES
.TP
\fBsentui demo\fR
Start the lab and watch it; press \fBp\fR on the master to freeze it.
.TP
\fBsentui lab up \-\-local\fR
Start a local lab; it prints the \fB\-\-sentinel\fR flags to use.
.TP
\fBsentui \-\-sentinel 10.0.0.5:26379\fR
Watch a deployment through one of its sentinels.
.TP
\fBsentui status \-\-wide\fR
One snapshot, every column; the exit status is the health.
.TP
\fBsentui events \-\-json \-\-until +switch\-master \-\-for 60s\fR
Stream events until the master changes.
.TP
\fBsentui ctl pause master\fR
Freeze the master (SIGSTOP, or the container paused) on a lease; \fBctl unpause master\fR resumes it.
.TP
\fBsentui drill\fR
Rehearse a failover with a write probe and report.
.TP
\fBsentui drill \-\-report json > drill.json; sentui report drill.json \-o failover.html\fR
The post-mortem page of the drill's failover: Sentinel's phases beside what the clients lived.
";
