//! `sentui ctl pause|unpause|stop|start|restart TARGET`.

use crate::target::resolve;
use sentui_io::control::{Action, Controller};
use sentui_io::link::LinkSettings;
use sentui_model::Addr;

pub async fn run(
    action: Action,
    target: &str,
    link: &LinkSettings,
    seeds: &[Addr],
    group: Option<&str>,
    ctl: &Controller,
) -> Result<String, String> {
    let addr = resolve(target, link, seeds, group, ctl).await?;
    Ok(ctl.apply(action, &addr).await?.describe())
}
