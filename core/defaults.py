"""Defaulting of served objects, in place, on their JSON form.

What a real cluster stores for an object is more than upstream's ``SetDefaults_*``
functions: the registry strategies, a few admission plugins and Go's serialization of
empty structs all add fields that clients see.  :func:`apply_defaults` reproduces the
ones a client can observe on a freshly created object:

- ``SetDefaults_*`` of core/v1, apps/v1, autoscaling/v2 (and v1), networking/v1,
  storage/v1, discovery/v1, applied recursively as upstream's generated defaulters do
  (a Deployment's pod template gets the PodSpec and Container defaults, but not the
  Pod-only ones);
- resource lists rounded up to milli-units and re-serialized (``SetDefaults_ResourceList``);
- Pod only, what admission adds on create: ``serviceAccountName: default`` (ServiceAccount),
  ``priority`` and ``preemptionPolicy`` (Priority), the not-ready/unreachable tolerations
  (DefaultTolerationSeconds), and ``status`` ``Pending`` with its QoS class (pod strategy);
- Service: ``clusterIPs`` kept in step with ``clusterIP`` and the single-stack IP family
  fields the allocator records;
- Namespace: ``spec.finalizers``, ``status.phase`` and the ``kubernetes.io/metadata.name``
  label; Secret ``stringData`` folded into ``data`` (upstream does this when decoding v1).

Values that are missing, ``null`` or, for strings, empty count as unset, as they do for Go
zero values.  Anything of the wrong JSON type is left alone for validation to report.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Callable, Iterator

from .quantity import Quantity, QuantityError, quantity_from_json

Obj = dict

# Pod field values upstream calls Default*.
_TERMINATION_MESSAGE_PATH = "/dev/termination-log"
_GRACE_PERIOD_SECONDS = 30
_FILE_MODE = 0o644  # 420, for secret, configMap, downwardAPI and projected volumes
_CLIENT_IP_AFFINITY_SECONDS = 10800
_TOKEN_EXPIRATION_SECONDS = 3600
_NOT_READY_TAINT = "node.kubernetes.io/not-ready"
_UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
_DEFAULT_TOLERATION_SECONDS = 300
# The two priority classes every cluster has; others are looked up by admission.
_SYSTEM_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
_QOS_RESOURCES = ("cpu", "memory")

# A docker image reference (distribution/reference grammar): optional registry host, a
# lowercase path, an optional tag and an optional digest.
_IMAGE_REFERENCE = re.compile(
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
    r"(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?"
)


def apply_defaults(group: str, kind: str, obj: Obj) -> None:
    """Fill in the defaults a real cluster adds to a ``kind`` object of API ``group``."""
    defaulter = _DEFAULTERS.get((group, kind))
    if defaulter is not None and isinstance(obj, dict):
        defaulter(obj)


# -- small accessors ------------------------------------------------------------------------


def _unset(value: object) -> bool:
    return value is None or value == ""


def _child(obj: Obj, key: str) -> Obj:
    """obj[key] as a dict, created if unset; a detached dict if it has the wrong type."""
    value = obj.get(key)
    if value is None:
        value = obj[key] = {}
    return value if isinstance(value, dict) else {}


def _maybe_child(obj: Obj, key: str) -> Obj | None:
    value = obj.get(key)
    return value if isinstance(value, dict) else None


def _dicts(obj: Obj, key: str) -> Iterator[Obj]:
    """The dict elements of the list obj[key]."""
    value = obj.get(key)
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield item


def _set(obj: Obj, key: str, value: object) -> None:
    if _unset(obj.get(key)):
        obj[key] = value


# -- quantities -------------------------------------------------------------------------------


def _parse(value: object) -> Quantity | None:
    try:
        return quantity_from_json(value)
    except QuantityError:
        return None


def _resource_list(obj: Obj, key: str) -> None:
    """Round every quantity in obj[key] up to milli-units and write it as upstream would."""
    resources = obj.get(key)
    if not isinstance(resources, dict):
        return
    for name, raw in resources.items():
        parsed = _parse(raw)
        if parsed is not None:
            resources[name] = str(parsed.rounded_to_milli())


def _quantity_field(obj: Obj, key: str) -> None:
    """Rewrite a single quantity field (no rounding) in its serialized form."""
    if key in obj and obj[key] is not None:
        parsed = _parse(obj[key])
        if parsed is not None:
            obj[key] = str(parsed)


# -- pods -----------------------------------------------------------------------------------


def _image_tag(image: object) -> str:
    """The tag of an image reference as upstream ``parsers.ParseImageName`` reports it:
    "latest" when there is neither tag nor digest, "" when the reference does not parse."""
    if not isinstance(image, str):
        return ""
    match = _IMAGE_REFERENCE.fullmatch(image)
    if match is None:
        return ""
    tag, digest = match.group("tag"), match.group("digest")
    if tag:
        return tag
    return "" if digest else "latest"


def _default_probe(probe: Obj) -> None:
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1),
                       ("failureThreshold", 3)):
        if probe.get(key) in (None, 0):
            probe[key] = value
    _default_handler(probe)
    grpc = _maybe_child(probe, "grpc")
    if grpc is not None and grpc.get("service") is None:
        grpc["service"] = ""


def _default_handler(handler: Obj) -> None:
    http_get = _maybe_child(handler, "httpGet")
    if http_get is not None:
        _set(http_get, "path", "/")
        _set(http_get, "scheme", "HTTP")


def _default_field_selectors(holder: Obj) -> None:
    field_ref = _maybe_child(holder, "fieldRef")
    if field_ref is not None:
        _set(field_ref, "apiVersion", "v1")
    resource_ref = _maybe_child(holder, "resourceFieldRef")
    if resource_ref is not None:
        # A non-pointer Quantity: upstream always writes it, "0" when unset.
        if resource_ref.get("divisor") is None:
            resource_ref["divisor"] = "0"
        _quantity_field(resource_ref, "divisor")


def _default_container(container: Obj) -> None:
    if _unset(container.get("imagePullPolicy")):
        latest = _image_tag(container.get("image")) == "latest"
        container["imagePullPolicy"] = "Always" if latest else "IfNotPresent"
    _set(container, "terminationMessagePath", _TERMINATION_MESSAGE_PATH)
    _set(container, "terminationMessagePolicy", "File")
    # ResourceRequirements is a struct, never omitted on the wire.
    resources = _child(container, "resources")
    _resource_list(resources, "limits")
    _resource_list(resources, "requests")
    for port in _dicts(container, "ports"):
        _set(port, "protocol", "TCP")
    for env in _dicts(container, "env"):
        value_from = _maybe_child(env, "valueFrom")
        if value_from is not None:
            _default_field_selectors(value_from)
    for probe_key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = _maybe_child(container, probe_key)
        if probe is not None:
            _default_probe(probe)
    lifecycle = _maybe_child(container, "lifecycle")
    if lifecycle is not None:
        for hook in ("postStart", "preStop"):
            handler = _maybe_child(lifecycle, hook)
            if handler is not None:
                _default_handler(handler)


def _default_pvc_spec(spec: Obj) -> None:
    _set(spec, "volumeMode", "Filesystem")
    resources = _maybe_child(spec, "resources")
    if resources is not None:
        _resource_list(resources, "limits")
        _resource_list(resources, "requests")


def _default_volume(volume: Obj) -> None:
    if not any(key != "name" and value is not None for key, value in volume.items()):
        volume["emptyDir"] = {}
    for source in ("secret", "configMap", "downwardAPI", "projected"):
        found = _maybe_child(volume, source)
        if found is not None and found.get("defaultMode") is None:
            found["defaultMode"] = _FILE_MODE
    downward = _maybe_child(volume, "downwardAPI")
    if downward is not None:
        for item in _dicts(downward, "items"):
            _default_field_selectors(item)
    projected = _maybe_child(volume, "projected")
    if projected is not None:
        for source_item in _dicts(projected, "sources"):
            projected_downward = _maybe_child(source_item, "downwardAPI")
            if projected_downward is not None:
                for item in _dicts(projected_downward, "items"):
                    _default_field_selectors(item)
            token = _maybe_child(source_item, "serviceAccountToken")
            if token is not None and token.get("expirationSeconds") is None:
                token["expirationSeconds"] = _TOKEN_EXPIRATION_SECONDS
    host_path = _maybe_child(volume, "hostPath")
    if host_path is not None and host_path.get("type") is None:
        host_path["type"] = ""
    empty_dir = _maybe_child(volume, "emptyDir")
    if empty_dir is not None:
        _quantity_field(empty_dir, "sizeLimit")
    ephemeral = _maybe_child(volume, "ephemeral")
    if ephemeral is not None:
        template = _maybe_child(ephemeral, "volumeClaimTemplate")
        if template is not None:
            _default_pvc_spec(_child(template, "spec"))


def _default_pod_spec(spec: Obj) -> None:
    """SetDefaults_PodSpec and everything below it; shared by pods and pod templates."""
    _set(spec, "dnsPolicy", "ClusterFirst")
    _set(spec, "restartPolicy", "Always")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    _set(spec, "terminationGracePeriodSeconds", _GRACE_PERIOD_SECONDS)
    _set(spec, "schedulerName", "default-scheduler")
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for container in _dicts(spec, key):
            _default_container(container)
    for volume in _dicts(spec, "volumes"):
        _default_volume(volume)
    _resource_list(spec, "overhead")


def _default_template(obj: Obj) -> None:
    """Defaults of a workload's ``spec.template``."""
    spec = _maybe_child(obj, "spec")
    template = _maybe_child(spec, "template") if spec is not None else None
    if template is not None:
        _default_pod_spec(_child(template, "spec"))


