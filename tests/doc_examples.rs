//! The README's and docs' command examples, run against a local lab and compared with what the
//! text shows. Every ```console block is read: each `$ command` line and the lines under it
//! (what it prints; `...` stands for lines left out). Values that change from run to run
//! (ports, pids, times, offsets, ids) are masked on both sides, and runs of spaces count as one
//! (column widths follow the values), so what is compared is the words, their order and the
//! lines: a changed output format fails here.
//!
//! The examples' addresses are the README's local lab: sentinel `127.0.0.1:44115`, master
//! `127.0.0.1:45063` (the lab's master when the block starts), `/tmp/lab` its directory. An
//! example that needs something this tier cannot give (the Docker lab, a deployment with TLS or
//! passwords, the TUI itself) is named in `ELSEWHERE` with where it is checked instead; an
//! example in neither list fails, so a new one cannot go unchecked unnoticed.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const DOCS: [&str; 4] = [
    "README.md",
    "docs/drill.md",
    "docs/status.md",
    "docs/report.md",
];

/// Examples not run here, by a piece of their command, and why.
const ELSEWHERE: [(&str, &str); 15] = [
    (
        "--compose-project",
        "the Docker lab: tests/docker_lab.rs, tests/partition.rs",
    ),
    ("lab up --project", "the Docker lab: tests/docker_lab.rs"),
    (
        "lab down --project sentui-",
        "the Docker lab: tests/docker_lab.rs",
    ),
    (
        "SENTUI_COMPOSE=",
        "the Docker lab with Compose v1: tests/docker_versions.rs",
    ),
    (
        "redis-cli -p \"$(docker",
        "the Docker lab: tests/docker_versions.rs",
    ),
    (
        "10.0.0.5",
        "a deployment with passwords: tests/deployments.rs",
    ),
    ("--tls-ca", "a deployment with TLS: tests/deployments.rs"),
    (
        "127.0.0.1:26391",
        "a deployment started by hand: tests/deployments.rs",
    ),
    (
        "wrong-pass",
        "a deployment with passwords: tests/deployments.rs",
    ),
    (
        "export SENTUI_SENTINELS",
        "the Docker lab: tests/settings.rs",
    ),
    ("/tmp/scale", "the scale lab: cargo bench --bench scale"),
    ("replay", "recordings: tests/replay.rs, tests/record.rs"),
    (
        "sentui report ",
        "post-mortem pages from files: tests/report.rs, tests/report_browser.rs",
    ),
    ("rsvg-convert", "recordings: tests/record.rs"),
    (
        "sentui --sentinel 127.0.0.1:44115  ",
        "the TUI: tests/tui_e2e.rs",
    ),
];

struct Example {
    file: &'static str,
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// The examples of one document, in order, with the block each starts.
fn examples(file: &'static str) -> Vec<(usize, Example)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let mut out: Vec<(usize, Example)> = Vec::new();
    let mut block: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        match (block, line.trim_end()) {
            (None, "```console") => block = Some(i + 1),
            (Some(_), "```") => block = None,
            (Some(b), l) => match l.strip_prefix("$ ") {
                Some(cmd) => out.push((
                    b,
                    Example {
                        file,
                        line: i + 1,
                        command: cmd.to_string(),
                        expected: Vec::new(),
                    },
                )),
                None => {
                    if let Some((_, e)) = out.last_mut() {
                        e.expected.push(l.to_string());
                    }
                }
            },
            _ => {}
        }
    }
    out
}

/// A command without its trailing `# comment`.
fn without_comment(cmd: &str) -> &str {
    match cmd.find("  #") {
        Some(i) => cmd[..i].trim_end(),
        None => cmd.trim_end(),
    }
}

/// A line with what changes from run to run masked: digits, long hex ids, runs of spaces.
fn masked(line: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hex = word.len() >= 8 && word.chars().all(|c| c.is_ascii_hexdigit());
        if hex {
            out.push('H');
        } else {
            let mut digits = false;
            for c in word.chars() {
                if c.is_ascii_digit() {
                    if !digits {
                        out.push('0');
                    }
                    digits = true;
                } else {
                    out.push(c);
                    digits = false;
                }
            }
        }
        word.clear();
    };
    for c in line.trim().chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            if c.is_whitespace() {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
        }
    }
    flush(&mut word, &mut out);
    // A time's sign is a value too: the last write before a fault lands at -0.009s in one run
    // and +0.000s in the next.
    let chars: Vec<char> = out.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let starts_value = i == 0 || matches!(chars[i - 1], ' ' | '(');
            match (c, chars.get(i + 1)) {
                ('+' | '-', Some('0')) if starts_value => '±',
                _ => c,
            }
        })
        .collect()
}

/// Whether `actual` reads as `expected` does: line by line, masked, `...` standing for any
/// number of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    let Some((first, rest)) = expected.split_first() else {
        return actual.is_empty();
    };
    if first.trim() == "..." {
        return (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]));
    }
    match actual.split_first() {
        Some((a, more)) => masked(first) == masked(a) && matches(rest, more),
        None => false,
    }
}

/// Where the examples run: a lab, a home, a working directory, `sentui` on PATH.
struct Place {
    lab: LocalLab,
    tmp: tempfile::TempDir,
}

