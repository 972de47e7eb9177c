//! `sentui completions SHELL` and `sentui man`: generated from the command line's own
//! definition, so they always say what this binary accepts.

use crate::cli::Cli;
use clap::CommandFactory;
use std::path::Path;

pub fn completions(shell: clap_complete::Shell) -> u8 {
    // Into memory first: clap_complete panics when its writer fails (stdout closed early,
    // `| head`), and out! does not.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "sentui", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    0
}

pub fn man(dir: Option<&Path>) -> u8 {
    let cmd = Cli::command();
    match dir {
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return super::fail(format!("cannot create {}: {e}", dir.display()));
            }
            match clap_mangen::generate_to(cmd, dir) {
                Ok(()) => {
                    outln!("manual pages written to {}", dir.display());
                    0
                }
                Err(e) => super::fail(format!("cannot write into {}: {e}", dir.display())),
            }
        }
        None => {
            let mut page = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut page) {
                return super::fail(format!("cannot render the manual: {e}"));
            }
            out!("{}", String::from_utf8_lossy(&page));
            0
        }
    }
}
