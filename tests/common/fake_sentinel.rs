//! A fake sentinel on 127.0.0.1: enough RESP to be polled (no master groups) and subscribed
//! to, then it publishes a burst of events on every events link, as fast as the socket takes
//! them. Real sentinels accept only hello messages on PUBLISH, so a storm needs this.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub struct FakeSentinel {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl FakeSentinel {
    /// Starts the server; each events link gets `events` (channel, payload) pairs `after` its
    /// subscription.
    pub fn start(events: Vec<(String, String)>, after: Duration) -> FakeSentinel {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let events = Arc::new(events);
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let events = events.clone();
                std::thread::spawn(move || serve(conn, &events, after));
            }
        });
        FakeSentinel { port, stop }
    }
}

impl Drop for FakeSentinel {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn bulk(s: &str) -> String {
    format!("${}\r\n{s}\r\n", s.len())
}

/// Reads one command (an array of bulk strings); None at end of stream or on garbage.
fn read_command(r: &mut BufReader<TcpStream>) -> Option<Vec<String>> {
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let n: usize = line.trim().strip_prefix('*')?.parse().ok()?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        line.clear();
        r.read_line(&mut line).ok()?;
        let len: usize = line.trim().strip_prefix('$')?.parse().ok()?;
        let mut buf = vec![0u8; len + 2];
        std::io::Read::read_exact(r, &mut buf).ok()?;
        args.push(String::from_utf8_lossy(&buf[..len]).into_owned());
    }
    Some(args)
}

fn serve(conn: TcpStream, events: &[(String, String)], after: Duration) {
    let mut out = conn.try_clone().unwrap();
    let mut r = BufReader::new(conn);
    while let Some(args) = read_command(&mut r) {
        let words: Vec<String> = args.iter().map(|a| a.to_ascii_uppercase()).collect();
        let reply = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["INFO", ..] => bulk(
                "# Server\r\nredis_version:7.0.15\r\nrun_id:fakefakefake\r\nredis_mode:sentinel\r\n# Sentinel\r\nsentinel_masters:0\r\nsentinel_tilt:0\r\n",
            ),
            ["SENTINEL", "MASTERS"] => "*0\r\n".to_string(),
            ["SENTINEL", "MYID"] => bulk("fakefakefake"),
            ["PSUBSCRIBE", ..] => {
                let pattern = args.get(1).cloned().unwrap_or_default();
                let ack = format!("*3\r\n{}{}:1\r\n", bulk("psubscribe"), bulk(&pattern));
                if out.write_all(ack.as_bytes()).is_err() {
                    return;
                }
                std::thread::sleep(after);
                let mut burst = String::new();
                for (channel, payload) in events {
                    burst.push_str(&format!(
                        "*4\r\n{}{}{}{}",
                        bulk("pmessage"),
                        bulk(&pattern),
                        bulk(channel),
                        bulk(payload)
                    ));
                }
                if out.write_all(burst.as_bytes()).is_err() {
                    return;
                }
                continue;
            }
            ["PING", ..] => "+PONG\r\n".to_string(),
            _ => "+OK\r\n".to_string(),
        };
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}
