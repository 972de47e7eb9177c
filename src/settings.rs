//! Where each setting comes from. One precedence for every setting, credentials included:
//! command line > environment > config file > default.
//!
//! The deployment (the seed sentinels and the compose project) is one setting made of two: it
//! is taken whole from the first source that names either part, never pieced together from two
//! sources, and what a lower source named instead is said on stderr. Within one source both
//! parts go together as given (`--sentinel A --compose-project P`: P's containers, seeded at A).

use crate::cli::{Cli, ConnArgs};
use crate::config::{self, AuthConfig, ConfigError, FileConfig};
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use sentui_io::link::Secret;
use sentui_model::Addr;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

/// Where a setting's value came from, highest precedence first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    CommandLine,
    Environment,
    File,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::CommandLine => "the command line",
            Source::Environment => "the environment",
            Source::File => "the config file",
            Source::Default => "the default",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Bad flags, or `--help`/`--version` (which clap prints and exits on).
    #[error(transparent)]
    Args(#[from] clap::Error),
    /// The config file cannot be read, or holds a bad value (the message names file and key).
    #[error(transparent)]
    File(#[from] ConfigError),
}

/// Everything the command line, the environment and the config file decided.
#[derive(Debug)]
pub struct Settings {
    pub cli: Cli,
    pub credentials: CredentialSettings,
    pub deployment: DeploymentChoice,
}

/// Parses `args` (the program name first), reads the config file and merges them with the
/// environment: the settings a command runs with.
pub fn from_args<I, T>(args: I) -> Result<Settings, SettingsError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    from_command(Cli::command(), args)
}

/// As [`from_args`], parsed by `command` (the command line as shown: `cmd::shape`, whose
/// help lists each subcommand's own options and exit statuses; it parses the same).
pub fn from_command<I, T>(command: clap::Command, args: I) -> Result<Settings, SettingsError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = command.try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    let env = |k: &str| std::env::var(k).ok();
    let (file, path) = config::load(cli.conn.config.as_deref())?;
    let file_path = path.clone();
    let deployment = DeploymentChoice::new(&matches, &cli.conn, &file, path, &env);
    deployment
        .apply(&mut cli.conn)
        .map_err(|e| match deployment.source {
            Source::File => e.in_file(file_path.as_deref()),
            _ => e,
        })?;
    config::apply(&mut cli, &matches, &file).map_err(|e| e.in_file(file_path.as_deref()))?;
    let credentials = CredentialSettings::new(&matches, &cli.conn, &file.auth, &env);
    Ok(Settings {
        cli,
        credentials,
        deployment,
    })
}

/// The source of a flag that also reads a variable, when the user gave it at all.
pub fn given(m: &ArgMatches, id: &str) -> Option<Source> {
    match m.value_source(id) {
        Some(ValueSource::CommandLine) => Some(Source::CommandLine),
        Some(ValueSource::EnvVariable) => Some(Source::Environment),
        _ => None,
    }
}

/// A value and the source it was taken from.
#[derive(Clone, Debug, PartialEq)]
pub struct Chosen<T> {
    pub value: T,
    pub source: Source,
}

/// The first candidate (listed highest precedence first) that holds a value.
fn first<T>(candidates: impl IntoIterator<Item = (Source, Option<T>)>) -> Option<Chosen<T>> {
    candidates
        .into_iter()
        .find_map(|(source, v)| v.map(|value| Chosen { value, source }))
}

/// A password as a setting gives it: the secret itself, or a file holding it (read when sentui
/// connects, so commands that never connect do not need it).
#[derive(Clone, Debug, PartialEq)]
pub enum Password {
    Given(Secret),
    File(PathBuf),
}

