//! `sentui report INPUT… -o FILE.html|FILE.svg`: the post-mortem page of a failover, from a
//! recording (`--record`), a capture of `events --json`, or a drill's JSON report (`drill
//! --report json`, which carries its page; `drill --ab` carries two). Two or more inputs make
//! one page with the runs side by side. Offline: it reads files and writes one.

use crate::app::Setup;
use crate::cli::ReportArgs;
use crate::deployment_name::DeploymentName;
use crate::record;
use sentui_model::log::LogEntry;
use sentui_model::postmortem::{self, About, Focus, Page};
use sentui_model::{Addr, Deployment, Millis};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{}: not a recording, a capture of `events --json` or a drill's JSON report ({why})",
        path.display()
    )]
    Unknown { path: PathBuf, why: String },
    #[error("{}: {error}", path.display())]
    Recording {
        path: PathBuf,
        error: record::LoadError,
    },
    #[error("{}: no failover{} to draw ({} log entries read)", path.display(), group.as_deref().map(|g| format!(" of {g}")).unwrap_or_default(), entries)]
    NoFailover {
        path: PathBuf,
        group: Option<String>,
        entries: usize,
    },
    #[error("{}: the drill's report carries no post-mortem{}", path.display(), why.as_deref().map(|w| format!(" (the drill did not run: {w})")).unwrap_or_else(|| " (made by an older sentui: run the drill again)".into()))]
    NoPage { path: PathBuf, why: Option<String> },
    #[error("{}: the output is .html or .svg", out.display())]
    OutputKind { out: PathBuf },
    #[error(
        "an SVG holds one timeline, and {0} inputs make {1} pages: write .html to put them side by side"
    )]
    OneSvg(usize, usize),
    #[error("cannot write {}: {error}", path.display())]
    Unwritable {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// What the output file's name asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Html,
    Svg,
}

pub fn run(args: &ReportArgs, group: Option<&str>) -> u8 {
    match write(args, group) {
        Ok(said) => {
            outln!("{said}");
            0
        }
        Err(e) => super::fail(e),
    }
}

fn write(args: &ReportArgs, group: Option<&str>) -> Result<String, ReportError> {
    let output = match args.out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm") => Output::Html,
        Some(e) if e.eq_ignore_ascii_case("svg") => Output::Svg,
        _ => {
            return Err(ReportError::OutputKind {
                out: args.out.clone(),
            });
        }
    };
    let mut runs: Vec<(String, Page)> = Vec::new();
    for path in &args.inputs {
        runs.extend(pages(path, group)?);
    }
    let body = match (output, runs.as_slice()) {
        (Output::Html, [(_, page)]) => postmortem::html(page),
        (Output::Html, _) => postmortem::html_compare(&runs),
        (Output::Svg, [(_, page)]) => postmortem::svg(page),
        (Output::Svg, _) => return Err(ReportError::OneSvg(args.inputs.len(), runs.len())),
    };
    std::fs::write(&args.out, body).map_err(|error| ReportError::Unwritable {
        path: args.out.clone(),
        error,
    })?;
    let what: Vec<String> = runs.iter().map(|(name, p)| headline(name, p)).collect();
    Ok(format!(
        "post-mortem written: {}\n{}",
        args.out.display(),
        what.join("\n")
    ))
}

/// One line a page: what it shows, and the page's headline (Sentinel's time, the clients').
fn headline(name: &str, p: &Page) -> String {
    let [sentinel, clients] = postmortem::headline_parts(p);
    format!(
        "  {name}: {} ({}): {sentinel}; {clients}",
        p.title, p.summary.outcome
    )
}

/// The pages one input holds, each with the name it goes by side by side.
fn pages(path: &Path, group: Option<&str>) -> Result<Vec<(String, Page)>, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|error| ReportError::Unreadable {
        path: path.to_path_buf(),
        error,
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let first_json: Option<serde_json::Value> = serde_json::from_str(first).ok();
    let unknown = |why: String| ReportError::Unknown {
        path: path.to_path_buf(),
        why,
    };
    match first_json {
        Some(v) if v["format"] == record::FORMAT => {
            let page = from_recording(path, &text, group)?;
            Ok(vec![(stem, page)])
        }
        Some(v) if v.get("seq").is_some() && v.get("event").is_some() => {
            let page = from_events(path, &text, group)?;
            Ok(vec![(stem, page)])
        }
        _ => {
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| unknown(format!("not JSON at line {}: {e}", e.line())))?;
            from_drill(path, &v, &stem).map_err(|e| match e {
                DrillJson::Report(e) => e,
                DrillJson::NotOne => unknown("its first line is neither a recording's header nor a log entry, and it is not a drill's report".into()),
            })
        }
    }
}

