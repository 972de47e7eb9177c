//! Drills: scenarios (parsed and validated here, states judged on the deployment), reports
//! (phases, checks, verdict, formats) and two runs side by side. The runner that acts lives
//! with the binary.

pub mod compare;
pub mod report;
pub mod scenario;
