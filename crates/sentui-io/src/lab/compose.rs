//! The Docker Compose lab: the repo's compose/ and redis-sentinel/ files, embedded in the binary
//! so `sentui lab up` works from anywhere, run with `docker compose` or `docker-compose` under a
//! project name of the user's choosing; sentui then waits until every container is healthy and
//! the sentinels agree. `down` removes that project's containers, networks and volumes only.

use crate::docker::{self, Engine};
use crate::link::{LinkSettings, SharedMap};
use bollard::query_parameters::{ListNetworksOptionsBuilder, ListVolumesOptionsBuilder};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::process::Command;

/// The official image a real user gets; pulled when missing.
pub const OFFICIAL_IMAGE: &str = "redis:7-alpine";
pub const OFFLINE_IMAGE: &str = "sentui/redis-offline:7";
pub const SERVICES: usize = 6;

/// The lab's files, as committed in the repo.
const FILES: &[(&str, &str)] = &[
    (
        "compose/docker-compose.yml",
        include_str!("../../../../compose/docker-compose.yml"),
    ),
    (
        "compose/app/Dockerfile",
        include_str!("../../../../compose/app/Dockerfile"),
    ),
    (
        "compose/app/writer.sh",
        include_str!("../../../../compose/app/writer.sh"),
    ),
    (
        "redis-sentinel/Dockerfile",
        include_str!("../../../../redis-sentinel/Dockerfile"),
    ),
    (
        "redis-sentinel/entrypoint.sh",
        include_str!("../../../../redis-sentinel/entrypoint.sh"),
    ),
    (
        "redis-sentinel/sentinel.conf.tpl",
        include_str!("../../../../redis-sentinel/sentinel.conf.tpl"),
    ),
    (
        "scripts/offline-image",
        include_str!("../../../../scripts/offline-image"),
    ),
];

/// Where a project's lab files are written.
pub fn files_dir(project: &str) -> PathBuf {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    std::env::temp_dir()
        .join(format!("sentui-compose-{uid}"))
        .join(project)
}

fn write_files(dir: &Path) -> Result<PathBuf, String> {
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(dir.join("compose/docker-compose.yml"))
}

/// `docker compose` (v2) when it works, else `docker-compose` (v1).
#[derive(Clone, Debug)]
pub struct ComposeCli {
    program: Vec<&'static str>,
}

impl ComposeCli {
    pub async fn detect() -> Result<ComposeCli, String> {
        for program in [vec!["docker", "compose"], vec!["docker-compose"]] {
            let ok = Command::new(program[0])
                .args(&program[1..])
                .arg("version")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .await
                .is_ok_and(|s| s.success());
            if ok {
                return Ok(ComposeCli { program });
            }
        }
        Err("neither `docker compose` nor `docker-compose` works here; install Docker Compose (or use `--local`)".into())
    }

    pub fn name(&self) -> String {
        self.program.join(" ")
    }

    async fn run(
        &self,
        project: &str,
        file: &Path,
        image: Option<&str>,
        args: &[&str],
    ) -> Result<(), String> {
        let mut cmd = Command::new(self.program[0]);
        cmd.args(&self.program[1..])
            .arg("-p")
            .arg(project)
            .arg("-f")
            .arg(file)
            .args(args);
        if let Some(image) = image {
            cmd.env("REDIS_IMAGE", image);
        }
        let out = cmd
            .output()
            .await
            .map_err(|e| format!("cannot run {}: {e}", self.name()))?;
        if out.status.success() {
            Ok(())
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = err.lines().rev().take(8).collect();
            Err(format!(
                "`{} {}` failed:\n{}",
                self.name(),
                args.join(" "),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ))
        }
    }
}

async fn image_present(name: &str) -> bool {
    Command::new("docker")
        .args(["image", "inspect", name])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success())
}

