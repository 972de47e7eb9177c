//! The post-mortem as one self-contained HTML page: the timeline first, then the summary
//! (the failover, Sentinel's phases, what clients saw, notes). And several runs compared:
//! a table with a column per run, then their timelines on one time scale. Nothing is loaded
//! from anywhere and no script runs; one stylesheet serves light, dark and print.

use super::layout::Layout;
use super::style::{PAGE_CSS, timeline_css};
use super::svg::{Embed, draw};
use super::text::{duration, esc, headline_parts, offset};
use super::{Clients, Page};
use crate::Addr;
use crate::time::date_time;
use std::fmt::Write;

/// Where the timeline's top left corner lies on the page, in CSS px: it is the page's first
/// element, drawn at 1:1 (its width is [`Layout::width`]), so a screenshot of a window wider
/// than `Layout::width + 2 * 24` shows the SVG's point (x, y) at (24 + x, 24 + y).
pub const TIMELINE_OFFSET: (f64, f64) = (24.0, 24.0);

/// One failover's post-mortem page.
pub fn html(page: &Page) -> String {
    let mut o = String::new();
    head(&mut o, &page.title);
    o.push_str("<figure class=\"timeline\">\n");
    draw(
        &mut o,
        page,
        &Layout::of(&page.timeline),
        &Embed::Inline { run: String::new() },
    );
    o.push_str("</figure>\n");
    summary(&mut o, page);
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

/// Several runs side by side: a table with a column per run, then each run's timeline, one
/// above the other, all over the same span so the same time lies at the same x.
pub fn html_compare(runs: &[(String, Page)]) -> String {
    let names: Vec<&str> = runs.iter().map(|(name, _)| name.as_str()).collect();
    let title = format!("Failovers compared: {}", names.join(" vs "));
    let mut o = String::new();
    head(&mut o, &title);
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    compare_table(&mut o, runs);
    let from = runs
        .iter()
        .map(|(_, p)| p.timeline.from_ms)
        .min()
        .unwrap_or(0);
    let to = runs
        .iter()
        .map(|(_, p)| p.timeline.to_ms)
        .max()
        .unwrap_or(0);
    for (i, (name, page)) in runs.iter().enumerate() {
        let _ = writeln!(
            o,
            "<section class=\"run\">\n<h2>{}: {}</h2>\n<figure class=\"timeline\">",
            esc(name),
            esc(&page.title)
        );
        let layout = Layout::spanning(&page.timeline, from, to);
        let run = format!("run{}-", i + 1);
        draw(&mut o, page, &layout, &Embed::Inline { run });
        o.push_str("</figure>\n</section>\n");
    }
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

fn head(o: &mut String, title: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{}</title>\n<style>\n{PAGE_CSS}{}</style>\n</head>\n<body>\n<main>\n",
        esc(title),
        timeline_css()
    );
}

fn addr(a: &Option<Addr>) -> String {
    a.as_ref().map_or_else(|| "?".into(), |a| a.to_string())
}

fn summary(o: &mut String, page: &Page) {
    let s = &page.summary;
    let [sentinel, clients] = headline_parts(page);
    let _ = writeln!(
        o,
        "<section class=\"summary\">\n<h1>{}</h1>\n<p class=\"headline\">\
         <span class=\"sentinel-time\">{}</span>; <span class=\"clients-time\">{}</span></p>",
        esc(&page.title),
        esc(&sentinel),
        esc(&clients)
    );
    o.push_str("</section>\n<div class=\"columns\">\n<section>\n<h2>The failover</h2>\n");
    let facts = [
        ("deployment", page.deployment.clone()),
        ("group", page.group.clone()),
        (
            "master",
            format!("{} → {}", addr(&s.old_master), addr(&s.new_master)),
        ),
        ("outcome", s.outcome.clone()),
        ("kind", s.kind.clone()),
        (
            "Sentinel's time",
            s.sentinel_ms.map_or_else(
                || "no +switch-master".into(),
                |ms| format!("{} from 0 to +switch-master", duration(ms)),
            ),
        ),
        ("time 0", date_time(page.timeline.origin)),
        ("data", page.source.clone()),
    ];
    facts_list(o, &facts);
    o.push_str("</section>\n<section>\n<h2>Sentinel's phases</h2>\n");
    if s.phases.is_empty() {
        o.push_str("<p class=\"muted\">No phase seen.</p>\n");
    } else {
        o.push_str(
            "<table>\n<tr><th>phase</th><th class=\"num\">at</th><th class=\"num\">took</th>\
             <th>by</th></tr>\n",
        );
        for p in &s.phases {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&p.label),
                offset(p.at_ms),
                duration(p.took_ms),
                esc(&p.by)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("</section>\n<section>\n<h2>What clients saw</h2>\n");
    match &s.clients {
        None => o.push_str("<p class=\"muted\">No write probe ran.</p>\n"),
        Some(c) => clients_view(o, c),
    }
    o.push_str("</section>\n");
    if !s.notes.is_empty() {
        o.push_str("<section>\n<h2>Notes</h2>\n<ul class=\"notes\">\n");
        for n in &s.notes {
            let _ = writeln!(o, "<li>{}</li>", esc(n));
        }
        o.push_str("</ul>\n</section>\n");
    }
    o.push_str("</div>\n");
}

fn facts_list(o: &mut String, facts: &[(&str, String)]) {
    o.push_str("<dl class=\"facts\">\n");
    for (name, value) in facts {
        let _ = writeln!(o, "<dt>{}</dt><dd>{}</dd>", esc(name), esc(value));
    }
    o.push_str("</dl>\n");
}

/// The clients' outage: from the last acknowledged write before it to the first after it.
fn outage_words(c: &Clients) -> String {
    match (c.outage_from(), c.first_success_ms, c.outage_ms) {
        (None, _, _) => "no write failed".into(),
        (Some(f), Some(s), Some(o)) => format!("{} ({} → {})", duration(o), offset(f), offset(s)),
        (Some(f), _, _) => format!("from {} to the end of the data", offset(f)),
    }
}

fn clients_view(o: &mut String, c: &Clients) {
    let facts = [
        (
            "writes",
            format!(
                "{} attempted, {} acknowledged, {} failed (of which {} refused)",
                c.attempted, c.acked, c.failed, c.refused
            ),
        ),
        ("outage", outage_words(c)),
        (
            "first failure",
            c.first_failure_ms
                .map_or_else(|| "none".into(), |f| format!("reported at {}", offset(f))),
        ),
        ("lost", c.lost_text.clone()),
    ];
    facts_list(o, &facts);
    if !c.lost.is_empty() {
        o.push_str(
            "<table>\n<tr><th>lost writes, by window</th><th>acknowledged by</th>\
             <th class=\"num\">writes</th></tr>\n",
        );
        for l in &c.lost {
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(&l.window),
                esc(&addr(&l.master)),
                l.count
            );
        }
        o.push_str("</table>\n");
    }
    counts_table(o, "refused, by reason", &c.refusals);
    counts_table(o, "failed, by kind", &c.errors);
}

fn counts_table(o: &mut String, heading: &str, counts: &std::collections::BTreeMap<String, u64>) {
    if counts.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<table>\n<tr><th>{}</th><th class=\"num\">writes</th></tr>",
        esc(heading)
    );
    for (what, n) in counts {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
            esc(what)
        );
    }
    o.push_str("</table>\n");
}

