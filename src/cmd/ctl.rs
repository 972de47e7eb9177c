//! `sentui ctl ACTION TARGET`: one action through sentui's hands. A fault outlives this
//! command on its lease: a guard ends it when the lease runs out, unless `ctl` ends it first.
//! `sentui ctl failover [GROUP] [--coordinated]` asks the sentinels for a manual failover.

use crate::cli::CtlArgs;
use crate::connection::Connection;
use crate::target::{GroupError, TargetError, choose_group, resolve};
use sentui_io::collect::snapshot::snapshot;
use sentui_io::control::failover::{FailoverError, failover_via};
use sentui_io::control::{Action, ControlError};
use sentui_io::hands::{Applied, Hands, HandsError};
use sentui_io::link::now_ms;
use sentui_model::Addr;
use sentui_model::ReachState;
use sentui_model::action::FailoverKind;

/// Why `ctl` did nothing.
#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    #[error(transparent)]
    Control(#[from] ControlError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(
        "{addr} belongs to a deployment that is not a sentui lab: to {} it anyway, add --yes",
        action.name()
    )]
    NotALab { addr: Addr, action: Action },
    #[error(transparent)]
    Hands(#[from] HandsError),
    #[error(
        "{group} belongs to a deployment that is not a sentui lab: to fail it over anyway, add --yes"
    )]
    FailoverNotALab { group: String },
    #[error("--coordinated goes with `ctl failover` only")]
    CoordinatedWithout,
    #[error(transparent)]
    Group(#[from] GroupError),
    #[error(transparent)]
    Failover(#[from] FailoverError),
}

/// Acts, and says what it did (or why not) with the deployment it was about.
pub async fn run(c: &Connection, hands: &Hands, args: &CtlArgs, group: Option<&str>) -> u8 {
    if args.action == Action::Failover {
        return match failover(c, hands, args, group).await {
            Ok(said) => {
                outln!("{said} [{}]", c.deployment());
                0
            }
            Err(e) => super::fail(format!("{e} [{}]", c.deployment())),
        };
    }
    match act(c, hands, args, group).await {
        Ok(applied) => {
            let msg = said(&applied, args.target.as_deref().unwrap_or("master"));
            // The deployment goes on the line that says what was done.
            let (done, more) = msg.split_once('\n').unwrap_or((&msg, ""));
            outln!("{done} [{}]", c.deployment());
            if !more.is_empty() {
                outln!("{more}");
            }
            0
        }
        // Already as asked (resumed, running, healed...): nothing to do is success, for
        // every action alike.
        Err(CtlError::Hands(HandsError::Control(e))) if e.already_done() => {
            outln!("{e}: nothing to do [{}]", c.deployment());
            0
        }
        Err(e) => super::fail(format!("{e} [{}]", c.deployment())),
    }
}

async fn act(
    c: &Connection,
    hands: &Hands,
    args: &CtlArgs,
    group: Option<&str>,
) -> Result<Applied, CtlError> {
    let ctl = hands.control();
    if ctl.read_only {
        return Err(ControlError::ReadOnly.into());
    }
    if args.coordinated {
        return Err(CtlError::CoordinatedWithout);
    }
    let target = args.target.as_deref().unwrap_or("master");
    let addr = resolve(target, &c.settings.link, &c.seeds, group, ctl).await?;
    let action = args.action;
    if action.needs_consent() && !ctl.in_lab && !args.yes {
        return Err(CtlError::NotALab { addr, action });
    }
    Ok(hands.apply(action, &addr).await?)
}

/// `ctl failover [GROUP] [--coordinated]`: the group named (else --master, else the only one),
/// asked of its sentinels, those that answer first. Sentinel's refusals come back as what
/// they mean.
async fn failover(
    c: &Connection,
    hands: &Hands,
    args: &CtlArgs,
    group: Option<&str>,
) -> Result<String, CtlError> {
    let ctl = hands.control();
    if ctl.read_only {
        return Err(ControlError::ReadOnly.into());
    }
    let d = snapshot(&c.settings.link, &c.seeds).await;
    let group = choose_group(&d, args.target.as_deref().or(group))?;
    if !ctl.in_lab && !args.yes {
        return Err(CtlError::FailoverNotALab { group });
    }
    let kind = if args.coordinated {
        FailoverKind::Coordinated
    } else {
        FailoverKind::Classic
    };
    let mut sentinels: Vec<Addr> = d
        .view(&group, now_ms())
        .sentinels
        .into_iter()
        .filter(|s| s.reach == ReachState::Ok)
        .map(|s| s.addr)
        .collect();
    sentinels.extend(c.seeds.iter().cloned());
    let said = failover_via(&c.settings.link, &sentinels, &group, kind).await?;
    let how = if kind.is_coordinated() {
        "coordinated failover"
    } else {
        "failover"
    };
    Ok(format!("{how} of {group} requested: {said}"))
}

/// What `ctl` prints: what it did, and for a fault, until when it lasts and how to end it.
fn said(applied: &Applied, target: &str) -> String {
    let mut line = applied.describe();
    if let (Some(l), Some(undo)) = (&applied.lease, applied.effect.action.undo()) {
        let guard = l
            .guard
            .map(|g| format!(" (pid {})", g.pid))
            .unwrap_or_default();
        line.push_str(&format!(
            "\na guard{guard} {} it when the lease ends; `sentui ctl {} {target}` does it sooner",
            match undo {
                Action::Unpause => "resumes",
                Action::Start => "starts",
                _ => "heals",
            },
            undo.name()
        ));
    }
    for l in &applied.released {
        line.push_str(&format!("\nended the lease on {}", l.describe()));
    }
    line
}
