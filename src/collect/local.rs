//! The local-process watcher: for endpoints on this machine, which process listens on the port
//! and whether it is stopped (SIGSTOP), so the screen can say "paused" even when someone else
//! froze it. Reads /proc only; sends an update only when something changed.

use super::link::now_ms;
use crate::control::process;
use crate::model::state::ProcessInfo;
use crate::model::{Addr, Update};
use std::time::Duration;
use tokio::sync::mpsc::Sender;

pub async fn process_task(announced: Addr, port: u16, sentinel: bool, tx: Sender<Update>) {
    let mut last: Option<ProcessInfo> = None;
    let mut pid: Option<i32> = None;
    let mut ticks: u32 = 0;
    loop {
        // Look the pid up again every 30 s (a restarted node has a new one), or when it died:
        // the lookup walks every process's descriptors.
        if pid.is_none_or(|p| !process::is_alive(p)) || ticks.is_multiple_of(30) {
            pid = tokio::task::spawn_blocking(move || {
                process::find_listener(port).ok().flatten().map(|p| p.pid)
            })
            .await
            .ok()
            .flatten();
        }
        let now = pid.map(|p| ProcessInfo {
            pid: p,
            name: process::process_name(p),
            paused: process::is_stopped(p),
        });
        if now != last {
            last = now.clone();
            if tx
                .send(Update::Process {
                    addr: announced.clone(),
                    at: now_ms(),
                    sentinel,
                    process: now,
                })
                .await
                .is_err()
            {
                return;
            }
        }
        ticks = ticks.wrapping_add(1);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
