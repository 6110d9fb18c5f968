"""Validation: upstream's field paths, reasons and messages for every served kind."""

import copy
from collections.abc import Callable

import pytest

from paddock.core.defaults import apply_defaults
from paddock.core.validation import invalid_message, validate, validate_name

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


def defaulted(group: str, kind: str, obj: dict) -> dict:
    apply_defaults(group, kind, obj)
    return obj


def pod(**spec) -> dict:
    """A defaulted `kubectl run web1 --image=nginx` pod, with spec fields replaced."""
    body: dict = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web1", "namespace": "default", "labels": {"run": "web1"}},
        "spec": {"containers": [{"name": "web1", "image": "nginx", "resources": {}}],
                 "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"},
        "status": {},
    }
    body["spec"].update(spec)
    return defaulted("", "Pod", body)


def deployment(**spec) -> dict:
    """A defaulted `kubectl create deployment web --image=nginx`, with spec fields replaced."""
    body: dict = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}},
            "strategy": {},
        },
    }
    body["spec"].update(spec)
    return defaulted("apps", "Deployment", body)


def service(**spec) -> dict:
    body: dict = {"metadata": {"name": "web", "namespace": "default"},
                  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    body["spec"].update(spec)
    return defaulted("", "Service", body)


def causes(group: str, kind: str, obj: dict, old: dict | None = None) -> list[tuple[str, str, str]]:
    return [(c["field"], c["reason"], c["message"]) for c in validate(group, kind, obj, old)]


# -- objects clients really send validate clean ----------------------------------------------

def test_kubectl_run_pod_is_valid_after_defaulting():
    assert validate("", "Pod", pod()) == []


def test_kubectl_create_deployment_is_valid_after_defaulting():
    assert validate("apps", "Deployment", deployment()) == []


VALID_OBJECTS: list[tuple[str, str, dict]] = [
    ("", "Service", {"metadata": {"name": "web", "namespace": "default"},
                     "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
    ("", "Service", {"metadata": {"name": "db", "namespace": "default"},
                     "spec": {"clusterIP": "None", "selector": {"app": "db"}}}),
    ("", "Service", {"metadata": {"name": "ext", "namespace": "default"},
                     "spec": {"type": "ExternalName", "externalName": "example.com."}}),
    ("", "ConfigMap", {"metadata": {"name": "cfg", "namespace": "default"},
                       "data": {"app.properties": "a=b"}}),
    ("", "Secret", {"metadata": {"name": "s", "namespace": "default"}, "data": {"k": "dg=="}}),
    ("", "Namespace", {"metadata": {"name": "team-a"}}),
    ("", "Node", {"metadata": {"name": "node-1.example"},
                  "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}),
    ("", "ServiceAccount", {"metadata": {"name": "robot", "namespace": "default"}}),
    ("", "ReplicationController", {
        "metadata": {"name": "rc", "namespace": "default"},
        "spec": {"template": {"metadata": {"labels": {"app": "x"}},
                              "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}),
    ("", "Endpoints", {"metadata": {"name": "web", "namespace": "default"},
                       "subsets": [{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 80}]}]}),
    ("", "Event", {"metadata": {"name": "web1.1", "namespace": "default"},
                   "involvedObject": {"kind": "Pod", "name": "web1", "namespace": "default"},
                   "reason": "Started", "message": "ok", "type": "Normal"}),
    ("", "PersistentVolume", {"metadata": {"name": "pv1"},
                              "spec": {"capacity": {"storage": "1Gi"},
                                       "accessModes": ["ReadWriteOnce"],
                                       "hostPath": {"path": "/data"}}}),
    ("", "PersistentVolumeClaim", {"metadata": {"name": "claim", "namespace": "default"},
                                   "spec": {"accessModes": ["ReadWriteOnce"],
                                            "resources": {"requests": {"storage": "1Gi"}}}}),
    ("", "LimitRange", {"metadata": {"name": "lr", "namespace": "default"},
                        "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"},
                                             "min": {"cpu": "100m"}}]}}),
    ("", "ResourceQuota", {"metadata": {"name": "q", "namespace": "default"},
                           "spec": {"hard": {"pods": "10", "requests.cpu": "4",
                                             "count/deployments.apps": "5"}}}),
    ("", "Binding", {"metadata": {"name": "web1", "namespace": "default"},
                     "target": {"kind": "Node", "name": "node-1"}}),
    ("apps", "ReplicaSet", {"metadata": {"name": "rs", "namespace": "default"},
                            "spec": {"selector": {"matchLabels": {"app": "x"}},
                                     "template": {"metadata": {"labels": {"app": "x"}},
                                                  "spec": {"containers": [
                                                      {"name": "c", "image": "busybox"}]}}}}),
    ("apps", "DaemonSet", {"metadata": {"name": "ds", "namespace": "default"},
                           "spec": {"selector": {"matchExpressions": [
                               {"key": "app", "operator": "In", "values": ["x"]}]},
                               "template": {"metadata": {"labels": {"app": "x"}},
                                            "spec": {"containers": [
                                                {"name": "c", "image": "busybox"}]}}}}),
    ("autoscaling", "HorizontalPodAutoscaler", {
        "apiVersion": "autoscaling/v2", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "maxReplicas": 5}}),
    ("autoscaling", "HorizontalPodAutoscaler", {
        "apiVersion": "autoscaling/v1", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5,
                 "targetCPUUtilizationPercentage": 50}}),
    ("networking.k8s.io", "Ingress", {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"rules": [{"host": "web.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix",
             "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}),
    ("networking.k8s.io", "IngressClass", {"metadata": {"name": "nginx"},
                                           "spec": {"controller": "k8s.io/ingress-nginx"}}),
    ("storage.k8s.io", "StorageClass", {"metadata": {"name": "fast"},
                                        "provisioner": "kubernetes.io/no-provisioner"}),
    ("coordination.k8s.io", "Lease", {"metadata": {"name": "node-1",
                                                   "namespace": "kube-node-lease"},
                                      "spec": {"holderIdentity": "node-1",
                                               "leaseDurationSeconds": 40}}),
    ("discovery.k8s.io", "EndpointSlice", {
        "metadata": {"name": "web-abc", "namespace": "default"}, "addressType": "IPv4",
        "endpoints": [{"addresses": ["10.1.2.3"]}], "ports": [{"port": 80}]}),
]


@pytest.mark.parametrize(("group", "kind", "obj"), VALID_OBJECTS,
                         ids=[f"{k}-{i}" for i, (_, k, _) in enumerate(VALID_OBJECTS)])
def test_typical_objects_are_valid_after_defaulting(group, kind, obj):
    assert causes(group, kind, defaulted(group, kind, copy.deepcopy(obj))) == []


# -- upstream's message shapes ---------------------------------------------------------------

def test_invalid_name_has_the_rfc_1123_message():
    bad = pod()
    bad["metadata"]["name"] = "Bad_Name"
    assert causes("", "Pod", bad) == [
        ("metadata.name", "FieldValueInvalid", f'Invalid value: "Bad_Name": {SUBDOMAIN_MSG}')]


def test_missing_image_is_a_required_value():
    bad = pod()
    del bad["spec"]["containers"][0]["image"]
    assert causes("", "Pod", bad) == [
        ("spec.containers[0].image", "FieldValueRequired", "Required value")]


def test_unknown_restart_policy_lists_supported_values():
    assert causes("", "Pod", pod(restartPolicy="Sometimes")) == [
        ("spec.restartPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"')]


def test_changed_name_is_immutable():
    old = pod()
    new = copy.deepcopy(old)
    new["metadata"]["name"] = "web2"
    assert ("metadata.name", "FieldValueInvalid", 'Invalid value: "web2": field is immutable') \
        in causes("", "Pod", new, old)


def test_duplicate_container_names_are_duplicate_values():
    container = {"name": "a", "image": "nginx"}
    assert causes("", "Pod", pod(containers=[dict(container), dict(container)])) == [
        ("spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "a"')]


def test_annotations_over_256_kib_are_too_long():
    bad = pod()
    bad["metadata"]["annotations"] = {"big": "x" * (256 * 1024)}
    assert causes("", "Pod", bad) == [
        ("metadata.annotations", "FieldValueTooLong", "Too long: must have at most 262144 bytes")]


def test_values_of_the_wrong_json_type_are_type_invalid():
    bad = pod()
    bad["spec"]["containers"][0]["ports"] = "80"
    assert causes("", "Pod", bad) == [
        ("spec.containers[0].ports", "FieldValueTypeInvalid",
         'Invalid value: "80": must be of type array')]


def test_invalid_message_has_upstream_aggregate_format():
    one = [{"reason": "FieldValueRequired", "message": "Required value",
            "field": "spec.containers[0].image"}]
    assert invalid_message("Pod", "web1", one) == \
        'Pod "web1" is invalid: spec.containers[0].image: Required value'
    two = one + [{"reason": "FieldValueInvalid", "message": 'Invalid value: "Bad_Name": x',
                  "field": "metadata.name"}]
    assert invalid_message("Pod", "web1", two) == (
        'Pod "web1" is invalid: [spec.containers[0].image: Required value, '
        'metadata.name: Invalid value: "Bad_Name": x]')
    assert invalid_message("Deployment", "web", one + one, group="apps") == \
        'Deployment.apps "web" is invalid: spec.containers[0].image: Required value'
    assert invalid_message("Pod", "web1", []) == 'Pod "web1" is invalid'


def test_validate_name_uses_each_kinds_rule():
    assert validate_name("Pod", "web.v1") == []
    assert validate_name("Service", "1web") == [DNS1035_MSG]
    assert validate_name("Namespace", "a.b") == ["must not contain dots"]
    assert validate_name("Node", "x" * 254) == ["must be no more than 253 characters"]


# -- metadata --------------------------------------------------------------------------------

def meta_case(change: Callable[[dict], None]) -> list[tuple[str, str, str]]:
    obj = pod()
    change(obj["metadata"])
    return causes("", "Pod", obj)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.pop("name"),
         ("metadata.name", "FieldValueRequired",
          "Required value: name or generateName is required")),
        (lambda m: m.update(name="", generateName="web-"), None),
        (lambda m: m.update(name="", generateName="Web-"),
         ("metadata.generateName", "FieldValueInvalid", f'Invalid value: "Web-": {SUBDOMAIN_MSG}')),
        (lambda m: m.pop("namespace"),
         ("metadata.namespace", "FieldValueRequired", "Required value")),
        (lambda m: m.update(labels={"app": "a b"}),
         ("metadata.labels", "FieldValueInvalid", f'Invalid value: "a b": {LABEL_VALUE_MSG}')),
        (lambda m: m.update(labels={"bad key!": "x"}),
         ("metadata.labels", "FieldValueInvalid", f'Invalid value: "bad key!": {NAME_PART_MSG}')),
        (lambda m: m.update(labels={"x": "v" * 64}),
         ("metadata.labels", "FieldValueInvalid",
          f'Invalid value: "{"v" * 64}": must be no more than 63 characters')),
        (lambda m: m.update(annotations={"/x": "y"}),
         ("metadata.annotations", "FieldValueInvalid",
          'Invalid value: "/x": prefix part must be non-empty')),
        (lambda m: m.update(generation=-1),
         ("metadata.generation", "FieldValueInvalid",
          "Invalid value: -1: must be greater than or equal to 0")),
        (lambda m: m.update(finalizers=["custom"]),
         ("metadata.finalizers[0]", "FieldValueInvalid", 'Invalid value: "custom": name is '
          "neither a standard finalizer name nor is it fully qualified")),
        (lambda m: m.update(ownerReferences=[{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": "rs"}]),
         ("metadata.ownerReferences.uid", "FieldValueInvalid",
          'Invalid value: "": must not be empty')),
    ],
)
def test_object_metadata_rules(change, expected):
    assert meta_case(change) == ([expected] if expected else [])


def test_cluster_scoped_objects_may_not_have_a_namespace():
    namespace = defaulted("", "Namespace", {"metadata": {"name": "a", "namespace": "b"}})
    assert causes("", "Namespace", namespace) == [
        ("metadata.namespace", "FieldValueForbidden", "Forbidden: not allowed on this type")]


@pytest.mark.parametrize(
    ("key", "value"),
    [("namespace", "other"), ("uid", "u2"), ("creationTimestamp", "2024-01-02T00:00:00Z")],
)
def test_identity_metadata_is_immutable(key, value):
    old = pod()
    old["metadata"].update(uid="u1", creationTimestamp="2024-01-01T00:00:00Z")
    new = copy.deepcopy(old)
    new["metadata"][key] = value
    found = [c for c in causes("", "Pod", new, old) if c[0] == f"metadata.{key}"]
    assert found and found[0][2].endswith(": field is immutable")


def test_creation_timestamp_is_shown_as_go_prints_times():
    old = pod()
    old["metadata"]["creationTimestamp"] = "2024-01-01T00:00:00Z"
    new = copy.deepcopy(old)
    new["metadata"]["creationTimestamp"] = "2024-01-02T03:04:05Z"
    assert ("metadata.creationTimestamp", "FieldValueInvalid",
            "Invalid value: 2024-01-02 03:04:05 +0000 UTC: field is immutable") \
        in causes("", "Pod", new, old)


# -- pods ------------------------------------------------------------------------------------

def container(**fields) -> dict:
    body = {"name": "c", "image": "nginx:1", "imagePullPolicy": "IfNotPresent",
            "terminationMessagePolicy": "File", "terminationMessagePath": "/dev/termination-log"}
    body.update(fields)
    return body


POD_CASES = [
    ("no containers", {"containers": []},
     ("spec.containers", "FieldValueRequired", "Required value")),
    ("container name", {"containers": [container(name="Web")]},
     ("spec.containers[0].name", "FieldValueInvalid",
      'Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric '
      "characters or '-', and must start and end with an alphanumeric character (e.g. "
      "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")),
    ("port range", {"containers": [container(ports=[{"containerPort": 70000, "protocol": "TCP"}])]},
     ("spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
      "Invalid value: 70000: must be between 1 and 65535, inclusive")),
    ("port protocol",
     {"containers": [container(ports=[{"containerPort": 80, "protocol": "ICMP"}])]},
     ("spec.containers[0].ports[0].protocol", "FieldValueNotSupported",
      'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"')),
    ("port name", {"containers": [container(ports=[{"containerPort": 80, "protocol": "TCP",
                                                    "name": "80"}])]},
     ("spec.containers[0].ports[0].name", "FieldValueInvalid",
      'Invalid value: "80": must contain at least one letter (a-z)')),
    ("dns policy", {"dnsPolicy": "Other"},
     ("spec.dnsPolicy", "FieldValueNotSupported", 'Unsupported value: "Other": supported values: '
      '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"')),
    ("requests above limits",
     {"containers": [container(resources={"limits": {"cpu": "1"}, "requests": {"cpu": "2"}})]},
     ("spec.containers[0].resources.requests", "FieldValueInvalid",
      'Invalid value: "2": must be less than or equal to cpu limit of 1')),
    ("bad quantity", {"containers": [container(resources={"requests": {"memory": "lots"}})]},
     ("spec.containers[0].resources.requests[memory]", "FieldValueInvalid",
      'Invalid value: "lots": quantities must match the regular expression '
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")),
    ("negative quantity", {"containers": [container(resources={"requests": {"cpu": "-1"}})]},
     ("spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
      'Invalid value: "-1": must be greater than or equal to 0')),
    ("extended resource needs a limit",
     {"containers": [container(resources={"requests": {"example.com/gpu": "1"}})]},
     ("spec.containers[0].resources.limits", "FieldValueRequired",
      "Required value: Limit must be set for non overcommitable resources")),
    ("mount of a missing volume",
     {"containers": [container(volumeMounts=[{"name": "data", "mountPath": "/data"}])]},
     ("spec.containers[0].volumeMounts[0].name", "FieldValueNotFound", 'Not found: "data"')),
    ("two volume sources",
     {"volumes": [{"name": "v", "emptyDir": {},
                   "secret": {"secretName": "s", "defaultMode": 420}}]},
     ("spec.volumes[0].secret", "FieldValueForbidden",
      "Forbidden: may not specify more than 1 volume type")),
    ("duplicate volume",
     {"volumes": [{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}]},
     ("spec.volumes[1].name", "FieldValueDuplicate", 'Duplicate value: "v"')),
    ("volume mode", {"volumes": [{"name": "v", "configMap": {"name": "c", "defaultMode": 1000}}]},
     ("spec.volumes[0].configMap.defaultMode", "FieldValueInvalid",
      "Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive")),
    ("env name", {"containers": [container(env=[{"name": "A=B"}])]},
     ("spec.containers[0].env[0].name", "FieldValueInvalid",
      'Invalid value: "A=B": a valid environment variable name must consist only of printable '
      "ASCII characters other than '='")),
    ("env field path", {"containers": [container(env=[{"name": "X", "valueFrom": {
        "fieldRef": {"apiVersion": "v1", "fieldPath": "spec.restartPolicy"}}}])]},
     ("spec.containers[0].env[0].valueFrom.fieldRef.fieldPath", "FieldValueNotSupported",
      'Unsupported value: "spec.restartPolicy": supported values: "metadata.name", '
      '"metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", '
      '"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"')),
    ("liveness success threshold", {"containers": [container(livenessProbe={
        "exec": {"command": ["true"]}, "successThreshold": 2})]},
     ("spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid",
      "Invalid value: 2: must be 1")),
    ("probe without handler", {"containers": [container(readinessProbe={"periodSeconds": 5})]},
     ("spec.containers[0].readinessProbe", "FieldValueRequired",
      "Required value: must specify a handler type")),
    ("host network ports", {"hostNetwork": True, "containers": [container(
        ports=[{"containerPort": 80, "hostPort": 81, "protocol": "TCP"}])]},
     ("spec.containers[0].ports[0].hostPort", "FieldValueInvalid",
      "Invalid value: 81: must match `containerPort` when `hostNetwork` is true")),
    ("toleration operator", {"tolerations": [{"key": "k", "operator": "Maybe"}]},
     ("spec.tolerations[0].operator", "FieldValueNotSupported",
      'Unsupported value: "Maybe": supported values: "Equal", "Exists"')),
    ("active deadline", {"activeDeadlineSeconds": 0},
     ("spec.activeDeadlineSeconds", "FieldValueInvalid",
      "Invalid value: 0: must be between 1 and 2147483647, inclusive")),
    ("ephemeral containers on create", {"ephemeralContainers": [{"name": "debug", "image": "b"}]},
     ("spec.ephemeralContainers", "FieldValueForbidden", "Forbidden: cannot be set on create")),
    ("container restart policy", {"containers": [container(restartPolicy="Always")]},
     ("spec.containers[0].restartPolicy", "FieldValueForbidden",
      "Forbidden: may not be set for non-init containers")),
    ("host port conflict", {"containers": [
        container(name="a", ports=[{"containerPort": 80, "hostPort": 80, "protocol": "TCP"}]),
        container(name="b", ports=[{"containerPort": 81, "hostPort": 80, "protocol": "TCP"}])]},
     ("spec.containers[1].ports[0].hostPort", "FieldValueDuplicate", 'Duplicate value: "TCP//80"')),
]


@pytest.mark.parametrize(("spec", "expected"), [c[1:] for c in POD_CASES],
                         ids=[c[0] for c in POD_CASES])
def test_pod_spec_rules(spec, expected):
    assert causes("", "Pod", pod(**spec)) == [expected]


def test_unknown_container_resource_fails_both_name_checks_as_upstream():
    spec = {"containers": [container(resources={"requests": {"gpu": "1"}})]}
    assert causes("", "Pod", pod(**spec)) == [
        ("spec.containers[0].resources.requests[gpu]", "FieldValueInvalid",
         'Invalid value: "gpu": must be a standard resource type or fully qualified'),
        ("spec.containers[0].resources.requests[gpu]", "FieldValueInvalid",
         'Invalid value: "gpu": must be a standard resource for containers'),
    ]


def test_pod_image_may_be_updated():
    old = pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "nginx:1.27"
    new["spec"]["activeDeadlineSeconds"] = 600
    assert causes("", "Pod", new, old) == []


def test_pod_spec_may_not_otherwise_change():
    old = pod()
    new = copy.deepcopy(old)
    new["spec"]["dnsPolicy"] = "Default"
    [(field, reason, message)] = causes("", "Pod", new, old)
    assert (field, reason) == ("spec", "FieldValueForbidden")
    assert message.startswith(
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
        "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to "
        "be set to 1 if it was previously negative)\n")
    assert 'spec.dnsPolicy: "ClusterFirst" -> "Default"' in message


def test_pod_containers_may_not_be_added():
    old = pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"].append(container(name="extra"))
    assert causes("", "Pod", new, old) == [
        ("spec.containers", "FieldValueForbidden",
         "Forbidden: pod updates may not add or remove containers")]


def test_pod_tolerations_may_only_be_added():
    old = pod()
    added = copy.deepcopy(old)
    added["spec"]["tolerations"].append({"key": "dedicated", "operator": "Exists"})
    assert causes("", "Pod", added, old) == []
    changed = copy.deepcopy(old)
    changed["spec"]["tolerations"][0]["effect"] = "NoSchedule"
    assert ("spec.tolerations", "FieldValueForbidden",
            "Forbidden: existing toleration can not be modified except its tolerationSeconds") \
        in causes("", "Pod", changed, old)


def test_pod_active_deadline_may_only_shrink():
    old = pod(activeDeadlineSeconds=100)
    new = copy.deepcopy(old)
    new["spec"]["activeDeadlineSeconds"] = 200
    assert causes("", "Pod", new, old) == [
        ("spec.activeDeadlineSeconds", "FieldValueInvalid",
         "Invalid value: 200: must be less than or equal to previous value")]


# -- services --------------------------------------------------------------------------------

def test_service_names_are_dns_1035_labels():
    bad = service()
    bad["metadata"]["name"] = "1web"
    assert causes("", "Service", bad) == [
        ("metadata.name", "FieldValueInvalid", f'Invalid value: "1web": {DNS1035_MSG}')]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"ports": []}, ("spec.ports", "FieldValueRequired", "Required value")),
        ({"ports": [{"port": 80}, {"port": 81, "name": "b"}]},
         ("spec.ports[0].name", "FieldValueRequired", "Required value")),
        ({"ports": [{"port": 0, "targetPort": 8080}]},
         ("spec.ports[0].port", "FieldValueInvalid",
          "Invalid value: 0: must be between 1 and 65535, inclusive")),
        ({"type": "Magic"},
         ("spec.type", "FieldValueNotSupported", 'Unsupported value: "Magic": supported values: '
          '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"')),
        ({"selector": {"app": "a b"}},
         ("spec.selector", "FieldValueInvalid", f'Invalid value: "a b": {LABEL_VALUE_MSG}')),
        ({"ports": [{"port": 80, "nodePort": 30080}]},
         ("spec.ports[0].nodePort", "FieldValueForbidden",
          "Forbidden: may not be used when `type` is 'ClusterIP'")),
        ({"ports": [{"port": 80, "name": "a"}, {"port": 80, "name": "b"}]},
         ("spec.ports[1]", "FieldValueDuplicate",
          'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", '
          'AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, '
          'StrVal:""}, NodePort:0}')),
        ({"clusterIP": "10.0.0.300"},
         ("spec.clusterIPs[0]", "FieldValueInvalid", 'Invalid value: "10.0.0.300": must be a '
          "valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")),
    ],
)
def test_service_rules(spec, expected):
    assert causes("", "Service", service(**spec)) == [expected]


def test_external_name_services_need_no_ports_but_a_name():
    assert causes("", "Service", service(type="ExternalName", externalName="db.example.com",
                                         ports=[], selector=None)) == []
    assert causes("", "Service", service(type="ExternalName", ports=[])) == [
        ("spec.externalName", "FieldValueRequired", "Required value")]


def test_service_cluster_ip_is_immutable():
    old = service(clusterIP="10.96.0.10")
    new = copy.deepcopy(old)
    new["spec"].update(clusterIP="10.96.0.11", clusterIPs=["10.96.0.11"])
    assert causes("", "Service", new, old) == [
        ("spec.clusterIPs[0]", "FieldValueInvalid",
         'Invalid value: []string{"10.96.0.11"}: may not change once set')]


def test_service_update_may_leave_the_cluster_ip_out():
    old = service(clusterIP="10.96.0.10")
    new = service()
    assert causes("", "Service", new, old) == []


# -- workloads -------------------------------------------------------------------------------

def test_deployment_selector_must_match_template_labels():
    bad = deployment(selector={"matchLabels": {"app": "other"}})
    assert causes("apps", "Deployment", bad) == [
        ("spec.template.metadata.labels", "FieldValueInvalid",
         'Invalid value: map[string]string{"app":"web"}: `selector` does not match template '
         "`labels`")]


def test_deployment_without_selector_fails_both_checks_as_upstream():
    bad = deployment()
    del bad["spec"]["selector"]
    assert causes("apps", "Deployment", bad) == [
        ("spec.selector", "FieldValueRequired", "Required value"),
        ("spec.template.metadata.labels", "FieldValueInvalid",
         'Invalid value: map[string]string{"app":"web"}: `selector` does not match template '
         "`labels`"),
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"replicas": -1}, ("spec.replicas", "FieldValueInvalid",
                            "Invalid value: -1: must be greater than or equal to 0")),
        ({"selector": {}},
         ("spec.selector", "FieldValueInvalid", "Invalid value: &LabelSelector{MatchLabels:"
          "map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}: empty selector "
          "is invalid for deployment")),
        ({"strategy": {"type": "RollingUpdate",
                       "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "0%"}}},
         ("spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
          "Invalid value: 0: may not be 0 when `maxSurge` is 0")),
        ({"strategy": {"type": "RollingUpdate",
                       "rollingUpdate": {"maxUnavailable": "150%", "maxSurge": 1}}},
         ("spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
          "Invalid value: 150%: must not be greater than 100%")),
        ({"progressDeadlineSeconds": 5, "minReadySeconds": 10},
         ("spec.progressDeadlineSeconds", "FieldValueInvalid",
          "Invalid value: 5: must be greater than minReadySeconds")),
    ],
)
def test_deployment_rules(spec, expected):
    assert causes("apps", "Deployment", deployment(**spec)) == [expected]


def test_deployment_template_must_restart_always():
    bad = deployment()
    bad["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert causes("apps", "Deployment", bad) == [
        ("spec.template.spec.restartPolicy", "FieldValueNotSupported",
         'Unsupported value: "Never": supported values: "Always"')]


def test_deployment_template_is_validated_as_a_pod_spec():
    bad = deployment()
    del bad["spec"]["template"]["spec"]["containers"][0]["image"]
    assert causes("apps", "Deployment", bad) == [
        ("spec.template.spec.containers[0].image", "FieldValueRequired", "Required value")]


def test_deployment_selector_is_immutable():
    old = deployment()
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "a"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "a"
    assert causes("apps", "Deployment", new, old) == [
        ("spec.selector", "FieldValueInvalid",
         "Invalid value: &LabelSelector{MatchLabels:map[string]string{app: web,tier: a,},"
         "MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable")]


def test_replication_controller_selector_must_match_its_template():
    rc = defaulted("", "ReplicationController", {
        "metadata": {"name": "rc", "namespace": "default"},
        "spec": {"selector": {"app": "other"},
                 "template": {"metadata": {"labels": {"app": "x"}},
                              "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})
    assert causes("", "ReplicationController", rc) == [
        ("spec.template.metadata.labels", "FieldValueInvalid",
         'Invalid value: map[string]string{"app":"x"}: `selector` does not match template '
         "`labels`")]


def test_daemon_set_rolling_update_allows_one_of_surge_and_unavailable():
    daemon_set = defaulted("apps", "DaemonSet", {
        "metadata": {"name": "ds", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "x"}},
                 "updateStrategy": {"rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}},
                 "template": {"metadata": {"labels": {"app": "x"}},
                              "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}})
    assert causes("apps", "DaemonSet", daemon_set) == [
        ("spec.updateStrategy.rollingUpdate.maxSurge", "FieldValueInvalid",
         "Invalid value: 1: may not be set when maxUnavailable is non-zero")]


# -- configuration ---------------------------------------------------------------------------

CONFIG_KEY_MSG = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")


def config_map(**fields) -> dict:
    body = {"metadata": {"name": "cfg", "namespace": "default"}}
    body.update(fields)
    return body


def test_config_map_keys_must_be_config_keys():
    assert causes("", "ConfigMap", config_map(data={"a/b": "x"})) == [
        ("data[a/b]", "FieldValueInvalid", f'Invalid value: "a/b": {CONFIG_KEY_MSG}')]


def test_config_map_is_limited_to_one_mebibyte():
    assert causes("", "ConfigMap", config_map(data={"big": "x" * (1024 * 1024 + 1)})) == [
        ("", "FieldValueTooLong", "Too long: must have at most 1048576 bytes")]


def test_immutable_config_map_data_may_not_change():
    old = config_map(data={"a": "1"}, immutable=True)
    new = config_map(data={"a": "2"}, immutable=True)
    assert causes("", "ConfigMap", new, old) == [
        ("data", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set")]
    unset = config_map(data={"a": "1"})
    assert causes("", "ConfigMap", unset, old) == [
        ("immutable", "FieldValueForbidden",
         "Forbidden: field is immutable when `immutable` is set")]


def secret(**fields) -> dict:
    body = {"metadata": {"name": "s", "namespace": "default"}}
    body.update(fields)
    return defaulted("", "Secret", body)


def test_secret_type_is_immutable():
    old = secret(data={"a": "YQ=="})
    new = secret(data={"a": "YQ=="}, type="kubernetes.io/basic-auth")
    assert ("type", "FieldValueInvalid", 'Invalid value: "kubernetes.io/basic-auth": field is '
            "immutable") in causes("", "Secret", new, old)


def test_typed_secrets_need_their_keys():
    assert causes("", "Secret", secret(type="kubernetes.io/tls", data={"tls.crt": "YQ=="})) == [
        ("data[tls.key]", "FieldValueRequired", "Required value")]


def test_secret_data_is_limited_after_decoding():
    import base64
    big = base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()
    assert causes("", "Secret", secret(data={"big": big})) == [
        ("data", "FieldValueTooLong", "Too long: must have at most 1048576 bytes")]


def test_immutable_secret_data_may_not_change():
    old = secret(data={"a": "YQ=="}, immutable=True)
    new = secret(data={"a": "Yg=="}, immutable=True)
    assert causes("", "Secret", new, old) == [
        ("data", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set")]


# -- cluster, storage, networking and the rest -----------------------------------------------

KIND_CASES = [
    ("namespace name", "", "Namespace", {"metadata": {"name": "team.a"}},
     ("metadata.name", "FieldValueInvalid", 'Invalid value: "team.a": must not contain dots')),
    ("node taint effect", "", "Node",
     {"metadata": {"name": "n"}, "spec": {"taints": [{"key": "k", "effect": "Never"}]}},
     ("metadata.taints[0].effect", "FieldValueNotSupported", 'Unsupported value: "Never": '
      'supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"')),
    ("node capacity", "", "Node",
     {"metadata": {"name": "n"}, "status": {"capacity": {"pods": "1.5"}, "allocatable": {}}},
     ("status.capacity.pods", "FieldValueInvalid", "Invalid value: 1500m: must be an integer")),
    ("event namespace", "", "Event",
     {"metadata": {"name": "e", "namespace": "default"},
      "involvedObject": {"kind": "Pod", "name": "p", "namespace": "other"}},
     ("involvedObject.namespace", "FieldValueInvalid",
      'Invalid value: "other": does not match event.namespace')),
    ("pv access modes", "", "PersistentVolume",
     {"metadata": {"name": "pv"}, "spec": {"capacity": {"storage": "1Gi"},
                                           "hostPath": {"path": "/d"}}},
     ("spec.accessModes", "FieldValueRequired", "Required value")),
    ("pv source", "", "PersistentVolume",
     {"metadata": {"name": "pv"}, "spec": {"capacity": {"storage": "1Gi"},
                                           "accessModes": ["ReadWriteOnce"]}},
     ("spec", "FieldValueRequired", "Required value: must specify a volume type")),
    ("pvc storage", "", "PersistentVolumeClaim",
     {"metadata": {"name": "c", "namespace": "default"},
      "spec": {"accessModes": ["ReadWriteOnce"]}},
     ("spec.resources[storage]", "FieldValueRequired", "Required value")),
    ("pvc access modes", "", "PersistentVolumeClaim",
     {"metadata": {"name": "c", "namespace": "default"},
      "spec": {"resources": {"requests": {"storage": "1Gi"}}}},
     ("spec.accessModes", "FieldValueRequired",
      "Required value: at least 1 access mode is required")),
    ("limit range min over max", "", "LimitRange",
     {"metadata": {"name": "lr", "namespace": "default"},
      "spec": {"limits": [{"type": "Pod", "min": {"cpu": "2"}, "max": {"cpu": "1"}}]}},
     ("spec.limits[0].min[cpu]", "FieldValueInvalid",
      "Invalid value: 2: min value 2 is greater than max value 1")),
    ("quota resource", "", "ResourceQuota",
     {"metadata": {"name": "q", "namespace": "default"}, "spec": {"hard": {"widgets": "1"}}},
     ("spec.hard[widgets]", "FieldValueInvalid",
      'Invalid value: "widgets": must be a standard resource type or fully qualified')),
    ("endpoints ip", "", "Endpoints",
     {"metadata": {"name": "e", "namespace": "default"},
      "subsets": [{"addresses": [{"ip": "127.0.0.1"}]}]},
     ("subsets[0].addresses[0].ip", "FieldValueInvalid", 'Invalid value: "127.0.0.1": may not be '
      "in the loopback range (127.0.0.0/8, ::1/128)")),
    ("binding target", "", "Binding", {"metadata": {"name": "p"}, "target": {"kind": "Node"}},
     ("target.name", "FieldValueRequired", "Required value")),
    ("hpa min over max", "autoscaling", "HorizontalPodAutoscaler",
     {"metadata": {"name": "h", "namespace": "default"},
      "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 5,
               "maxReplicas": 2}},
     ("spec.maxReplicas", "FieldValueInvalid",
      "Invalid value: 2: must be greater than or equal to `minReplicas`")),
    ("hpa target", "autoscaling", "HorizontalPodAutoscaler",
     {"metadata": {"name": "h", "namespace": "default"},
      "spec": {"scaleTargetRef": {"kind": "Deployment"}, "maxReplicas": 2}},
     ("spec.scaleTargetRef.name", "FieldValueRequired", "Required value")),
    ("hpa max replicas", "autoscaling", "HorizontalPodAutoscaler",
     {"metadata": {"name": "h", "namespace": "default"},
      "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 2,
               "minReplicas": 0}},
     ("spec.minReplicas", "FieldValueInvalid",
      "Invalid value: 0: must be greater than or equal to 1")),
    ("ingress without rules", "networking.k8s.io", "Ingress",
     {"metadata": {"name": "i", "namespace": "default"}, "spec": {}},
     ("spec", "FieldValueInvalid", "Invalid value: []networking.IngressRule(nil): either "
      "`defaultBackend` or `rules` must be specified")),
    ("ingress path type", "networking.k8s.io", "Ingress",
     {"metadata": {"name": "i", "namespace": "default"}, "spec": {"rules": [{"http": {"paths": [
         {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}},
     ("spec.rules[0].http.paths[0].pathType", "FieldValueRequired",
      "Required value: pathType must be specified")),
    ("ingress backend", "networking.k8s.io", "Ingress",
     {"metadata": {"name": "i", "namespace": "default"},
      "spec": {"defaultBackend": {"service": {"name": "web", "port": {}}}}},
     ("spec.defaultBackend", "FieldValueRequired",
      "Required value: port name or number is required")),
    ("ingress class controller", "networking.k8s.io", "IngressClass",
     {"metadata": {"name": "c"}, "spec": {}},
     ("spec.controller", "FieldValueRequired", "Required value")),
    ("storage class provisioner", "storage.k8s.io", "StorageClass", {"metadata": {"name": "sc"}},
     ("provisioner", "FieldValueRequired", "Required value")),
    ("lease duration", "coordination.k8s.io", "Lease",
     {"metadata": {"name": "l", "namespace": "default"}, "spec": {"leaseDurationSeconds": 0}},
     ("spec.leaseDurationSeconds", "FieldValueInvalid",
      "Invalid value: 0: must be greater than 0")),
    ("endpoint slice address type", "discovery.k8s.io", "EndpointSlice",
     {"metadata": {"name": "s", "namespace": "default"}, "addressType": "IPv5"},
     ("addressType", "FieldValueNotSupported",
      'Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"')),
    ("endpoint slice address", "discovery.k8s.io", "EndpointSlice",
     {"metadata": {"name": "s", "namespace": "default"}, "addressType": "IPv4",
      "endpoints": [{"addresses": ["fd00::1"]}]},
     ("endpoints[0].addresses[0]", "FieldValueInvalid",
      'Invalid value: "fd00::1": must be a valid IPv4 address')),
]


@pytest.mark.parametrize(("group", "kind", "obj", "expected"), [c[1:] for c in KIND_CASES],
                         ids=[c[0] for c in KIND_CASES])
def test_kind_rules(group, kind, obj, expected):
    assert causes(group, kind, defaulted(group, kind, obj)) == [expected]


def test_bound_claim_may_grow_but_not_change_otherwise():
    old = defaulted("", "PersistentVolumeClaim", {
        "metadata": {"name": "c", "namespace": "default"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "volumeName": "pv1"},
        "status": {"phase": "Bound"}})
    grown = copy.deepcopy(old)
    grown["spec"]["resources"]["requests"]["storage"] = "2Gi"
    assert causes("", "PersistentVolumeClaim", grown, old) == []
    shrunk = copy.deepcopy(old)
    shrunk["spec"]["resources"]["requests"]["storage"] = "512Mi"
    assert causes("", "PersistentVolumeClaim", shrunk, old) == [
        ("spec.resources.requests.storage", "FieldValueForbidden",
         "Forbidden: field can not be less than previous value")]
    moved = copy.deepcopy(old)
    moved["spec"]["accessModes"] = ["ReadWriteMany"]
    [(field, reason, message)] = causes("", "PersistentVolumeClaim", moved, old)
    assert (field, reason) == ("spec", "FieldValueForbidden")
    assert message.startswith("Forbidden: spec is immutable after creation except "
                              "resources.requests and volumeAttributesClassName for bound claims")


def test_storage_class_provisioner_may_not_change():
    old = defaulted("storage.k8s.io", "StorageClass",
                    {"metadata": {"name": "sc"}, "provisioner": "example.com/a"})
    new = copy.deepcopy(old)
    new["provisioner"] = "example.com/b"
    assert causes("storage.k8s.io", "StorageClass", new, old) == [
        ("provisioner", "FieldValueForbidden", "Forbidden: updates to provisioner are forbidden.")]


def test_endpoint_slice_address_type_is_immutable():
    old = defaulted("discovery.k8s.io", "EndpointSlice", {
        "metadata": {"name": "s", "namespace": "default"}, "addressType": "IPv4"})
    new = copy.deepcopy(old)
    new["addressType"] = "IPv6"
    assert causes("discovery.k8s.io", "EndpointSlice", new, old) == [
        ("addressType", "FieldValueInvalid", 'Invalid value: "IPv6": field is immutable')]


def test_garbage_of_any_shape_does_not_crash_validation():
    shapes = [None, 1, "x", [], {}, [1], {"a": 1}]
    kinds = [(k[0], k[1]) for k in VALID_OBJECTS] + [("", "Pod"), ("apps", "Deployment")]
    for group, kind in kinds:
        for shape in shapes:
            for key in ("metadata", "spec", "data", "subsets", "target", "status"):
                validate(group, kind, {"metadata": {"name": "x", "namespace": "d"}, key: shape})
            validate(group, kind, {"metadata": {"name": "x", "namespace": "d"},
                                   "spec": {"containers": [shape], "template": {"spec": shape},
                                            "ports": [shape], "rules": [shape]}})
