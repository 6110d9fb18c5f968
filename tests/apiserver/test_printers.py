"""Tests for server-side printing (apiserver/printers.py).

Expected cells follow what upstream's printers (pkg/printers/internalversion) send for
the same objects; kubectl prints them verbatim.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from paddock.apiserver.printers import PRINTERS, build_table, human_duration, printer_for
from paddock.core.resources import RESOURCES

NOW = datetime(2026, 11, 28, 5, 0, 0, tzinfo=UTC).timestamp()


def ago(seconds: float) -> str:
    """The RFC 3339 timestamp `seconds` before NOW."""
    return datetime.fromtimestamp(NOW - seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cells(resource: str, obj: dict) -> list:
    """The cells of the one row `obj` prints as."""
    table = build_table(resource, [obj], {}, now=NOW)
    return table["rows"][0]["cells"]


def cell(resource: str, obj: dict, column: str):
    """One named cell of the row `obj` prints as."""
    names = [c["name"] for c in printer_for(resource).columns]
    return cells(resource, obj)[names.index(column)]


# --- human_duration ---------------------------------------------------------------------------

DAY = 86400


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0s"),
        (-0.5, "0s"),
        (-1.9, "0s"),
        (-2, "<invalid>"),
        (45, "45s"),
        (119.9, "119s"),
        (120, "2m"),
        (123, "2m3s"),
        (599, "9m59s"),
        (600, "10m"),
        (15 * 60 + 30, "15m"),
        (179 * 60, "179m"),
        (3 * 3600, "3h"),
        (5 * 3600 + 3 * 60, "5h3m"),
        (8 * 3600 + 59 * 60, "8h"),
        (47 * 3600, "47h"),
        (2 * DAY, "2d"),
        (3 * DAY + 4 * 3600, "3d4h"),
        (8 * DAY + 5 * 3600, "8d"),
        (400 * DAY, "400d"),
        (730 * DAY, "2y"),
        (740 * DAY, "2y10d"),
        (8 * 365 * DAY, "8y"),
        (10 * 365 * DAY + 100 * DAY, "10y"),
    ],
)
def test_human_duration_matches_upstream_rounding(seconds, expected):
    assert human_duration(seconds) == expected


# --- pods -------------------------------------------------------------------------------------


def pod(
    phase="Running",
    containers=1,
    statuses=None,
    init_containers=0,
    init_statuses=None,
    conditions=None,
    deleted=False,
    reason=None,
    **spec_extra,
) -> dict:
    """A pod with `containers` app containers named c0, c1... and the given status."""
    spec = {"containers": [{"name": f"c{i}", "image": "nginx"} for i in range(containers)]}
    if init_containers:
        spec["initContainers"] = [
            {"name": f"i{i}", "image": "busybox"} for i in range(init_containers)
        ]
    spec.update(spec_extra)
    status: dict = {"phase": phase}
    if statuses is not None:
        status["containerStatuses"] = statuses
    if init_statuses is not None:
        status["initContainerStatuses"] = init_statuses
    if conditions is not None:
        status["conditions"] = conditions
    if reason:
        status["reason"] = reason
    metadata = {"name": "web1", "namespace": "compat", "creationTimestamp": ago(61)}
    if deleted:
        metadata["deletionTimestamp"] = ago(1)
    return {"metadata": metadata, "spec": spec, "status": status}


def running(name="c0", ready=True, restarts=0, **extra) -> dict:
    return {
        "name": name,
        "ready": ready,
        "restartCount": restarts,
        "state": {"running": {"startedAt": ago(60)}},
        **extra,
    }


def waiting(reason, name="c0", restarts=0, **extra) -> dict:
    return {
        "name": name,
        "ready": False,
        "restartCount": restarts,
        "state": {"waiting": {"reason": reason}},
        **extra,
    }


def terminated(reason="Completed", exit_code=0, name="c0", **extra) -> dict:
    return {
        "name": name,
        "ready": False,
        "restartCount": 0,
        "state": {"terminated": {"reason": reason, "exitCode": exit_code}},
        **extra,
    }


def status_of(obj: dict) -> str:
    return cell("pods", obj, "Status")


def test_running_pod_prints_running_and_its_age():
    row = cells("pods", pod(statuses=[running()]))
    assert row[:5] == ["web1", "1/1", "Running", 0, "61s"]


def test_pod_without_container_statuses_prints_its_phase():
    assert status_of(pod(phase="Pending", statuses=None)) == "Pending"


def test_waiting_container_reason_becomes_the_status():
    obj = pod(phase="Pending", statuses=[waiting("ContainerCreating")])
    assert status_of(obj) == "ContainerCreating"


def test_crash_looping_pod_shows_reason_and_when_it_last_restarted():
    last = {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(300)}}
    obj = pod(statuses=[waiting("CrashLoopBackOff", restarts=5, lastState=last)])
    row = cells("pods", obj)
    assert row[2] == "CrashLoopBackOff"
    assert row[3] == "5 (5m ago)"


def test_restarts_without_a_known_finish_time_stay_a_plain_integer():
    assert cell("pods", pod(statuses=[running(restarts=3)]), "Restarts") == 3


def test_succeeded_pod_prints_completed():
    assert status_of(pod(phase="Succeeded", statuses=[terminated()])) == "Completed"


def test_completed_container_beside_a_running_ready_one_reads_running():
    statuses = [terminated(name="c0"), running(name="c1")]
    ready = [{"type": "Ready", "status": "True"}]
    assert status_of(pod(containers=2, statuses=statuses, conditions=ready)) == "Running"
    assert status_of(pod(containers=2, statuses=statuses, conditions=[])) == "NotReady"


def test_failed_container_beside_a_completed_one_shows_the_failure():
    statuses = [terminated(name="c0"), terminated("Error", 2, name="c1")]
    # The first container's state is the one read last, but an error is not hidden by it.
    assert status_of(pod(containers=2, statuses=statuses)) == "Error"


def test_terminated_container_without_reason_shows_exit_code_or_signal():
    no_reason = {"name": "c0", "state": {"terminated": {"exitCode": 137}}}
    assert status_of(pod(statuses=[no_reason])) == "ExitCode:137"
    no_reason["state"]["terminated"]["signal"] = 9
    assert status_of(pod(statuses=[no_reason])) == "Signal:9"


def test_pod_part_way_through_init_containers_prints_progress():
    obj = pod(
        phase="Pending",
        init_containers=2,
        init_statuses=[terminated(name="i0"), running(name="i1", ready=False)],
        statuses=[waiting("PodInitializing")],
    )
    assert status_of(obj) == "Init:1/2"


def test_init_container_that_has_not_started_counts_as_progress_zero():
    obj = pod(
        phase="Pending", init_containers=1, init_statuses=[waiting("PodInitializing", name="i0")]
    )
    assert status_of(obj) == "Init:0/1"


def test_failing_init_container_shows_its_reason_with_init_prefix():
    crash_loop = waiting("CrashLoopBackOff", name="i0", restarts=4)
    crash = pod(phase="Pending", init_containers=1, init_statuses=[crash_loop])
    assert status_of(crash) == "Init:CrashLoopBackOff"
    assert cell("pods", crash, "Restarts") == 4
    failed = terminated("Error", 1, name="i0")
    error = pod(phase="Pending", init_containers=1, init_statuses=[failed])
    assert status_of(error) == "Init:Error"


def test_deleted_pod_reads_terminating_unless_already_finished():
    assert status_of(pod(statuses=[running()], deleted=True)) == "Terminating"
    assert status_of(pod(phase="Succeeded", statuses=[terminated()], deleted=True)) == "Completed"


def test_deleted_pod_on_a_lost_node_reads_unknown():
    assert status_of(pod(statuses=[running()], deleted=True, reason="NodeLost")) == "Unknown"


def test_pod_status_reason_replaces_the_phase():
    assert status_of(pod(phase="Failed", reason="Evicted")) == "Evicted"


def test_scheduling_gated_pod_says_so():
    gated = [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]
    assert status_of(pod(phase="Pending", conditions=gated)) == "SchedulingGated"


def test_ready_counts_only_ready_running_containers():
    statuses = [running(name="c0"), running(name="c1", ready=False)]
    assert cell("pods", pod(containers=2, statuses=statuses), "Ready") == "1/2"


def test_started_sidecar_counts_as_a_ready_container():
    obj = pod(
        init_containers=1,
        init_statuses=[running(name="i0", started=True, restarts=2)],
        statuses=[running(restarts=1)],
        conditions=[{"type": "Initialized", "status": "True"}],
    )
    obj["spec"]["initContainers"][0]["restartPolicy"] = "Always"
    row = cells("pods", obj)
    assert row[1:4] == ["2/2", "Running", 3]


def test_pod_wide_columns_show_ip_node_and_readiness_gates():
    obj = pod(
        statuses=[running()],
        conditions=[{"type": "example.com/lb", "status": "True"}],
        nodeName="hollow-0",
        readinessGates=[{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}],
    )
    obj["status"]["podIPs"] = [{"ip": "192.168.192.168"}]
    assert cells("pods", obj)[5:] == ["192.168.192.168", "hollow-0", "<none>", "1/2"]


def test_pod_without_ip_node_or_gates_shows_none():
    assert cells("pods", pod(phase="Pending"))[5:] == ["<none>", "<none>", "<none>", "<none>"]


def test_pod_columns_match_upstream_names_and_priorities():
    columns = printer_for("pods").columns
    assert [(c["name"], c["priority"]) for c in columns] == [
        ("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0),
        ("IP", 1), ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1),
    ]
    assert columns[0]["format"] == "name"


# --- nodes ------------------------------------------------------------------------------------


def node(ready="True", unschedulable=False, labels=None) -> dict:
    return {
        "metadata": {"name": "hollow-0", "creationTimestamp": ago(411), "labels": labels or {}},
        "spec": {"unschedulable": True} if unschedulable else {},
        "status": {
            "conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {"type": "Ready", "status": ready},
            ],
            "addresses": [
                {"type": "InternalIP", "address": "10.0.0.7"},
                {"type": "Hostname", "address": "hollow-0"},
            ],
            "nodeInfo": {"kubeletVersion": "v1.33.0", "osImage": "Debian GNU/Linux 12"},
        },
    }


def test_cordoned_ready_node_shows_scheduling_disabled():
    assert cell("nodes", node(unschedulable=True), "Status") == "Ready,SchedulingDisabled"


def test_node_status_follows_the_ready_condition():
    assert cell("nodes", node(ready="False"), "Status") == "NotReady"
    assert cell("nodes", node(ready="Unknown"), "Status") == "NotReady"
    no_conditions = node()
    no_conditions["status"]["conditions"] = []
    assert cell("nodes", no_conditions, "Status") == "Unknown"


def test_node_roles_come_from_role_labels_sorted():
    labels = {
        "node-role.kubernetes.io/worker": "",
        "node-role.kubernetes.io/control-plane": "",
        "kubernetes.io/hostname": "hollow-0",
    }
    assert cell("nodes", node(labels=labels), "Roles") == "control-plane,worker"
    assert cell("nodes", node(labels={"kubernetes.io/role": "edge"}), "Roles") == "edge"
    assert cell("nodes", node(), "Roles") == "<none>"


def test_node_row_has_version_and_wide_system_info():
    assert cells("nodes", node()) == [
        "hollow-0", "Ready", "<none>", "6m51s", "v1.33.0",
        "10.0.0.7", "<none>", "Debian GNU/Linux 12", "<unknown>", "<unknown>",
    ]


# --- services and endpoints -------------------------------------------------------------------


def service(type_="ClusterIP", ports=None, **spec) -> dict:
    return {
        "metadata": {"name": "web", "creationTimestamp": ago(3 * 3600)},
        "spec": {"type": type_, "clusterIPs": ["10.96.0.10"], "ports": ports or [], **spec},
    }


def test_service_ports_show_node_ports_and_protocols():
    ports = [
        {"port": 80, "protocol": "TCP"},
        {"port": 443, "nodePort": 30443},
        {"port": 53, "protocol": "UDP"},
    ]
    obj = service("NodePort", ports, selector={"app": "web", "tier": "fe"})
    assert cells("services", obj) == [
        "web", "NodePort", "10.96.0.10", "<none>", "80/TCP,443:30443/TCP,53/UDP", "3h",
        "app=web,tier=fe",
    ]


def test_service_without_ports_or_selector_shows_none():
    row = cells("services", service())
    assert row[4] == "<none>"
    assert row[6] == "<none>"


def test_load_balancer_service_external_ip_is_pending_then_its_addresses():
    obj = service("LoadBalancer", [{"port": 80, "nodePort": 31000, "protocol": "TCP"}])
    assert cell("services", obj, "External-IP") == "<pending>"
    balancers = [{"ip": "203.0.113.9"}, {"hostname": "lb.example.com"}]
    obj["status"] = {"loadBalancer": {"ingress": balancers}}
    assert cell("services", obj, "External-IP") == "203.0.113.9,lb.example.com"


def test_external_name_service_shows_the_name_and_headless_shows_none_ip():
    external = service("ExternalName", externalName="db.example.com")
    assert cell("services", external, "External-IP") == "db.example.com"
    headless = service()
    headless["spec"]["clusterIPs"] = ["None"]
    assert cell("services", headless, "Cluster-IP") == "None"


def test_endpoints_list_three_addresses_then_a_count():
    subset = {
        "addresses": [{"ip": f"10.0.0.{i}"} for i in range(1, 5)],
        "ports": [{"port": 8080}],
    }
    obj = {"metadata": {"name": "web", "creationTimestamp": ago(5)}, "subsets": [subset]}
    expected = "10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more..."
    assert cell("endpoints", obj, "Endpoints") == expected
    assert cell("endpoints", {"metadata": {"name": "web"}}, "Endpoints") == "<none>"


def test_endpoint_slice_shows_address_type_ports_and_endpoints():
    obj = {
        "metadata": {"name": "web-abc12", "creationTimestamp": ago(5)},
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 80}, {"name": "metrics"}],
        "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"]}],
    }
    assert cells("endpointslices", obj) == [
        "web-abc12", "IPv4", "80,metrics", "10.0.0.1,10.0.0.2", "5s",
    ]


# --- workloads --------------------------------------------------------------------------------


def deployment(replicas=3, ready=2, updated=3, available=2) -> dict:
    return {
        "metadata": {"name": "d1", "creationTimestamp": ago(106)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "d1"}},
            "template": {
                "spec": {
                    "containers": [
                        {"name": "c", "image": "nginx:1.27"},
                        {"name": "side", "image": "busybox"},
                    ]
                }
            },
        },
        "status": {
            "readyReplicas": ready,
            "updatedReplicas": updated,
            "availableReplicas": available,
        },
    }


def test_deployment_ready_is_ready_over_desired():
    assert cells("deployments", deployment()) == [
        "d1", "2/3", 3, 2, "106s", "c,side", "nginx:1.27,busybox", "app=d1",
    ]


def test_new_deployment_without_status_shows_zero_ready():
    obj = deployment()
    del obj["status"]
    assert cells("deployments", obj)[1:4] == ["0/3", 0, 0]


def test_deployment_selector_prints_expressions_sorted_by_key():
    obj = deployment()
    obj["spec"]["selector"] = {
        "matchLabels": {"tier": "web"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    }
    assert cell("deployments", obj, "Selector") == "!canary,env in (dev,prod),tier=web"


def test_replica_set_and_daemon_set_rows():
    replica_set = deployment()
    replica_set["status"] = {"replicas": 3, "readyReplicas": 1}
    assert cells("replicasets", replica_set)[:5] == ["d1", 3, 3, 1, "106s"]
    daemon_set = {
        "metadata": {"name": "agent", "creationTimestamp": ago(60)},
        "spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}}}},
        "status": {
            "desiredNumberScheduled": 4,
            "currentNumberScheduled": 4,
            "numberReady": 3,
            "updatedNumberScheduled": 4,
            "numberAvailable": 3,
        },
    }
    assert cells("daemonsets", daemon_set) == [
        "agent", 4, 4, 3, 4, 3, "kubernetes.io/os=linux", "60s", "", "", "<none>",
    ]


def hpa(metrics=None, current=None, **spec) -> dict:
    return {
        "metadata": {"name": "d1", "creationTimestamp": ago(60)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d1"},
            "minReplicas": 1,
            "maxReplicas": 10,
            "metrics": metrics or [],
            **spec,
        },
        "status": {"currentReplicas": 2, "currentMetrics": current or []},
    }


CPU_80 = {
    "type": "Resource",
    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
}


def test_hpa_row_names_the_reference_and_the_cpu_target():
    measured = [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 50}}}
    ]
    assert cells("horizontalpodautoscalers", hpa([CPU_80], measured)) == [
        "d1", "Deployment/d1", "cpu: 50%/80%", "1", 10, 2, "60s",
    ]


def test_hpa_target_is_unknown_before_the_first_measurement():
    assert cell("horizontalpodautoscalers", hpa([CPU_80]), "Targets") == "cpu: <unknown>/80%"


def test_hpa_shows_two_metrics_then_a_count_and_unset_min():
    average_1k = {"type": "AverageValue", "averageValue": "1k"}
    average_30 = {"type": "AverageValue", "averageValue": "30"}
    pods_metric = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": average_1k}}
    external = {"type": "External", "external": {"metric": {"name": "q"}, "target": average_30}}
    obj = hpa([pods_metric, external, CPU_80])
    del obj["spec"]["minReplicas"]
    expected = "<unknown>/1k, <unknown>/30 (avg) + 1 more..."
    assert cell("horizontalpodautoscalers", obj, "Targets") == expected
    assert cell("horizontalpodautoscalers", obj, "MinPods") == "<unset>"
    assert cell("horizontalpodautoscalers", hpa(), "Targets") == "<none>"


def test_autoscaling_v1_hpa_prints_its_cpu_target():
    obj = hpa()
    del obj["spec"]["metrics"]
    obj["spec"]["targetCPUUtilizationPercentage"] = 80
    obj["status"] = {"currentReplicas": 1, "currentCPUUtilizationPercentage": 12}
    assert cell("horizontalpodautoscalers", obj, "Targets") == "cpu: 12%/80%"


# --- everything else --------------------------------------------------------------------------


def test_event_row_names_the_object_and_its_source():
    event = {
        "metadata": {"name": "web1.17a", "creationTimestamp": ago(120)},
        "involvedObject": {"kind": "Pod", "name": "web1", "fieldPath": "spec.containers{c}"},
        "reason": "Pulled",
        "message": "Container image already present\n",
        "source": {"component": "kubelet", "host": "hollow-0"},
        "firstTimestamp": ago(120),
        "lastTimestamp": ago(30),
        "type": "Normal",
    }
    assert cells("events", event) == [
        "30s", "Normal", "Pulled", "pod/web1", "spec.containers{c}", "kubelet, hollow-0",
        "Container image already present", "2m", 1, "web1.17a",
    ]


def test_event_from_the_new_api_uses_event_time_and_reporting_component():
    event = {
        "metadata": {"name": "e"},
        "involvedObject": {"kind": "Node"},
        "eventTime": "2026-11-28T04:59:00.123456Z",
        "reportingComponent": "scheduler",
        "series": {"count": 4, "lastObservedTime": "2026-11-28T04:59:50.000000Z"},
    }
    row = cells("events", event)
    assert row[0] == "10s"
    assert row[3] == "node"
    assert row[5] == "scheduler"
    # 59.88 seconds: durations truncate, as upstream's do.
    assert row[7:9] == ["59s", 4]


def test_secret_configmap_namespace_and_service_account_rows():
    secret = {"metadata": {"name": "s"}, "type": "Opaque", "data": {"a": "", "b": ""}}
    assert cells("secrets", secret) == ["s", "Opaque", 2, "<unknown>"]
    metadata = {"name": "x", "creationTimestamp": ago(5)}
    config_map = {"metadata": metadata, "data": {"a": "1"}, "binaryData": {"b": ""}}
    assert cells("configmaps", config_map) == ["x", 2, "5s"]
    namespace = {"metadata": metadata, "status": {"phase": "Active"}}
    assert cells("namespaces", namespace) == ["x", "Active", "5s"]
    assert cells("serviceaccounts", {"metadata": metadata}) == ["x", 0, "5s"]


def test_ingress_row_shows_class_hosts_address_and_ports():
    obj = {
        "metadata": {"name": "web", "creationTimestamp": ago(5)},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{"host": "a.example.com"}, {}],
            "tls": [{"hosts": ["a.example.com"]}],
        },
        "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}]}},
    }
    assert cells("ingresses", obj) == [
        "web", "nginx", "a.example.com", "203.0.113.9", "80, 443", "5s",
    ]
    many = {"metadata": {"name": "m"}, "spec": {"rules": [{"host": f"h{i}"} for i in range(5)]}}
    assert cells("ingresses", many)[1:5] == ["<none>", "h0,h1,h2 + 2 more...", "", "80"]


def test_storage_pv_and_pvc_rows():
    default_class = {
        "metadata": {
            "name": "standard",
            "creationTimestamp": ago(5),
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "rancher.io/local-path",
        "volumeBindingMode": "WaitForFirstConsumer",
    }
    assert cells("storageclasses", default_class) == [
        "standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", False,
        "5s",
    ]
    volume = {
        "metadata": {"name": "pv1", "creationTimestamp": ago(5)},
        "spec": {
            "capacity": {"storage": "10Gi"},
            "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain",
            "claimRef": {"namespace": "compat", "name": "data"},
            "storageClassName": "standard",
        },
        "status": {"phase": "Bound"},
    }
    assert cells("persistentvolumes", volume) == [
        "pv1", "10Gi", "RWO,RWX", "Retain", "Bound", "compat/data", "standard", "<unset>", "",
        "5s", "<unset>",
    ]
    claim = {
        "metadata": {"name": "data", "creationTimestamp": ago(5)},
        "spec": {"storageClassName": "standard", "resources": {"requests": {"storage": "1Gi"}}},
        "status": {"phase": "Pending"},
    }
    assert cells("persistentvolumeclaims", claim) == [
        "data", "Pending", "", "", "", "standard", "<unset>", "5s", "<unset>",
    ]


def test_resource_quota_splits_requests_from_limits():
    quota = {
        "metadata": {"name": "q", "creationTimestamp": ago(5)},
        "status": {
            "hard": {"pods": "10", "limits.cpu": "2", "requests.cpu": "1"},
            "used": {"pods": "3"},
        },
    }
    assert cells("resourcequotas", quota) == [
        "q", "5s", "pods: 3/10, requests.cpu: 0/1", "limits.cpu: 0/2",
    ]


def test_lease_limit_range_and_ingress_class_rows():
    metadata = {"name": "x", "creationTimestamp": ago(5)}
    assert cells("leases", {"metadata": metadata, "spec": {"holderIdentity": "paddock-1"}}) == [
        "x", "paddock-1", "5s",
    ]
    # Upstream has no limit range printer: the default table shows the creation time itself.
    assert cells("limitranges", {"metadata": metadata}) == ["x", metadata["creationTimestamp"]]
    ingress_class = {
        "metadata": metadata,
        "spec": {
            "controller": "k8s.io/ingress-nginx",
            "parameters": {"apiGroup": "k8s.example.com", "kind": "Params", "name": "p"},
        },
    }
    assert cells("ingressclasses", ingress_class) == [
        "x", "k8s.io/ingress-nginx", "Params.k8s.example.com/p", "5s",
    ]


def test_unknown_resource_prints_name_and_age():
    widget = {"metadata": {"name": "w", "creationTimestamp": ago(90)}}
    table = build_table("widgets", [widget], {}, now=NOW)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Age"]
    assert table["rows"][0]["cells"] == ["w", "90s"]


@pytest.mark.parametrize("resource", sorted({r.name for r in RESOURCES if r.name != "bindings"}))
def test_every_served_resource_has_columns_that_fit_even_a_bare_object(resource):
    assert resource in PRINTERS
    table = build_table(resource, [{"metadata": {"name": "x"}}], {}, now=NOW)
    columns = table["columnDefinitions"]
    assert len(table["rows"][0]["cells"]) == len(columns)
    for column in columns:
        assert set(column) == {"name", "type", "format", "description", "priority"}
        assert column["description"]
    names = [c for c in columns if c["name"] == "Name"]
    assert len(names) == 1
    assert names[0]["format"] == "name"


# --- the Table itself -------------------------------------------------------------------------


def test_table_envelope_carries_list_metadata_and_columns():
    metadata = {"resourceVersion": "614", "continue": "abc"}
    table = build_table("pods", [pod(statuses=[running()])], metadata, now=NOW)
    assert list(table) == ["kind", "apiVersion", "metadata", "columnDefinitions", "rows"]
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"] is metadata


def test_rows_carry_partial_object_metadata_by_default():
    obj = pod(statuses=[running()])
    row = build_table("pods", [obj], {}, now=NOW)["rows"][0]
    assert row["object"] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj["metadata"],
    }


def test_include_object_selects_whole_object_or_nothing():
    obj = pod(statuses=[running()])
    assert build_table("pods", [obj], {}, "Object", now=NOW)["rows"][0]["object"] is obj
    assert "object" not in build_table("pods", [obj], {}, "None", now=NOW)["rows"][0]
    with pytest.raises(ValueError, match="includeObject"):
        build_table("pods", [obj], {}, "Everything", now=NOW)


def test_watch_follow_up_tables_leave_out_column_definitions():
    table = build_table("pods", [pod()], {"resourceVersion": "7"}, now=NOW, with_columns=False)
    assert "columnDefinitions" not in table
    assert len(table["rows"]) == 1


def test_empty_list_gives_a_table_with_no_rows():
    table = build_table("pods", [], {"resourceVersion": "1"}, now=NOW)
    assert table["rows"] == []
    assert len(table["columnDefinitions"]) == 9


def test_age_defaults_to_the_current_time():
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    obj = {"metadata": {"name": "w", "creationTimestamp": created}}
    assert build_table("configmaps", [obj], {})["rows"][0]["cells"][2] in ("0s", "1s", "2s")


def test_ten_thousand_pods_print_well_under_a_second():
    pods = []
    for i in range(10_000):
        obj = pod(statuses=[running(restarts=i % 3)], nodeName=f"hollow-{i % 100}")
        obj["metadata"]["name"] = f"web-{i}"
        obj["metadata"]["creationTimestamp"] = ago(i)
        obj["status"]["podIPs"] = [{"ip": f"10.1.{i // 256}.{i % 256}"}]
        pods.append(obj)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        table = build_table("pods", pods, {"resourceVersion": "1"}, now=NOW)
        best = min(best, time.perf_counter() - started)
    assert len(table["rows"]) == 10_000
    assert table["rows"][-1]["cells"][4] == human_duration(9_999)
    assert best < 0.5, f"10,000 pods took {best:.3f}s"
