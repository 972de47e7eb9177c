//! The readiness screen (`r`): the verdict, then every rule Sentinel applies on the way to a
//! failover, how it stands, its evidence and the remedy, and each replica as the sentinels
//! that could lead judge it (`sentui_model::readiness`).

use super::{Ctx, Fields};
use ratatui::style::Style;
use sentui_model::readiness::{Readiness, Status};
use sentui_model::time::clock;

pub(super) fn fields(ctx: &Ctx) -> (String, Fields) {
    let mut f = Fields::new();
    let Some(r) = &ctx.readiness else {
        f.add("", "no master group reported yet", ctx.theme.dim());
        return (" Readiness ".to_string(), f);
    };
    verdict(ctx, r, &mut f);
    for c in &r.conditions {
        let style = status_style(ctx, c.status);
        f.section(&format!("{}: {}", c.rule.title(), c.status.word()), style);
        f.add("", c.summary.clone(), style);
        if let Some(until) = c.until {
            f.add("until", clock(until), style);
        }
        if !c.evidence.is_empty() {
            f.add("evidence", c.evidence.join("\n"), Style::default());
        }
        if let Some(remedy) = &c.remedy {
            f.add("remedy", remedy.clone(), Style::default());
        }
        f.add("sentinel.c", c.rule.source(), ctx.theme.dim());
    }
    (format!(" Readiness of {} ", r.group), f)
}

fn verdict(ctx: &Ctx, r: &Readiness, f: &mut Fields) {
    let t = ctx.theme;
    let style = match r.verdict {
        sentui_model::readiness::Verdict::Ready => t.ok(),
        sentui_model::readiness::Verdict::AtRisk => t.warn(),
        sentui_model::readiness::Verdict::Blocked => t.bad(),
    };
    f.add("verdict", r.headline.clone(), style);
    if let Some(p) = &r.promote {
        f.add(
            "would promote",
            format!("{} ({})", p.addr, p.reason()),
            t.ok(),
        );
    }
    f.add(
        "",
        "what Sentinel would do if the master died now, rule by rule as sentinel.c decides \
         (r or Esc closes)",
        t.dim(),
    );
}

fn status_style(ctx: &Ctx, s: Status) -> Style {
    let t = ctx.theme;
    match s {
        Status::Ok => t.ok(),
        Status::NotChecked => t.dim(),
        Status::AtRisk => t.warn(),
        Status::Blocked => t.bad(),
    }
}
