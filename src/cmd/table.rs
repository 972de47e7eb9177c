//! The command table: for every subcommand, what it needs before it starts, whether it acts,
//! whether it may record, and how it exits. The dispatcher (`job.rs`) runs each command with
//! what its row says it needs; the tests below hold the rows to the command line, to the
//! types that run them and to the exit tables of docs/status.md and docs/drill.md.
//!
//! A new subcommand: a variant of `cli::Command`, a `Name` and its row here, and an arm in
//! `job.rs` where its reach puts it.

use super::doctor::{
    EXIT_AT_RISK, EXIT_BLOCKED, EXIT_READY, EXIT_UNREACHABLE as DOCTOR_UNREACHABLE,
};
use super::status::{EXIT_CRITICAL, EXIT_DEGRADED, EXIT_HEALTHY, EXIT_UNREACHABLE};
use sentui_model::EXIT_USAGE;

/// Every subcommand (the TUI is the command line with none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    Tui,
    Status,
    Doctor,
    Events,
    Ctl,
    Lab,
    Demo,
    Replay,
    Report,
    Completions,
    Man,
    Guard,
    Config,
    Screenshot,
    Drill,
}

/// What a subcommand needs of a deployment before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Nothing: it runs without a connection.
    Offline,
    /// A connection it only reads through.
    Watch,
    /// A connection, recognised as a sentui lab or not (outside one, faults ask for consent),
    /// and the guarded hands (`sentui_io::hands::Hands`) every action goes through.
    Act,
    /// The lab it starts, then as `Act` on that lab (`demo`).
    OwnLab,
}

impl Reach {
    /// Connected before it starts, to the deployment the settings name.
    pub fn connects(self) -> bool {
        matches!(self, Reach::Watch | Reach::Act)
    }

    /// Acts on a deployment: a lab is recognised and it gets hands.
    pub fn acts(self) -> bool {
        matches!(self, Reach::Act | Reach::OwnLab)
    }
}

/// An exit status and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    pub code: u8,
    pub means: &'static str,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: Name,
    /// As typed after `sentui` (empty for the TUI).
    pub word: &'static str,
    pub reach: Reach,
    /// Takes `--record FILE`.
    pub records: bool,
    pub exits: &'static [Exit],
}

const DONE: Exit = Exit {
    code: 0,
    means: "done",
};
const USAGE: Exit = Exit {
    code: EXIT_USAGE,
    means: "usage error, or it could not be done (the message says why)",
};
/// What every command that reaches a deployment can meet on its way there.
const UNREACHED: Exit = Exit {
    code: EXIT_USAGE,
    means: "usage error, or the deployment could not be reached (the message says why)",
};

impl Name {
    /// Every name, in the order of `sentui --help`, the TUI first.
    pub const ALL: [Name; 15] = [
        Name::Tui,
        Name::Status,
        Name::Doctor,
        Name::Events,
        Name::Ctl,
        Name::Lab,
        Name::Demo,
        Name::Replay,
        Name::Report,
        Name::Completions,
        Name::Man,
        Name::Guard,
        Name::Config,
        Name::Screenshot,
        Name::Drill,
    ];

