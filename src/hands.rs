//! The guarded driver for a connection: every command that acts (the TUI, `drill`, `ctl`,
//! `demo`) connects here and gets its `Hands`, with the lease length the settings give, the
//! lease store every sentui of this user shares, and this binary as the guard.

use crate::cli::ConnArgs;
use crate::connection::{self, ConnectError, Connection};
use crate::settings::CredentialSettings;
use sentui_io::hands::{Hands, HandsConfig, Holder};
use sentui_io::lease::LeaseStore;
use std::time::Duration;

/// Connects to act: finds out whether the deployment is a lab sentui started (outside one,
/// faults ask first) and builds the hands every action goes through, its faults held by
/// `holder`.
pub async fn connect(
    c: &ConnArgs,
    credentials: &CredentialSettings,
    read_only: bool,
    lease: Duration,
    holder: Holder,
) -> Result<(Connection, Hands), ConnectError> {
    let mut conn = connection::connect(c, credentials, read_only).await?;
    connection::recognise_lab(&mut conn).await;
    let hands = for_connection(&conn, lease, holder);
    Ok((conn, hands))
}

/// The driver for `conn`. The guard is this very binary (`sentui guard LEASE`).
fn for_connection(conn: &Connection, lease: Duration, holder: Holder) -> Hands {
    let guard_exe = std::env::current_exe().unwrap_or_else(|_| "sentui".into());
    Hands::new(
        conn.control.clone(),
        HandsConfig {
            lease,
            store: LeaseStore::default_location(),
            guard_exe,
            holder,
            deployment: conn.deployment().to_string(),
        },
    )
}
