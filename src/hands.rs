//! The guarded driver for a connection: every command that acts (the TUI, `drill`, `ctl`,
//! `demo`) gets its `Hands` here, with the lease length the settings give, the lease store every
//! sentui of this user shares, and this binary as the guard.

use crate::connection::Connection;
use sentui_io::hands::{Hands, HandsConfig, Holder};
use sentui_io::lease::LeaseStore;
use std::time::Duration;

/// The driver for `conn`. The guard is this very binary (`sentui guard LEASE`).
pub fn for_connection(conn: &Connection, lease: Duration, holder: Holder) -> Hands {
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