    /// The table.
    pub const fn spec(self) -> Spec {
        let (word, reach, records, exits): (_, _, _, &'static [Exit]) = match self {
            Name::Tui => ("", Reach::Act, true, &[DONE, UNREACHED]),
            Name::Status => (
                "status",
                Reach::Watch,
                false,
                &[
                    Exit {
                        code: EXIT_HEALTHY,
                        means: "every master group is healthy",
                    },
                    Exit {
                        code: EXIT_DEGRADED,
                        means: "degraded",
                    },
                    Exit {
                        code: EXIT_UNREACHABLE,
                        means: "usage error, or sentui could not see the deployment",
                    },
                    Exit {
                        code: EXIT_CRITICAL,
                        means: "critical",
                    },
                ],
            ),
            Name::Doctor => (
                "doctor",
                Reach::Watch,
                false,
                &[
                    Exit {
                        code: EXIT_READY,
                        means: "every master group can fail over now",
                    },
                    Exit {
                        code: EXIT_AT_RISK,
                        means: "at risk",
                    },
                    Exit {
                        code: DOCTOR_UNREACHABLE,
                        means: "usage error, or sentui could not see the deployment",
                    },
                    Exit {
                        code: EXIT_BLOCKED,
                        means: "blocked",
                    },
                ],
            ),
            Name::Events => (
                "events",
                Reach::Watch,
                true,
                &[
                    Exit {
                        code: 0,
                        means: "stopped by Ctrl-C, at the end of --for, or at --until's event",
                    },
                    Exit {
                        code: 1,
                        means: "--until's event did not come within --for",
                    },
                    UNREACHED,
                ],
            ),
            Name::Ctl => (
                "ctl",
                Reach::Act,
                false,
                &[
                    Exit {
                        code: 0,
                        means: "done, or the target was already as asked (it says: nothing to do), for every action alike",
                    },
                    Exit {
                        code: EXIT_USAGE,
                        means: "usage error, the deployment could not be reached, or the action was refused or failed (the message says why)",
                    },
                ],
            ),
            Name::Lab => ("lab", Reach::Offline, false, &[DONE, USAGE]),
            Name::Demo => ("demo", Reach::OwnLab, true, &[DONE, USAGE]),
            Name::Replay => (
                "replay",
                Reach::Offline,
                false,
                &[
                    DONE,
                    Exit {
                        code: 1,
                        means: "--verify: a frame replays otherwise than it was drawn, or the \
                                recording cannot be verified whole (no frames, no hashes, \
                                truncated, malformed, an unknown version)",
                    },
                    USAGE,
                ],
            ),
            Name::Report => ("report", Reach::Offline, false, &[DONE, USAGE]),
            Name::Completions => ("completions", Reach::Offline, false, &[DONE]),
            Name::Man => ("man", Reach::Offline, false, &[DONE, USAGE]),
            Name::Guard => (
                "guard",
                Reach::Offline,
                false,
                &[
                    Exit {
                        code: 0,
                        means: "it let go of its lease",
                    },
                    Exit {
                        code: EXIT_USAGE,
                        means: "its lease could not be read or signed",
                    },
                ],
            ),
            Name::Config => ("config", Reach::Offline, false, &[DONE, USAGE]),
            Name::Screenshot => ("screenshot", Reach::Watch, false, &[DONE, UNREACHED]),
            // `Verdict::exit_code` (sentui-model), in the order of docs/drill.md.
            Name::Drill => (
                "drill",
                Reach::Act,
                false,
                &[
                    Exit {
                        code: 0,
                        means: "every step ran and every check holds",
                    },
                    Exit {
                        code: 1,
                        means: "a check failed",
                    },
                    Exit {
                        code: EXIT_USAGE,
                        means: "usage error",
                    },
                ],
            ),
        };
        Spec {
            name: self,
            word,
            reach,
            records,
            exits,
        }
    }
}

