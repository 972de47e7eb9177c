//! Which server the Docker lab runs (`sentui lab up --server`): Redis 7.0, Redis 8.0, Valkey
//! 8.1 or Valkey 9.1 (the first with the coordinated failover), each with its official image,
//! the offline image `scripts/offline-image` builds from the Debian release that ships it, and
//! the names of its binaries.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServerImage {
    #[default]
    Redis70,
    Redis80,
    Valkey81,
    Valkey91,
}

impl ServerImage {
    pub const ALL: [ServerImage; 4] = [
        ServerImage::Redis70,
        ServerImage::Redis80,
        ServerImage::Valkey81,
        ServerImage::Valkey91,
    ];

    /// The `--server` spelling: `redis:7.0`, `redis:8.0`, `valkey:8.1`, `valkey:9.1`.
    pub fn name(self) -> &'static str {
        match self {
            ServerImage::Redis70 => "redis:7.0",
            ServerImage::Redis80 => "redis:8.0",
            ServerImage::Valkey81 => "valkey:8.1",
            ServerImage::Valkey91 => "valkey:9.1",
        }
    }

    /// `redis` or `valkey`: the prefix of its binaries and its INFO `server_name`.
    pub fn family(self) -> &'static str {
        match self {
            ServerImage::Redis70 | ServerImage::Redis80 => "redis",
            ServerImage::Valkey81 | ServerImage::Valkey91 => "valkey",
        }
    }

    /// The version series (`8.0`): what INFO's version starts with.
    pub fn series(self) -> &'static str {
        &self.name()[self.family().len() + 1..]
    }

    /// The image a registry serves for it.
    pub fn official_image(self) -> &'static str {
        match self {
            ServerImage::Redis70 => "redis:7.0",
            ServerImage::Redis80 => "redis:8.0",
            ServerImage::Valkey81 => "valkey/valkey:8.1",
            ServerImage::Valkey91 => "valkey/valkey:9.1",
        }
    }

    pub fn server_bin(self) -> String {
        format!("{}-server", self.family())
    }

    pub fn cli_bin(self) -> String {
        format!("{}-cli", self.family())
    }

    /// Extra arguments of every node: Valkey's dual-channel replication is off by default;
    /// the lab turns it on so that its replication (and `replicas_waiting_psync`) is exercised.
    /// Redis 8 replicates over an RDB channel by default already.
    pub fn server_args(self) -> &'static str {
        match self {
            ServerImage::Valkey81 | ServerImage::Valkey91 => {
                "--dual-channel-replication-enabled yes"
            }
            _ => "",
        }
    }

    /// The tag of the lab's own sentinel and app images built on this server.
    pub fn lab_tag(self) -> String {
        self.name().replace(':', "-")
    }
}

impl fmt::Display for ServerImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// clap's parser for `--server` (`value_parser!` takes a `FromStr`): an argument, whose error
/// clap prints as it is, so a sentence is all it needs.
impl FromStr for ServerImage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        ServerImage::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ServerImage::ALL.iter().map(|k| k.name()).collect();
                format!("unknown server '{s}': one of {}", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_list_the_choices() {
        for k in ServerImage::ALL {
            assert_eq!(k.name().parse::<ServerImage>(), Ok(k));
        }
        let err = "redis:6.2".parse::<ServerImage>().unwrap_err();
        assert!(
            err.contains("redis:7.0, redis:8.0, valkey:8.1, valkey:9.1"),
            "{err}"
        );
        assert_eq!(ServerImage::Valkey91.series(), "9.1");
        assert_eq!(ServerImage::Valkey81.series(), "8.1");
        assert_eq!(ServerImage::Valkey81.cli_bin(), "valkey-cli");
        assert_eq!(ServerImage::Redis80.lab_tag(), "redis-8.0");
        assert_eq!(ServerImage::default(), ServerImage::Redis70);
    }
}
