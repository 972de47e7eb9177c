//! The clients' view: what the write probe lived through the failover, from its figures.

use super::super::{Clients, Lost, Span};
use crate::probe::ProbeStats;
use crate::probe::loss::FaultSpan;
use crate::{Addr, Millis};

pub(super) fn clients(
    p: &ProbeStats,
    span: FaultSpan,
    masters: (Option<&Addr>, Option<&Addr>),
    fault: &str,
    origin: Millis,
) -> Clients {
    let since = |t: Millis| t as i64 - origin as i64;
    // The outage the failover caused: the one that switched masters, else the longest.
    let window = p.window();
    let last_success_ms = window.map(|o| since(o.from));
    let first_failure_ms = window.map(|o| since(o.first_failure));
    let first_success_ms = window.and_then(|o| o.to).map(since);
    let lost = p
        .loss(Some(span))
        .unwrap_or_default()
        .into_iter()
        .map(|g| Lost {
            window: g.window.map_or_else(
                || "while the probe ran".to_string(),
                |w| w.words(fault, &span, span.at),
            ),
            master: g.master,
            count: g.count,
        })
        .collect();
    let refusals = p.refusals_by_word();
    Clients {
        attempted: p.attempted,
        acked: p.acked,
        failed: p.failed,
        refused: refusals.values().sum(),
        last_success_ms,
        first_failure_ms,
        first_success_ms,
        outage_ms: last_success_ms.zip(first_success_ms).map(|(a, b)| b - a),
        lost,
        lost_text: match &p.readback {
            Some(Err(e)) => format!("not read back: {e}"),
            _ => p
                .loss_text(Some(span), masters, fault)
                .unwrap_or_else(|| "not read back".into()),
        },
        refusals,
        errors: p.errors_by_word(),
    }
}

/// The clients' outage as a span across the lanes.
pub(super) fn outage(c: &Clients) -> Option<Span> {
    let from_ms = c.outage_from()?;
    let detail = match c.outage_ms {
        Some(ms) => format!(
            "clients: no write succeeded for {} (the last success before the failure to the first after it)",
            crate::attempt::fmt_secs(ms.max(0) as Millis)
        ),
        None => "clients: writes failing, no success since".to_string(),
    };
    Some(Span {
        from_ms,
        to_ms: c.first_success_ms,
        detail,
    })
}
