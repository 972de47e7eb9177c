//! The page as drawn: snapshots of the fixture's SVG, HTML and comparison, and what must hold
//! of any page (same bytes twice, every lane where the layout says, hover text to the
//! millisecond, escaping, nothing from the network, dark and print styles, well-formed markup).
//!
//! `SENTUI_POSTMORTEM_DUMP=/tmp/pm cargo test -p sentui-model postmortem` also writes the
//! snapshots' pages there, to look at (rsvg-convert, a browser).

use super::fixture::{ORIGIN, coordinated_drill, partition_drill};
use crate::postmortem::{LaneKind, Layout, html, html_compare, svg};

fn dump(name: &str, text: &str) {
    if let Some(dir) = std::env::var_os("SENTUI_POSTMORTEM_DUMP") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("dump directory");
        std::fs::write(dir.join(name), text).expect("dump file");
    }
}

fn compared() -> String {
    html_compare(&[
        ("classic".into(), partition_drill()),
        ("coordinated".into(), coordinated_drill()),
    ])
}

#[test]
fn the_partition_drill_drawn() {
    let svg = svg(&partition_drill());
    let html = html(&partition_drill());
    dump("partition_drill.svg", &svg);
    dump("partition_drill.html", &html);
    insta::assert_snapshot!("partition_drill.svg", svg);
    insta::assert_snapshot!("partition_drill.html", html);
}

#[test]
fn two_drills_compared() {
    let page = compared();
    dump("compare.html", &page);
    insta::assert_snapshot!("compare.html", page);
}

#[test]
fn the_same_page_gives_the_same_bytes() {
    assert_eq!(svg(&partition_drill()), svg(&partition_drill()));
    assert_eq!(html(&partition_drill()), html(&partition_drill()));
    assert_eq!(compared(), compared());
}

/// Each `<g class="lane" …>` with its band (`<rect class="lane-bg…" data-band="id" … y height>`),
/// in order.
fn lanes_drawn(markup: &str) -> Vec<(String, String, String, String)> {
    let attr = |s: &str, name: &str| {
        let start = s.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        s[start..start + s[start..].find('"').unwrap()].to_string()
    };
    markup
        .split("<g class=\"lane\"")
        .skip(1)
        .map(|s| {
            let id = attr(s, "id");
            let band = &markup[markup
                .find(&format!("data-band=\"{id}\""))
                .expect("a lane's band")..];
            (
                id,
                attr(s, "data-lane"),
                attr(band, "y"),
                attr(band, "height"),
            )
        })
        .collect()
}

#[test]
fn every_lane_is_where_the_layout_says() {
    let page = partition_drill();
    let layout = Layout::of(&page.timeline);
    let ids: Vec<&str> = layout.lanes.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "lane-faults",
            "lane-sentinel-sentinel-1",
            "lane-sentinel-sentinel-2",
            "lane-sentinel-sentinel-3",
            "lane-node-redis-master",
            "lane-node-redis-replica-1",
            "lane-node-redis-replica-2",
            "lane-probe",
        ]
    );
    assert_eq!(layout.lanes[0].kind, LaneKind::Faults);
    assert_eq!(layout.lanes[7].kind, LaneKind::Probe);
    let expected: Vec<_> = layout
        .lanes
        .iter()
        .map(|l| {
            (
                l.id.clone(),
                l.title.clone(),
                format!("{:.1}", l.y),
                format!("{:.1}", l.height),
            )
        })
        .collect();
    assert_eq!(lanes_drawn(&svg(&page)), expected);
    assert_eq!(lanes_drawn(&html(&page)), expected);
    let svg = svg(&page);
    let width = format!(
        "width=\"{:.1}\" height=\"{:.1}\"",
        layout.width, layout.height
    );
    assert!(svg.contains(&width), "the SVG is as big as its layout");
    let last = layout.lanes.last().unwrap();
    assert_eq!(last.y + last.height, layout.lanes_bottom);
    assert!(layout.lanes_bottom < layout.height);
}

