//! The post-mortem page in a real browser: `sentui report` writes the page of each committed
//! recording of a real failover, headless Chromium (Debian's `chromium`, installed by
//! scripts/install-deps) shoots it, light and dark, and prints it; the PNG must not be blank,
//! and every lane the page's layout names must have ink where the layout puts it: its title at
//! the left, something drawn in its plot.

mod common;

use common::*;
use sentui::record;
use sentui_model::postmortem::{self, About, Focus, LaneKind, Layout, TIMELINE_OFFSET};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WINDOW: (u32, u32) = (1300, 2000);

fn recordings() -> [PathBuf; 2] {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("screenshots/failover.ndjson"),
        root.join("crates/sentui-model/src/postmortem/build/local-probe-failover.ndjson"),
    ]
}

/// The layout of the page `sentui report` draws of `recording` (its last failover).
fn layout_of(recording: &Path) -> Layout {
    let (d, end) = record::load(recording).unwrap().deployment();
    let about = About {
        source: String::new(),
        deployment: String::new(),
        fault: "fault".into(),
    };
    let page = postmortem::build(&d, "mymaster", Focus::LastFailover, &about, end).unwrap();
    Layout::of(&page.timeline)
}

/// Runs headless Chromium on `html` with `args`, bounded in time.
fn chromium(html: &Path, args: &[&str]) {
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
        ])
        .args(args)
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium runs (scripts/install-deps installs Debian's chromium)");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium on {}: {status}", html.display());
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish with {} in 90 s", html.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct Png {
    width: u32,
    height: u32,
    rgb: Vec<[u8; 3]>,
}

impl Png {
    fn read(path: &Path) -> Png {
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let step = info.color_type.samples();
        let rgb = buf[..info.buffer_size()]
            .chunks(step)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Png {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    fn at(&self, x: u32, y: u32) -> [u8; 3] {
        self.rgb[(y * self.width + x) as usize]
    }

    /// The colours in a box, and how many pixels differ from its most common one (ink).
    fn ink(&self, x0: f64, x1: f64, y0: f64, y1: f64) -> usize {
        let mut counts = std::collections::BTreeMap::new();
        for y in y0.max(0.0) as u32..(y1 as u32).min(self.height) {
            for x in x0.max(0.0) as u32..(x1 as u32).min(self.width) {
                *counts.entry(self.at(x, y)).or_insert(0usize) += 1;
            }
        }
        let total: usize = counts.values().sum();
        total - counts.values().max().copied().unwrap_or(0)
    }

    fn mean_brightness(&self) -> f64 {
        let sum: u64 = self
            .rgb
            .iter()
            .map(|p| p.iter().map(|&c| c as u64).sum::<u64>())
            .sum();
        sum as f64 / (self.rgb.len() as f64 * 3.0)
    }
}

#[test]
fn chromium_draws_every_lane_of_real_failovers() {
    let dir = tempfile::tempdir().unwrap();
    let size = format!("--window-size={},{}", WINDOW.0, WINDOW.1);
    for recording in recordings() {
        let name = recording
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let html = dir.path().join(format!("{name}.html"));
        let out = sentui(&[
            "report",
            recording.to_str().unwrap(),
            "-o",
            html.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let layout = layout_of(&recording);
        assert!(layout.width + 2.0 * TIMELINE_OFFSET.0 <= WINDOW.0 as f64);

        let shot = dir.path().join(format!("{name}.png"));
        chromium(&html, &[&size, &format!("--screenshot={}", shot.display())]);
        let png = Png::read(&shot);
        assert_eq!((png.width, png.height), WINDOW);
        // Not blank: a page of text, bars and marks.
        let colours: std::collections::BTreeSet<[u8; 3]> = png.rgb.iter().copied().collect();
        assert!(colours.len() > 50, "{name}: {} colours", colours.len());
        let whole = png.ink(0.0, png.width as f64, 0.0, png.height as f64);
        assert!(whole > png.rgb.len() / 20, "{name}: {whole} pixels of ink");
        assert!(png.mean_brightness() > 180.0, "{name}: the light look");

        // Every lane: its title at the left, something drawn in its plot.
        let (ox, oy) = TIMELINE_OFFSET;
        let kinds: Vec<LaneKind> = layout.lanes.iter().map(|l| l.kind).collect();
        for kind in [LaneKind::Faults, LaneKind::Sentinel, LaneKind::Node] {
            assert!(kinds.contains(&kind), "{name}: no {kind:?} lane");
        }
        for lane in &layout.lanes {
            let (y0, y1) = (oy + lane.y + 1.0, oy + lane.y + lane.height - 1.0);
            let title = png.ink(ox, ox + layout.plot_left, y0, y1);
            let plot = png.ink(ox + layout.plot_left, ox + layout.plot_right, y0, y1);
            assert!(
                title > 30,
                "{name}: the title of lane {} is not drawn ({title})",
                lane.title
            );
            assert!(plot > 30, "{name}: lane {} is empty ({plot})", lane.title);
        }
        if name.contains("probe") {
            assert!(kinds.contains(&LaneKind::Probe), "{name}: the probe's lane");
        }

        // Dark: the viewer's setting is followed.
        let dark = dir.path().join(format!("{name}-dark.png"));
        chromium(
            &html,
            &[
                &size,
                "--blink-settings=preferredColorScheme=0",
                &format!("--screenshot={}", dark.display()),
            ],
        );
        let dark = Png::read(&dark);
        assert!(
            dark.mean_brightness() < 90.0,
            "{name}: the dark look ({})",
            dark.mean_brightness()
        );

        // Printed: a PDF of a page or two.
        let pdf = dir.path().join(format!("{name}.pdf"));
        chromium(
            &html,
            &[
                &format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer",
            ],
        );
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "{name}: a PDF");
        let pages = bytes
            .windows(10)
            .filter(|w| w == b"/Type /Pag" || w == b"/Type/Page")
            .count();
        assert!((1..=4).contains(&pages), "{name}: {pages} printed pages");
        if let Some(keep) = std::env::var_os("SENTUI_KEEP_PNG") {
            let keep = PathBuf::from(keep);
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::copy(&shot, keep.join(format!("{name}.png"))).unwrap();
        }
    }
}
