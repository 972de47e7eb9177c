//! `sentui demo`: the lab, then the TUI on it; on exit, offer to take the lab down if this demo
//! started it (a lab that was already running is left as it was found).

use crate::cli::{ConnArgs, LabOptions, UiArgs};
use crate::cmd::lab;
use crate::hands;
use crate::settings::CredentialSettings;
use crate::tui;
use sentui_io::hands::Holder;

pub async fn run(
    conn: ConnArgs,
    credentials: &CredentialSettings,
    ui: UiArgs,
    opts: LabOptions,
) -> u8 {
    let opts = match opts.with_compose_project(conn.compose_project.as_deref()) {
        Ok(o) => o,
        Err(e) => return super::fail(e),
    };
    let (lab, started) = match lab::up(&opts).await {
        Ok(l) => l,
        Err(e) => return super::fail(e),
    };
    // The lab is the deployment, whole: nothing of another one named elsewhere.
    let mut conn = conn;
    (conn.sentinels, conn.compose_project) = match &lab {
        lab::Lab::Local(state) => {
            // A TLS lab (`demo --tls`) is reached with its own CA and client certificate.
            if let Some(t) = &state.tls {
                conn.tls_ca = Some(t.ca());
                conn.tls_cert = Some(t.client_cert());
                conn.tls_key = Some(t.client_key());
            }
            (state.sentinels(), None)
        }
        lab::Lab::Docker(project) => (Vec::new(), Some(project.clone())),
    };
    // The TUI on the lab, acting as it does on any deployment.
    let connected = hands::connect(
        &conn,
        credentials,
        ui.read_only,
        ui.lease,
        Holder::ThisProcess,
    );
    let code = match connected.await {
        Ok((c, hands)) => {
            let opts = tui::TuiOptions::from_args(&ui, conn.master.clone());
            match tui::run(c, hands, opts).await {
                Ok(code) => code,
                Err(e) => super::fail(e),
            }
        }
        Err(e) => super::fail(e),
    };
    let opts = LabOptions {
        local: matches!(lab, lab::Lab::Local(_)),
        ..opts
    };
    if !started {
        outln!(
            "the lab was already running before this demo and keeps running; stop it with: {}",
            lab::down_hint(&opts)
        );
    } else if lab::ask_down(&opts) {
        if let Err(e) = lab::down(&opts).await {
            return super::fail(e);
        }
    } else {
        outln!(
            "the lab keeps running; stop it with: {}",
            lab::down_hint(&opts)
        );
    }
    code
}