enum DrillJson {
    Report(ReportError),
    NotOne,
}

/// A drill's report (`scenario`, `postmortem`) or an A/B comparison (`names`, `runs`).
fn from_drill(
    path: &Path,
    v: &serde_json::Value,
    stem: &str,
) -> Result<Vec<(String, Page)>, DrillJson> {
    let one = |run: &serde_json::Value, name: String| -> Result<(String, Page), DrillJson> {
        match run.get("postmortem") {
            Some(p) if !p.is_null() => serde_json::from_value::<Page>(p.clone())
                .map(|page| (name, page))
                .map_err(|e| {
                    DrillJson::Report(ReportError::Unknown {
                        path: path.to_path_buf(),
                        why: format!("its post-mortem does not read: {e}"),
                    })
                }),
            _ => Err(DrillJson::Report(ReportError::NoPage {
                path: path.to_path_buf(),
                why: run["error"].as_str().map(String::from),
            })),
        }
    };
    if let (Some(names), Some(runs)) = (v["names"].as_array(), v["runs"].as_array()) {
        return names
            .iter()
            .zip(runs)
            .map(|(n, r)| one(r, n.as_str().unwrap_or(stem).to_string()))
            .collect();
    }
    if v.get("scenario").is_some() && v.get("verdict").is_some() {
        let name = v["scenario"]
            .as_str()
            .map_or_else(|| stem.to_string(), |s| format!("{stem} ({s})"));
        return Ok(vec![one(v, name)?]);
    }
    Err(DrillJson::NotOne)
}

fn from_recording(path: &Path, text: &str, group: Option<&str>) -> Result<Page, ReportError> {
    let rec = record::read(path, text.as_bytes()).map_err(|error| ReportError::Recording {
        path: path.to_path_buf(),
        error,
    })?;
    let (d, end) = rec.deployment();
    let h = &rec.header;
    // Named as the TUI's `m` names the same session.
    let deployment = Setup::of(h).deployment().to_string();
    let about = About {
        source: match h.command.as_str() {
            "tui" => "recorded by the TUI".to_string(),
            other => format!("recorded by `sentui {other}`"),
        },
        deployment,
        fault: "fault".into(),
    };
    page_of(path, &d, group.or(h.group.as_deref()), &about, end)
}

fn from_events(path: &Path, text: &str, group: Option<&str>) -> Result<Page, ReportError> {
    let mut entries = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let e: LogEntry = serde_json::from_str(line).map_err(|e| ReportError::Unknown {
            path: path.to_path_buf(),
            why: format!("line {}: not a log entry: {e}", i + 1),
        })?;
        entries.push(e);
    }
    let end = entries.iter().map(|e| e.ts).max().unwrap_or(0);
    let sentinels: std::collections::BTreeSet<Addr> =
        entries.iter().filter_map(|e| e.sentinel.clone()).collect();
    let d = postmortem::from_log(entries);
    let about = About {
        source: "a capture of `sentui events --json`".into(),
        deployment: DeploymentName::new(None, sentinels.into_iter().collect()).to_string(),
        fault: "fault".into(),
    };
    page_of(path, &d, group, &about, end)
}

/// The page of `group`'s last failover, or of the group whose failover came last.
fn page_of(
    path: &Path,
    d: &Deployment,
    group: Option<&str>,
    about: &About,
    end: Millis,
) -> Result<Page, ReportError> {
    let latest = || {
        d.stopwatches()
            .iter()
            .filter_map(|(g, s)| s.last().map(|f| (f.started_at, g.clone())))
            .max()
            .map(|(_, g)| g)
    };
    let group = group.map(String::from).or_else(latest);
    group
        .as_deref()
        .and_then(|g| postmortem::build(d, g, Focus::LastFailover, about, end))
        .ok_or_else(|| ReportError::NoFailover {
            path: path.to_path_buf(),
            group,
            entries: d.log().len(),
        })
}
