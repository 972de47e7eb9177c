//! The trail: what the deployment looked like over time that the log does not keep, for the
//! post-mortem page. Each node's role and lag as read, and the write probe's writes in 100 ms
//! buckets. Bounded: a node keeps its newest [`READINGS_KEPT`] readings, the probe its newest
//! [`BUCKETS_KEPT`] buckets, so a session that runs for days keeps a few megabytes at most.

use crate::info::Role;
use crate::probe::{ErrorKind, WriteError};
use crate::{Addr, Millis};
use std::collections::{BTreeMap, VecDeque};

/// Readings kept per node: ten minutes at one a second.
pub const READINGS_KEPT: usize = 600;
/// Buckets kept: an hour of writes.
pub const BUCKETS_KEPT: usize = 36_000;
/// A bucket's length.
pub const BUCKET_MS: Millis = 100;

/// One `INFO replication` of a node: its role and, for a replica read close to its master, how
/// many bytes it was behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub at: Millis,
    pub role: Role,
    pub lag_bytes: Option<u64>,
}

/// The writes that ended in one 100 ms bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteBucket {
    /// The bucket's start, Unix ms (a multiple of [`BUCKET_MS`]).
    pub start: Millis,
    pub acked: u32,
    pub failed: u32,
    /// Of `failed`, the ones the server refused (READONLY, NOREPLICAS, MASTERDOWN).
    pub refused: u32,
    pub max_latency_ms: Option<u32>,
}

#[derive(Clone, Debug, Default)]
pub struct Trail {
    readings: BTreeMap<Addr, VecDeque<Reading>>,
    writes: VecDeque<WriteBucket>,
}

impl Trail {
    pub(crate) fn read(&mut self, addr: &Addr, reading: Reading) {
        let r = self.readings.entry(addr.clone()).or_default();
        if r.len() == READINGS_KEPT {
            r.pop_front();
        }
        r.push_back(reading);
    }

    /// A write that ended at `at`, acknowledged when `error` is None.
    pub(crate) fn wrote(&mut self, at: Millis, error: Option<&WriteError>, took_ms: Option<u64>) {
        let start = at - at % BUCKET_MS;
        if self.writes.back().is_none_or(|b| b.start < start) {
            if self.writes.len() == BUCKETS_KEPT {
                self.writes.pop_front();
            }
            self.writes.push_back(WriteBucket {
                start,
                ..WriteBucket::default()
            });
        }
        // Writes end in time order; one reported late lands in the newest bucket.
        let Some(b) = self.writes.back_mut() else {
            return;
        };
        match error.map(|e| e.kind) {
            None => b.acked += 1,
            Some(kind) => {
                b.failed += 1;
                b.refused += u32::from(ErrorKind::is_refusal(kind));
            }
        }
        if let Some(ms) = took_ms {
            let ms = u32::try_from(ms).unwrap_or(u32::MAX);
            b.max_latency_ms = Some(b.max_latency_ms.map_or(ms, |m| m.max(ms)));
        }
    }

    /// A node's readings, oldest first.
    pub fn readings(&self, addr: &Addr) -> impl Iterator<Item = &Reading> {
        self.readings.get(addr).into_iter().flatten()
    }

    /// The probe's buckets, oldest first.
    pub fn writes(&self) -> impl Iterator<Item = &WriteBucket> {
        self.writes.iter()
    }
}