/// Which credentials sentui uses, each from the highest source that sets it. Passwords never
/// come from the command line itself, only a file it names (`ps` would show them).
///
/// | setting | command line | environment | config file `[auth]` |
/// | --- | --- | --- | --- |
/// | node password | `--password-file` | `SENTUI_PASSWORD`, else `SENTUI_PASSWORD_FILE` | `password_file`, else `password` |
/// | node username | | `SENTUI_USERNAME` | `username` |
/// | sentinel password | `--sentinel-password-file` | `SENTUI_SENTINEL_PASSWORD` (empty: none), else `SENTUI_SENTINEL_PASSWORD_FILE` | `sentinel_password_file`, else `sentinel_password` |
/// | sentinel username | | `SENTUI_SENTINEL_USERNAME` | `sentinel_username` |
///
/// With no sentinel password anywhere, the sentinels get the nodes' credentials.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CredentialSettings {
    pub password: Option<Chosen<Password>>,
    pub username: Option<Chosen<String>>,
    pub sentinel_password: Option<Chosen<Password>>,
    pub sentinel_username: Option<Chosen<String>>,
}

impl CredentialSettings {
    pub fn new(
        m: &ArgMatches,
        c: &ConnArgs,
        f: &AuthConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
        // A password file flag, from the source clap took it from.
        let file_flag = |id: &str, path: &Option<PathBuf>, source: Source| {
            (given(m, id) == Some(source))
                .then(|| path.clone().map(Password::File))
                .flatten()
        };
        let password = first([
            (
                Source::CommandLine,
                file_flag("password_file", &c.password_file, Source::CommandLine),
            ),
            (
                Source::Environment,
                nonempty("SENTUI_PASSWORD")
                    .map(|p| Password::Given(Secret::new(p)))
                    .or_else(|| file_flag("password_file", &c.password_file, Source::Environment)),
            ),
            (
                Source::File,
                f.password_file.clone().map(Password::File).or_else(|| {
                    f.password
                        .clone()
                        .filter(|p| !p.is_empty())
                        .map(|p| Password::Given(Secret::new(p)))
                }),
            ),
        ]);
        let sentinel_password = first([
            (
                Source::CommandLine,
                file_flag(
                    "sentinel_password_file",
                    &c.sentinel_password_file,
                    Source::CommandLine,
                ),
            ),
            (
                Source::Environment,
                // Set but empty says "the sentinels have no password".
                env("SENTUI_SENTINEL_PASSWORD")
                    .map(|p| Password::Given(Secret::new(p)))
                    .or_else(|| {
                        file_flag(
                            "sentinel_password_file",
                            &c.sentinel_password_file,
                            Source::Environment,
                        )
                    }),
            ),
            (
                Source::File,
                f.sentinel_password_file
                    .clone()
                    .map(Password::File)
                    .or_else(|| {
                        f.sentinel_password
                            .clone()
                            .map(|p| Password::Given(Secret::new(p)))
                    }),
            ),
        ]);
        CredentialSettings {
            password,
            username: first([
                (Source::Environment, nonempty("SENTUI_USERNAME")),
                (Source::File, f.username.clone()),
            ]),
            sentinel_password,
            sentinel_username: first([
                (Source::Environment, nonempty("SENTUI_SENTINEL_USERNAME")),
                (Source::File, f.sentinel_username.clone()),
            ]),
        }
    }
}

/// What one source says about the deployment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Named {
    /// Seed sentinels as written (`HOST:PORT`).
    pub sentinels: Option<Vec<String>>,
    pub compose_project: Option<String>,
}

impl Named {
    fn names_one(&self) -> bool {
        self.sentinels.is_some() || self.compose_project.is_some()
    }

    /// The parts of `self` that differ from `used`: what would be lost by taking `used`.
    fn beyond(&self, used: &Named) -> Named {
        let norm = |list: &Vec<String>| -> Vec<String> {
            list.iter()
                .map(|s| {
                    s.parse::<Addr>()
                        .map_or_else(|_| s.clone(), |a| a.to_string())
                })
                .collect()
        };
        Named {
            sentinels: self
                .sentinels
                .clone()
                .filter(|s| used.sentinels.as_ref().map(norm) != Some(norm(s))),
            compose_project: self
                .compose_project
                .clone()
                .filter(|p| used.compose_project.as_ref() != Some(p)),
        }
    }

