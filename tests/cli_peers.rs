//! The command line as its peers have it: help grouped under headings with a subcommand's own
//! options first, shell completions a shell accepts, a manual page `man` reads, and `status
//! --watch` that keeps taking snapshots until Ctrl-C.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_subcommands_help_shows_its_own_options_first_then_the_headings() {
    let out = sentui(&["status", "--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    let at = |s: &str| {
        help.find(s)
            .unwrap_or_else(|| panic!("no '{s}' in:\n{help}"))
    };
    assert!(at("--json") < at("Connection:"), "{help}");
    assert!(at("--watch") < at("Connection:"));
    for heading in ["Connection:", "Credentials and TLS:"] {
        at(heading);
    }
    assert!(at("Connection:") < at("--sentinel <HOST:PORT>"));
    assert!(at("Credentials and TLS:") < at("--password-file"));
    // Only the options status uses: it neither acts nor draws.
    for unused in [
        "Control:",
        "--read-only",
        "--lease",
        "Display:",
        "--no-color",
    ] {
        assert!(
            !help.contains(unused),
            "status --help lists {unused}:\n{help}"
        );
    }
    assert!(at("Exit status:") > at("--password-file"));
    // The TUI's own help has every heading.
    let out = sentui(&["--help"]);
    let help = stdout(&out);
    for heading in [
        "Connection:",
        "Credentials and TLS:",
        "Control:",
        "Display:",
    ] {
        assert!(help.contains(heading), "{help}");
    }
    assert!(help.contains("--read-only") && help.contains("--no-color"));
}

#[test]
fn completions_are_scripts_the_shells_accept() {
    let out = sentui(&["completions", "bash"]);
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("sentui.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        stdout(&out).contains("complete -F"),
        "registers the completion"
    );
    for shell in ["zsh", "fish"] {
        let out = sentui(&["completions", shell]);
        assert!(
            out.status.success() && stdout(&out).contains("status"),
            "{shell}"
        );
    }
    let bad = sentui(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("possible values"), "{}", stderr(&bad));
}

#[test]
fn the_manual_is_roff_that_man_reads() {
    let out = sentui(&["man"]);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(page.contains("\n.TH sentui 1"), "{page}");
    assert!(
        page.contains(".SH NAME") && page.contains("status"),
        "{page}"
    );
    // What the command line does not hold: keys, environment, exit codes, files, examples.
    for section in [
        ".SH KEYS",
        ".SH ENVIRONMENT",
        ".SH EXIT STATUS",
        ".SH FILES",
        ".SH EXAMPLES",
    ] {
        assert!(page.contains(section), "{section} in:\n{page}");
    }
    for var in ["SENTUI_PASSWORD\\fR", "SENTUI_SENTINELS", "NO_COLOR"] {
        assert!(page.contains(var), "{var}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = sentui(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    for page in ["sentui.1", "sentui-status.1", "sentui-completions.1"] {
        assert!(dir.path().join(page).exists(), "{page}");
    }
    // man itself, where it is installed, formats it.
    let Ok(mut man) = Command::new("man")
        .args(["-l", dir.path().join("sentui.1").to_str().unwrap()])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
    else {
        return;
    };
    man.stdout.truncate(4000);
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(
        text.contains("Watch and rehearse Redis Sentinel failovers"),
        "{text}"
    );
}

#[test]
fn status_watch_takes_snapshots_until_ctrl_c_and_exits_with_the_last_health() {
    // Nothing listens: every snapshot says so, and the last one's status is 2 (unreachable).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(bin())
        .args([
            "--sentinel",
            &format!("127.0.0.1:{port}"),
            "--timeout",
            "200ms",
        ])
        .args(["status", "--watch", "300ms"])
        .env_remove("SENTUI_SENTINELS")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut snapshots = 0;
    let mut saw_refused = false;
    for line in lines.map_while(Result::ok) {
        if line.starts_with("=== sentui status, every 300ms: snapshot ") {
            snapshots += 1;
        }
        saw_refused |= line.contains("refused");
        if snapshots == 3 || Instant::now() > deadline {
            break;
        }
    }
    assert_eq!(
        snapshots, 3,
        "one snapshot after another, each under its own line"
    );
    assert!(saw_refused);
    // SAFETY: kill has no memory preconditions; the pid is the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "the last snapshot: unreachable");
    let zero = sentui(&["status", "--watch", "0s"]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(
        stderr(&zero).contains("more than zero"),
        "{}",
        stderr(&zero)
    );
}