def _pod_qos_class(spec: Obj) -> str:
    """The QoS class upstream's ``qos.GetPodQOS`` computes from the (defaulted) spec."""
    requests: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    guaranteed = True
    containers = list(_dicts(spec, "initContainers")) + list(_dicts(spec, "containers"))
    for container in containers:
        resources = _maybe_child(container, "resources") or {}
        for name, raw in (_maybe_child(resources, "requests") or {}).items():
            quantity = _parse(raw)
            if name in _QOS_RESOURCES and quantity is not None and not quantity.is_zero():
                requests[name] = requests[name] + quantity if name in requests else quantity
        found_limits = set()
        for name, raw in (_maybe_child(resources, "limits") or {}).items():
            quantity = _parse(raw)
            if name in _QOS_RESOURCES and quantity is not None and not quantity.is_zero():
                found_limits.add(name)
                limits[name] = limits[name] + quantity if name in limits else quantity
        if len(found_limits) != len(_QOS_RESOURCES):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and requests.keys() == limits.keys() and \
            all(requests[name] == limits[name] for name in requests):
        return "Guaranteed"
    return "Burstable"


def _default_pod(pod: Obj) -> None:
    spec = _child(pod, "spec")
    # SetDefaults_Pod: requests default to limits, in pods only (not in templates).
    for key in ("containers", "initContainers"):
        for container in _dicts(spec, key):
            resources = _child(container, "resources")
            limits = _maybe_child(resources, "limits")
            if limits is not None:
                requests = _child(resources, "requests")
                for name, value in limits.items():
                    requests.setdefault(name, copy.deepcopy(value))
            if spec.get("hostNetwork") is True:
                for port in _dicts(container, "ports"):
                    if port.get("hostPort") in (None, 0):
                        port["hostPort"] = port.get("containerPort")
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    _default_pod_spec(spec)

    # ServiceAccount admission; v1 also writes the deprecated alias.
    _set(spec, "serviceAccountName", "default")
    _set(spec, "serviceAccount", spec.get("serviceAccountName"))
    # Priority admission.
    class_name = spec.get("priorityClassName")
    if spec.get("priority") is None:
        if _unset(class_name):
            spec["priority"] = 0
        elif class_name in _SYSTEM_PRIORITIES:
            spec["priority"] = _SYSTEM_PRIORITIES[class_name]
    _set(spec, "preemptionPolicy", "PreemptLowerPriority")
    _default_tolerations(spec)

    # The pod strategy starts every pod Pending, with its QoS class.
    status = pod.get("status")
    if status is None or status == {}:
        pod["status"] = {"phase": "Pending", "qosClass": _pod_qos_class(spec)}