#[test]
fn compared_runs_share_one_time_scale_and_distinct_ids() {
    let page = compared();
    // Both timelines run from the earlier start to the later end: 0 at the same x.
    let zero: Vec<&str> = page
        .split("<line class=\"grid zero\" x1=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(zero.len(), 2);
    assert_eq!(zero[0], zero[1]);
    let classic = Layout::spanning(&partition_drill().timeline, -2000, 12_000);
    assert_eq!(zero[0], format!("{:.1}", classic.x_of(0)));
    let lanes = lanes_drawn(&page);
    assert!(lanes.iter().any(|l| l.0 == "lane-run1-probe"));
    assert!(lanes.iter().any(|l| l.0 == "lane-run2-probe"));
    assert!(page.contains("id=\"run2-hatch-cond\""));
    assert!(
        page.contains("<td>+2.000 s (100 ms)</td>"),
        "phases with their times"
    );
    assert!(page.contains("<td>9.0 s (+0.050 s → +9.000 s)</td>"));
    assert!(page.contains("<td>2.3 s (+0.050 s → +2.300 s)</td>"));
}

#[test]
fn hover_text_carries_the_millisecond_and_utc() {
    let svg = svg(&partition_drill());
    assert_eq!(crate::time::clock(ORIGIN), "11:08:22.151");
    for title in [
        "<title>+sdown\n+1.100 s · 11:08:23.251 UTC\n+sdown master mymaster 127.0.0.1 6379</title>",
        "<title>+1.200 s · 11:08:23.351 UTC\nacknowledged 0, failed 5, refused 0, slowest 1000 ms</title>",
        "<title>TILT\n+4.000 s → still at the end of the data · from 11:08:26.151 UTC\n",
        "<title>partitioned\n0.000 s → +10.000 s (10.0 s) · 11:08:22.151 → 11:08:32.151 UTC\n",
        "<title>+switch-master by sentinel-1\n+2.000 s · 11:08:24.151 UTC, 100 ms after +promoted-slave</title>",
    ] {
        assert!(svg.contains(title), "{title}");
    }
}

#[test]
fn the_headline_sets_sentinel_against_the_clients() {
    let svg = svg(&partition_drill());
    assert!(svg.contains(">Sentinel switched in 2.0 s;</tspan>"));
    assert!(
        svg.contains(
            ">clients could not write for 9.0 s, and 1 acknowledged write was lost</tspan>"
        )
    );
    assert!(svg.contains(">Sentinel: 2.0 s to +switch-master</text>"));
    assert!(svg.contains(">clients: writes failing 9.0 s</text>"));
    assert!(
        html(&coordinated_drill())
            .contains("<span class=\"clients-time\">clients could not write for 2.3 s</span>")
    );
}

#[test]
fn a_partition_that_failed_no_write_still_says_what_it_lost() {
    let mut page = partition_drill();
    let clients = page.summary.clients.as_mut().expect("the fixture's probe");
    (
        clients.last_success_ms,
        clients.first_failure_ms,
        clients.first_success_ms,
        clients.outage_ms,
    ) = (None, None, None, None);
    clients.lost[0].count = 293;
    assert!(svg(&page).contains(
        ">clients&#39; writes never failed, and 293 acknowledged writes were lost</tspan>"
    ));
}

#[test]
fn text_is_escaped() {
    let mut page = partition_drill();
    page.title = r#"<b>"Tom" & 'Jerry'</b>"#.into();
    page.timeline.faults[0].label = "<script>".into();
    page.summary.notes = vec!["a & b".into()];
    for markup in [svg(&page), html(&page)] {
        assert!(!markup.contains("<b>") && !markup.contains("<script>"));
        assert!(markup.contains("&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"));
        well_formed(&markup);
    }
    assert!(html(&page).contains("<li>a &amp; b</li>"));
}

#[test]
fn nothing_comes_from_the_network() {
    for markup in [
        svg(&partition_drill()),
        html(&partition_drill()),
        compared(),
    ] {
        let rest = markup.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for banned in [
            "http:", "https:", "//", "src=", "href", "@import", "<script",
        ] {
            assert!(!rest.contains(banned), "{banned}");
        }
        let urls = rest.matches("url(").count();
        assert_eq!(
            urls,
            rest.matches("url(#").count(),
            "only the page's own patterns"
        );
    }
}

#[test]
fn light_dark_and_print() {
    let svg = svg(&partition_drill());
    let html = html(&partition_drill());
    for markup in [&svg, &html] {
        assert!(markup.contains("@media screen and (prefers-color-scheme: dark)"));
    }
    assert_eq!(svg.matches("<style>").count(), 1);
    assert_eq!(
        html.matches("<style>").count(),
        1,
        "one stylesheet for the page"
    );
    for rule in [
        "@media print",
        "@page",
        "break-inside:avoid",
        "<meta charset=\"utf-8\">",
    ] {
        assert!(html.contains(rule), "{rule}");
    }
    assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns="));
    assert!(svg.contains("viewBox=\"0 0 1200.0 "));
}

#[test]
fn the_markup_is_well_formed() {
    well_formed(&svg(&partition_drill()));
    well_formed(&html(&partition_drill()));
    well_formed(&compared());
}

#[test]
fn a_page_with_nothing_but_its_span_still_draws() {
    let mut page = partition_drill();
    page.summary.sentinel_ms = None;
    page.summary.switched = false;
    page.summary.clients = None;
    page.summary.phases.clear();
    let t = &mut page.timeline;
    t.phases.clear();
    t.outage = None;
    t.sentinels.clear();
    t.nodes.clear();
    t.probe = None;
    t.faults.clear();
    let svg = svg(&page);
    well_formed(&svg);
    assert!(Layout::of(&page.timeline).lanes.is_empty());
    assert!(svg.contains("Sentinel did not switch the master (completed); no write probe ran"));
}

#[test]
fn ticks_fall_on_round_steps() {
    let page = partition_drill();
    let ticks = |from, to| Layout::spanning(&page.timeline, from, to).ticks();
    assert_eq!(
        ticks(-2000, 12_000),
        [-2000, 0, 2000, 4000, 6000, 8000, 10_000, 12_000]
    );
    assert_eq!(
        ticks(-300, 700),
        (-3..=7).map(|i| i * 100).collect::<Vec<_>>()
    );
    for span in [800, 3000, 14_000, 45_000, 200_000, 1_000_000, 3_600_000] {
        let n = ticks(-span / 7, span - span / 7).len();
        assert!((5..=12).contains(&n), "{span} ms: {n} ticks");
    }
}

/// Every element closed in order (HTML's void elements aside), every attribute quoted.
fn well_formed(markup: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = markup;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').expect("a tag ends");
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        assert!(!tag.contains('<'), "no '<' inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "closing {name}");
            continue;
        }
        let name = tag.split([' ', '/']).next().unwrap();
        assert_eq!(tag.matches('"').count() % 2, 0, "quotes in {tag}");
        let void = ["meta"].contains(&name);
        if !tag.ends_with('/') && !void {
            open.push(name);
        }
        if name == "style" {
            // The stylesheet holds no tag: skip to its end.
            let close = rest.find("</style>").expect("style closed");
            assert!(!rest[..close].contains('<'));
            rest = &rest[close..];
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
}
