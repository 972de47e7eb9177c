//! `sentui ctl ACTION TARGET`: one action through sentui's hands. A fault outlives this
//! command on its lease: a guard ends it when the lease runs out, unless `ctl` ends it first.

use crate::target::resolve;
use sentui_io::control::Action;
use sentui_io::hands::{Applied, Hands, HandsError};
use sentui_io::link::LinkSettings;
use sentui_model::Addr;

pub async fn run(
    action: Action,
    target: &str,
    yes: bool,
    link: &LinkSettings,
    seeds: &[Addr],
    group: Option<&str>,
    hands: &Hands,
) -> Result<String, String> {
    let ctl = hands.control();
    if ctl.read_only {
        return Err(sentui_io::control::ControlError::ReadOnly.into());
    }
    let addr = resolve(target, link, seeds, group, ctl).await?;
    if action.needs_consent() && !ctl.in_lab && !yes {
        return Err(format!(
            "{addr} belongs to a deployment that is not a sentui lab: to {} it anyway, add --yes",
            action.name()
        ));
    }
    let applied = hands
        .apply(action, &addr)
        .await
        .map_err(|e: HandsError| e.to_string())?;
    Ok(said(&applied, target))
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
