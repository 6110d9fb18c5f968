"""Defaulting: what a real cluster adds to objects as clients send them."""

import copy

import pytest

from paddock.core.defaults import apply_defaults


def kubectl_run_pod() -> dict:
    """The body `kubectl run web1 --image=nginx` POSTs (the apiserver fills the namespace)."""
    return {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {"name": "web1", "namespace": "default", "creationTimestamp": None,
                     "labels": {"run": "web1"}},
        "spec": {"containers": [{"name": "web1", "image": "nginx", "resources": {}}],
                 "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"},
        "status": {},
    }


def kubectl_create_deployment() -> dict:
    """The body `kubectl create deployment web --image=nginx` sends."""
    return {
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": "web", "namespace": "default", "creationTimestamp": None,
                     "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]},
            },
            "strategy": {},
        },
        "status": {},
    }


DEFAULTED_CONTAINER = {
    "name": "web1", "image": "nginx", "resources": {}, "imagePullPolicy": "Always",
    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
}
NODE_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
     "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
     "tolerationSeconds": 300},
]


def test_kubectl_run_pod_gets_what_a_real_cluster_stores():
    pod = kubectl_run_pod()
    apply_defaults("", "Pod", pod)
    # As `kubectl get pod web1 -o json` shows it, less server metadata and the
    # service-account token volume.
    assert pod["spec"] == {
        "containers": [DEFAULTED_CONTAINER],
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "serviceAccount": "default",
        "priority": 0,
        "preemptionPolicy": "PreemptLowerPriority",
        "tolerations": NODE_TOLERATIONS,
    }
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert pod["metadata"]["labels"] == {"run": "web1"}


def test_kubectl_create_deployment_gets_what_a_real_cluster_stores():
    deployment = kubectl_create_deployment()
    apply_defaults("apps", "Deployment", deployment)
    assert deployment["spec"] == {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"type": "RollingUpdate",
                     "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
        "revisionHistoryLimit": 10,
        "progressDeadlineSeconds": 600,
        "template": {
            "metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
            "spec": {
                "containers": [dict(DEFAULTED_CONTAINER, name="nginx")],
                "restartPolicy": "Always",
                "dnsPolicy": "ClusterFirst",
                "securityContext": {},
                "terminationGracePeriodSeconds": 30,
                "schedulerName": "default-scheduler",
            },
        },
    }


def test_defaulting_twice_changes_nothing_more():
    for group, kind, build in (("", "Pod", kubectl_run_pod),
                               ("apps", "Deployment", kubectl_create_deployment)):
        once = build()
        apply_defaults(group, kind, once)
        twice = copy.deepcopy(once)
        apply_defaults(group, kind, twice)
        assert twice == once


