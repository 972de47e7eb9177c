//! Sentinel's flags on an instance: the `flags` field of SENTINEL MASTERS, REPLICAS and
//! SENTINELS (`master,s_down,o_down`), read once into a set that keeps Sentinel's order and is
//! written out (status JSON, recordings) as the same list of names.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`Flag`] from its table of names, so the names and the parser cannot drift apart.
macro_rules! flags {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// One flag, named as `sentinel.c` lists them (`addReplySentinelRedisInstance`, Valkey's
        /// `addReplySentinelValkeyInstance`).
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Flag {
            $($(#[$doc])* $variant,)*
            /// A flag this list lacks (a newer server's), kept as listed.
            Other(String),
        }

        impl Flag {
            /// Every flag this list knows.
            pub const KNOWN: &[Flag] = &[$(Flag::$variant),*];

            pub fn parse(name: &str) -> Flag {
                match name {
                    $($name => Flag::$variant,)*
                    other => Flag::Other(other.to_string()),
                }
            }

            /// Its name as Sentinel lists it.
            pub fn name(&self) -> &str {
                match self {
                    $(Flag::$variant => $name,)*
                    Flag::Other(name) => name,
                }
            }
        }
    };
}

flags! {
    /// Subjectively down: no valid reply for down-after-milliseconds.
    SDown = "s_down",
    /// Objectively down: quorum sentinels agree (masters only).
    ODown = "o_down",
    Master = "master",
    Slave = "slave",
    Sentinel = "sentinel",
    /// The sentinel's link to the instance is down.
    Disconnected = "disconnected",
    /// On a peer sentinel: it said the master is down.
    MasterDown = "master_down",
    FailoverInProgress = "failover_in_progress",
    /// The replica chosen for promotion.
    Promoted = "promoted",
    ReconfSent = "reconf_sent",
    ReconfInprog = "reconf_inprog",
    ReconfDone = "reconf_done",
    /// A failover asked for with SENTINEL FAILOVER.
    ForceFailover = "force_failover",
    /// Valkey 9's SENTINEL FAILOVER ... COORDINATED.
    CoordinatedFailover = "coordinated_failover",
    ScriptKillSent = "script_kill_sent",
    /// The master restarted and has not answered PING since (master-reboot-down-after-period).
    MasterReboot = "master_reboot",
}

impl Flag {
    /// A failover of the master is under way or asked for.
    pub fn is_failover(&self) -> bool {
        matches!(
            self,
            Flag::FailoverInProgress | Flag::ForceFailover | Flag::CoordinatedFailover
        )
    }
}

/// The flags of one instance, each once, in the order Sentinel listed them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flags(Vec<Flag>);

impl Flags {
    /// Sentinel's comma-separated list (`master,s_down`).
    pub fn parse(list: &str) -> Flags {
        list.split(',')
            .filter(|s| !s.is_empty())
            .map(Flag::parse)
            .collect()
    }

    pub fn has(&self, flag: Flag) -> bool {
        self.0.contains(&flag)
    }

    /// Adds `flag` at the end, unless it is there already.
    pub fn insert(&mut self, flag: Flag) {
        if !self.0.contains(&flag) {
            self.0.push(flag);
        }
    }

    pub fn remove(&mut self, flag: Flag) {
        self.0.retain(|f| *f != flag);
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Flag> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Flag> for Flags {
    fn from_iter<I: IntoIterator<Item = Flag>>(flags: I) -> Flags {
        let mut set = Flags::default();
        for f in flags {
            set.insert(f);
        }
        set
    }
}

/// As Sentinel lists them: `master,s_down`.
impl std::fmt::Display for Flags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, flag) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(flag.name())?;
        }
        Ok(())
    }
}

impl Serialize for Flags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Flag::name))
    }
}

impl<'de> Deserialize<'de> for Flags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        Ok(names.iter().map(|n| Flag::parse(n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_once_kept_in_order_and_written_as_listed() {
        let f = Flags::parse("s_down,o_down,master,coordinated_failover,new_flag");
        assert!(f.has(Flag::SDown) && f.has(Flag::ODown) && f.has(Flag::Master));
        assert!(!f.has(Flag::Slave));
        assert!(f.has(Flag::Other("new_flag".into())));
        assert!(f.iter().any(Flag::is_failover));
        assert_eq!(
            f.to_string(),
            "s_down,o_down,master,coordinated_failover,new_flag"
        );
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"["s_down","o_down","master","coordinated_failover","new_flag"]"#
        );
        assert_eq!(serde_json::from_str::<Flags>(&json).unwrap(), f);
        assert!(Flags::parse("").is_empty());
        for flag in Flag::KNOWN {
            assert_eq!(&Flag::parse(flag.name()), flag);
        }
    }

    #[test]
    fn a_set_each_flag_once() {
        let mut f = Flags::parse("master,master,s_down");
        assert_eq!(f.to_string(), "master,s_down");
        f.insert(Flag::SDown);
        f.insert(Flag::ODown);
        assert_eq!(f.to_string(), "master,s_down,o_down");
        f.remove(Flag::SDown);
        assert_eq!(f.to_string(), "master,o_down");
    }
}