/// The Redis image the lab uses, and why: REDIS_IMAGE when set, the official image when it is
/// here or can be pulled, else one built offline from this machine's redis-server package.
pub async fn choose_image(files: &Path) -> Result<(String, String), String> {
    if let Ok(image) = std::env::var("REDIS_IMAGE")
        && !image.is_empty()
    {
        return Ok((image, "from REDIS_IMAGE".into()));
    }
    if image_present(OFFICIAL_IMAGE).await {
        return Ok((
            OFFICIAL_IMAGE.into(),
            "the official image, present locally".into(),
        ));
    }
    let pull = Command::new("docker")
        .args(["pull", "--quiet", OFFICIAL_IMAGE])
        .output();
    if let Ok(Ok(out)) = tokio::time::timeout(Duration::from_secs(120), pull).await
        && out.status.success()
    {
        return Ok((
            OFFICIAL_IMAGE.into(),
            "the official image, just pulled".into(),
        ));
    }
    let script = files.join("scripts/offline-image");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .await
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{OFFICIAL_IMAGE} cannot be pulled and the offline image could not be built:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let tag = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or(OFFLINE_IMAGE)
        .trim()
        .to_string();
    Ok((
        tag,
        format!(
            "built offline from this machine's redis-server package, because {OFFICIAL_IMAGE} cannot be pulled"
        ),
    ))
}

/// Starts the lab under `project` and waits until it is healthy and the sentinels agree;
/// `progress` hears what it is doing (the image chosen, the compose tool).
pub async fn up(project: &str, progress: &mut dyn FnMut(String)) -> Result<(), String> {
    let engine = Engine::connect().await?;
    let compose = ComposeCli::detect().await?;
    let dir = files_dir(project);
    let file = write_files(&dir)?;
    let (image, why) = choose_image(&dir).await?;
    progress(format!("image: {image} ({why})"));
    progress(format!(
        "starting compose project {project} with `{}`...",
        compose.name()
    ));
    compose
        .run(
            project,
            &file,
            Some(&image),
            &["up", "-d", "--build", "--remove-orphans"],
        )
        .await?;
    wait_healthy(&engine, project, Duration::from_secs(120)).await?;
    let containers = engine.project(project).await?;
    let found = docker::discover(&containers);
    let link = LinkSettings {
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_millis(500),
        map: SharedMap::new(found.map.clone()),
        ..LinkSettings::default()
    };
    crate::lab::local::wait_until_agreed(
        &link,
        &found.sentinels,
        &[crate::lab::local::GROUP.to_string()],
        2,
        Duration::from_secs(60),
    )
    .await
}

async fn wait_healthy(engine: &Engine, project: &str, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    let mut last = String::new();
    while Instant::now() < deadline {
        let cs = engine.project(project).await?;
        let core: Vec<_> = cs.iter().filter(|c| !c.published.is_empty()).collect();
        if core.len() >= SERVICES && core.iter().all(|c| c.healthy) {
            return Ok(());
        }
        last = cs
            .iter()
            .map(|c| format!("{} {}", c.service, c.status))
            .collect::<Vec<_>>()
            .join(", ");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!(
        "the lab did not become healthy within {}s ({last})",
        limit.as_secs()
    ))
}

/// What of a project is left on the engine: containers, networks, volumes.
pub async fn leftovers(engine: &Engine, project: &str) -> Result<Vec<String>, String> {
    let mut left: Vec<String> = engine
        .project(project)
        .await?
        .into_iter()
        .map(|c| format!("container {}", c.name))
        .collect();
    let mut filters = HashMap::new();
    filters.insert(
        "label".to_string(),
        vec![format!("{}={project}", docker::PROJECT_LABEL)],
    );
    let nets = engine
        .inner()
        .list_networks(Some(
            ListNetworksOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(|e| docker::explain(&e))?;
    left.extend(
        nets.into_iter()
            .filter_map(|n| n.name)
            .map(|n| format!("network {n}")),
    );
    let vols = engine
        .inner()
        .list_volumes(Some(
            ListVolumesOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(|e| docker::explain(&e))?;
    left.extend(
        vols.volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| format!("volume {}", v.name)),
    );
    Ok(left)
}

/// Removes the project's containers, networks and volumes, and checks nothing is left.
pub async fn down(project: &str) -> Result<(), String> {
    let engine = Engine::connect().await?;
    let compose = ComposeCli::detect().await?;
    let dir = files_dir(project);
    let file = write_files(&dir)?;
    compose
        .run(
            project,
            &file,
            None,
            &[
                "--profile",
                "app",
                "down",
                "-v",
                "--remove-orphans",
                "--timeout",
                "5",
            ],
        )
        .await?;
    let left = leftovers(&engine, project).await?;
    let _ = std::fs::remove_dir_all(&dir);
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("compose down left: {}", left.join(", ")))
    }
}