def _default_tolerations(spec: Obj) -> None:
    """DefaultTolerationSeconds admission: tolerate a not-ready or unreachable node for
    five minutes unless the pod already says how long."""
    tolerations = spec.get("tolerations")
    if tolerations is None:
        tolerations = []
    if not isinstance(tolerations, list):
        return
    tolerated: set[str] = set()
    for toleration in tolerations:
        if not isinstance(toleration, dict):
            continue
        key = toleration.get("key") or ""
        if not isinstance(key, str):
            continue
        if toleration.get("effect") in (None, "", "NoExecute"):
            tolerated.update((_NOT_READY_TAINT, _UNREACHABLE_TAINT) if key == "" else (key,))
    added = [
        {"key": taint, "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": _DEFAULT_TOLERATION_SECONDS}
        for taint in (_NOT_READY_TAINT, _UNREACHABLE_TAINT) if taint not in tolerated
    ]
    if added:
        spec["tolerations"] = tolerations + added


# -- workloads ------------------------------------------------------------------------------


def _default_replication_controller(rc: Obj) -> None:
    spec = _child(rc, "spec")
    template = _maybe_child(spec, "template")
    template_metadata = _maybe_child(template, "metadata") if template is not None else None
    labels = template_metadata.get("labels") if template_metadata is not None else None
    if isinstance(labels, dict):
        # The selector and the controller's own labels both come from the template.
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        metadata = _child(rc, "metadata")
        if not metadata.get("labels"):
            metadata["labels"] = dict(labels)
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _default_template(rc)