/// The commands `--record` works with, as the error for the others says them:
/// "the TUI, `events` and `demo`".
pub fn recorders() -> String {
    let names: Vec<String> = Name::ALL
        .iter()
        .map(|n| n.spec())
        .filter(|s| s.records)
        .map(|s| match s.word {
            "" => "the TUI".to_string(),
            w => format!("`{w}`"),
        })
        .collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;
    use sentui_model::drill::report::Verdict;

    #[test]
    fn every_subcommand_of_the_command_line_has_one_row() {
        let words: Vec<&str> = Name::ALL.iter().map(|n| n.spec().word).collect();
        let cli = Cli::command();
        let subcommands: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
        for s in &subcommands {
            assert!(words.contains(s), "`{s}` has no row in the command table");
        }
        for w in &words {
            assert!(
                w.is_empty() || subcommands.contains(w),
                "the table has `{w}`, the command line does not"
            );
        }
        assert_eq!(
            words.len(),
            subcommands.len() + 1,
            "one row each, and the TUI"
        );
        for (i, n) in Name::ALL.iter().enumerate() {
            assert_eq!(n.spec().name, *n);
            assert!(!Name::ALL[..i].contains(n), "{n:?} listed twice");
        }
    }

    #[test]
    fn the_record_error_names_the_commands_that_record() {
        assert_eq!(recorders(), "the TUI, `events` and `demo`");
    }

    #[test]
    fn every_command_can_say_how_it_exits() {
        for n in Name::ALL {
            let exits = n.spec().exits;
            assert!(exits.iter().any(|e| e.code == 0), "{n:?}");
            let mut codes: Vec<u8> = exits.iter().map(|e| e.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), exits.len(), "{n:?}: a code twice");
        }
    }

    #[test]
    fn the_drills_exit_codes_are_its_verdicts() {
        let table: Vec<u8> = Name::Drill.spec().exits.iter().map(|e| e.code).collect();
        let verdicts: Vec<u8> = [Verdict::Pass, Verdict::Fail, Verdict::Error]
            .iter()
            .map(|v| v.exit_code())
            .collect();
        assert_eq!(table, verdicts);
    }

    /// The `| code | meaning |` rows under a document's "Exit status" heading.
    fn exit_rows(doc: &str) -> Vec<(u8, String)> {
        let section = doc
            .split_once("Exit status\n")
            .map(|(_, rest)| rest)
            .expect("an Exit status heading");
        section
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| {
                let mut cells = l.split('|').map(str::trim).skip(1);
                let code = cells.next()?.parse().ok()?;
                Some((code, cells.next()?.to_string()))
            })
            .collect()
    }

    /// The `| command | code | meaning |` rows of docs/status.md's table of every command.
    fn every_commands_rows(doc: &str) -> Vec<(String, u8, String)> {
        let section = doc
            .split_once("## Every command's exit status\n")
            .map(|(_, rest)| rest)
            .expect("a table of every command's exit status");
        section
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| {
                let mut cells = l.split('|').map(str::trim).skip(1);
                let command = cells.next()?.trim_matches('`').to_string();
                let code = cells.next()?.parse().ok()?;
                Some((command, code, cells.next()?.to_string()))
            })
            .collect()
    }

    #[test]
    fn the_docs_table_of_every_command_is_the_table() {
        let rows = every_commands_rows(include_str!("../../docs/status.md"));
        let mut expected = Vec::new();
        for n in Name::ALL.into_iter().filter(|n| *n != Name::Guard) {
            let spec = n.spec();
            let word = if spec.word.is_empty() {
                "sentui".to_string()
            } else {
                format!("sentui {}", spec.word)
            };
            for e in spec.exits {
                expected.push((word.clone(), e.code, e.means.to_string()));
            }
        }
        let known: Vec<&String> = expected.iter().map(|(w, _, _)| w).collect();
        // Rows of commands this build has are the table's, in its order.
        let shown: Vec<(String, u8, String)> = rows
            .into_iter()
            .filter(|(w, _, _)| known.contains(&w))
            .collect();
        assert_eq!(shown, expected);
    }

    #[test]
    fn the_docs_exit_tables_are_the_tables() {
        for (name, doc) in [
            (Name::Status, include_str!("../../docs/status.md")),
            (Name::Doctor, include_str!("../../docs/doctor.md")),
            (Name::Drill, include_str!("../../docs/drill.md")),
        ] {
            let rows = exit_rows(doc);
            let exits = name.spec().exits;
            assert_eq!(rows.len(), exits.len(), "{name:?}: {rows:?}");
            for (e, (code, meaning)) in exits.iter().zip(&rows) {
                assert_eq!(e.code, *code, "{name:?}");
                assert!(
                    meaning.starts_with(e.means),
                    "{name:?} exit {code}: the docs say {meaning:?}, the table {:?}",
                    e.means
                );
            }
        }
    }
}
