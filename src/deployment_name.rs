//! The name of the deployment a command is about, as the header, `status` and `ctl` show it:
//! the compose project when one is watched, else the seed sentinels.

use sentui_model::Addr;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeploymentName {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compose_project: Option<String>,
    /// The sentinels sentui started from (given, or found through the compose project).
    pub sentinels: Vec<Addr>,
}

impl DeploymentName {
    pub fn new(compose_project: Option<String>, sentinels: Vec<Addr>) -> Self {
        DeploymentName {
            compose_project,
            sentinels,
        }
    }

    /// For the header, beside the title (80 columns have no room for more): the project, or
    /// the first seed and how many more.
    pub fn short(&self) -> String {
        match (&self.compose_project, self.sentinels.as_slice()) {
            (Some(p), _) => p.clone(),
            (None, []) => "no sentinel".into(),
            (None, [one]) => one.to_string(),
            (None, [first, rest @ ..]) => format!("{first} +{}", rest.len()),
        }
    }
}

/// `compose project P`, or `sentinels A, B, C`.
impl fmt::Display for DeploymentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.compose_project, self.sentinels.as_slice()) {
            (Some(p), _) => write!(f, "compose project {p}"),
            (None, [one]) => write!(f, "sentinel {one}"),
            (None, list) => {
                let list: Vec<String> = list.iter().map(Addr::to_string).collect();
                write!(f, "sentinels {}", list.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_by_project_else_by_seeds() {
        let seeds: Vec<Addr> = ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let p = DeploymentName::new(Some("newbie1".into()), seeds.clone());
        assert_eq!(p.to_string(), "compose project newbie1");
        assert_eq!(p.short(), "newbie1");
        let s = DeploymentName::new(None, seeds.clone());
        assert_eq!(
            s.to_string(),
            "sentinels 127.0.0.1:1, 127.0.0.1:2, 127.0.0.1:3"
        );
        assert_eq!(s.short(), "127.0.0.1:1 +2");
        let one = DeploymentName::new(None, seeds[..1].to_vec());
        assert_eq!(
            (one.to_string(), one.short()),
            ("sentinel 127.0.0.1:1".into(), "127.0.0.1:1".into())
        );
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"compose_project": "newbie1", "sentinels": ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]})
        );
    }
}
