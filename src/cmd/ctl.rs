//! `sentui ctl ACTION TARGET`: one action through sentui's hands. A fault outlives this
//! command on its lease: a guard ends it when the lease runs out, unless `ctl` ends it first.

use crate::cli::CtlArgs;
use crate::connection::Connection;
use crate::target::{TargetError, resolve};
use sentui_io::control::{Action, ControlError};
use sentui_io::hands::{Applied, Hands, HandsError};
use sentui_model::Addr;

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
}

/// Acts, and says what it did (or why not) with the deployment it was about.
pub async fn run(c: &Connection, hands: &Hands, args: &CtlArgs, group: Option<&str>) -> u8 {
    match act(c, hands, args, group).await {
        Ok(applied) => {
            let msg = said(&applied, &args.target);
            // The deployment goes on the line that says what was done.
            let (done, more) = msg.split_once('\n').unwrap_or((&msg, ""));
            outln!("{done} [{}]", c.deployment());
            if !more.is_empty() {
                outln!("{more}");
            }
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
    let addr = resolve(&args.target, &c.settings.link, &c.seeds, group, ctl).await?;
    let action = args.action;
    if action.needs_consent() && !ctl.in_lab && !args.yes {
        return Err(CtlError::NotALab { addr, action });
    }
    Ok(hands.apply(action, &addr).await?)
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
