//! The Docker Compose lab: the repo's compose/ and redis-sentinel/ files, embedded in the binary
//! so `sentui lab up` works from anywhere, run with `docker compose` or `docker-compose` under a
//! project name of the user's choosing; sentui then waits until every container is healthy and
//! the sentinels agree. `down` removes that project's containers, networks and volumes only.

mod error;

pub use error::ComposeError;

use super::LossSettings;
use super::server::ServerImage;
use crate::docker::{self, DockerError, Engine};
use crate::lab::agree::wait_until_agreed;
use crate::link::{LinkSettings, SharedMap};
use bollard::query_parameters::{ListNetworksOptionsBuilder, ListVolumesOptionsBuilder};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::process::Command;

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
    (
        "scripts/debian-fetch",
        include_str!("../../../../scripts/debian-fetch"),
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

fn write_files(dir: &Path) -> Result<PathBuf, ComposeError> {
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ComposeError::fs("create", parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| ComposeError::fs("write", &path, e))?;
    }
    Ok(dir.join("compose/docker-compose.yml"))
}

/// The Compose tool: the v2 CLI plugin (`docker compose`) or the v1 program (`docker-compose`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComposeTool {
    V2,
    V1,
}

impl ComposeTool {
    /// The environment variable that forces one.
    pub const ENV: &'static str = "SENTUI_COMPOSE";

    fn program(self) -> &'static [&'static str] {
        match self {
            ComposeTool::V2 => &["docker", "compose"],
            ComposeTool::V1 => &["docker-compose"],
        }
    }

    /// `docker compose` or `docker-compose`.
    pub fn name(self) -> String {
        self.program().join(" ")
    }

    /// What SENTUI_COMPOSE asks for: None when unset or empty (either will do).
    pub fn from_env_value(value: &str) -> Result<Option<ComposeTool>, ComposeError> {
        match value.split_whitespace().collect::<Vec<_>>().as_slice() {
            [] => Ok(None),
            ["docker", "compose"] => Ok(Some(ComposeTool::V2)),
            ["docker-compose"] => Ok(Some(ComposeTool::V1)),
            _ => Err(ComposeError::Env {
                value: value.to_string(),
            }),
        }
    }

    /// Its `version --short`, or None when it is not installed or does not run.
    async fn version(self) -> Option<String> {
        let p = self.program();
        let args: Vec<&str> = p[1..]
            .iter()
            .copied()
            .chain(["version", "--short"])
            .collect();
        stdout_of(p[0], &args).await
    }
}

/// The Compose tool the lab runs with, and its version.
#[derive(Clone, Debug)]
pub struct ComposeCli {
    pub tool: ComposeTool,
    pub version: String,
}

impl ComposeCli {
    /// The tool SENTUI_COMPOSE names, else `docker compose` when it works, else
    /// `docker-compose`.
    pub async fn detect() -> Result<ComposeCli, ComposeError> {
        let forced =
            ComposeTool::from_env_value(&std::env::var(ComposeTool::ENV).unwrap_or_default())?;
        let candidates = match forced {
            Some(tool) => vec![tool],
            None => vec![ComposeTool::V2, ComposeTool::V1],
        };
        for tool in &candidates {
            if let Some(version) = tool.version().await {
                return Ok(ComposeCli {
                    tool: *tool,
                    version,
                });
            }
        }
        Err(match forced {
            Some(tool) => ComposeError::ToolMissing(tool),
            None => ComposeError::NoTool,
        })
    }

    /// `` `docker compose` 2.26.1 ``, for messages.
    pub fn describe(&self) -> String {
        format!("`{}` {}", self.tool.name(), self.version)
    }

