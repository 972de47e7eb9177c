//! What a control action is aimed at: `master`, a compose service or container name, or
//! HOST:PORT, resolved to a node's announced address.

use sentui_io::collect::snapshot::snapshot;
use sentui_io::control::Controller;
use sentui_io::link::{LinkSettings, now_ms};
use sentui_model::Addr;

/// Resolves `master` (through the sentinels), a compose service or container name, or
/// HOST:PORT to a node's announced address.
pub async fn resolve(
    target: &str,
    link: &LinkSettings,
    seeds: &[Addr],
    group: Option<&str>,
    ctl: &Controller,
) -> Result<Addr, String> {
    if target != "master" {
        if let Some(scope) = &ctl.docker
            && let Some(c) = scope.find(None, Some(target)).await?
        {
            return Ok(c.announced());
        }
        if let Some(scope) = &ctl.docker
            && target.parse::<Addr>().is_err()
        {
            return Err(format!(
                "no such service or container in compose project '{}': {target}",
                scope.project
            ));
        }
        let addr = target.parse::<Addr>().map_err(|e| {
            let names = if ctl.docker.is_some() {
                ", a compose service or container name"
            } else {
                ""
            };
            format!("target must be 'master'{names} or HOST:PORT: {e}")
        })?;
        return member(&addr, link, seeds).await;
    }
    let d = snapshot(link, seeds).await;
    let groups = d.group_names();
    let name = match (group, groups.as_slice()) {
        (Some(g), _) if groups.iter().any(|x| x == g) => g.to_string(),
        (Some(g), _) => return Err(format!("no sentinel monitors a master named '{g}'")),
        (None, [only]) => only.clone(),
        (None, []) => {
            let why: Vec<String> = d
                .sentinels()
                .values()
                .map(|s| format!("{}: {}", s.addr, s.reach.describe(now_ms())))
                .collect();
            return Err(format!("no sentinel reports a master ({})", why.join("; ")));
        }
        (None, many) => {
            return Err(format!(
                "several master groups ({}): name one with --master",
                many.join(", ")
            ));
        }
    };
    d.master_of(&name)
        .ok_or_else(|| format!("no sentinel reports a master for '{name}'"))
}

/// `addr` as the deployment knows it: a node or sentinel the sentinels report, named by its
/// announced address or by the address it is reached at. Anything else is refused before any
/// action, so a stray port on this machine is never touched.
async fn member(addr: &Addr, link: &LinkSettings, seeds: &[Addr]) -> Result<Addr, String> {
    let d = snapshot(link, seeds).await;
    let known: Vec<&Addr> = d.nodes().keys().chain(d.sentinels().keys()).collect();
    if let Some(found) = known
        .iter()
        .find(|a| **a == addr || link.map.reachable(a) == *addr)
    {
        return Ok((*found).clone());
    }
    let list: Vec<String> = known.iter().map(|a| a.to_string()).collect();
    Err(if list.is_empty() {
        format!("{addr} is not a member of this deployment: no sentinel answered to say what is")
    } else {
        format!(
            "{addr} is not a member of this deployment (the sentinels report {}); sentui acts only on those",
            list.join(", ")
        )
    })
}