/// A row per figure, a column per run.
fn compare_table(o: &mut String, runs: &[(String, Page)]) {
    o.push_str("<section>\n<table class=\"compare\">\n<tr><th></th>");
    for (name, _) in runs {
        let _ = write!(o, "<th>{}</th>", esc(name));
    }
    o.push_str("</tr>\n");
    let clients = |p: &Page, f: &dyn Fn(&Clients) -> String| {
        p.summary
            .clients
            .as_ref()
            .map_or_else(|| "no probe".into(), f)
    };
    let rows: Vec<(String, Vec<String>)> = vec![
        row(runs, "outcome", |p| p.summary.outcome.clone()),
        row(runs, "kind", |p| p.summary.kind.clone()),
        row(runs, "master", |p| {
            format!(
                "{} → {}",
                addr(&p.summary.old_master),
                addr(&p.summary.new_master)
            )
        }),
        row(runs, "Sentinel: 0 → +switch-master", |p| {
            p.summary
                .sentinel_ms
                .map_or_else(|| "no +switch-master".into(), duration)
        }),
        row(runs, "clients' outage", |p| clients(p, &outage_words)),
        row(runs, "writes failed", |p| {
            clients(p, &|c| c.failed.to_string())
        }),
        row(runs, "writes refused", |p| {
            clients(p, &|c| c.refused.to_string())
        }),
        row(runs, "writes lost", |p| {
            clients(p, &|c| c.lost_text.clone())
        }),
    ];
    for (name, cells) in rows.iter().chain(&phase_rows(runs)) {
        let _ = write!(o, "<tr><th>{}</th>", esc(name));
        for c in cells {
            let _ = write!(o, "<td>{}</td>", esc(c));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n</section>\n");
}

fn row(
    runs: &[(String, Page)],
    name: &str,
    cell: impl Fn(&Page) -> String,
) -> (String, Vec<String>) {
    (name.into(), runs.iter().map(|(_, p)| cell(p)).collect())
}

/// A row per phase any run went through (a phase seen twice in a run has two rows), in the
/// order the runs went through them: its time since 0 and since the step before.
fn phase_rows(runs: &[(String, Page)]) -> Vec<(String, Vec<String>)> {
    // (label, occurrence): the second `+vote-for-leader` of a run is its own row.
    let keyed = |p: &Page| -> Vec<(String, usize)> {
        let mut seen: Vec<(String, usize)> = Vec::new();
        for step in &p.summary.phases {
            let n = seen.iter().filter(|(l, _)| *l == step.label).count();
            seen.push((step.label.clone(), n));
        }
        seen
    };
    let keys: Vec<Vec<(String, usize)>> = runs.iter().map(|(_, p)| keyed(p)).collect();
    let mut order: Vec<(String, usize)> = Vec::new();
    for run_keys in &keys {
        let mut after: Option<usize> = None;
        for key in run_keys.iter().cloned() {
            match order.iter().position(|k| *k == key) {
                Some(at) => after = Some(at),
                None => {
                    let at = after.map_or(order.len(), |a| a + 1);
                    order.insert(at, key);
                    after = Some(at);
                }
            }
        }
    }
    order
        .iter()
        .map(|key| {
            let cells = runs
                .iter()
                .zip(&keys)
                .map(|((_, page), run_keys)| {
                    run_keys
                        .iter()
                        .position(|k| k == key)
                        .map(|i| &page.summary.phases[i])
                        .map_or_else(
                            || "—".into(),
                            |p| format!("{} ({})", offset(p.at_ms), duration(p.took_ms)),
                        )
                })
                .collect();
            let name = match key.1 {
                0 => key.0.clone(),
                n => format!("{} ({})", key.0, n + 1),
            };
            (name, cells)
        })
        .collect()
}
