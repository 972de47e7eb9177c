//! The command line as it is shown: each subcommand's help lists only the shared options it
//! uses (the others are still accepted, as everywhere, but not shown) and ends with its exit
//! statuses from the command table; `sentui --help` ends with the whole exit table.

use super::table::{Exit, Name};
use crate::cli::{Cli, PRECEDENCE};
use clap::CommandFactory;

/// The shared options every command that connects uses, by id.
const CONNECT: &[&str] = &[
    "sentinels",
    "compose_project",
    "map",
    "resolve_names",
    "master",
    "config",
    "timeout",
    "refresh",
    "probe_every",
    "probe_budget",
    "poll_budget",
    "unresponsive_after",
    "tls",
    "tls_ca",
    "tls_cert",
    "tls_key",
    "tls_insecure",
    "password_file",
    "sentinel_password_file",
];

/// The shared options a subcommand uses, by id: every other shared option is hidden in its help.
fn uses(name: Name) -> Vec<&'static str> {
    let connect_and = |more: &[&'static str]| [CONNECT, more].concat();
    match name {
        // The TUI is the command itself: everything shows there.
        Name::Tui => Vec::new(),
        Name::Status | Name::Doctor => CONNECT.to_vec(),
        Name::Events => connect_and(&["record"]),
        Name::Ctl | Name::Drill => connect_and(&["lease", "read_only"]),
        Name::Screenshot => connect_and(&["no_color"]),
        Name::Demo => vec![
            "config",
            "lease",
            "read_only",
            "leave_paused",
            "no_color",
            "record",
        ],
        Name::Replay => vec!["no_color"],
        Name::Report => vec!["master"],
        Name::Lab | Name::Completions | Name::Man | Name::Guard | Name::Config => Vec::new(),
    }
}

/// Shared options that mean something of their own to a subcommand: its heading and help for
/// them, by id. `report` reads no deployment; its `--master` picks the failover it draws.
fn reworded(name: Name) -> &'static [(&'static str, &'static str, &'static str)] {
    match name {
        Name::Report => &[(
            "master",
            "Input",
            "Draw this master group's last failover (default: the group whose failover came last)",
        )],
        _ => &[],
    }
}

/// `Exit status:` and one line a code.
pub fn exit_lines(exits: &[Exit]) -> String {
    let mut s = String::from("Exit status:");
    for e in exits {
        s.push_str(&format!("\n  {}  {}", e.code, e.means));
    }
    s
}

/// The whole exit table: one block a command.
pub fn exit_table() -> String {
    let mut s = String::from("Exit status (each command's --help lists its own):");
    for n in Name::ALL {
        let spec = n.spec();
        if n == Name::Guard {
            continue;
        }
        let word = if spec.word.is_empty() {
            "sentui (the TUI)"
        } else {
            spec.word
        };
        s.push_str(&format!("\n  {word}:"));
        for e in spec.exits {
            s.push_str(&format!("\n    {}  {}", e.code, e.means));
        }
    }
    s
}

/// `sc` with its exit statuses after whatever its help already ends with.
fn with_exits(sc: clap::Command, exits: &str) -> clap::Command {
    let after = match sc.get_after_help() {
        Some(a) => format!("{a}\n\n{exits}"),
        None => exits.to_string(),
    };
    sc.after_help(after)
}

/// The command line with each subcommand's help shaped as above. A shared option a
/// subcommand does not use is given to it as a hidden copy: clap then passes the shared one
/// over (a subcommand's own argument of that id wins), so it is accepted but not listed; one
/// it rewords is given to it as a copy with its own help, the same way.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    let shared: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    for n in Name::ALL {
        let spec = n.spec();
        if spec.word.is_empty() {
            continue;
        }
        let used = uses(n);
        let reword = reworded(n);
        let hide: Vec<clap::Arg> = shared
            .iter()
            .filter_map(|a| {
                let id = a.get_id().as_str();
                match reword.iter().find(|(r, ..)| *r == id) {
                    Some((_, heading, help)) => Some(a.clone().help_heading(*heading).help(*help)),
                    None => (!used.contains(&id)).then(|| a.clone().hide(true)),
                }
            })
            .collect();
        let exits = exit_lines(spec.exits);
        cmd = cmd.mut_subcommand(spec.word, |sc| {
            // An option of its own with a shared one's id (`demo --tls`) stands instead.
            let own: Vec<String> = sc.get_arguments().map(|a| a.get_id().to_string()).collect();
            let hide: Vec<clap::Arg> = hide
                .into_iter()
                .filter(|a| !own.contains(&a.get_id().to_string()))
                .collect();
            let sc = sc.args(hide);
            let nested: Vec<String> = sc
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let mut sc = with_exits(sc, &exits);
            for n in nested {
                sc = sc.mut_subcommand(n, |c| with_exits(c, &exits));
            }
            sc
        });
    }
    cmd.after_help(format!("{PRECEDENCE}\n\n{}", exit_table()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn help(args: &[&str]) -> String {
        match command().try_get_matches_from(args) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{args:?} is no help"),
        }
    }

    #[test]
    fn replay_lists_only_what_it_uses() {
        let h = help(&["sentui", "replay", "--help"]);
        assert!(h.contains("--speed") && h.contains("--no-color"), "{h}");
        for unused in [
            "--sentinel",
            "--timeout",
            "--password-file",
            "--lease",
            "--record <",
        ] {
            assert!(!h.contains(unused), "replay --help lists {unused}:\n{h}");
        }
        assert!(h.contains("Exit status:\n  0  done"), "{h}");
    }

    #[test]
    fn every_subcommand_says_how_it_exits() {
        for n in Name::ALL {
            let spec = n.spec();
            if spec.word.is_empty() || n == Name::Guard {
                continue;
            }
            let h = help(&["sentui", spec.word, "--help"]);
            for e in spec.exits {
                assert!(
                    h.contains(&format!("  {}  {}", e.code, e.means)),
                    "{}: exit {} missing:\n{h}",
                    spec.word,
                    e.code
                );
            }
        }
        let top = help(&["sentui", "--help"]);
        assert!(top.contains("ctl:") && top.contains("drill:"), "{top}");
    }

    #[test]
    fn report_says_what_its_master_picks() {
        let h = help(&["sentui", "report", "--help"]);
        assert!(
            h.contains("Input:\n      --master <NAME>  Draw this master group's last failover"),
            "{h}"
        );
        assert!(!h.contains("Only this master group"), "{h}");
        assert!(!h.contains("Connection:"), "{h}");
        // Still the shared setting: it reaches the settings as everywhere.
        let args = [
            "sentui", "report", "a.ndjson", "-o", "a.html", "--master", "g",
        ];
        let m = command().try_get_matches_from(args).unwrap();
        let cli = <Cli as clap::FromArgMatches>::from_arg_matches(&m).unwrap();
        assert_eq!(cli.conn.master.as_deref(), Some("g"));
    }

    #[test]
    fn hidden_options_are_still_accepted() {
        let m = command()
            .try_get_matches_from(["sentui", "replay", "x.ndjson", "--timeout", "2s"])
            .unwrap();
        assert!(m.subcommand_matches("replay").is_some());
    }
}