    async fn run(
        &self,
        project: &str,
        file: &Path,
        env: &[(&str, String)],
        args: &[&str],
    ) -> Result<(), ComposeError> {
        let p = self.tool.program();
        let mut cmd = Command::new(p[0]);
        cmd.args(&p[1..])
            .arg("-p")
            .arg(project)
            .arg("-f")
            .arg(file)
            .args(args)
            .stdin(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().await.map_err(|source| ComposeError::Run {
            program: self.tool.name(),
            source,
        })?;
        if out.status.success() {
            Ok(())
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = err.lines().rev().take(8).collect();
            Err(ComposeError::Failed {
                command: format!("{} {}", self.tool.name(), args.join(" ")),
                tail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            })
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

/// The image of the lab's sentinels (compose/docker-compose.yml's `sentui-lab-sentinel`),
/// tagged per server.
fn sentinel_image(server: ServerImage) -> String {
    format!("sentui-lab-sentinel:{}", server.lab_tag())
}

/// What `program args` prints, trimmed, when it runs and succeeds.
async fn stdout_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The id of the image `name` names, if the engine has it.
async fn image_id(name: &str) -> Option<String> {
    stdout_of("docker", &["image", "inspect", "--format", "{{.Id}}", name]).await
}

/// Builds the sentinels' image on `base` once, under its tag, before compose starts the lab.
/// Compose (v2) would build it once per sentinel service, each build labelled with the project
/// and the service, and move the one tag from image to image: every `lab up` left dangling
/// images behind. Built here, an unchanged build is the cached image itself and the tag stays
/// where it is. When the tag does move (a new base image), the image it left, if that is now
/// untagged and no container uses it, is removed: the dangling image this build made, and no
/// other. One build at a time per user, so two labs coming up together share one build.
async fn build_sentinel_image(
    files: &Path,
    server: ServerImage,
    base: &str,
) -> Result<(), ComposeError> {
    let tag = sentinel_image(server);
    let lock = lock_file(files.parent().unwrap_or(files).join(".sentinel-image.lock")).await?;
    let before = image_id(&tag).await;
    let out = Command::new("docker")
        .args(["build", "--quiet", "--tag", &tag, "--build-arg"])
        .arg(format!("REDIS_IMAGE={base}"))
        .arg(files.join("redis-sentinel"))
        // The classic builder: no buildx on the hosts the lab is made for (see its Dockerfile).
        .env("DOCKER_BUILDKIT", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|source| ComposeError::Run {
            program: "docker build".into(),
            source,
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(ComposeError::Failed {
            command: format!("docker build --tag {tag}"),
            tail: err.trim().to_string(),
        });
    }
    if let Some(old) = before
        && image_id(&tag).await.as_ref() != Some(&old)
        && untagged(&old).await
    {
        // Refused (and kept) while a container still runs on it.
        let _ = Command::new("docker")
            .args(["image", "rm", &old])
            .stdin(std::process::Stdio::null())
            .output()
            .await;
    }
    drop(lock);
    Ok(())
}

/// True when the image `id` has no tag left (it is dangling).
async fn untagged(id: &str) -> bool {
    let args = ["image", "inspect", "--format", "{{len .RepoTags}}", id];
    stdout_of("docker", &args).await.is_some_and(|n| n == "0")
}

/// Holds an exclusive lock on `path` (created if missing) until the file is dropped.
async fn lock_file(path: PathBuf) -> Result<std::fs::File, ComposeError> {
    let file = std::fs::File::create(&path).map_err(|e| ComposeError::fs("create", &path, e))?;
    let locked = tokio::task::spawn_blocking(move || {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor the file owns; the lock goes when the file is closed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        (rc == 0).then_some(file)
    })
    .await;
    locked.ok().flatten().ok_or_else(|| {
        let e = std::io::Error::last_os_error();
        ComposeError::fs("lock", &path, e)
    })
}

/// The tag scripts/offline-image gives `server`'s image.
pub fn offline_tag(server: ServerImage) -> String {
    format!("sentui/{}-offline:{}", server.family(), server.series())
}

/// The image the lab's nodes run, and why: REDIS_IMAGE when set, the official image when it is
/// here or can be pulled, else one built offline from Debian's packages of the release that
/// ships `server` (kept under its tag, so later labs reuse it).
pub async fn choose_image(
    files: &Path,
    server: ServerImage,
) -> Result<(String, String), ComposeError> {
    if let Ok(image) = std::env::var("REDIS_IMAGE")
        && !image.is_empty()
    {
        return Ok((image, "from REDIS_IMAGE".into()));
    }
    let official = server.official_image();
    if image_present(official).await {
        return Ok((
            official.into(),
            "the official image, present locally".into(),
        ));
    }
    let pull = Command::new("docker")
        .args(["pull", "--quiet", official])
        .output();
    if let Ok(Ok(out)) = tokio::time::timeout(Duration::from_secs(120), pull).await
        && out.status.success()
    {
        return Ok((official.into(), "the official image, just pulled".into()));
    }
    let tag = offline_tag(server);
    if image_present(&tag).await {
        return Ok((
            tag,
            format!(
                "built offline from Debian's packages earlier, because {official} cannot be pulled"
            ),
        ));
    }
    let script = files.join("scripts/offline-image");
    let out = Command::new("bash")
        .arg(&script)
        .args(["--server", server.name(), "--tag", &tag])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|source| ComposeError::Run {
            program: script.display().to_string(),
            source,
        })?;
    if !out.status.success() {
        return Err(ComposeError::OfflineImage {
            official: official.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok((
        tag,
        format!(
            "built offline from Debian's packages just now, because {official} cannot be pulled"
        ),
    ))
}

/// The variables the compose file reads for `server` on `image`, with `settings`.
fn compose_env(
    server: ServerImage,
    image: &str,
    settings: &LossSettings,
) -> Vec<(&'static str, String)> {
    let mut args = vec![server.server_args().to_string()];
    args.extend(settings.node_args());
    vec![
        ("REDIS_IMAGE", image.to_string()),
        ("SENTUI_SERVER_BIN", server.server_bin()),
        ("SENTUI_CLI_BIN", server.cli_bin()),
        ("SENTUI_SERVER_ARGS", args.join(" ").trim().to_string()),
        ("SENTUI_LAB_TAG", server.lab_tag()),
        (
            "SENTUI_MASTER_REBOOT_DOWN_AFTER_MS",
            settings
                .master_reboot_down_after_ms
                .map(|ms| ms.to_string())
                .unwrap_or_default(),
        ),
    ]
}

/// Starts the lab under `project` and waits until it is healthy and the sentinels agree;
/// `progress` hears what it is doing (the image chosen, the compose tool).
pub async fn up(
    project: &str,
    server: ServerImage,
    settings: &LossSettings,
    progress: &mut dyn FnMut(String),
) -> Result<(), ComposeError> {
    let compose = ComposeCli::detect().await?;
    let engine = Engine::connect().await?;
    let dir = files_dir(project);
    let file = write_files(&dir)?;
    let (image, why) = choose_image(&dir, server).await?;
    progress(format!("server: {server}; image: {image} ({why})"));
    build_sentinel_image(&dir, server, &image).await?;
    progress(format!(
        "starting compose project {project} with {}...",
        compose.describe()
    ));
    compose
        .run(
            project,
            &file,
            &compose_env(server, &image, settings),
            // The sentinels' image is built above: compose must not build it again.
            &["up", "-d", "--no-build", "--remove-orphans"],
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
    let groups = [crate::lab::local::GROUP.to_string()];
    let agreed = wait_until_agreed(&link, &found.sentinels, &groups, 2, Duration::from_secs(60));
    Ok(agreed.await?)
}

async fn wait_healthy(engine: &Engine, project: &str, limit: Duration) -> Result<(), ComposeError> {
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
    Err(ComposeError::NotHealthy {
        secs: limit.as_secs(),
        last,
    })
}

/// What the engine holds under a compose project name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presence {
    /// No container, network or volume of that project.
    Absent,
    /// A lab `sentui lab up` started (its containers were created from the files it wrote).
    Lab,
    /// Someone else's project: created from this compose file (or from none sentui wrote).
    Foreign(String),
}

/// Whether compose made a container from the lab files `lab up` writes for `project`
/// (compose records the files in a label; the path ends the same wherever the temp dir is).
pub fn is_lab_file(config_files: &str, project: &str) -> bool {
    let tail = format!("/{project}/compose/docker-compose.yml");
    config_files
        .split(',')
        .any(|f| f.contains("/sentui-compose-") && f.ends_with(&tail))
}

/// Tells a sentui lab from someone else's project and from nothing at all.
pub async fn presence(engine: &Engine, project: &str) -> Result<Presence, DockerError> {
    let containers = engine.project(project).await?;
    if let Some(other) = containers
        .iter()
        .find(|c| !is_lab_file(&c.config_files, project))
    {
        let from = if other.config_files.is_empty() {
            "no compose file sentui wrote".to_string()
        } else {
            other.config_files.clone()
        };
        return Ok(Presence::Foreign(from));
    }
    if !containers.is_empty() {
        return Ok(Presence::Lab);
    }
    // Only networks or volumes left: ours if this user's lab files for it are still there.
    let left = leftovers(engine, project).await?;
    Ok(if left.is_empty() {
        Presence::Absent
    } else if files_dir(project).exists() {
        Presence::Lab
    } else {
        Presence::Foreign(left.join(", "))
    })
}

/// What a failed engine call was doing, as `docker::explain` says it.
const TALKING: &str = "talking to the Docker engine";

/// What of a project is left on the engine: containers, networks, volumes.
pub async fn leftovers(engine: &Engine, project: &str) -> Result<Vec<String>, DockerError> {
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
        .map_err(|e| DockerError::from_bollard(TALKING, &e))?;
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
        .map_err(|e| DockerError::from_bollard(TALKING, &e))?;
    left.extend(
        vols.volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| format!("volume {}", v.name)),
    );
    Ok(left)
}

/// Removes the project's containers, networks and volumes, and checks nothing is left. Only a
/// lab sentui started: a project it did not start, or none at all, is an error.
pub async fn down(project: &str) -> Result<(), ComposeError> {
    let engine = Engine::connect().await?;
    match presence(&engine, project).await? {
        Presence::Lab => {}
        Presence::Absent => return Err(ComposeError::NoLab(project.to_string())),
        Presence::Foreign(from) => {
            return Err(ComposeError::Foreign {
                project: project.to_string(),
                from,
            });
        }
    }
    let compose = ComposeCli::detect().await?;
    let dir = files_dir(project);
    let file = write_files(&dir)?;
    compose
        .run(
            project,
            &file,
            &[],
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
        Err(ComposeError::LeftOver(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lab_is_made_from_the_files_lab_up_wrote_for_it() {
        let ours = "/tmp/sentui-compose-0/lab-a/compose/docker-compose.yml";
        assert!(is_lab_file(ours, "lab-a"));
        assert!(!is_lab_file(ours, "lab"), "another project's files");
        assert!(!is_lab_file("/srv/app/compose/docker-compose.yml", "lab-a"));
        assert!(!is_lab_file("", "lab-a"));
        assert!(is_lab_file(&format!("/x/y.yml,{ours}"), "lab-a"));
    }
}
