//! The test tiers as Cargo.toml declares them and as nextest runs them (`scripts/test`): every
//! Docker-tier test binary has its output shown when it passes, so a skip for want of an
//! engine is loud in CI, and counts as two of the four tests run at a time.

use std::path::Path;

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

/// The `[[test]]` binaries of Cargo.toml that need `feature`.
fn binaries_needing(feature: &str) -> Vec<String> {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).unwrap();
    manifest["test"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t.get("required-features")
                .and_then(|f| f.as_array())
                .is_some_and(|f| f.iter().any(|x| x.as_str() == Some(feature)))
        })
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_docker_test_binary_is_shown_when_it_passes_and_counts_as_two() {
    let docker = binaries_needing("docker-tests");
    assert!(docker.len() >= 8, "{docker:?}");
    let nextest: toml::Table = toml::from_str(&read(".config/nextest.toml")).unwrap();
    let overrides = nextest["profile"]["default"]["overrides"]
        .as_array()
        .unwrap();
    let shown = overrides
        .iter()
        .find(|o| o.get("success-output").and_then(|v| v.as_str()) == Some("final"))
        .expect("an override that shows a passing test's output");
    assert_eq!(shown["threads-required"].as_integer(), Some(2));
    let filter = shown["filter"].as_str().unwrap();
    let missing: Vec<&String> = docker
        .iter()
        .filter(|b| !filter.contains(&format!("binary({b})")))
        .collect();
    assert!(
        missing.is_empty(),
        "Docker-tier binaries whose skips CI would not show: {missing:?}"
    );
}
