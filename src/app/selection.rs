//! What is selected: a node or a sentinel (↑/↓ walk the nodes, then the sentinels), whether it
//! is paused or stopped, and the selected row of the event log.

use super::App;
use crate::logview::position;
use sentui_model::Addr;
use sentui_model::action::Action as ControlAction;
use sentui_model::state::{ContainerInfo, ContainerState, ProcessInfo};

impl App {
    /// Nodes in display order: master first, then replicas.
    pub fn node_order(&self) -> Vec<Addr> {
        let Some(v) = self.view() else {
            return Vec::new();
        };
        v.master
            .iter()
            .chain(v.replicas.iter())
            .map(|n| n.addr.clone())
            .collect()
    }

    /// What ↑/↓ walk through: the nodes, then the group's sentinels.
    pub fn endpoint_order(&self) -> Vec<Addr> {
        let mut order = self.node_order();
        if let Some(v) = self.view() {
            order.extend(v.sentinels.into_iter().map(|s| s.addr));
        }
        order
    }

    /// Whether `addr` is one of the sentinels sentui knows.
    pub fn is_sentinel(&self, addr: &Addr) -> bool {
        self.live.sentinels().contains_key(addr) && !self.live.nodes().contains_key(addr)
    }

    /// The node or sentinel keys act on: the one selected, else the master. One sentui paused
    /// or stopped stays selected even while the sentinels' lists briefly leave it out (right
    /// after `+switch-master`), so `p` resumes it rather than pausing the new master.
    pub fn selected_addr(&self) -> Option<Addr> {
        let order = self.endpoint_order();
        match &self.selected {
            Some(a) if order.contains(a) || self.faults.touches(a) => Some(a.clone()),
            _ => order.into_iter().next(),
        }
    }

    /// The process and container sentui knows behind an endpoint (node or sentinel).
    fn behind(&self, a: &Addr) -> (Option<&ProcessInfo>, Option<&ContainerInfo>) {
        if let Some(n) = self.live.nodes().get(a) {
            return (n.process.as_ref(), n.container.as_ref());
        }
        match self.live.sentinels().get(a) {
            Some(s) => (s.process.as_ref(), s.container.as_ref()),
            None => (None, None),
        }
    }

    /// Whether `p` on the selected endpoint would resume it (else it pauses).
    pub fn selected_is_paused(&self) -> bool {
        let Some(a) = self.selected_addr() else {
            return false;
        };
        let (process, container) = self.behind(&a);
        self.faults.has(&a, ControlAction::Pause)
            || process.is_some_and(|p| p.paused)
            || container.is_some_and(|c| c.state == ContainerState::Paused)
    }

    /// Whether `s` on the selected endpoint would start it (else it stops).
    pub fn selected_is_stopped(&self) -> bool {
        let Some(a) = self.selected_addr() else {
            return false;
        };
        self.faults.has(&a, ControlAction::Stop)
            || self.behind(&a).1.is_some_and(|c| c.state.is_stopped())
    }

    /// Whether `n` on the selected endpoint would heal it (else it partitions).
    pub fn selected_is_partitioned(&self) -> bool {
        let Some(a) = self.selected_addr() else {
            return false;
        };
        self.faults.has(&a, ControlAction::Partition)
            || self.behind(&a).1.is_some_and(|c| c.partitioned)
    }

    pub(super) fn move_selection(&mut self, down: bool) {
        let order = self.endpoint_order();
        if order.is_empty() {
            return;
        }
        let current = self
            .selected_addr()
            .and_then(|a| order.iter().position(|x| *x == a))
            .unwrap_or(0);
        let next = if down {
            (current + 1).min(order.len() - 1)
        } else {
            current.saturating_sub(1)
        };
        self.selected = Some(order[next].clone());
    }

    /// The position of the selected log row among `len` rows (the newest while following).
    pub fn log_position(&self) -> Option<usize> {
        let rows = self.log_rows();
        self.log_cursor
            .and_then(|seq| position(&rows, seq))
            .or(rows.len().checked_sub(1))
    }

    /// Moves the log's selection by `delta` rows (negative: older); `None` goes to the oldest.
    pub(super) fn move_log_cursor(&mut self, delta: Option<isize>) {
        let rows = self.log_rows();
        let Some(last) = rows.len().checked_sub(1) else {
            self.log_cursor = None;
            return;
        };
        let at = self
            .log_cursor
            .and_then(|seq| position(&rows, seq))
            .unwrap_or(last);
        let to = match delta {
            None => 0,
            Some(d) => at.saturating_add_signed(d).min(last),
        };
        self.log_cursor = Some(rows[to].first.seq);
    }
}
