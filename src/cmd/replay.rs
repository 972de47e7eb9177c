//! `sentui replay FILE`: the recording in the TUI, or checked (`--verify`), or rendered
//! (`--to-cast`, `--screenshot`).

use crate::cli::ReplayArgs;
use crate::replay::{self, ReplayError};

pub async fn run(args: &ReplayArgs, no_color: bool) -> u8 {
    let file = &args.file;
    if args.verify {
        return replay::verify_file(file);
    }
    let done = match (&args.to_cast, &args.screenshot) {
        (Some(_), Some(_)) => Err(ReplayError::TwoRenderings),
        (Some(out), None) => replay::to_cast(file, out, args.size),
        (None, Some(out)) => replay::At::parse(&args.at)
            .map_err(ReplayError::from)
            .and_then(|at| {
                replay::screenshot(file, out, &at, args.after.as_millis() as u64, args.size)
            }),
        (None, None) => replay::run_tui(file, args.speed, no_color)
            .await
            .map(|_| String::new()),
    };
    match done {
        Ok(msg) => {
            if !msg.is_empty() {
                outln!("{msg}");
            }
            0
        }
        Err(e) => super::fail(e),
    }
}