    /// `--compose-project P`, `SENTUI_SENTINELS=A,B`, `sentinels = [A, B]` ...: how the source
    /// spells it, so the user finds it.
    fn spell(&self, source: Source) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = &self.compose_project {
            out.push(match source {
                Source::CommandLine => format!("--compose-project {p}"),
                Source::Environment => format!("SENTUI_COMPOSE_PROJECT={p}"),
                Source::File | Source::Default => format!("compose_project = {p:?}"),
            });
        }
        if let Some(s) = &self.sentinels {
            out.push(match source {
                Source::CommandLine => format!("--sentinel {}", s.join(",")),
                Source::Environment => format!("SENTUI_SENTINELS={}", s.join(",")),
                Source::File | Source::Default => format!("sentinels = {s:?}"),
            });
        }
        out
    }
}

/// Which source names the deployment, and what the others named that is not used.
#[derive(Debug, PartialEq)]
pub struct DeploymentChoice {
    /// `Default` when no source names one (the sentinel at 127.0.0.1:26379).
    pub source: Source,
    pub used: Named,
    /// Lower sources' parts that differ from what is used, highest first.
    pub ignored: Vec<(Source, Named)>,
    /// The config file read, if any (to say where an ignored key is).
    pub file: Option<PathBuf>,
}