impl Place {
    fn master(&self) -> String {
        let (status, _) = self.lab.status();
        status["masters"][0]["master"]["addr"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The example's command as it runs here, and the text to put back in what it prints.
    fn command(&self, cmd: &str, master: &str) -> String {
        let lab_dir = self.tmp.path().join("lab");
        let cmd = without_comment(cmd)
            .replace("127.0.0.1:44115", &self.lab.sentinels[0])
            .replace("127.0.0.1:45063", master)
            .replace("/tmp/lab", lab_dir.to_str().unwrap());
        // Ctrl-C, as the reader would press it.
        if cmd.contains("--watch") {
            return format!("timeout -s INT --preserve-status 2.5 {cmd}");
        }
        cmd
    }

    /// What the reader sees: what the command printed (its stdout, else its stderr: drills
    /// and errors say their progress and their failure there), and whether it succeeded.
    fn run(&self, cmd: &str) -> String {
        self.run_status(cmd).0
    }

    fn run_status(&self, cmd: &str) -> (String, bool) {
        let bin_dir = Path::new(bin()).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let home = self.tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut bash = Command::new("bash");
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("SENTUI_") {
                bash.env_remove(key);
            }
        }
        let out = bash
            .args(["-c", cmd])
            .current_dir(self.tmp.path())
            .env("PATH", path)
            .env("HOME", &home)
            .env("SENTUI_LAB_DIR", self.tmp.path().join("default-lab"))
            .env("SENTUI_LEASE_DIR", self.tmp.path().join("leases"))
            .output()
            .unwrap();
        let said = match out.stdout.is_empty() {
            false => &out.stdout,
            true => &out.stderr,
        };
        (
            String::from_utf8_lossy(said).into_owned(),
            out.status.success(),
        )
    }

    /// What the reader would see, with this run's paths put back as the text has them.
    fn said(&self, out: &str, master: &str) -> Vec<String> {
        let lab_dir = self.tmp.path().join("lab");
        out.replace(lab_dir.to_str().unwrap(), "/tmp/lab")
            .replace(&self.lab.sentinels[0], "127.0.0.1:44115")
            .replace(master, "127.0.0.1:45063")
            .replace(
                self.tmp.path().join("default-lab").to_str().unwrap(),
                "/tmp/sentui-lab-0",
            )
            .replace(self.tmp.path().join("home").to_str().unwrap(), "/root")
            .lines()
            .map(str::to_string)
            .collect()
    }
}

/// `events --until failover-complete` waits for a failover: the master is paused once the
/// stream is up, as the reader would in another terminal.
fn failover_meanwhile(place: &Place, master: &str) {
    std::thread::sleep(Duration::from_millis(2500));
    let out = place.run(&format!(
        "sentui --sentinel {} ctl pause {master} --lease 30s",
        place.lab.sentinels[0]
    ));
    assert!(out.contains("paused"), "{out}");
}

#[test]
fn the_examples_print_what_the_docs_show() {
    let tmp = tempfile::tempdir().unwrap();
    let place = Place {
        lab: LocalLab::up(2),
        tmp,
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in DOCS {
        let mut block_master: Option<(usize, String)> = None;
        for (block, e) in examples(file) {
            // An engine that is not there needs none: that one runs here.
            let no_engine = e.command.starts_with("DOCKER_HOST=unix:///nowhere.sock");
            if let Some((_, why)) = ELSEWHERE
                .iter()
                .find(|(k, _)| e.command.contains(k) && !no_engine)
            {
                eprintln!("{}:{}: not run here ({why}): {}", e.file, e.line, e.command);
                continue;
            }
            let master = match &block_master {
                Some((b, m)) if *b == block => m.clone(),
                _ => {
                    let m = place.master();
                    block_master = Some((block, m.clone()));
                    m
                }
            };
            let cmd = place.command(&e.command, &master);
            let (out, ok) = if cmd.contains("events --until failover-complete") {
                std::thread::scope(|s| {
                    let stream = s.spawn(|| place.run_status(&cmd));
                    failover_meanwhile(&place, &master);
                    let out = stream.join().unwrap();
                    // The old master back, as the README's next block expects a lab at rest.
                    place.run(&format!(
                        "sentui --sentinel {} ctl unpause {master}",
                        place.lab.sentinels[0]
                    ));
                    out
                })
            } else {
                place.run_status(&cmd)
            };
            let said = place.said(&out, &master);
            checked += 1;
            // An example that shows no output shows that it works: it must succeed.
            let shown = !e.expected.iter().all(|l| l.trim().is_empty());
            let good = if shown {
                matches(&e.expected, &said)
            } else {
                ok
            };
            if !good {
                failures.push(format!(
                    "{}:{}: $ {}\n--- the text shows:\n{}\n--- it printed:\n{}",
                    e.file,
                    e.line,
                    e.command,
                    e.expected.join("\n"),
                    said.join("\n")
                ));
            }
        }
    }
    assert!(checked >= 15, "only {checked} examples ran");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn masking_keeps_the_words_and_drops_the_values() {
    assert_eq!(
        masked("  master   127.0.0.1:44437        master   ok   148144"),
        masked("master 127.0.0.1:40111 master ok 2")
    );
    assert_ne!(masked("status ok"), masked("status sdown"));
    assert_eq!(
        masked("at -0.009s, at +3.1s"),
        masked("at +0.000s, at +3.0s")
    );
    assert_ne!(masked("+sdown"), masked("-sdown"));
    let exp: Vec<String> = ["a 1", "...", "z 9"].map(String::from).to_vec();
    let act: Vec<String> = ["a 2", "b", "c", "z 3"].map(String::from).to_vec();
    assert!(matches(&exp, &act));
    assert!(!matches(&exp, &act[..3]));
}
