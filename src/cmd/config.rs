//! `sentui config`: says which config file sentui reads and whether it is valid, or prints a
//! commented template with every setting.

use crate::config;
use std::path::Path;

pub fn run(print_template: bool, explicit: Option<&Path>) -> u8 {
    if print_template {
        out!("{}", config::TEMPLATE);
        return 0;
    }
    match config::load(explicit) {
        Ok((_, Some(path))) => outln!("config file: {} (valid)", path.display()),
        Ok((_, None)) => outln!(
            "no config file ({}); `sentui config --print-template` prints one",
            config::default_path()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        Err(e) => return super::fail(e),
    }
    0
}
