//! sentui's own events: what it observed, did and measured, with their names, sources and
//! classes.

use super::Source;
use crate::event::EventClass;

/// The events sentui itself puts in the log (source `sentui`, or `docker` for the Docker
/// engine's): what it observed, did and measured. Their spelling is part of the JSON output
/// (docs/status.md); Sentinel's own events are
/// [`SentinelEvent`](crate::event::SentinelEvent)s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OwnEvent {
    NodeUnresponsive,
    NodeResponsive,
    NodeUp,
    NodeDown,
    NodeVanished,
    SentinelUnresponsive,
    SentinelResponsive,
    SentinelUp,
    SentinelDown,
    SentinelVanished,
    SentinelTilt,
    SentinelTiltExit,
    EventsLinkUp,
    EventsLinkDown,
    /// What a sentinel changed while its events went unseen (found by its first poll after).
    ChangedWhileUnseen,
    RoleChange,
    LinkUp,
    LinkDown,
    Fault,
    FaultCleared,
    ManualFailover,
    /// A sentinel's flags say `coordinated_failover` (Valkey 9), or sentui asked for one.
    CoordinatedFailover,
    FailoverComplete,
    FailoverAborted,
    MasterRecovered,
    ProbeStarted,
    ProbeMaster,
    ProbeUnavailable,
    ProbeAvailable,
    ProbeReadback,
    ProbeStopped,
    DockerEngineUnreachable,
    DockerEngineReachable,
    DockerEventsDown,
    ContainerPause,
    ContainerUnpause,
    ContainerDie,
    ContainerStart,
    ContainerStop,
    ContainerKill,
    ContainerRestart,
    ContainerOom,
    ContainerHealthy,
    ContainerUnhealthy,
    /// The container left / joined the lab's network (a partition, a heal).
    NetworkDisconnect,
    NetworkConnect,
    /// A node began holding back writes (or every command): `CLIENT PAUSE`, a `FAILOVER`.
    WritesPaused,
    /// The node's pause ended.
    WritesResumed,
    /// What the screen's status line said (an action's outcome, a refusal, a hint), kept in
    /// the log so that it lasts and can be read whole.
    Message,
    /// The same, for what failed.
    Error,
}

impl OwnEvent {
    pub const ALL: [OwnEvent; 50] = [
        OwnEvent::NodeUnresponsive,
        OwnEvent::NodeResponsive,
        OwnEvent::NodeUp,
        OwnEvent::NodeDown,
        OwnEvent::NodeVanished,
        OwnEvent::SentinelUnresponsive,
        OwnEvent::SentinelResponsive,
        OwnEvent::SentinelUp,
        OwnEvent::SentinelDown,
        OwnEvent::SentinelVanished,
        OwnEvent::SentinelTilt,
        OwnEvent::SentinelTiltExit,
        OwnEvent::EventsLinkUp,
        OwnEvent::EventsLinkDown,
        OwnEvent::ChangedWhileUnseen,
        OwnEvent::RoleChange,
        OwnEvent::LinkUp,
        OwnEvent::LinkDown,
        OwnEvent::Fault,
        OwnEvent::FaultCleared,
        OwnEvent::ManualFailover,
        OwnEvent::CoordinatedFailover,
        OwnEvent::FailoverComplete,
        OwnEvent::FailoverAborted,
        OwnEvent::MasterRecovered,
        OwnEvent::ProbeStarted,
        OwnEvent::ProbeMaster,
        OwnEvent::ProbeUnavailable,
        OwnEvent::ProbeAvailable,
        OwnEvent::ProbeReadback,
        OwnEvent::ProbeStopped,
        OwnEvent::DockerEngineUnreachable,
        OwnEvent::DockerEngineReachable,
        OwnEvent::DockerEventsDown,
        OwnEvent::ContainerPause,
        OwnEvent::ContainerUnpause,
        OwnEvent::ContainerDie,
        OwnEvent::ContainerStart,
        OwnEvent::ContainerStop,
        OwnEvent::ContainerKill,
        OwnEvent::ContainerRestart,
        OwnEvent::ContainerOom,
        OwnEvent::ContainerHealthy,
        OwnEvent::ContainerUnhealthy,
        OwnEvent::NetworkDisconnect,
        OwnEvent::NetworkConnect,
        OwnEvent::WritesPaused,
        OwnEvent::WritesResumed,
        OwnEvent::Message,
        OwnEvent::Error,
    ];