impl DeploymentChoice {
    /// Reads what each source names: the command line and the environment through clap (which
    /// keeps only the higher of the two for each flag) and, for a flag given on the command
    /// line, its variable directly.
    pub fn new(
        m: &ArgMatches,
        c: &ConnArgs,
        f: &FileConfig,
        file: Option<PathBuf>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let sentinels = given(m, "sentinels");
        let project = given(m, "compose_project");
        let addrs = || Some(c.sentinels.iter().map(Addr::to_string).collect::<Vec<_>>());
        let var = |k: &str| {
            env(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        // An empty project names nothing (`SENTUI_COMPOSE_PROJECT=` unsets it).
        let given_project = c.compose_project.clone().filter(|p| !p.trim().is_empty());
        let cli = Named {
            sentinels: (sentinels == Some(Source::CommandLine))
                .then(addrs)
                .flatten(),
            compose_project: (project == Some(Source::CommandLine))
                .then(|| given_project.clone())
                .flatten(),
        };
        let environment = Named {
            sentinels: match sentinels {
                Some(Source::Environment) => addrs(),
                _ => var("SENTUI_SENTINELS")
                    .map(|v| v.split(',').map(|s| s.trim().to_string()).collect()),
            },
            compose_project: match project {
                Some(Source::Environment) => given_project.clone(),
                _ => var("SENTUI_COMPOSE_PROJECT"),
            },
        };
        let in_file = Named {
            sentinels: f.sentinels.clone(),
            compose_project: f.compose_project.clone().filter(|p| !p.trim().is_empty()),
        };
        Self::pick(
            [
                (Source::CommandLine, cli),
                (Source::Environment, environment),
                (Source::File, in_file),
            ],
            file,
        )
    }

    /// The first layer (highest first) that names a deployment; the rest, where they differ,
    /// are ignored.
    pub fn pick(layers: [(Source, Named); 3], file: Option<PathBuf>) -> Self {
        let (source, used) = layers
            .iter()
            .find(|(_, n)| n.names_one())
            .cloned()
            .unwrap_or((Source::Default, Named::default()));
        let ignored = layers
            .into_iter()
            .filter(|(s, _)| *s > source)
            .map(|(s, n)| (s, n.beyond(&used)))
            .filter(|(_, n)| n.names_one())
            .collect();
        DeploymentChoice {
            source,
            used,
            ignored,
            file,
        }
    }

    /// Sets the connection's sentinels and compose project to the chosen source's, and only
    /// those.
    pub fn apply(&self, c: &mut ConnArgs) -> Result<(), ConfigError> {
        c.sentinels = match &self.used.sentinels {
            Some(list) => list
                .iter()
                .map(|s| {
                    s.parse::<Addr>().map_err(|why| ConfigError::BadValue {
                        key: "sentinels",
                        why: why.to_string(),
                    })
                })
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        c.compose_project = self.used.compose_project.clone();
        Ok(())
    }

    /// One line for stderr when a lower source named another deployment:
    /// `using --compose-project P; ignoring SENTUI_SENTINELS=A,B (...)`.
    pub fn notice(&self) -> Option<String> {
        if self.ignored.is_empty() {
            return None;
        }
        let in_file = |s: Source| match (s, &self.file) {
            (Source::File, Some(p)) => format!(" in {}", p.display()),
            _ => String::new(),
        };
        let used = format!(
            "{}{}",
            self.used.spell(self.source).join(" "),
            in_file(self.source)
        );
        let ignored: Vec<String> = self
            .ignored
            .iter()
            .map(|(s, n)| format!("{}{}", n.spell(*s).join(" and "), in_file(*s)))
            .collect();
        Some(format!(
            "using {used}; ignoring {} (the deployment comes from one source: command line, else environment, else config file)",
            ignored.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(sentinels: &[&str], project: Option<&str>) -> Named {
        Named {
            sentinels: (!sentinels.is_empty())
                .then(|| sentinels.iter().map(|s| s.to_string()).collect()),
            compose_project: project.map(String::from),
        }
    }

    #[test]
    fn the_highest_source_that_names_a_deployment_is_used_whole() {
        let none = Named::default();
        // The case users met: a project on the command line, sentinels exported.
        let c = DeploymentChoice::pick(
            [
                (Source::CommandLine, named(&[], Some("newbie1"))),
                (
                    Source::Environment,
                    named(&["127.0.0.1:1", "127.0.0.1:2"], None),
                ),
                (Source::File, none.clone()),
            ],
            None,
        );
        assert_eq!(c.source, Source::CommandLine);
        assert_eq!(c.used, named(&[], Some("newbie1")));
        assert_eq!(
            c.notice().unwrap(),
            "using --compose-project newbie1; ignoring SENTUI_SENTINELS=127.0.0.1:1,127.0.0.1:2 \
             (the deployment comes from one source: command line, else environment, else config file)"
        );
        // Environment over file, each part of the file said.
        let c = DeploymentChoice::pick(
            [
                (Source::CommandLine, none.clone()),
                (Source::Environment, named(&["127.0.0.1:1"], None)),
                (Source::File, named(&["127.0.0.1:9"], Some("prod"))),
            ],
            Some(PathBuf::from("/etc/s.toml")),
        );
        assert_eq!(c.source, Source::Environment);
        assert!(
            c.notice().unwrap().starts_with(
                "using SENTUI_SENTINELS=127.0.0.1:1; ignoring compose_project = \"prod\" and \
                 sentinels = [\"127.0.0.1:9\"] in /etc/s.toml ("
            ),
            "{:?}",
            c.notice()
        );
        // Both parts from one source go together; the same value elsewhere is nothing to say.
        let c = DeploymentChoice::pick(
            [
                (Source::CommandLine, named(&["127.0.0.1:1"], Some("p"))),
                (Source::Environment, named(&["127.0.0.1:01"], Some("p"))),
                (Source::File, named(&[], Some("p"))),
            ],
            None,
        );
        assert_eq!(c.used, named(&["127.0.0.1:1"], Some("p")));
        assert_eq!(c.notice(), None, "{:?}", c.ignored);
        // Nothing named: the default, nothing to say.
        let c = DeploymentChoice::pick(
            [
                (Source::CommandLine, none.clone()),
                (Source::Environment, none.clone()),
                (Source::File, none),
            ],
            None,
        );
        assert_eq!((c.source, c.notice()), (Source::Default, None));
    }

    #[test]
    fn applying_the_choice_drops_what_other_sources_set() {
        use clap::Parser;
        let mut cli = Cli::try_parse_from(["sentui", "--sentinel", "127.0.0.1:5"]).unwrap();
        cli.conn.compose_project = Some("from-elsewhere".into());
        let c = DeploymentChoice::pick(
            [
                (Source::CommandLine, named(&["127.0.0.1:7"], None)),
                (Source::Environment, Named::default()),
                (Source::File, Named::default()),
            ],
            None,
        );
        c.apply(&mut cli.conn).unwrap();
        assert_eq!(cli.conn.sentinels, vec!["127.0.0.1:7".parse().unwrap()]);
        assert_eq!(cli.conn.compose_project, None);
        let bad = DeploymentChoice::pick(
            [
                (Source::CommandLine, Named::default()),
                (Source::Environment, Named::default()),
                (Source::File, named(&["nohost"], None)),
            ],
            None,
        );
        assert!(
            bad.apply(&mut cli.conn)
                .unwrap_err()
                .to_string()
                .starts_with("sentinels: ")
        );
    }
}
