//! Names on the screen: each one whole, or shortened by one rule that keeps the short names of
//! a screen distinct. A long name loses the part it shares with the other names of its kind
//! (`newbie1-redis-replica-1` beside `newbie1-redis-master` reads `…replica-1`): the elision
//! is marked by `…` where it was, never at a cut, and the full name is in the details (Enter).
//! Every panel reads its names from one `Names` made per frame, so a name reads the same in
//! every panel, and a new panel gets the same forms by asking it.

use sentui_model::Addr;
use sentui_model::state::Deployment;
use std::collections::{BTreeMap, BTreeSet};

/// A name longer than this is shortened where the screen is narrow.
pub const NAME_MAX: usize = 12;

/// The mark of an elided part of a name.
pub const ELIDED: char = '…';

/// The short forms of the names the deployment holds: hosts of nodes and sentinels, and
/// container names.
#[derive(Clone, Debug, Default)]
pub struct Names {
    hosts: BTreeMap<String, String>,
    containers: BTreeMap<String, String>,
}

impl Names {
    /// The forms for everything `d` holds now.
    pub fn of(d: &Deployment) -> Names {
        let node_hosts: BTreeSet<&str> = d.nodes().keys().map(|a| a.host.as_str()).collect();
        let sentinel_hosts: BTreeSet<&str> =
            d.sentinels().keys().map(|a| a.host.as_str()).collect();
        let node_containers: BTreeSet<&str> = d
            .nodes()
            .values()
            .filter_map(|n| n.container.as_ref().map(|c| c.name.as_str()))
            .collect();
        let sentinel_containers: BTreeSet<&str> = d
            .sentinels()
            .values()
            .filter_map(|s| s.container.as_ref().map(|c| c.name.as_str()))
            .collect();
        Names {
            hosts: distinct(&[node_hosts, sentinel_hosts]),
            containers: distinct(&[node_containers, sentinel_containers]),
        }
    }

    /// An address as short as it can be told apart when `narrow`: `:26379` for this machine,
    /// the host alone on a standard port (shortened by the rule above when long), the whole
    /// `host:port` otherwise.
    pub fn addr(&self, a: &Addr, narrow: bool) -> String {
        match (narrow, a.port) {
            (true, _) if a.is_loopback() => format!(":{}", a.port),
            // Compose service names on the standard ports read fine without them.
            (true, 6379 | 26379) => self.host(&a.host).to_string(),
            _ => a.to_string(),
        }
    }

    /// A host's short form (itself when short, or unknown to the deployment).
    pub fn host<'a>(&'a self, host: &'a str) -> &'a str {
        self.hosts.get(host).map_or(host, String::as_str)
    }

    /// A container's name, whole or short.
    pub fn container<'a>(&'a self, name: &'a str, short: bool) -> &'a str {
        if !short {
            return name;
        }
        self.containers.get(name).map_or(name, String::as_str)
    }

    /// Every (name, short form) pair that differs: what a test checks the screen against.
    pub fn shortened(&self) -> impl Iterator<Item = (&str, &str)> {
        self.hosts
            .iter()
            .chain(self.containers.iter())
            .filter(|(n, s)| n != s)
            .map(|(n, s)| (n.as_str(), s.as_str()))
    }
}

/// The short forms of several kinds of names (each kind shortened against its own), kept only
/// where every short form of every kind stays distinct from every other name and form.
fn distinct(kinds: &[BTreeSet<&str>]) -> BTreeMap<String, String> {
    let mut forms: BTreeMap<String, String> = BTreeMap::new();
    for kind in kinds {
        let names: Vec<&str> = kind.iter().copied().collect();
        for (name, short) in names.iter().zip(elide_common(&names, NAME_MAX)) {
            forms.insert(name.to_string(), short);
        }
    }
    // Two kinds can shorten to the same form (`a-x-1` and `b-x-1` both `…x-1`): those stay whole.
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for s in forms.values() {
        *count.entry(s.clone()).or_default() += 1;
    }
    let clashing: Vec<String> = forms
        .iter()
        .filter(|(n, s)| n != s && (count[*s] > 1 || forms.contains_key(*s)))
        .map(|(n, _)| n.clone())
        .collect();
    for n in clashing {
        forms.insert(n.clone(), n);
    }
    forms
}

