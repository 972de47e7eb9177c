//! What a project's containers tell sentui: the map from every announced address to a
//! published port, the members, and the scope sentui may touch.

use super::{ComposeContainer, DockerError, Engine, is_live};
use sentui_model::{Addr, AddrMap};
use std::collections::BTreeMap;

/// What a project's containers tell sentui.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    pub map: AddrMap,
    /// The sentinels to start from, by announced address.
    pub sentinels: Vec<Addr>,
    /// Announced address -> container.
    pub members: BTreeMap<Addr, ComposeContainer>,
}

/// Maps every way the lab may announce a container (service name, container name, container IP,
/// each with the inner port) to its published 127.0.0.1 port. Members are the containers that
/// bind their inner port to 127.0.0.1, stopped ones included (by their announced name: they
/// publish no port, so nothing maps to them); containers that bind none (the demo app) are no
/// Redis endpoint. Only running sentinels are places to start from.
pub fn discover(containers: &[ComposeContainer]) -> Discovery {
    let mut d = Discovery::default();
    for c in containers.iter().filter(|c| c.is_endpoint()) {
        let port = c.inner_port();
        let announced = c.announced();
        if let Some(host_port) = c.published.get(&port) {
            let reachable = Addr::new("127.0.0.1", *host_port);
            d.map.insert(announced.clone(), reachable.clone());
            d.map
                .insert(Addr::new(c.name.clone(), port), reachable.clone());
            for ip in &c.ips {
                d.map.insert(Addr::new(ip.clone(), port), reachable.clone());
            }
            if c.is_sentinel() {
                d.sentinels.push(announced.clone());
            }
        }
        // A service's running container over one left stopped beside it.
        if d.members.get(&announced).is_none_or(|m| !is_live(&m.state)) {
            d.members.insert(announced, c.clone());
        }
    }
    d.sentinels.sort();
    d
}

/// The compose project sentui may touch (and nothing else).
#[derive(Clone)]
pub struct DockerScope {
    pub engine: Engine,
    pub project: String,
}

impl std::fmt::Debug for DockerScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DockerScope({})", self.project)
    }
}

impl DockerScope {
    /// The project's container behind an announced address, or named `name` (service or
    /// container name).
    pub async fn find(
        &self,
        addr: Option<&Addr>,
        name: Option<&str>,
    ) -> Result<Option<ComposeContainer>, DockerError> {
        let containers = self.engine.project(&self.project).await?;
        let d = discover(&containers);
        if let Some(a) = addr {
            if let Some(c) = d.members.get(a) {
                return Ok(Some(c.clone()));
            }
            // Another announced form of the same container (its name or IP).
            let reach = d.map.reachable(a);
            if let Some((_, c)) = d
                .members
                .iter()
                .find(|(announced, _)| d.map.reachable(announced) == reach && d.map.contains(a))
            {
                return Ok(Some(c.clone()));
            }
        }
        if let Some(n) = name {
            return Ok(containers
                .into_iter()
                .find(|c| c.service == n || c.name == n));
        }
        Ok(None)
    }
}
