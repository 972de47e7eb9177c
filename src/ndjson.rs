//! Reading NDJSON as it is written: one JSON value per line, as `sentui events --json` prints
//! the merged log. A thread reads the lines and parses each one, so the reader can wait for the
//! next value with a deadline instead of blocking on a pipe. The integration tests and the
//! benchmarks read a running sentui this way.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{self, Receiver};
use std::time::Instant;

/// A line that is not JSON, kept whole so whoever reads it can say what came.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not JSON ({reason}): {line}")]
pub struct NotJson {
    pub line: String,
    pub reason: String,
}

/// The values of an NDJSON stream, in order, as they arrive.
pub struct JsonLines {
    rx: Receiver<Result<Value, NotJson>>,
}

impl JsonLines {
    /// Reads `input` line by line on its own thread until it ends (or this reader is dropped).
    pub fn spawn(input: impl Read + Send + 'static) -> JsonLines {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(input).lines().map_while(Result::ok) {
                let parsed = serde_json::from_str(&line).map_err(|e| NotJson {
                    reason: e.to_string(),
                    line,
                });
                if tx.send(parsed).is_err() {
                    return;
                }
            }
        });
        JsonLines { rx }
    }

    /// The next line, waiting until `deadline`; None once the deadline has passed or the
    /// stream has ended with nothing left to read.
    pub fn next_by(&self, deadline: Instant) -> Option<Result<Value, NotJson>> {
        let left = deadline.saturating_duration_since(Instant::now());
        self.rx.recv_timeout(left).ok()
    }

    /// A line that has already arrived, without waiting.
    pub fn try_next(&self) -> Option<Result<Value, NotJson>> {
        self.rx.try_recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn values_in_order_then_a_line_that_is_not_json_then_the_end() {
        let input: &'static [u8] = b"{\"event\":\"+sdown\"}\n[1,2]\nnot json\n";
        let lines = JsonLines::spawn(input);
        let by = || Instant::now() + Duration::from_secs(5);
        assert_eq!(
            lines.next_by(by()),
            Some(Ok(serde_json::json!({"event": "+sdown"})))
        );
        assert_eq!(lines.next_by(by()), Some(Ok(serde_json::json!([1, 2]))));
        let bad = lines.next_by(by()).unwrap().unwrap_err();
        assert_eq!(bad.line, "not json");
        assert!(bad.to_string().starts_with("not JSON ("), "{bad}");
        assert_eq!(lines.next_by(by()), None, "the stream ended");
    }

    #[test]
    fn waiting_stops_at_the_deadline() {
        let (reader, _writer) = std::io::pipe().unwrap();
        let lines = JsonLines::spawn(reader);
        let started = Instant::now();
        assert_eq!(
            lines.next_by(started + Duration::from_millis(50)),
            None,
            "nothing was written"
        );
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert_eq!(lines.try_next(), None);
    }
}