def _default_replica_set(rs: Obj) -> None:
    spec = _child(rs, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    _default_template(rs)


def _default_deployment(deployment: Obj) -> None:
    spec = _child(deployment, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = _child(spec, "strategy")
    _set(strategy, "type", "RollingUpdate")
    if strategy.get("type") == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate")
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = "25%"
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = "25%"
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    _default_template(deployment)


def _default_daemon_set(ds: Obj) -> None:
    spec = _child(ds, "spec")
    strategy = _child(spec, "updateStrategy")
    _set(strategy, "type", "RollingUpdate")
    if strategy.get("type") == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate")
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = 1
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = 0
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    _default_template(ds)


def _default_hpa(hpa: Obj) -> None:
    spec = _child(hpa, "spec")
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if hpa.get("apiVersion") == "autoscaling/v1":
        return  # v1 leaves targetCPUUtilizationPercentage unset; conversion fills it
    if not spec.get("metrics"):
        spec["metrics"] = [{
            "type": "Resource",
            "resource": {"name": "cpu",
                         "target": {"type": "Utilization", "averageUtilization": 80}},
        }]
    for metric in _dicts(spec, "metrics"):
        for source in ("resource", "containerResource", "pods", "object", "external"):
            target = _maybe_child(_maybe_child(metric, source) or {}, "target")
            if target is not None:
                _quantity_field(target, "value")
                _quantity_field(target, "averageValue")
    behavior = _maybe_child(spec, "behavior")
    if behavior is not None:
        behavior["scaleUp"] = _scaling_rules(behavior.get("scaleUp"), up=True)
        behavior["scaleDown"] = _scaling_rules(behavior.get("scaleDown"), up=False)


def _scaling_rules(given: object, up: bool) -> Obj:
    """The fully filled-in HPA scaling rules upstream derives from a partial ``behavior``."""
    if up:
        rules: Obj = {
            "stabilizationWindowSeconds": 0,
            "selectPolicy": "Max",
            "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                         {"type": "Percent", "value": 100, "periodSeconds": 15}],
        }
    else:
        # Scale-down stabilization is left to the controller's command-line setting.
        rules = {"selectPolicy": "Max",
                 "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
    if isinstance(given, dict):
        for key in ("selectPolicy", "stabilizationWindowSeconds", "policies", "tolerance"):
            if given.get(key) is not None:
                rules[key] = given[key]
    return rules


# -- services and networking ----------------------------------------------------------------


def _default_service(service: Obj) -> None:
    spec = _child(service, "spec")
    _set(spec, "sessionAffinity", "None")
    if spec.get("sessionAffinity") == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec.get("sessionAffinity") == "ClientIP":
        config = _maybe_child(spec, "sessionAffinityConfig") or {}
        client_ip = _maybe_child(config, "clientIP") or {}
        if client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {
                "clientIP": {"timeoutSeconds": _CLIENT_IP_AFFINITY_SECONDS}}
    _set(spec, "type", "ClusterIP")
    service_type = spec.get("type")
    for port in _dicts(spec, "ports"):
        _set(port, "protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    externally_accessible = service_type in ("NodePort", "LoadBalancer") or (
        service_type == "ClusterIP" and bool(spec.get("externalIPs")))
    if externally_accessible:
        _set(spec, "externalTrafficPolicy", "Cluster")
    if service_type in ("ClusterIP", "NodePort", "LoadBalancer"):
        _set(spec, "internalTrafficPolicy", "Cluster")
    if service_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    if service_type != "ExternalName":
        _default_service_ip_fields(spec)
    status = _child(service, "status")
    if status.get("loadBalancer") is None:
        status["loadBalancer"] = {}


def _default_service_ip_fields(spec: Obj) -> None:
    """What the service strategy and IP allocator record for a single-stack cluster."""
    cluster_ip = spec.get("clusterIP")
    cluster_ips = spec.get("clusterIPs")
    if isinstance(cluster_ip, str) and cluster_ip and not cluster_ips:
        spec["clusterIPs"] = cluster_ips = [cluster_ip]
    elif _unset(cluster_ip) and isinstance(cluster_ips, list) and cluster_ips and \
            isinstance(cluster_ips[0], str):
        spec["clusterIP"] = cluster_ips[0]
    headless = isinstance(cluster_ips, list) and cluster_ips == ["None"]
    if spec.get("ipFamilyPolicy") is None:
        # Headless services without a selector get the most families the cluster has.
        no_selector = headless and not spec.get("selector")
        spec["ipFamilyPolicy"] = "RequireDualStack" if no_selector else "SingleStack"
    if not spec.get("ipFamilies"):
        families = []
        if isinstance(cluster_ips, list) and not headless:
            families = ["IPv6" if isinstance(ip, str) and ":" in ip else "IPv4"
                        for ip in cluster_ips if ip]
        spec["ipFamilies"] = families or ["IPv4"]


def _default_endpoints(endpoints: Obj) -> None:
    for subset in _dicts(endpoints, "subsets"):
        for port in _dicts(subset, "ports"):
            _set(port, "protocol", "TCP")


def _default_endpoint_slice(slice_: Obj) -> None:
    for port in _dicts(slice_, "ports"):
        if port.get("name") is None:
            port["name"] = ""
        _set(port, "protocol", "TCP")


def _default_ingress(ingress: Obj) -> None:
    status = _child(ingress, "status")
    if status.get("loadBalancer") is None:
        status["loadBalancer"] = {}


def _default_ingress_class(ingress_class: Obj) -> None:
    spec = _maybe_child(ingress_class, "spec")
    parameters = _maybe_child(spec, "parameters") if spec is not None else None
    if parameters is not None and parameters.get("scope") is None:
        parameters["scope"] = "Cluster"


# -- configuration and storage --------------------------------------------------------------


def _default_secret(secret: Obj) -> None:
    _set(secret, "type", "Opaque")
    string_data = secret.get("stringData")
    if isinstance(string_data, dict) and all(isinstance(v, str) for v in string_data.values()):
        # Write-only convenience field: it overrides data and is never stored.
        if string_data:
            data = _child(secret, "data")
            for key, value in string_data.items():
                data[key] = base64.b64encode(value.encode()).decode()
        del secret["stringData"]


def _default_namespace(namespace: Obj) -> None:
    metadata = _child(namespace, "metadata")
    name = metadata.get("name")
    if isinstance(name, str) and name:
        labels = _child(metadata, "labels")
        labels["kubernetes.io/metadata.name"] = name
    spec = _child(namespace, "spec")
    if spec.get("finalizers") is None:
        spec["finalizers"] = ["kubernetes"]
    _set(_child(namespace, "status"), "phase", "Active")


def _default_node(node: Obj) -> None:
    status = _maybe_child(node, "status")
    if status is None:
        return
    _resource_list(status, "capacity")
    _resource_list(status, "allocatable")
    if status.get("allocatable") is None and isinstance(status.get("capacity"), dict):
        status["allocatable"] = dict(status["capacity"])


def _default_persistent_volume(pv: Obj) -> None:
    spec = _child(pv, "spec")
    _set(spec, "persistentVolumeReclaimPolicy", "Retain")
    _set(spec, "volumeMode", "Filesystem")
    _resource_list(spec, "capacity")
    host_path = _maybe_child(spec, "hostPath")
    if host_path is not None and host_path.get("type") is None:
        host_path["type"] = ""
    _set(_child(pv, "status"), "phase", "Pending")


def _default_persistent_volume_claim(pvc: Obj) -> None:
    _default_pvc_spec(_child(pvc, "spec"))
    status = _child(pvc, "status")
    _set(status, "phase", "Pending")
    _resource_list(status, "capacity")


def _default_limit_range(limit_range: Obj) -> None:
    spec = _maybe_child(limit_range, "spec")
    if spec is None:
        return
    for item in _dicts(spec, "limits"):
        for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            _resource_list(item, key)
        if item.get("type") != "Container":
            continue
        default = dict(_maybe_child(item, "default") or {})
        default_request = dict(_maybe_child(item, "defaultRequest") or {})
        # A default limit falls back to the max, a default request to the default limit,
        # then to the min.
        for name, value in (_maybe_child(item, "max") or {}).items():
            default.setdefault(name, value)
        for name, value in default.items():
            default_request.setdefault(name, value)
        for name, value in (_maybe_child(item, "min") or {}).items():
            default_request.setdefault(name, value)
        # Empty maps are omitted on the wire, so only non-empty ones are written.
        if default:
            item["default"] = default
        if default_request:
            item["defaultRequest"] = default_request


def _default_resource_quota(quota: Obj) -> None:
    spec = _maybe_child(quota, "spec")
    if spec is not None:
        _resource_list(spec, "hard")
    status = _maybe_child(quota, "status")
    if status is not None:
        _resource_list(status, "hard")
        _resource_list(status, "used")


def _default_storage_class(storage_class: Obj) -> None:
    _set(storage_class, "reclaimPolicy", "Delete")
    _set(storage_class, "volumeBindingMode", "Immediate")


def _default_event(event: Obj) -> None:
    # Fields v1 Event always writes, even when empty.
    if event.get("source") is None:
        event["source"] = {}
    for key in ("reportingComponent", "reportingInstance"):
        if event.get(key) is None:
            event[key] = ""
    for key in ("firstTimestamp", "lastTimestamp", "eventTime"):
        event.setdefault(key, None)


_DEFAULTERS: dict[tuple[str, str], Callable[[Obj], None]] = {
    ("", "Pod"): _default_pod,
    ("", "ReplicationController"): _default_replication_controller,
    ("", "Service"): _default_service,
    ("", "Endpoints"): _default_endpoints,
    ("", "Secret"): _default_secret,
    ("", "Namespace"): _default_namespace,
    ("", "Node"): _default_node,
    ("", "PersistentVolume"): _default_persistent_volume,
    ("", "PersistentVolumeClaim"): _default_persistent_volume_claim,
    ("", "LimitRange"): _default_limit_range,
    ("", "ResourceQuota"): _default_resource_quota,
    ("", "Event"): _default_event,
    ("apps", "Deployment"): _default_deployment,
    ("apps", "ReplicaSet"): _default_replica_set,
    ("apps", "DaemonSet"): _default_daemon_set,
    ("autoscaling", "HorizontalPodAutoscaler"): _default_hpa,
    ("networking.k8s.io", "Ingress"): _default_ingress,
    ("networking.k8s.io", "IngressClass"): _default_ingress_class,
    ("storage.k8s.io", "StorageClass"): _default_storage_class,
    ("discovery.k8s.io", "EndpointSlice"): _default_endpoint_slice,
}
