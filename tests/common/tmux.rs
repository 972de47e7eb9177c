//! The real binary in a tmux session of its own, used as a person would: keys in, the screen
//! out, and the session closed the way a terminal goes away.

use super::{bin, wait_for};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

pub struct Tmux {
    pub socket: String,
    pub session: String,
}

impl Tmux {
    pub fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    pub fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", &self.session])
    }
    pub fn keys(&self, k: &str) {
        self.cmd(&["send-keys", "-t", &self.session, k]);
    }
    pub fn wait_screen(&self, limit: Duration, what: &str, f: impl Fn(&str) -> bool) -> String {
        wait_for(limit, || {
            let s = self.screen();
            f(&s).then_some(s)
        })
        .unwrap_or_else(|| {
            panic!(
                "screen never showed {what}; last screen:\n{}",
                self.screen()
            )
        })
    }
}

impl Tmux {
    /// A tmux server of its own (socket named after `name` and this process) running
    /// `command` in a `w`x`h` window.
    pub fn start(name: &str, (w, h): (u16, u16), command: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("sentui-{name}-{}", std::process::id()),
            session: name.into(),
        };
        let (w, h) = (w.to_string(), h.to_string());
        tmux.cmd(&[
            "new-session",
            "-d",
            "-s",
            &tmux.session,
            "-x",
            &w,
            "-y",
            &h,
            command,
        ]);
        tmux
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}

/// Runs sentui against `sentinels` (comma-separated) in a tmux session of its own; returns the
/// session and the files that will hold sentui's exit status and pid.
pub fn start(
    sentinels: &str,
    dir: &tempfile::TempDir,
    name: &str,
    size: (u16, u16),
    args: &str,
) -> (Tmux, PathBuf, PathBuf) {
    start_with_env(sentinels, dir, name, size, &[], args)
}

/// `start`, with more environment variables for sentui.
pub fn start_with_env(
    sentinels: &str,
    dir: &tempfile::TempDir,
    name: &str,
    (w, h): (u16, u16),
    env: &[(&str, &str)],
    args: &str,
) -> (Tmux, PathBuf, PathBuf) {
    let exit_file = dir.path().join("exit");
    let pid_file = dir.path().join("pid");
    let mut env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    if !sentinels.is_empty() {
        env = format!("SENTUI_SENTINELS={sentinels} {env}");
    }
    let script = format!(
        "{env}sh -c 'echo $$ > {}; exec {} {args}'; echo $? > {}; sleep 60",
        pid_file.display(),
        bin(),
        exit_file.display()
    );
    let tmux = Tmux::start(name, (w, h), &script);
    (tmux, exit_file, pid_file)
}

/// The exit status a shell wrote to `file` (`echo $? > file`), once its line is whole: the
/// redirection creates the file before echo writes to it.
pub fn exit_status(file: &std::path::Path, what: &str) -> String {
    wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(file)
            .ok()
            .filter(|s| s.ends_with('\n'))
    })
    .expect(what)
    .trim()
    .to_string()
}

/// sentui exited 0 and left the terminal as it found it: no alternate screen, cursor shown.
pub fn assert_exited_cleanly(tmux: &Tmux, exit_file: &std::path::Path, what: &str) {
    assert_eq!(exit_status(exit_file, what), "0");
    let show = |f: &str| {
        tmux.cmd(&["display-message", "-p", "-t", &tmux.session, f])
            .trim()
            .to_string()
    };
    assert_eq!(show("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(show("#{cursor_flag}"), "1", "cursor visible again");
}
