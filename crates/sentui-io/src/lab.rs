//! The failover labs sentui ships: the Docker Compose lab and a local-process lab (no Docker
//! needed), and the servers they run.

pub mod agree;
pub mod compose;
pub mod local;
pub mod server;

/// Settings that decide how much a failover can lose, for both labs: `min-replicas-to-write`
/// and `min-replicas-max-lag` on every node (a master cut off from its replicas refuses writes
/// after the lag), `master-reboot-down-after-period` on the sentinels (a master that restarted
/// empty is failed over instead of taken back). None: the server's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LossSettings {
    pub min_replicas_to_write: Option<u32>,
    /// Seconds.
    pub min_replicas_max_lag: Option<u32>,
    pub master_reboot_down_after_ms: Option<u64>,
}

impl LossSettings {
    /// The arguments every node's command line gets.
    pub fn node_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(n) = self.min_replicas_to_write {
            args.extend(["--min-replicas-to-write".to_string(), n.to_string()]);
        }
        if let Some(s) = self.min_replicas_max_lag {
            args.extend(["--min-replicas-max-lag".to_string(), s.to_string()]);
        }
        args
    }

    /// The sentinel config lines for `group`.
    pub fn sentinel_lines(&self, group: &str) -> String {
        self.master_reboot_down_after_ms
            .map(|ms| format!("sentinel master-reboot-down-after-period {group} {ms}\n"))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_become_arguments_and_config_lines() {
        assert!(LossSettings::default().node_args().is_empty());
        assert_eq!(LossSettings::default().sentinel_lines("g"), "");
        let s = LossSettings {
            min_replicas_to_write: Some(1),
            min_replicas_max_lag: Some(2),
            master_reboot_down_after_ms: Some(5000),
        };
        assert_eq!(
            s.node_args().join(" "),
            "--min-replicas-to-write 1 --min-replicas-max-lag 2"
        );
        assert_eq!(
            s.sentinel_lines("mymaster"),
            "sentinel master-reboot-down-after-period mymaster 5000\n"
        );
    }
}
