//! Discovery, partitions and bindings, from containers as the engine describes them.

use super::containers::loopback_ports;
use super::*;
use bollard::models::PortMap;
use sentui_model::Addr;
use sentui_model::log::OwnEvent;
use sentui_model::state::ContainerState;

fn c(service: &str, inner: u16, host: u16, ip: &str) -> ComposeContainer {
    ComposeContainer {
        id: format!("{service}-id"),
        name: format!("lab-{service}-1"),
        service: service.into(),
        state: ContainerState::Running,
        status: "Up 1 second (healthy)".into(),
        healthy: true,
        published: [(inner, host)].into_iter().collect(),
        bound: [inner].into_iter().collect(),
        ips: vec![ip.into()],
        networks: vec!["lab_lab".into(), format!("lab_edge-{service}")],
        partitioned: false,
        config_files: String::new(),
    }
}

#[test]
fn maps_every_announced_form_to_the_published_port() {
    let d = discover(&[
        c("redis-master", 6379, 49153, "172.18.0.2"),
        c("sentinel-1", 26379, 49160, "172.18.0.5"),
    ]);
    let reach = Addr::new("127.0.0.1", 49153);
    assert_eq!(
        d.map.reachable(&"redis-master:6379".parse().unwrap()),
        reach
    );
    assert_eq!(
        d.map.reachable(&"lab-redis-master-1:6379".parse().unwrap()),
        reach
    );
    assert_eq!(d.map.reachable(&"172.18.0.2:6379".parse().unwrap()), reach);
    assert_eq!(
        d.sentinels,
        vec!["sentinel-1:26379".parse::<Addr>().unwrap()]
    );
    assert!(
        d.members
            .contains_key(&"redis-master:6379".parse().unwrap())
    );
}

#[test]
fn containers_that_bind_no_port_are_not_endpoints() {
    let mut app = c("app", 6379, 1, "172.18.0.9");
    app.published.clear();
    app.bound.clear();
    let d = discover(&[app]);
    assert!(d.map.is_empty());
    assert!(d.members.is_empty());
}

#[test]
fn event_names() {
    assert_eq!(event_name("pause"), Some(OwnEvent::ContainerPause));
    assert_eq!(event_name("exec_start: sh"), None);
    assert_eq!(
        event_name("network-disconnect"),
        Some(OwnEvent::NetworkDisconnect)
    );
}

#[test]
fn a_stopped_node_is_a_member_by_its_announced_name_and_is_not_mapped() {
    let mut stopped = c("redis-replica-2", 6379, 49155, "172.18.0.4");
    stopped.state = ContainerState::Exited;
    stopped.published.clear();
    stopped.ips.clear();
    let mut sentinel = c("sentinel-2", 26379, 49161, "172.18.0.6");
    sentinel.state = ContainerState::Exited;
    sentinel.published.clear();
    let d = discover(&[
        stopped,
        sentinel,
        c("sentinel-1", 26379, 49160, "172.18.0.5"),
    ]);
    let announced: Addr = "redis-replica-2:6379".parse().unwrap();
    assert_eq!(d.members[&announced].state, ContainerState::Exited);
    assert!(!d.map.contains(&announced), "it publishes nothing to reach");
    assert!(d.members.contains_key(&"sentinel-2:26379".parse().unwrap()));
    assert_eq!(
        d.sentinels,
        vec!["sentinel-1:26379".parse::<Addr>().unwrap()],
        "only a running sentinel is a place to start from"
    );
}

#[test]
fn a_stopped_container_is_never_partitioned() {
    let lab = vec!["lab_lab".to_string(), "lab_edge-redis-master".to_string()];
    let edge_only = vec!["lab_edge-redis-master".to_string()];
    assert!(!cut_off("lab", &ContainerState::Running, &lab));
    assert!(cut_off("lab", &ContainerState::Running, &edge_only));
    assert!(cut_off("lab", &ContainerState::Paused, &edge_only));
    for stopped in [
        ContainerState::Exited,
        ContainerState::Dead,
        ContainerState::Created,
    ] {
        assert!(!cut_off("lab", &stopped, &edge_only), "{stopped}");
    }
}

#[test]
fn loopback_bindings_with_and_without_a_host_port() {
    use bollard::models::PortBinding;
    let bind = |ip: &str, port: &str| PortBinding {
        host_ip: Some(ip.into()),
        host_port: Some(port.into()),
    };
    let map: PortMap = [
        ("6379/tcp".to_string(), Some(vec![bind("127.0.0.1", "")])),
        (
            "26379/tcp".to_string(),
            Some(vec![bind("0.0.0.0", "26379")]),
        ),
        (
            "7000/tcp".to_string(),
            Some(vec![bind("127.0.0.1", "49000")]),
        ),
        ("8000/tcp".to_string(), None),
    ]
    .into_iter()
    .collect();
    let ports = loopback_ports(Some(&map));
    assert_eq!(
        ports.into_iter().collect::<Vec<_>>(),
        vec![(6379, None), (7000, Some(49000))]
    );
}

#[test]
fn only_containers_with_an_edge_network_can_be_partitioned() {
    let node = c("redis-master", 6379, 49153, "172.18.0.2");
    assert!(node.partitionable("lab"));
    assert!(!node.partitionable("other"), "another project's networks");
    let mut sentinel = c("sentinel-1", 26379, 49160, "172.18.0.5");
    sentinel.networks = vec!["lab_lab".into()];
    assert!(!sentinel.partitionable("lab"));
}
