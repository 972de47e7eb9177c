//! How long things take to reach the screen: events (receive to screen) and keys (press to
//! screen), measured when a frame is drawn.

use sentui_model::Millis;
use std::collections::VecDeque;

/// Delays in milliseconds, the newest 10,000.
#[derive(Clone, Debug, Default)]
pub struct Latency {
    samples: VecDeque<Millis>,
}

impl Latency {
    const KEEP: usize = 10_000;

    pub fn record(&mut self, delays: impl IntoIterator<Item = Millis>) {
        for d in delays {
            if self.samples.len() == Self::KEEP {
                self.samples.pop_front();
            }
            self.samples.push_back(d);
        }
    }

    pub fn percentile(&self, p: f64) -> Option<Millis> {
        if self.samples.is_empty() {
            return None;
        }
        let mut s: Vec<Millis> = self.samples.iter().copied().collect();
        s.sort_unstable();
        let idx = ((s.len() as f64 - 1.0) * p).round() as usize;
        Some(s[idx.min(s.len() - 1)])
    }

    pub fn count(&self) -> usize {
        self.samples.len()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Latencies {
    /// Log entry received to frame on screen.
    pub events: Latency,
    /// Key press to frame on screen.
    pub keys: Latency,
    /// When the oldest key not yet on screen was pressed.
    key_pending_since: Option<Millis>,
}

impl Latencies {
    pub(super) fn key_pressed(&mut self, at: Millis) {
        self.key_pending_since.get_or_insert(at);
    }

    /// A frame reached the screen at `at`, showing entries received `delays` ago (counted only
    /// while the display is `live`: a frozen one shows none of them).
    pub(super) fn frame_drawn(&mut self, at: Millis, delays: Vec<Millis>, live: bool) {
        if live {
            self.events.record(delays);
        }
        if let Some(t) = self.key_pending_since.take() {
            self.keys.record([at.saturating_sub(t)]);
        }
    }
}
