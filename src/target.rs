//! What a control action is aimed at: `master`, a compose service or container name, or
//! HOST:PORT, resolved to a node's announced address; and the master group a command is
//! about.

use sentui_io::collect::snapshot::snapshot;
use sentui_io::control::Controller;
use sentui_io::docker::DockerError;
use sentui_io::link::{LinkSettings, now_ms};
use sentui_model::{Addr, Deployment};

/// Which master group: the sentinels monitor none, not the one named, or several.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// Why, per sentinel.
    #[error("no sentinel reports a master ({})", .0.join("; "))]
    None(Vec<String>),
    #[error("no sentinel monitors a master named '{0}'")]
    Unknown(String),
    #[error("several master groups ({}): name one with --master", .0.join(", "))]
    Several(Vec<String>),
}

/// Why a target is not one sentui may act on.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error("no such service or container in compose project '{project}': {target}")]
    NoSuchContainer { project: String, target: String },
    /// `why`: what the address parser said.
    #[error(
        "target must be 'master'{} or HOST:PORT: {why}",
        if *.compose { ", a compose service or container name" } else { "" }
    )]
    Unreadable { compose: bool, why: String },
    #[error(transparent)]
    Group(#[from] GroupError),
    #[error("no sentinel reports a master for '{0}'")]
    NoMaster(String),
    /// `members`: what the sentinels report (none: no sentinel answered).
    #[error("{addr} is not a member of this deployment{}", said(.members))]
    NotAMember { addr: Addr, members: Vec<Addr> },
}

fn said(members: &[Addr]) -> String {
    if members.is_empty() {
        return ": no sentinel answered to say what is".into();
    }
    let list: Vec<String> = members.iter().map(Addr::to_string).collect();
    format!(
        " (the sentinels report {}); sentui acts only on those",
        list.join(", ")
    )
}

/// The master group a command is about: the one named (`--master`), else the only one the
/// sentinels monitor.
pub fn choose_group(d: &Deployment, named: Option<&str>) -> Result<String, GroupError> {
    let groups = d.group_names();
    match (named, groups.as_slice()) {
        (Some(g), _) if groups.iter().any(|x| x == g) => Ok(g.to_string()),
        (Some(g), _) => Err(GroupError::Unknown(g.to_string())),
        (None, [only]) => Ok(only.clone()),
        (None, []) => Err(GroupError::None(
            d.sentinels()
                .values()
                .map(|s| format!("{}: {}", s.addr, s.reach.describe(now_ms())))
                .collect(),
        )),
        (None, many) => Err(GroupError::Several(many.to_vec())),
    }
}

/// Resolves `master` (through the sentinels), a compose service or container name, or
/// HOST:PORT to a node's announced address.
pub async fn resolve(
    target: &str,
    link: &LinkSettings,
    seeds: &[Addr],
    group: Option<&str>,
    ctl: &Controller,
) -> Result<Addr, TargetError> {
    if target != "master" {
        if let Some(scope) = &ctl.docker
            && let Some(c) = scope.find(None, Some(target)).await?
        {
            return Ok(c.announced());
        }
        if let Some(scope) = &ctl.docker
            && target.parse::<Addr>().is_err()
        {
            return Err(TargetError::NoSuchContainer {
                project: scope.project.clone(),
                target: target.to_string(),
            });
        }
        let addr = target
            .parse::<Addr>()
            .map_err(|why| TargetError::Unreadable {
                compose: ctl.docker.is_some(),
                why: why.to_string(),
            })?;
        return member(&addr, link, seeds).await;
    }
    let d = snapshot(link, seeds).await;
    let name = choose_group(&d, group)?;
    d.master_of(&name).ok_or(TargetError::NoMaster(name))
}

/// `addr` as the deployment knows it: a node or sentinel the sentinels report, named by its
/// announced address or by the address it is reached at. Anything else is refused before any
/// action, so a stray port on this machine is never touched.
async fn member(addr: &Addr, link: &LinkSettings, seeds: &[Addr]) -> Result<Addr, TargetError> {
    let d = snapshot(link, seeds).await;
    let known: Vec<&Addr> = d.nodes().keys().chain(d.sentinels().keys()).collect();
    match known
        .iter()
        .find(|a| **a == addr || link.map.reachable(a) == *addr)
    {
        Some(found) => Ok((*found).clone()),
        None => Err(TargetError::NotAMember {
            addr: addr.clone(),
            members: known.into_iter().cloned().collect(),
        }),
    }
}