def test_given_values_are_kept():
    pod = kubectl_run_pod()
    pod["spec"].update(restartPolicy="Never", terminationGracePeriodSeconds=5,
                       serviceAccountName="robot", schedulerName="mine")
    pod["spec"]["containers"][0]["imagePullPolicy"] = "Never"
    apply_defaults("", "Pod", pod)
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["spec"]["terminationGracePeriodSeconds"] == 5
    assert pod["spec"]["serviceAccountName"] == pod["spec"]["serviceAccount"] == "robot"
    assert pod["spec"]["schedulerName"] == "mine"
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "Never"


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.25", "IfNotPresent"),
        ("registry.k8s.io/pause:3.9", "IfNotPresent"),
        ("localhost:5000/app", "Always"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
        ("nginx:latest@sha256:" + "a" * 64, "Always"),
        ("NotAnImage", "IfNotPresent"),
    ],
)
def test_image_pull_policy_follows_the_tag(image, policy):
    pod = kubectl_run_pod()
    pod["spec"]["containers"][0]["image"] = image
    apply_defaults("", "Pod", pod)
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_container_details_get_their_defaults():
    pod = kubectl_run_pod()
    container = pod["spec"]["containers"][0]
    container["ports"] = [{"containerPort": 80}]
    container["livenessProbe"] = {"httpGet": {"port": 80}}
    container["readinessProbe"] = {"grpc": {"port": 9000}, "periodSeconds": 3}
    container["lifecycle"] = {"preStop": {"httpGet": {"port": 80, "path": "/quit"}}}
    container["env"] = [
        {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
    ]
    apply_defaults("", "Pod", pod)
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert container["livenessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert container["readinessProbe"]["grpc"] == {"port": 9000, "service": ""}
    assert container["readinessProbe"]["periodSeconds"] == 3
    assert container["lifecycle"]["preStop"]["httpGet"] == {
        "port": 80, "path": "/quit", "scheme": "HTTP"}
    assert container["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1"
    assert container["env"][1]["valueFrom"]["resourceFieldRef"]["divisor"] == "0"


def test_volumes_get_file_modes_and_a_default_source():
    pod = kubectl_run_pod()
    pod["spec"]["volumes"] = [
        {"name": "scratch"},
        {"name": "s", "secret": {"secretName": "s"}},
        {"name": "c", "configMap": {"name": "c", "defaultMode": 256}},
        {"name": "d", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
        {"name": "p", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
        {"name": "h", "hostPath": {"path": "/tmp"}},
    ]
    apply_defaults("", "Pod", pod)
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["scratch"] == {"name": "scratch", "emptyDir": {}}
    assert volumes["s"]["secret"]["defaultMode"] == 420
    assert volumes["c"]["configMap"]["defaultMode"] == 256
    assert volumes["d"]["downwardAPI"]["defaultMode"] == 420
    assert volumes["d"]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"] == "v1"
    assert volumes["p"]["projected"] == {
        "defaultMode": 420,
        "sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]}
    assert volumes["h"]["hostPath"] == {"path": "/tmp", "type": ""}


def test_pod_requests_default_to_limits_and_quantities_are_canonical():
    pod = kubectl_run_pod()
    pod["spec"]["containers"][0]["resources"] = {
        "limits": {"cpu": "0.5", "memory": "1.5Gi"}, "requests": {"cpu": "0.0001"}}
    apply_defaults("", "Pod", pod)
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "1536Mi"},
        "requests": {"cpu": "1m", "memory": "1536Mi"},  # 0.1m rounds up to 1m
    }
    assert pod["status"]["qosClass"] == "Burstable"


@pytest.mark.parametrize(
    ("resources", "qos"),
    [
        ({}, "BestEffort"),
        ({"limits": {"cpu": "1", "memory": "1Gi"}}, "Guaranteed"),
        ({"requests": {"cpu": "1"}}, "Burstable"),
        ({"limits": {"cpu": "1"}}, "Burstable"),
        ({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "1Gi"}},
         "Burstable"),
    ],
)
def test_pod_status_records_its_qos_class(resources, qos):
    pod = kubectl_run_pod()
    pod["spec"]["containers"][0]["resources"] = resources
    apply_defaults("", "Pod", pod)
    assert pod["status"]["qosClass"] == qos


def test_templates_do_not_get_pod_only_defaults():
    deployment = kubectl_create_deployment()
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "limits": {"cpu": "1"}}
    apply_defaults("apps", "Deployment", deployment)
    template_spec = deployment["spec"]["template"]["spec"]
    assert template_spec["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    for pod_only in ("enableServiceLinks", "serviceAccountName", "priority", "tolerations"):
        assert pod_only not in template_spec


def test_existing_node_tolerations_are_respected():
    pod = kubectl_run_pod()
    pod["spec"]["tolerations"] = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                   "effect": "NoExecute", "tolerationSeconds": 10}]
    apply_defaults("", "Pod", pod)
    assert [t["key"] for t in pod["spec"]["tolerations"]] == [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    assert pod["spec"]["tolerations"][0]["tolerationSeconds"] == 10
    tolerate_all = kubectl_run_pod()
    tolerate_all["spec"]["tolerations"] = [{"operator": "Exists"}]
    apply_defaults("", "Pod", tolerate_all)
    assert tolerate_all["spec"]["tolerations"] == [{"operator": "Exists"}]


def test_host_network_pods_default_host_ports():
    pod = kubectl_run_pod()
    pod["spec"]["hostNetwork"] = True
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": 8080}]
    apply_defaults("", "Pod", pod)
    assert pod["spec"]["containers"][0]["ports"][0]["hostPort"] == 8080


def test_system_priority_classes_set_the_priority():
    pod = kubectl_run_pod()
    pod["spec"]["priorityClassName"] = "system-node-critical"
    apply_defaults("", "Pod", pod)
    assert pod["spec"]["priority"] == 2000001000


def test_cluster_ip_service_defaults():
    service = {"metadata": {"name": "web", "namespace": "default"},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    apply_defaults("", "Service", service)
    assert service["spec"] == {
        "selector": {"app": "web"},
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "sessionAffinity": "None",
        "type": "ClusterIP",
        "internalTrafficPolicy": "Cluster",
        "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"],
    }
    assert service["status"] == {"loadBalancer": {}}


def test_external_services_get_traffic_policies():
    node_port = {"spec": {"type": "NodePort", "ports": [{"port": 80, "targetPort": "http"}]}}
    apply_defaults("", "Service", node_port)
    assert node_port["spec"]["externalTrafficPolicy"] == "Cluster"
    assert node_port["spec"]["ports"][0]["targetPort"] == "http"
    balancer = {"spec": {"type": "LoadBalancer", "ports": [{"port": 443}]}}
    apply_defaults("", "Service", balancer)
    assert balancer["spec"]["allocateLoadBalancerNodePorts"] is True
    external = {"spec": {"type": "ExternalName", "externalName": "example.com"}}
    apply_defaults("", "Service", external)
    assert "ipFamilies" not in external["spec"]
    assert "internalTrafficPolicy" not in external["spec"]


def test_service_cluster_ips_follow_cluster_ip():
    service = {"spec": {"clusterIP": "fd00::10", "ports": [{"port": 80}]}}
    apply_defaults("", "Service", service)
    assert service["spec"]["clusterIPs"] == ["fd00::10"]
    assert service["spec"]["ipFamilies"] == ["IPv6"]
    headless = {"spec": {"clusterIP": "None"}}
    apply_defaults("", "Service", headless)
    assert headless["spec"]["ipFamilyPolicy"] == "RequireDualStack"
    assert headless["spec"]["ipFamilies"] == ["IPv4"]


def test_client_ip_affinity_gets_a_timeout():
    service = {"spec": {"sessionAffinity": "ClientIP", "ports": [{"port": 80}]}}
    apply_defaults("", "Service", service)
    assert service["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}


def test_replication_controller_takes_selector_and_labels_from_its_template():
    rc = {"metadata": {"name": "rc"},
          "spec": {"template": {"metadata": {"labels": {"app": "web"}},
                                "spec": {"containers": [{"name": "c", "image": "i:1"}]}}}}
    apply_defaults("", "ReplicationController", rc)
    assert rc["spec"]["selector"] == {"app": "web"}
    assert rc["metadata"]["labels"] == {"app": "web"}
    assert rc["spec"]["replicas"] == 1
    assert rc["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


def test_daemon_set_and_replica_set_defaults():
    daemon_set = {"spec": {"template": {"spec": {"containers": []}}}}
    apply_defaults("apps", "DaemonSet", daemon_set)
    assert daemon_set["spec"]["updateStrategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert daemon_set["spec"]["revisionHistoryLimit"] == 10
    replica_set: dict = {"spec": {}}
    apply_defaults("apps", "ReplicaSet", replica_set)
    assert replica_set["spec"]["replicas"] == 1


def test_recreate_deployments_get_no_rolling_update():
    deployment = kubectl_create_deployment()
    deployment["spec"]["strategy"] = {"type": "Recreate"}
    apply_defaults("apps", "Deployment", deployment)
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_hpa_v2_defaults_to_cpu_utilization():
    hpa = {"apiVersion": "autoscaling/v2", "spec": {"maxReplicas": 5}}
    apply_defaults("autoscaling", "HorizontalPodAutoscaler", hpa)
    assert hpa["spec"] == {
        "maxReplicas": 5, "minReplicas": 1,
        "metrics": [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}],
    }


def test_hpa_behavior_is_filled_in():
    hpa = {"spec": {"maxReplicas": 5,
                    "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}}
    apply_defaults("autoscaling", "HorizontalPodAutoscaler", hpa)
    assert hpa["spec"]["behavior"]["scaleUp"]["policies"] == [
        {"type": "Pods", "value": 4, "periodSeconds": 15},
        {"type": "Percent", "value": 100, "periodSeconds": 15}]
    assert hpa["spec"]["behavior"]["scaleDown"] == {
        "selectPolicy": "Max", "stabilizationWindowSeconds": 60,
        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def test_hpa_v1_gets_only_min_replicas():
    hpa = {"apiVersion": "autoscaling/v1", "spec": {"maxReplicas": 3}}
    apply_defaults("autoscaling", "HorizontalPodAutoscaler", hpa)
    assert hpa["spec"] == {"maxReplicas": 3, "minReplicas": 1}


def test_secret_defaults_to_opaque_and_folds_string_data():
    secret = {"metadata": {"name": "s"}, "data": {"a": "b2xk"},
              "stringData": {"a": "new", "b": "x"}}
    apply_defaults("", "Secret", secret)
    assert secret["type"] == "Opaque"
    assert secret["data"] == {"a": "bmV3", "b": "eA=="}
    assert "stringData" not in secret


def test_namespace_defaults():
    namespace = {"metadata": {"name": "team-a"}}
    apply_defaults("", "Namespace", namespace)
    assert namespace == {
        "metadata": {"name": "team-a", "labels": {"kubernetes.io/metadata.name": "team-a"}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def test_node_allocatable_defaults_to_capacity():
    node = {"status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}
    apply_defaults("", "Node", node)
    assert node["status"]["allocatable"] == {"cpu": "4", "memory": "8Gi", "pods": "110"}


def test_persistent_volume_and_claim_defaults():
    pv = {"spec": {"capacity": {"storage": "1024Mi"}, "hostPath": {"path": "/data"}}}
    apply_defaults("", "PersistentVolume", pv)
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["volumeMode"] == "Filesystem"
    assert pv["spec"]["capacity"] == {"storage": "1Gi"}
    assert pv["status"] == {"phase": "Pending"}
    pvc = {"spec": {"resources": {"requests": {"storage": "1G"}}}}
    apply_defaults("", "PersistentVolumeClaim", pvc)
    assert pvc["spec"]["volumeMode"] == "Filesystem"
    assert pvc["status"] == {"phase": "Pending"}


def test_endpoint_ports_default_to_tcp():
    endpoints = {"subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]}
    apply_defaults("", "Endpoints", endpoints)
    assert endpoints["subsets"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]
    endpoint_slice = {"addressType": "IPv4", "ports": [{"port": 80}]}
    apply_defaults("discovery.k8s.io", "EndpointSlice", endpoint_slice)
    assert endpoint_slice["ports"] == [{"port": 80, "name": "", "protocol": "TCP"}]


def test_storage_and_ingress_class_defaults():
    storage_class = {"provisioner": "example.com/disk"}
    apply_defaults("storage.k8s.io", "StorageClass", storage_class)
    assert storage_class["reclaimPolicy"] == "Delete"
    assert storage_class["volumeBindingMode"] == "Immediate"
    ingress_class = {"spec": {"controller": "example.com/ingress",
                              "parameters": {"kind": "Config", "name": "c"}}}
    apply_defaults("networking.k8s.io", "IngressClass", ingress_class)
    assert ingress_class["spec"]["parameters"]["scope"] == "Cluster"


def test_limit_range_container_defaults_come_from_max_and_min():
    limit_range = {"spec": {"limits": [{"type": "Container", "max": {"cpu": "2"},
                                        "min": {"memory": "64Mi"}}]}}
    apply_defaults("", "LimitRange", limit_range)
    item = limit_range["spec"]["limits"][0]
    assert item["default"] == {"cpu": "2"}
    assert item["defaultRequest"] == {"cpu": "2", "memory": "64Mi"}


def test_event_gets_the_fields_v1_always_writes():
    event = {"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod"}, "reason": "Started"}
    apply_defaults("", "Event", event)
    assert event["source"] == {}
    assert event["reportingComponent"] == "" and event["reportingInstance"] == ""
    assert event["eventTime"] is None


@pytest.mark.parametrize(
    ("group", "kind"),
    [("", "Pod"), ("apps", "Deployment"), ("", "Service"), ("", "Secret"),
     ("", "Namespace"), ("autoscaling", "HorizontalPodAutoscaler")],
)
def test_values_of_the_wrong_type_are_left_for_validation(group, kind):
    obj = {"metadata": "nope", "spec": {"containers": "x", "template": 3, "ports": {"a": 1},
                                        "strategy": [], "metrics": "x"},
           "stringData": 5}
    apply_defaults(group, kind, obj)  # must not raise
    assert obj["spec"]["containers"] == "x"


def test_unknown_kinds_are_left_alone():
    obj = {"spec": {}}
    apply_defaults("example.com", "Widget", obj)
    assert obj == {"spec": {}}
