//! What a session is, fixed when it starts: the deployment it watches, what it may do to it and
//! how it draws. The header of a recording carries it, so a replay starts from the same.

use crate::deployment_name::DeploymentName;
use crate::record::{Header, TlsUse};
use sentui_model::{Addr, Millis};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The sentinels sentui started from.
    pub seeds: Vec<Addr>,
    /// Only this master group (`--master`).
    pub group: Option<String>,
    /// The compose project watched, which names the deployment in the header.
    pub compose_project: Option<String>,
    /// Nodes are containers sentui may stop and start (a compose project is watched).
    pub containers: bool,
    pub read_only: bool,
    /// Not a sentui lab: a pause asks for confirmation too (stop and failover always do).
    pub outside_lab: bool,
    pub no_color: bool,
    /// A replay is being watched: the footer and help show the replay's keys.
    pub replay: bool,
    /// Every link speaks TLS.
    pub tls: Option<TlsUse>,
    pub started_at: Millis,
}

impl Setup {
    /// A live session on a sentui lab started from `seeds`, with every default.
    pub fn new(seeds: Vec<Addr>, started_at: Millis) -> Setup {
        Setup {
            seeds,
            group: None,
            compose_project: None,
            containers: false,
            read_only: false,
            outside_lab: false,
            no_color: false,
            replay: false,
            tls: None,
            started_at,
        }
    }

    /// The setup a recording's header describes.
    pub fn of(h: &Header) -> Setup {
        Setup {
            group: h.group.clone(),
            compose_project: h.compose_project.clone(),
            containers: h.compose_project.is_some(),
            read_only: h.read_only,
            outside_lab: h.outside_lab,
            no_color: h.no_color,
            tls: h.tls,
            ..Setup::new(h.seeds.clone(), h.started_at)
        }
    }

    /// The deployment as sentui names it: its compose project, else its sentinels.
    pub fn deployment(&self) -> DeploymentName {
        DeploymentName::new(self.compose_project.clone(), self.seeds.clone())
    }
}
