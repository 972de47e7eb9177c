//! `sentui ctl pause|unpause|stop|start|restart TARGET`.

use crate::target::resolve;
use sentui_io::control::{Action, Controller};
use sentui_io::link::LinkSettings;
use sentui_model::Addr;

pub async fn run(
    action: Action,
    target: &str,
    yes: bool,
    link: &LinkSettings,
    seeds: &[Addr],
    group: Option<&str>,
    ctl: &Controller,
) -> Result<String, String> {
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
    Ok(ctl.apply(action, &addr).await?.describe())
}
