//! Reaching a deployment: the address map, the compose project's containers (through the
//! Docker API), the sentinels to start from, the credentials and TLS, the controller.

use crate::cli::{ConnArgs, TlsError};
use crate::deployment_name::DeploymentName;
use crate::settings::{CredentialSettings, Password};
use sentui_io::collect::CollectSettings;
use sentui_io::collect::node::ProbeSettings;
use sentui_io::control::Controller;
use sentui_io::docker::{self, DockerError, DockerScope};
use sentui_io::lab::{compose, local};
use sentui_io::link::{Credentials, LinkSettings, NamePolicy, Secret, SharedMap};
use sentui_io::procfs;
use sentui_io::procfs::is_server_name;
use sentui_model::Addr;
use std::path::PathBuf;

/// The sentinel tried when none is given.
pub const DEFAULT_SENTINEL: &str = "127.0.0.1:26379";

/// Everything a command needs to reach and control a deployment.
#[derive(Clone)]
pub struct Connection {
    pub settings: CollectSettings,
    pub seeds: Vec<Addr>,
    pub control: Controller,
}

impl Connection {
    /// What the command is about, as it names it to the user.
    pub fn deployment(&self) -> DeploymentName {
        DeploymentName::new(
            self.control.docker.as_ref().map(|d| d.project.clone()),
            self.seeds.clone(),
        )
    }
}

/// Why a deployment could not be reached, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error(
        "compose project '{0}' has no containers (is the lab up? `sentui lab up --project {0}`)"
    )]
    EmptyProject(String),
    #[error("compose project '{0}' publishes no sentinel port on 127.0.0.1")]
    NoSentinelPort(String),
    /// No engine, and no sentinel named to watch without it.
    #[error("{error}; cannot find the sentinels of '{project}' (name them with --sentinel)")]
    NoEngine { project: String, error: DockerError },
    #[error("cannot read the password file {}: {error}", path.display())]
    PasswordFile {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// Resolves the connection flags: the address map, the compose project's containers (through
/// the Docker API) and the sentinels to start from.
pub async fn connect(
    c: &ConnArgs,
    credentials: &CredentialSettings,
    read_only: bool,
) -> Result<Connection, ConnectError> {
    let map = SharedMap::new(c.addr_map());
    let mut seeds = c.sentinels.clone();
    let mut docker = None;
    if let Some(project) = &c.compose_project {
        match docker::Engine::connect().await {
            Ok(engine) => {
                let containers = engine.project(project).await?;
                if containers.is_empty() {
                    return Err(ConnectError::EmptyProject(project.clone()));
                }
                let found = docker::discover(&containers);
                map.merge(&found.map);
                if seeds.is_empty() {
                    seeds = found.sentinels.clone();
                }
                if seeds.is_empty() {
                    return Err(ConnectError::NoSentinelPort(project.clone()));
                }
                docker = Some(DockerScope {
                    engine,
                    project: project.clone(),
                });
            }
            // Without the engine, a user who named sentinels still gets monitoring.
            Err(e) if !seeds.is_empty() => {
                eprintln!("sentui: {e}; container states and control are off")
            }
            Err(error) => {
                return Err(ConnectError::NoEngine {
                    project: project.clone(),
                    error,
                });
            }
        }
    }
    if seeds.is_empty() {
        seeds.push(DEFAULT_SENTINEL.parse().expect("a valid default"));
    }
    let names = NamePolicy {
        resolve_announced: c.resolve_names,
        // Hosts the user typed are looked up as asked; only announced ones are not.
        user_hosts: c
            .sentinels
            .iter()
            .chain(c.map.iter().map(|(_, to)| to))
            .map(|a| a.host.clone())
            .collect(),
        only_mapped: docker.as_ref().map(|d| d.project.clone()),
    };
    let (auth, sentinel_auth) = read_credentials(credentials)?;
    let tls = c.tls_settings()?;
    let settings = CollectSettings {
        link: LinkSettings {
            connect_timeout: c.timeout,
            response_timeout: c.timeout,
            map: map.clone(),
            auth,
            sentinel_auth,
            tls,
            names,
        },
        docker: docker.clone(),
        probe: ProbeSettings {
            probe_every: c.probe_every,
            unresponsive_after: c.unresponsive_after,
            budget_per_sec: c.probe_budget,
            ..ProbeSettings::default()
        },
        poll_every: c.refresh,
        poll_budget: c.poll_budget,
        ..CollectSettings::default()
    };
    let mut control = Controller::new(map, docker, read_only);
    control.server_names = std::env::var_os("SENTUI_LAB_SERVER_BIN")
        .map(std::path::PathBuf::from)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .into_iter()
        .collect();
    Ok(Connection {
        settings,
        seeds,
        control,
    })
}

/// Finds out whether the deployment is a lab sentui started, for the commands that act on it
/// (until then it is taken for one that is not: faults ask first). Status and events never
/// need it, so they do not pay for it.
pub async fn recognise_lab(c: &mut Connection) {
    c.control.in_lab = match &c.control.docker {
        Some(scope) => matches!(
            compose::presence(&scope.engine, &scope.project).await,
            Ok(compose::Presence::Lab)
        ),
        None => local_lab_seeds(&c.control, &c.seeds),
    };
}

/// Whether every seed sentinel is a process of one local lab sentui started (its recorded pid
/// listening on its recorded port).
fn local_lab_seeds(control: &Controller, seeds: &[Addr]) -> bool {
    let reach: Vec<Addr> = seeds.iter().map(|s| control.map.reachable(s)).collect();
    if reach.is_empty() || !reach.iter().all(Addr::is_loopback) {
        return false;
    }
    let ports = reach.iter().map(|a| a.port).collect();
    let is_server = |name: &str| is_server_name(name, &control.server_names);
    let Ok(listeners) = procfs::find_listeners_named(&ports, is_server) else {
        return false;
    };
    let mut labs = std::collections::BTreeSet::new();
    for a in &reach {
        let Some(lab) = listeners
            .get(&a.port)
            .and_then(Option::as_ref)
            .and_then(|p| local::lab_of(p.pid, a.port))
        else {
            return false;
        };
        labs.insert(lab.0);
    }
    labs.len() == 1
}

/// The credentials the settings chose (settings.rs), password files read. An empty sentinel
/// password means "none"; no sentinel password at all, the nodes' credentials.
pub fn read_credentials(
    cs: &CredentialSettings,
) -> Result<(Option<Credentials>, Option<Credentials>), ConnectError> {
    let read = |p: &Password| match p {
        Password::Given(s) => Ok(s.clone()),
        Password::File(path) => std::fs::read_to_string(path)
            .map(|s| Secret::new(s.trim_end_matches(['\n', '\r'])))
            .map_err(|error| ConnectError::PasswordFile {
                path: path.clone(),
                error,
            }),
    };
    let username =
        |u: &Option<crate::settings::Chosen<String>>| u.as_ref().map(|u| u.value.clone());
    let node = match &cs.password {
        Some(p) => Some(Credentials {
            username: username(&cs.username),
            password: read(&p.value)?,
        }),
        None => None,
    };
    let sentinel = match &cs.sentinel_password {
        Some(p) => Some(read(&p.value)?)
            .filter(|s| !s.expose().is_empty())
            .map(|password| Credentials {
                username: username(&cs.sentinel_username),
                password,
            }),
        None => node.clone(),
    };
    Ok((node, sentinel))
}
