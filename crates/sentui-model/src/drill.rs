//! Drills: scenarios (parsed and validated here, states judged on the deployment) and reports
//! (phases, checks, verdict, formats). The runner that acts lives with the binary.

pub mod report;
pub mod scenario;