fn is_sep(c: char) -> bool {
    matches!(c, '-' | '_' | '.')
}

/// `names` with the prefix they all share elided when any is longer than `max`: the prefix
/// ends at a separator (`-`, `_`, `.`) and leaves each name a part that holds a letter
/// (`…sentinel-1`, never `…1`). Distinct names stay distinct: all lose the same prefix.
pub fn elide_common(names: &[&str], max: usize) -> Vec<String> {
    let whole = || names.iter().map(|n| n.to_string()).collect();
    if names.len() < 2 || names.iter().all(|n| n.chars().count() <= max) {
        return whole();
    }
    let first: Vec<char> = names[0].chars().collect();
    let mut common = first.len();
    for n in &names[1..] {
        common = common.min(
            first
                .iter()
                .zip(n.chars())
                .take_while(|(a, b)| **a == *b)
                .count(),
        );
    }
    // Back to a separator, while every rest keeps a letter.
    let mut cut = (1..=common).rev().filter(|&i| is_sep(first[i - 1]));
    let prefix_len = cut.find(|&i| {
        names.iter().all(|n| {
            let rest: String = n.chars().skip(i).collect();
            rest.chars().any(char::is_alphabetic)
        })
    });
    match prefix_len {
        // Eliding fewer than two characters only adds noise.
        Some(p) if p >= 2 => names
            .iter()
            .map(|n| {
                let rest: String = n.chars().skip(p).collect();
                format!("{ELIDED}{rest}")
            })
            .collect(),
        _ => whole(),
    }
}

/// Whether `shown` is `name` or a form of it with parts elided (`…replica-1`, `redis…-1`).
pub fn is_form_of(shown: &str, name: &str) -> bool {
    let parts: Vec<&str> = shown.split(ELIDED).collect();
    if parts.len() == 1 {
        return shown == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            // A name cut at its end (`redis-repl…`) is no form of it.
            return !part.is_empty() && rest.ends_with(part) && rest.len() > part.len();
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_stay_whole() {
        assert_eq!(
            elide_common(&["redis-master", "sentinel-1"], 12),
            ["redis-master", "sentinel-1"]
        );
        assert_eq!(
            elide_common(&["a-very-long-single-name"], 5),
            ["a-very-long-single-name"]
        );
    }

    #[test]
    fn long_names_lose_their_common_prefix_keeping_a_word() {
        assert_eq!(
            elide_common(
                &[
                    "newbie1-redis-master",
                    "newbie1-redis-replica-1",
                    "newbie1-redis-replica-2"
                ],
                12
            ),
            ["…master", "…replica-1", "…replica-2"]
        );
        // The numbers alone would say nothing: the word before them stays.
        assert_eq!(
            elide_common(&["newbie1-sentinel-1-1", "newbie1-sentinel-2-1"], 12),
            ["…sentinel-1-1", "…sentinel-2-1"]
        );
        // Nothing in common at a separator: whole.
        assert_eq!(
            elide_common(&["redis-replica-1", "sentinel-1"], 12),
            ["redis-replica-1", "sentinel-1"]
        );
    }

    #[test]
    fn kinds_that_would_clash_stay_whole() {
        let nodes: BTreeSet<&str> = ["proj-a-node-1", "proj-a-node-2"].into();
        let sentinels: BTreeSet<&str> = ["proj-b-node-1", "proj-b-node-2"].into();
        let forms = distinct(&[nodes, sentinels]);
        assert_eq!(forms["proj-a-node-1"], "proj-a-node-1");
        assert_eq!(forms["proj-b-node-2"], "proj-b-node-2");
        let values: BTreeSet<&String> = forms.values().collect();
        assert_eq!(values.len(), forms.len());
    }

    #[test]
    fn forms_are_recognised() {
        assert!(is_form_of("…replica-1", "newbie1-redis-replica-1"));
        assert!(is_form_of(
            "newbie1-redis-replica-1",
            "newbie1-redis-replica-1"
        ));
        assert!(!is_form_of("…replica-1", "newbie1-redis-replica-12"));
        assert!(!is_form_of("redis-repl…", "redis-replica-1"));
        assert!(is_form_of("redis…-1", "redis-replica-1"));
    }
}