    /// How the log (and its JSON) spells it.
    pub const fn name(self) -> &'static str {
        match self {
            OwnEvent::NodeUnresponsive => "node-unresponsive",
            OwnEvent::NodeResponsive => "node-responsive",
            OwnEvent::NodeUp => "node-up",
            OwnEvent::NodeDown => "node-down",
            OwnEvent::NodeVanished => "node-vanished",
            OwnEvent::SentinelUnresponsive => "sentinel-unresponsive",
            OwnEvent::SentinelResponsive => "sentinel-responsive",
            OwnEvent::SentinelUp => "sentinel-up",
            OwnEvent::SentinelDown => "sentinel-down",
            OwnEvent::SentinelVanished => "sentinel-vanished",
            OwnEvent::SentinelTilt => "sentinel-tilt",
            OwnEvent::SentinelTiltExit => "sentinel-tilt-exit",
            OwnEvent::EventsLinkUp => "events-link-up",
            OwnEvent::EventsLinkDown => "events-link-down",
            OwnEvent::ChangedWhileUnseen => "changed-while-unseen",
            OwnEvent::RoleChange => "role-change",
            OwnEvent::LinkUp => "link-up",
            OwnEvent::LinkDown => "link-down",
            OwnEvent::Fault => "fault",
            OwnEvent::FaultCleared => "fault-cleared",
            OwnEvent::ManualFailover => "manual-failover",
            OwnEvent::CoordinatedFailover => "coordinated-failover",
            OwnEvent::FailoverComplete => "failover-complete",
            OwnEvent::FailoverAborted => "failover-aborted",
            OwnEvent::MasterRecovered => "master-recovered",
            OwnEvent::ProbeStarted => "probe-started",
            OwnEvent::ProbeMaster => "probe-master",
            OwnEvent::ProbeUnavailable => "probe-unavailable",
            OwnEvent::ProbeAvailable => "probe-available",
            OwnEvent::ProbeReadback => "probe-readback",
            OwnEvent::ProbeStopped => "probe-stopped",
            OwnEvent::DockerEngineUnreachable => "docker-engine-unreachable",
            OwnEvent::DockerEngineReachable => "docker-engine-reachable",
            OwnEvent::DockerEventsDown => "docker-events-down",
            OwnEvent::ContainerPause => "container-pause",
            OwnEvent::ContainerUnpause => "container-unpause",
            OwnEvent::ContainerDie => "container-die",
            OwnEvent::ContainerStart => "container-start",
            OwnEvent::ContainerStop => "container-stop",
            OwnEvent::ContainerKill => "container-kill",
            OwnEvent::ContainerRestart => "container-restart",
            OwnEvent::ContainerOom => "container-oom",
            OwnEvent::ContainerHealthy => "container-healthy",
            OwnEvent::ContainerUnhealthy => "container-unhealthy",
            OwnEvent::NetworkDisconnect => "network-disconnect",
            OwnEvent::NetworkConnect => "network-connect",
            OwnEvent::WritesPaused => "writes-paused",
            OwnEvent::WritesResumed => "writes-resumed",
            OwnEvent::Message => "message",
            OwnEvent::Error => "error",
        }
    }

    pub fn parse(name: &str) -> Option<OwnEvent> {
        OwnEvent::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The name closest to `name` (a typo's likely meaning), two characters off at most.
    pub fn nearest(name: &str) -> Option<&'static str> {
        crate::event::nearest(name, OwnEvent::ALL.iter().map(|e| e.name()))
    }

    /// The stopwatch's summaries: made from the other entries, so a log read back makes them
    /// again rather than taking them as they were written.
    pub fn is_derived(self) -> bool {
        matches!(
            self,
            OwnEvent::FailoverComplete | OwnEvent::FailoverAborted | OwnEvent::MasterRecovered
        )
    }

    /// Who puts it in the log: the Docker engine's events and its reachability are `docker`.
    pub fn source(self) -> Source {
        let name = self.name();
        if name.starts_with("container-")
            || name.starts_with("docker-")
            || name.starts_with("network-")
        {
            Source::Docker
        } else {
            Source::Sentui
        }
    }

    /// How it reads at a glance.
    pub fn class(self) -> EventClass {
        use OwnEvent::*;
        match self {
            NodeUnresponsive
            | NodeDown
            | SentinelUnresponsive
            | SentinelDown
            | LinkDown
            | EventsLinkDown
            | SentinelTilt
            | ContainerDie
            | ContainerKill
            | ContainerOom
            | ContainerUnhealthy
            | NetworkDisconnect
            | DockerEngineUnreachable
            | DockerEventsDown
            | FailoverAborted
            | WritesPaused
            | ProbeUnavailable
            | Error => EventClass::Down,
            NodeResponsive
            | NodeUp
            | SentinelResponsive
            | SentinelUp
            | LinkUp
            | EventsLinkUp
            | SentinelTiltExit
            | ContainerUnpause
            | ContainerStart
            | ContainerRestart
            | ContainerHealthy
            | NetworkConnect
            | DockerEngineReachable
            | FaultCleared
            | FailoverComplete
            | MasterRecovered
            | WritesResumed
            | ProbeAvailable => EventClass::Recovery,
            Fault | ManualFailover | ContainerPause | ContainerStop => EventClass::Fault,
            CoordinatedFailover => EventClass::Promotion,
            RoleChange | ChangedWhileUnseen => EventClass::Config,
            NodeVanished | SentinelVanished | ProbeStarted | ProbeMaster | ProbeReadback
            | ProbeStopped | Message => EventClass::Info,
        }
    }
}

impl std::fmt::Display for OwnEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // pad: the log's columns are `{:<w$}`.
        f.pad(self.name())
    }
}
