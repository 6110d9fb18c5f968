"""Server-side printing: the ``meta.k8s.io/v1`` Tables that ``kubectl get`` renders.

kubectl asks for ``application/json;as=Table;v=v1;g=meta.k8s.io`` and prints the cells it
gets back verbatim, so every column name, cell format and status word here follows what
upstream's printers (pkg/printers/internalversion) send.  The server always sends every
column; kubectl hides the ``priority: 1`` ones unless ``-o wide`` is given.

One row function per kind turns a stored object (a plain JSON dict) into its cells; the
literal registry ``PRINTERS`` maps a resource's plural name to its columns and row function.
Anything not in the registry prints as Name, Age.

Row functions run once per object on ``kubectl get pods`` over thousands of pods, so they
read the dicts directly with ``.get`` and build a flat list, nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

Object = dict[str, Any]
RowFunction = Callable[[Object, float], list[Any]]

_TABLE_API_VERSION = "meta.k8s.io/v1"
_EMPTY: dict[str, Any] = {}


def human_duration(seconds: float) -> str:
    """Format a duration the way upstream's ``duration.HumanDuration`` does.

    Two or three significant figures: "45s", "2m3s", "15m", "5h3m", "20h", "3d4h",
    "400d", "2y10d", "9y".  Up to one second in the future still reads "0s" (clock skew
    between machines); further in the future is "<invalid>".
    """
    whole = int(seconds)  # truncates toward zero, as Go's int(d.Seconds()) does
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 24 * 8:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    if hours < 24 * 365 * 8:
        rest = days % 365
        return f"{days // 365}y{rest}d" if rest else f"{days // 365}y"
    return f"{days // 365}y"


def _epoch(timestamp: Any) -> float | None:
    """Seconds since the epoch for an RFC 3339 time ("2026-11-28T04:50:00Z"), or None."""
    if not timestamp:
        return None
    try:
        return datetime.fromisoformat(timestamp).timestamp()
    except (TypeError, ValueError):
        return None


def _since(timestamp: Any, now: float) -> str:
    """Human age of a timestamp; "<unknown>" when it is missing, as upstream prints."""
    when = _epoch(timestamp)
    if when is None:
        return "<unknown>"
    return human_duration(now - when)


def _age(obj: Object, now: float) -> str:
    """The Age cell: time since metadata.creationTimestamp."""
    return _since((obj.get("metadata") or _EMPTY).get("creationTimestamp"), now)


def _column(name: str, type_: str, description: str, priority: int = 0, fmt: str = "") -> dict:
    """One TableColumnDefinition."""
    return {
        "name": name,
        "type": type_,
        "format": fmt,
        "description": description,
        "priority": priority,
    }


# --- columns shared by many kinds ------------------------------------------------------------

_NAME = _column(
    "Name", "string",
    "Name of the object, unique among objects of its kind in its namespace.",
    fmt="name",
)
_AGE = _column("Age", "string", "Time since the object was created.")
_CONTAINERS = _column("Containers", "string", "Names of the containers in the pod template.", 1)
_IMAGES = _column("Images", "string", "Images the pod template's containers run.", 1)


def _workload_selector(description: str) -> dict:
    """The wide Selector column of the workload kinds."""
    return _column("Selector", "string", description, 1)


# --- shared cell formatting ----------------------------------------------------------------


def _format_labels(labels: dict | None) -> str:
    """A label map as "k1=v1,k2=v2" sorted by key, "<none>" when empty (labels.FormatLabels)."""
    if not labels:
        return "<none>"
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def _selector_string(selector: dict | None) -> str | None:
    """A LabelSelector in label-query form ("app=d1,tier in (a,b)"); None if it is invalid.

    Requirements are ordered by key and set values sorted, as upstream's
    labels.Selector.String() does; an absent or empty selector gives "".
    """
    if not selector:
        return ""
    parts: list[tuple[str, str]] = [
        (key, f"{key}={value}") for key, value in (selector.get("matchLabels") or _EMPTY).items()
    ]
    for expression in selector.get("matchExpressions") or ():
        key = expression.get("key") or ""
        operator = expression.get("operator")
        values = ",".join(sorted(expression.get("values") or ()))
        if operator == "In" and values:
            parts.append((key, f"{key} in ({values})"))
        elif operator == "NotIn" and values:
            parts.append((key, f"{key} notin ({values})"))
        elif operator == "Exists":
            parts.append((key, key))
        elif operator == "DoesNotExist":
            parts.append((key, "!" + key))
        else:
            return None
    parts.sort(key=lambda part: part[0])
    return ",".join(text for _key, text in parts)


def _format_label_selector(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: the query form, "<none>" when empty, "<error>" if invalid."""
    text = _selector_string(selector)
    if text is None:
        return "<error>"
    return text or "<none>"


def _container_cells(pod_spec: dict) -> tuple[str, str]:
    """Comma-joined container names and images of a pod spec."""
    containers = pod_spec.get("containers") or ()
    names = ",".join(c.get("name") or "" for c in containers)
    images = ",".join(c.get("image") or "" for c in containers)
    return names, images


def _template_spec(obj: Object) -> dict:
    """spec.template.spec of a workload."""
    template = (obj.get("spec") or _EMPTY).get("template") or _EMPTY
    return template.get("spec") or _EMPTY


def _desired_replicas(spec: dict) -> int:
    """spec.replicas; the API server defaults a missing value to 1."""
    replicas = spec.get("replicas")
    return 1 if replicas is None else replicas


def _load_balancer_addresses(status: dict) -> str:
    """Distinct IPs (or hostnames) of a load balancer status, sorted and comma-joined.

    Upstream clips this to 16 characters only for client-side, non-wide printing; the
    server prints wide, so the whole list goes out.
    """
    found = set()
    for ingress in (status.get("loadBalancer") or _EMPTY).get("ingress") or ():
        address = ingress.get("ip") or ingress.get("hostname")
        if address:
            found.add(address)
    return ",".join(sorted(found))


def _list_with_more(items: list[str], count: int, limit: int) -> str:
    """The first `limit` items, then " + N more..." for the rest; "<unset>" when empty."""
    if count > limit:
        return ",".join(items[:limit]) + f" + {count - limit} more..."
    return ",".join(items) or "<unset>"


# --- pods -----------------------------------------------------------------------------------

_POD_COLUMNS = (
    _NAME,
    _column("Ready", "string", "Ready containers out of all containers in the pod."),
    _column("Status", "string", "Summary of the pod's state, from its phase and container states."),
    # Upstream declared this "integer" until 1.21 and "string" since the "(5m ago)" suffix.
    _column("Restarts", "string", "Container restarts in total, and how long ago the latest was."),
    _AGE,
    _column("IP", "string", "The pod's first IP address.", 1),
    _column("Node", "string", "The node the pod is bound to.", 1),
    _column("Nominated Node", "string", "Node picked for the pod by preemption, not yet bound.", 1),
    _column("Readiness Gates", "string", "Readiness gates whose condition is true, of all.", 1),
)


def _condition_true(conditions: Any, condition_type: str) -> bool:
    """Whether the first condition of this type has status "True"."""
    for condition in conditions:
        if condition.get("type") == condition_type:
            return condition.get("status") == "True"
    return False


def _terminated_reason(terminated: dict) -> str:
    """The reason a terminated container shows: its reason, else "Signal:N" or "ExitCode:N"."""
    reason = terminated.get("reason")
    if reason:
        return reason
    signal = terminated.get("signal")
    if signal:
        return f"Signal:{signal}"
    return f"ExitCode:{terminated.get('exitCode') or 0}"


def _last_restart(status: dict, latest: float | None) -> float | None:
    """The later of `latest` and when this container's previous run finished."""
    terminated = (status.get("lastState") or _EMPTY).get("terminated") or _EMPTY
    finished = _epoch(terminated.get("finishedAt"))
    if finished is not None and (latest is None or finished > latest):
        return finished
    return latest


def _pod_row(pod: Object, now: float) -> list[Any]:
    """Cells for a pod.  The Status word is worked out as upstream's printPod does:

    start from the phase (or status.reason); a failing or waiting init container gives
    "Init:<reason>", an unfinished one "Init:<done>/<total>"; once initialised, the last
    waiting or terminated app container's reason wins ("CrashLoopBackOff", "Completed");
    "Completed" with a container still running reads "Running" or "NotReady"; a deleted
    pod reads "Terminating" (or "Unknown" when its node was lost).  Sidecars (init
    containers with restartPolicy Always) count as containers once started.
    """
    metadata = pod.get("metadata") or _EMPTY
    spec = pod.get("spec") or _EMPTY
    status = pod.get("status") or _EMPTY
    conditions = status.get("conditions") or ()

    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for condition in conditions:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    total = len(spec.get("containers") or ())
    ready = 0
    restarts = 0
    last_restart: float | None = None

    init_specs = spec.get("initContainers") or ()
    sidecars: set[str] = set()
    for container in init_specs:
        if container.get("restartPolicy") == "Always":
            sidecars.add(container.get("name"))
    total += len(sidecars)

    # Restarts of sidecars still count once the pod is initialised; those of ordinary init
    # containers only while initialisation is under way.
    sidecar_restarts = 0
    last_sidecar_restart: float | None = None
    initializing = False
    for index, container_status in enumerate(status.get("initContainerStatuses") or ()):
        count = container_status.get("restartCount") or 0
        restarts += count
        last_restart = _last_restart(container_status, last_restart)
        is_sidecar = container_status.get("name") in sidecars
        if is_sidecar:
            sidecar_restarts += count
            last_sidecar_restart = _last_restart(container_status, last_sidecar_restart)
        state = container_status.get("state") or _EMPTY
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated is not None and not terminated.get("exitCode"):
            continue
        if is_sidecar and container_status.get("started"):
            if container_status.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            reason = "Init:" + _terminated_reason(terminated)
        elif waiting and waiting.get("reason") not in (None, "", "PodInitializing"):
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        error_reason = ""
        # Walk backwards so that the first container's state is the one that sticks.
        for container_status in reversed(status.get("containerStatuses") or ()):
            restarts += container_status.get("restartCount") or 0
            last_restart = _last_restart(container_status, last_restart)
            state = container_status.get("state") or _EMPTY
            waiting = state.get("waiting")
            terminated = state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
                if terminated.get("exitCode"):
                    error_reason = reason
            elif container_status.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed":
            if has_running and _condition_true(conditions, "Ready"):
                reason = "Running"
            elif error_reason:
                reason = error_reason
            elif has_running:
                reason = "NotReady"

    if metadata.get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase != "Succeeded" and phase != "Failed":
            reason = "Terminating"

    # 1.20 sent a bare integer; 1.22+ appends when the latest restart happened.
    restarts_cell: int | str = restarts
    if restarts and last_restart is not None:
        restarts_cell = f"{restarts} ({human_duration(now - last_restart)} ago)"

    pod_ips = status.get("podIPs")
    pod_ip = (pod_ips[0].get("ip") if pod_ips else status.get("podIP")) or "<none>"

    gates = spec.get("readinessGates")
    readiness_gates = "<none>"
    if gates:
        passed = sum(1 for gate in gates if _condition_true(conditions, gate.get("conditionType")))
        readiness_gates = f"{passed}/{len(gates)}"

    return [
        metadata.get("name"),
        f"{ready}/{total}",
        reason,
        restarts_cell,
        _since(metadata.get("creationTimestamp"), now),
        pod_ip,
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        readiness_gates,
    ]


# --- nodes ----------------------------------------------------------------------------------

_NODE_COLUMNS = (
    _NAME,
    _column("Status", "string", "Whether the node is Ready, and SchedulingDisabled if cordoned."),
    _column("Roles", "string", "Roles from the node's node-role.kubernetes.io/* labels."),
    _AGE,
    _column("Version", "string", "Kubelet version the node reports."),
    _column("Internal-IP", "string", "The node's first InternalIP address.", 1),
    _column("External-IP", "string", "The node's first ExternalIP address.", 1),
    _column("OS-Image", "string", "Operating system image the node reports.", 1),
    _column("Kernel-Version", "string", "Kernel version the node reports.", 1),
    _column("Container-Runtime", "string", "Container runtime and version the node reports.", 1),
)

_ROLE_PREFIX = "node-role.kubernetes.io/"


def _node_address(addresses: Any, address_type: str) -> str:
    """The first address of a type, or "<none>"."""
    for address in addresses:
        if address.get("type") == address_type:
            return address.get("address") or "<none>"
    return "<none>"


def _node_row(node: Object, now: float) -> list[Any]:
    """Cells for a node: Ready/NotReady/Unknown from the Ready condition, then roles."""
    metadata = node.get("metadata") or _EMPTY
    status = node.get("status") or _EMPTY
    info = status.get("nodeInfo") or _EMPTY

    state = "Unknown"
    for condition in status.get("conditions") or ():
        if condition.get("type") == "Ready":
            state = "Ready" if condition.get("status") == "True" else "NotReady"
    if (node.get("spec") or _EMPTY).get("unschedulable"):
        state += ",SchedulingDisabled"

    roles = set()
    for key, value in (metadata.get("labels") or _EMPTY).items():
        if key.startswith(_ROLE_PREFIX):
            if len(key) > len(_ROLE_PREFIX):
                roles.add(key[len(_ROLE_PREFIX):])
        elif key == "kubernetes.io/role" and value:
            roles.add(value)

    addresses = status.get("addresses") or ()
    return [
        metadata.get("name"),
        state,
        ",".join(sorted(roles)) or "<none>",
        _since(metadata.get("creationTimestamp"), now),
        info.get("kubeletVersion") or "",
        _node_address(addresses, "InternalIP"),
        _node_address(addresses, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


# --- namespaces, config and accounts --------------------------------------------------------

_NAMESPACE_COLUMNS = (
    _NAME,
    _column("Status", "string", "Phase of the namespace: Active or Terminating."),
    _AGE,
)


def _namespace_row(namespace: Object, now: float) -> list[Any]:
    """Cells for a namespace."""
    return [
        (namespace.get("metadata") or _EMPTY).get("name"),
        (namespace.get("status") or _EMPTY).get("phase") or "",
        _age(namespace, now),
    ]


_SECRET_COLUMNS = (
    _NAME,
    _column("Type", "string", "Type of the secret, which says what its data holds."),
    _column("Data", "string", "Number of keys in the secret's data."),
    _AGE,
)


def _secret_row(secret: Object, now: float) -> list[Any]:
    """Cells for a secret."""
    return [
        (secret.get("metadata") or _EMPTY).get("name"),
        secret.get("type") or "",
        len(secret.get("data") or ()),
        _age(secret, now),
    ]


_CONFIG_MAP_COLUMNS = (
    _NAME,
    _column("Data", "string", "Number of keys in data and binaryData together."),
    _AGE,
)


def _config_map_row(config_map: Object, now: float) -> list[Any]:
    """Cells for a config map."""
    return [
        (config_map.get("metadata") or _EMPTY).get("name"),
        len(config_map.get("data") or ()) + len(config_map.get("binaryData") or ()),
        _age(config_map, now),
    ]


_SERVICE_ACCOUNT_COLUMNS = (
    _NAME,
    _column("Secrets", "string", "Number of secrets listed on the service account."),
    _AGE,
)


def _service_account_row(account: Object, now: float) -> list[Any]:
    """Cells for a service account."""
    return [
        (account.get("metadata") or _EMPTY).get("name"),
        len(account.get("secrets") or ()),
        _age(account, now),
    ]


# Upstream has no printer for limit ranges; they get the API server's default table,
# whose second column is the creation time itself.
_LIMIT_RANGE_COLUMNS = (
    _NAME,
    _column("Created At", "date", "When the object was created (RFC 3339, UTC)."),
)


def _limit_range_row(limit_range: Object, now: float) -> list[Any]:
    """Cells for a limit range: name and creation time."""
    metadata = limit_range.get("metadata") or _EMPTY
    return [metadata.get("name"), metadata.get("creationTimestamp") or "<unknown>"]


_RESOURCE_QUOTA_COLUMNS = (
    _NAME,
    _AGE,
    _column("Request", "string", "Used/hard amounts of the quota's request (non-limit) resources."),
    _column("Limit", "string", "Used/hard amounts of the quota's limits.* resources."),
)


def _resource_quota_row(quota: Object, now: float) -> list[Any]:
    """Cells for a resource quota: "name: used/hard" per resource, limits.* apart."""
    status = quota.get("status") or _EMPTY
    hard = status.get("hard") or _EMPTY
    used = status.get("used") or _EMPTY
    requests: list[str] = []
    limits: list[str] = []
    for resource in sorted(hard):
        text = f"{resource}: {used.get(resource, '0')}/{hard[resource]}"
        (limits if resource.startswith("limits.") else requests).append(text)
    return [
        (quota.get("metadata") or _EMPTY).get("name"),
        _age(quota, now),
        ", ".join(requests),
        ", ".join(limits),
    ]


# --- services and endpoints -----------------------------------------------------------------

_SERVICE_COLUMNS = (
    _NAME,
    _column("Type", "string", "How the service is exposed: ClusterIP, NodePort, LoadBalancer..."),
    _column("Cluster-IP", "string", "The service's virtual IP inside the cluster."),
    _column("External-IP", "string", "Addresses the service is reachable on from outside."),
    _column("Port(s)", "string", "Service ports, with node ports, and their protocols."),
    _AGE,
    _column("Selector", "string", "Labels of the pods the service sends traffic to.", 1),
)


def _service_external_ip(spec: dict, status: dict, service_type: str) -> str:
    """The External-IP cell, by service type, as upstream's getServiceExternalIP."""
    external_ips = spec.get("externalIPs") or ()
    if service_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) or "<none>"
    if service_type == "LoadBalancer":
        balancer = _load_balancer_addresses(status)
        if external_ips:
            return ",".join(([balancer] if balancer else []) + list(external_ips))
        return balancer or "<pending>"
    if service_type == "ExternalName":
        return spec.get("externalName") or ""
    return "<unknown>"


def _service_ports(ports: Any) -> str:
    """Ports as "80/TCP,443:30443/TCP" (node port after the colon when set)."""
    pieces = []
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        node_port = port.get("nodePort")
        if node_port:
            pieces.append(f"{port.get('port')}:{node_port}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces) or "<none>"


def _service_row(service: Object, now: float) -> list[Any]:
    """Cells for a service."""
    spec = service.get("spec") or _EMPTY
    # The API server defaults type to ClusterIP, so a missing type can only mean that.
    service_type = spec.get("type") or "ClusterIP"
    cluster_ips = spec.get("clusterIPs")
    cluster_ip = (cluster_ips[0] if cluster_ips else spec.get("clusterIP")) or "<none>"
    return [
        (service.get("metadata") or _EMPTY).get("name"),
        service_type,
        cluster_ip,
        _service_external_ip(spec, service.get("status") or _EMPTY, service_type),
        _service_ports(spec.get("ports") or ()),
        _age(service, now),
        _format_labels(spec.get("selector")),
    ]


_ENDPOINTS_COLUMNS = (
    _NAME,
    _column("Endpoints", "string", "Up to three ready ip:port pairs the service routes to."),
    _AGE,
)


def _host_port(ip: str, port: Any) -> str:
    """ip:port, with brackets around IPv6 addresses."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _endpoints_row(endpoints: Object, now: float) -> list[Any]:
    """Cells for an Endpoints object: the first three addresses and a count of the rest."""
    subsets = endpoints.get("subsets") or ()
    limit = 3
    shown: list[str] = []
    count = 0
    for subset in subsets:
        addresses = subset.get("addresses") or ()
        ports = subset.get("ports") or ()
        if not ports:
            # Headless services may have no ports; list the bare addresses.
            count += len(addresses)
            for address in addresses:
                if len(shown) < limit:
                    shown.append(address.get("ip") or "")
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) < limit:
                    shown.append(_host_port(address.get("ip") or "", port.get("port")))
    if not subsets:
        text = "<none>"
    elif count > limit:
        text = ",".join(shown) + f" + {count - limit} more..."
    else:
        text = ",".join(shown)
    return [(endpoints.get("metadata") or _EMPTY).get("name"), text, _age(endpoints, now)]


_ENDPOINT_SLICE_COLUMNS = (
    _NAME,
    _column("AddressType", "string", "Kind of address in the slice: IPv4, IPv6 or FQDN."),
    _column("Ports", "string", "Up to three of the slice's port numbers (or names)."),
    _column("Endpoints", "string", "Up to three of the slice's endpoint addresses."),
    _AGE,
)


def _endpoint_slice_row(endpoint_slice: Object, now: float) -> list[Any]:
    """Cells for an EndpointSlice."""
    ports = endpoint_slice.get("ports") or ()
    port_texts = []
    for port in ports[:3]:
        number = port.get("port")
        port_texts.append(str(number) if number is not None else port.get("name") or "*")
    addresses = [
        address
        for endpoint in endpoint_slice.get("endpoints") or ()
        for address in endpoint.get("addresses") or ()
    ]
    return [
        (endpoint_slice.get("metadata") or _EMPTY).get("name"),
        endpoint_slice.get("addressType") or "",
        _list_with_more(port_texts, len(ports), 3),
        _list_with_more(addresses, len(addresses), 3),
        _age(endpoint_slice, now),
    ]


# --- events ---------------------------------------------------------------------------------

_EVENT_COLUMNS = (
    _column("Last Seen", "string", "Time since the event was last observed."),
    _column("Type", "string", "Normal or Warning."),
    _column("Reason", "string", "Short machine-readable cause of the event."),
    _column("Object", "string", "The object the event is about, as kind/name."),
    _column("Subobject", "string", "Part of the object concerned, such as a container.", 1),
    _column("Source", "string", "Component (and host) that reported the event.", 1),
    _column("Message", "string", "Human-readable description of what happened."),
    _column("First Seen", "string", "Time since the event was first observed.", 1),
    _column("Count", "string", "How many times the event has occurred.", 1),
    _column("Name", "string", "Name of the Event object.", 1, fmt="name"),
)


def _event_row(event: Object, now: float) -> list[Any]:
    """Cells for a core/v1 Event, reading the events.k8s.io fields where old ones are unset."""
    first_seen = _since(event.get("firstTimestamp") or event.get("eventTime"), now)
    last_timestamp = event.get("lastTimestamp")
    last_seen = _since(last_timestamp, now) if last_timestamp else first_seen
    series = event.get("series")
    if series:
        last_seen = _since(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    else:
        # Singleton events from the new API leave count unset.
        count = event.get("count") or 1

    involved = event.get("involvedObject") or _EMPTY
    kind = (involved.get("kind") or "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind

    source = event.get("source") or _EMPTY
    component = source.get("component") or event.get("reportingComponent") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    return [
        last_seen,
        event.get("type") or "",
        event.get("reason") or "",
        target,
        involved.get("fieldPath") or "",
        f"{component}, {instance}" if instance else component,
        (event.get("message") or "").strip(),
        first_seen,
        count,
        (event.get("metadata") or _EMPTY).get("name"),
    ]


# --- workloads ------------------------------------------------------------------------------

_REPLICATION_CONTROLLER_COLUMNS = (
    _NAME,
    _column("Desired", "integer", "Number of pods asked for."),
    _column("Current", "integer", "Number of pods that exist."),
    _column("Ready", "integer", "Number of pods that are ready."),
    _AGE,
    _CONTAINERS,
    _IMAGES,
    _workload_selector("Labels of the pods the controller manages."),
)


def _replication_controller_row(controller: Object, now: float) -> list[Any]:
    """Cells for a replication controller."""
    spec = controller.get("spec") or _EMPTY
    status = controller.get("status") or _EMPTY
    names, images = _container_cells(_template_spec(controller))
    return [
        (controller.get("metadata") or _EMPTY).get("name"),
        _desired_replicas(spec),
        status.get("replicas") or 0,
        status.get("readyReplicas") or 0,
        _age(controller, now),
        names,
        images,
        _format_labels(spec.get("selector")),
    ]


_REPLICA_SET_COLUMNS = (
    _NAME,
    _column("Desired", "integer", "Number of pods asked for."),
    _column("Current", "integer", "Number of pods that exist."),
    _column("Ready", "integer", "Number of pods that are ready."),
    _AGE,
    _CONTAINERS,
    _IMAGES,
    _workload_selector("Label query for the pods the replica set manages."),
)


def _replica_set_row(replica_set: Object, now: float) -> list[Any]:
    """Cells for a replica set."""
    spec = replica_set.get("spec") or _EMPTY
    status = replica_set.get("status") or _EMPTY
    names, images = _container_cells(_template_spec(replica_set))
    return [
        (replica_set.get("metadata") or _EMPTY).get("name"),
        _desired_replicas(spec),
        status.get("replicas") or 0,
        status.get("readyReplicas") or 0,
        _age(replica_set, now),
        names,
        images,
        _format_label_selector(spec.get("selector")),
    ]


_DEPLOYMENT_COLUMNS = (
    _NAME,
    _column("Ready", "string", "Ready pods out of the pods asked for."),
    _column("Up-to-date", "string", "Pods already running the latest template."),
    _column("Available", "string", "Pods ready for at least minReadySeconds."),
    _AGE,
    _CONTAINERS,
    _IMAGES,
    _workload_selector("Label query for the pods the deployment manages."),
)


def _deployment_row(deployment: Object, now: float) -> list[Any]:
    """Cells for a deployment: Ready is "ready/desired"."""
    spec = deployment.get("spec") or _EMPTY
    status = deployment.get("status") or _EMPTY
    names, images = _container_cells(_template_spec(deployment))
    selector = _selector_string(spec.get("selector"))
    return [
        (deployment.get("metadata") or _EMPTY).get("name"),
        f"{status.get('readyReplicas') or 0}/{_desired_replicas(spec)}",
        status.get("updatedReplicas") or 0,
        status.get("availableReplicas") or 0,
        _age(deployment, now),
        names,
        images,
        "<invalid>" if selector is None else selector,
    ]


_DAEMON_SET_COLUMNS = (
    _NAME,
    _column("Desired", "integer", "Nodes that should run the daemon pod."),
    _column("Current", "integer", "Nodes running at least one daemon pod."),
    _column("Ready", "integer", "Nodes whose daemon pod is ready."),
    _column("Up-to-date", "integer", "Nodes running the latest template."),
    _column("Available", "integer", "Nodes whose daemon pod has been ready long enough."),
    _column("Node Selector", "string", "Labels a node needs to get a daemon pod."),
    _AGE,
    _CONTAINERS,
    _IMAGES,
    _workload_selector("Label query for the pods the daemon set manages."),
)


def _daemon_set_row(daemon_set: Object, now: float) -> list[Any]:
    """Cells for a daemon set."""
    status = daemon_set.get("status") or _EMPTY
    pod_spec = _template_spec(daemon_set)
    names, images = _container_cells(pod_spec)
    return [
        (daemon_set.get("metadata") or _EMPTY).get("name"),
        status.get("desiredNumberScheduled") or 0,
        status.get("currentNumberScheduled") or 0,
        status.get("numberReady") or 0,
        status.get("updatedNumberScheduled") or 0,
        status.get("numberAvailable") or 0,
        _format_labels(pod_spec.get("nodeSelector")),
        _age(daemon_set, now),
        names,
        images,
        _format_label_selector((daemon_set.get("spec") or _EMPTY).get("selector")),
    ]


_HPA_COLUMNS = (
    _NAME,
    _column("Reference", "string", "The scaled object, as Kind/name."),
    _column("Targets", "string", "Current/target value of each metric (first two shown)."),
    _column("MinPods", "string", "Fewest replicas the autoscaler scales down to."),
    _column("MaxPods", "string", "Most replicas the autoscaler scales up to."),
    _column("Replicas", "string", "Replicas the autoscaler last saw."),
    _AGE,
)


def _or_unknown(value: Any) -> Any:
    """A metric value, or "<unknown>" when the autoscaler has not measured it yet."""
    return "<unknown>" if value is None else value


# Where each MetricSpec type keeps its source, in both spec.metrics and status.currentMetrics.
_METRIC_SOURCE_FIELDS = {
    "Resource": "resource",
    "ContainerResource": "containerResource",
    "Pods": "pods",
    "Object": "object",
    "External": "external",
}


def _metric_entry(spec: dict, status: dict | None) -> str:
    """One Targets entry ("cpu: 50%/80%", "1k/500 (avg)") for a v2 MetricSpec and its status."""
    field = _METRIC_SOURCE_FIELDS.get(spec.get("type") or "")
    if field is None:
        return "<unknown type>"
    source = spec.get(field) or _EMPTY
    target = source.get("target") or _EMPTY
    measured = (status or _EMPTY).get(field)
    current = (measured or _EMPTY).get("current") or _EMPTY

    if field == "resource" or field == "containerResource":
        # Resource metrics are prefixed with the resource's name since Kubernetes 1.27.
        name = source.get("name") or ""
        if target.get("averageValue") is not None:
            return f"{name}: {_or_unknown(current.get('averageValue'))}/{target['averageValue']}"
        utilization = current.get("averageUtilization")
        now_text = "<unknown>" if utilization is None else f"{utilization}%"
        wanted = target.get("averageUtilization")
        wanted_text = "<auto>" if wanted is None else f"{wanted}%"
        return f"{name}: {now_text}/{wanted_text}"
    if field == "pods":
        return f"{_or_unknown(current.get('averageValue'))}/{target.get('averageValue')}"
    # Object and External metrics: an averaged target is marked "(avg)".
    if target.get("averageValue") is not None:
        return f"{_or_unknown(current.get('averageValue'))}/{target['averageValue']} (avg)"
    return f"{_or_unknown(current.get('value'))}/{target.get('value')}"


def _hpa_targets(spec: dict, status: dict) -> str:
    """The Targets cell: the first two metrics, then " + N more..."."""
    metrics = spec.get("metrics")
    current = status.get("currentMetrics") or ()
    if metrics is None and spec.get("targetCPUUtilizationPercentage") is not None:
        # autoscaling/v1 form: one CPU utilisation target.
        utilization = status.get("currentCPUUtilizationPercentage")
        current_text = f"{utilization}%" if utilization is not None else "<unknown>"
        return f"cpu: {current_text}/{spec['targetCPUUtilizationPercentage']}%"
    if not metrics:
        return "<none>"
    entries = [
        _metric_entry(metric, current[index] if index < len(current) else None)
        for index, metric in enumerate(metrics[:2])
    ]
    text = ", ".join(entries)
    if len(metrics) > 2:
        text += f" + {len(metrics) - 2} more..."
    return text


def _hpa_row(autoscaler: Object, now: float) -> list[Any]:
    """Cells for a horizontal pod autoscaler (autoscaling/v2 or v1 form)."""
    spec = autoscaler.get("spec") or _EMPTY
    status = autoscaler.get("status") or _EMPTY
    target_ref = spec.get("scaleTargetRef") or _EMPTY
    min_replicas = spec.get("minReplicas")
    return [
        (autoscaler.get("metadata") or _EMPTY).get("name"),
        f"{target_ref.get('kind') or ''}/{target_ref.get('name') or ''}",
        _hpa_targets(spec, status),
        "<unset>" if min_replicas is None else str(min_replicas),
        spec.get("maxReplicas") or 0,
        status.get("currentReplicas") or 0,
        _age(autoscaler, now),
    ]


# --- storage --------------------------------------------------------------------------------

_ACCESS_MODE_ABBREVIATIONS = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)

# Older objects name their class in this annotation; upstream still prefers it.
_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"


def _access_modes(modes: Any) -> str:
    """Access modes abbreviated and in upstream's fixed order: "RWO,ROX,RWX,RWOP"."""
    if not modes:
        return ""
    return ",".join(short for mode, short in _ACCESS_MODE_ABBREVIATIONS if mode in modes)


def _storage_class_of(metadata: dict, spec: dict) -> str:
    """The storage class: the beta annotation if present, else spec.storageClassName."""
    annotations = metadata.get("annotations") or _EMPTY
    if _BETA_STORAGE_CLASS in annotations:
        return annotations[_BETA_STORAGE_CLASS]
    return spec.get("storageClassName") or ""


_PERSISTENT_VOLUME_COLUMNS = (
    _NAME,
    _column("Capacity", "string", "Storage size of the volume."),
    _column("Access Modes", "string", "Ways the volume can be mounted (RWO, ROX, RWX, RWOP)."),
    _column("Reclaim Policy", "string", "What happens to the volume when its claim goes away."),
    _column("Status", "string", "Phase of the volume: Available, Bound, Released, Failed."),
    _column("Claim", "string", "The claim bound to the volume, as namespace/name."),
    _column("StorageClass", "string", "Storage class of the volume."),
    _column("VolumeAttributesClass", "string", "Volume attributes class of the volume."),
    _column("Reason", "string", "Why the volume is in its phase, when it failed."),
    _AGE,
    _column("VolumeMode", "string", "Filesystem or Block.", 1),
)


def _persistent_volume_row(volume: Object, now: float) -> list[Any]:
    """Cells for a persistent volume."""
    metadata = volume.get("metadata") or _EMPTY
    spec = volume.get("spec") or _EMPTY
    status = volume.get("status") or _EMPTY
    claim_ref = spec.get("claimRef")
    claim = f"{claim_ref.get('namespace') or ''}/{claim_ref.get('name') or ''}" if claim_ref else ""
    phase = "Terminating" if metadata.get("deletionTimestamp") else status.get("phase") or ""
    return [
        metadata.get("name"),
        (spec.get("capacity") or _EMPTY).get("storage") or "0",
        _access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy") or "",
        phase,
        claim,
        _storage_class_of(metadata, spec),
        spec.get("volumeAttributesClassName") or "<unset>",
        status.get("reason") or "",
        _since(metadata.get("creationTimestamp"), now),
        spec.get("volumeMode") or "<unset>",
    ]


_PERSISTENT_VOLUME_CLAIM_COLUMNS = (
    _NAME,
    _column("Status", "string", "Phase of the claim: Pending, Bound or Lost."),
    _column("Volume", "string", "Name of the volume bound to the claim."),
    _column("Capacity", "string", "Storage size of the bound volume."),
    _column("Access Modes", "string", "Ways the bound volume can be mounted."),
    _column("StorageClass", "string", "Storage class the claim asks for."),
    _column("VolumeAttributesClass", "string", "Volume attributes class the claim asks for."),
    _AGE,
    _column("VolumeMode", "string", "Filesystem or Block.", 1),
)


def _persistent_volume_claim_row(claim: Object, now: float) -> list[Any]:
    """Cells for a persistent volume claim; capacity and modes only once bound."""
    metadata = claim.get("metadata") or _EMPTY
    spec = claim.get("spec") or _EMPTY
    status = claim.get("status") or _EMPTY
    volume_name = spec.get("volumeName") or ""
    capacity = ""
    access_modes = ""
    if volume_name:
        capacity = (status.get("capacity") or _EMPTY).get("storage") or "0"
        access_modes = _access_modes(status.get("accessModes"))
    phase = "Terminating" if metadata.get("deletionTimestamp") else status.get("phase") or ""
    return [
        metadata.get("name"),
        phase,
        volume_name,
        capacity,
        access_modes,
        _storage_class_of(metadata, spec),
        spec.get("volumeAttributesClassName") or "<unset>",
        _since(metadata.get("creationTimestamp"), now),
        spec.get("volumeMode") or "<unset>",
    ]


_STORAGE_CLASS_COLUMNS = (
    _NAME,
    _column("Provisioner", "string", "Driver that creates volumes of this class."),
    _column("ReclaimPolicy", "string", "Reclaim policy given to volumes of this class."),
    _column("VolumeBindingMode", "string", "When claims are bound: Immediate or on first use."),
    _column("AllowVolumeExpansion", "string", "Whether claims of this class may grow."),
    _AGE,
)

_DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def _storage_class_row(storage_class: Object, now: float) -> list[Any]:
    """Cells for a storage class; the default class gets " (default)" after its name."""
    metadata = storage_class.get("metadata") or _EMPTY
    annotations = metadata.get("annotations") or _EMPTY
    name = metadata.get("name") or ""
    if any(annotations.get(key) == "true" for key in _DEFAULT_CLASS_ANNOTATIONS):
        name += " (default)"
    return [
        name,
        storage_class.get("provisioner") or "",
        storage_class.get("reclaimPolicy") or "Delete",
        storage_class.get("volumeBindingMode") or "Immediate",
        bool(storage_class.get("allowVolumeExpansion")),
        _since(metadata.get("creationTimestamp"), now),
    ]


# --- networking and coordination ------------------------------------------------------------

_INGRESS_COLUMNS = (
    _NAME,
    _column("Class", "string", "Ingress class that handles this ingress."),
    _column("Hosts", "string", "Hosts the rules match (first three shown)."),
    _column("Address", "string", "Addresses of the load balancer serving the ingress."),
    _column("Ports", "string", "Ports served: 80, plus 443 when TLS is configured."),
    _AGE,
)


def _ingress_hosts(rules: Any) -> str:
    """The first three hosts named by the rules, "*" when none names one.

    As upstream, " + N more..." counts rules (not hosts) beyond the third, and appears only
    when a rule is left over after three hosts were found.
    """
    hosts: list[str] = []
    more = False
    for rule in rules:
        if len(hosts) == 3:
            more = True
            break
        if rule.get("host"):
            hosts.append(rule["host"])
    if not hosts:
        return "*"
    text = ",".join(hosts)
    if more:
        text += f" + {len(rules) - 3} more..."
    return text


def _ingress_row(ingress: Object, now: float) -> list[Any]:
    """Cells for an ingress."""
    spec = ingress.get("spec") or _EMPTY
    return [
        (ingress.get("metadata") or _EMPTY).get("name"),
        spec.get("ingressClassName") or "<none>",
        _ingress_hosts(spec.get("rules") or ()),
        _load_balancer_addresses(ingress.get("status") or _EMPTY),
        "80, 443" if spec.get("tls") else "80",
        _age(ingress, now),
    ]


_INGRESS_CLASS_COLUMNS = (
    _NAME,
    _column("Controller", "string", "Controller that implements ingresses of this class."),
    _column("Parameters", "string", "Resource holding extra configuration for the controller."),
    _AGE,
)


def _ingress_class_row(ingress_class: Object, now: float) -> list[Any]:
    """Cells for an ingress class; Parameters reads "Kind.group/name"."""
    spec = ingress_class.get("spec") or _EMPTY
    parameters = spec.get("parameters")
    text = "<none>"
    if parameters:
        text = parameters.get("kind") or ""
        if parameters.get("apiGroup"):
            text += "." + parameters["apiGroup"]
        text += "/" + (parameters.get("name") or "")
    return [
        (ingress_class.get("metadata") or _EMPTY).get("name"),
        spec.get("controller") or "",
        text,
        _age(ingress_class, now),
    ]


_LEASE_COLUMNS = (
    _NAME,
    _column("Holder", "string", "Identity of the lease's current holder."),
    _AGE,
)


def _lease_row(lease: Object, now: float) -> list[Any]:
    """Cells for a lease."""
    return [
        (lease.get("metadata") or _EMPTY).get("name"),
        (lease.get("spec") or _EMPTY).get("holderIdentity") or "",
        _age(lease, now),
    ]


# --- the registry ---------------------------------------------------------------------------



# --- statefulsets, jobs, cronjobs ------------------------------------------------------------

_STATEFUL_SET_COLUMNS = (
    _NAME,
    _column("Ready", "string", "Ready pods out of the pods asked for."),
    _AGE,
    _CONTAINERS,
    _IMAGES,
)


def _stateful_set_row(sts: Object, now: float) -> list[Any]:
    """Cells for a stateful set."""
    spec = sts.get("spec") or _EMPTY
    status = sts.get("status") or _EMPTY
    names, images = _container_cells(_template_spec(sts))
    return [(sts.get("metadata") or _EMPTY).get("name"),
            f"{status.get('readyReplicas') or 0}/{_desired_replicas(spec)}", _age(sts, now), names, images]


_JOB_COLUMNS = (
    _NAME,
    _column("Status", "string", "The job's state: Running, Complete, Failed, Suspended, ..."),
    _column("Completions", "string", "Succeeded pods out of the completions wanted."),
    _column("Duration", "string", "How long the job ran, or has been running."),
    _AGE,
    _CONTAINERS,
    _IMAGES,
    _workload_selector("Label query for the job's pods."),
)


def _job_status(conditions: list[dict]) -> str:
    # the terminal and transitional conditions, in the order upstream checks them
    for ctype, shown in (("Failed", "Failed"), ("Complete", "Complete"), ("Suspended", "Suspended"),
                         ("FailureTarget", "FailureTarget"), ("SuccessCriteriaMet", "SuccessCriteriaMet")):
        if _condition_true(conditions, ctype):
            return shown
    return "Running"


def _job_row(job: Object, now: float) -> list[Any]:
    """Cells for a job."""
    spec = job.get("spec") or _EMPTY
    status = job.get("status") or _EMPTY
    succeeded = status.get("succeeded") or 0
    completions = spec.get("completions")
    if completions is not None:
        done = f"{succeeded}/{completions}"
    else:
        parallelism = spec.get("parallelism")
        done = f"{succeeded}/1 of {parallelism}" if parallelism and parallelism > 1 else f"{succeeded}/1"
    start = _epoch(status.get("startTime"))
    end = _epoch(status.get("completionTime"))
    duration = human_duration((end if end is not None else now) - start) if start is not None else ""
    names, images = _container_cells(_template_spec(job))
    return [(job.get("metadata") or _EMPTY).get("name"), _job_status(status.get("conditions") or []), done,
            duration, _age(job, now), names, images, _format_label_selector(spec.get("selector"))]


_CRON_JOB_COLUMNS = (
    _NAME,
    _column("Schedule", "string", "The cron schedule."),
    _column("Timezone", "string", "Time zone the schedule is read in."),
    _column("Suspend", "boolean", "Whether new runs are suspended."),
    _column("Active", "integer", "Jobs running now."),
    _column("Last Schedule", "string", "Time since a job was last started."),
    _AGE,
    _CONTAINERS,
    _IMAGES,
    _workload_selector("Label query for the jobs' pods."),
)


def _cron_job_row(cj: Object, now: float) -> list[Any]:
    """Cells for a cron job."""
    spec = cj.get("spec") or _EMPTY
    status = cj.get("status") or _EMPTY
    job_spec = ((spec.get("jobTemplate") or _EMPTY).get("spec") or _EMPTY)
    pod_spec = ((job_spec.get("template") or _EMPTY).get("spec") or _EMPTY)
    names, images = _container_cells(pod_spec)
    last = status.get("lastScheduleTime")
    return [(cj.get("metadata") or _EMPTY).get("name"), spec.get("schedule", ""),
            spec.get("timeZone") or "<none>", bool(spec.get("suspend")), len(status.get("active") or []),
            _since(last, now) if last else "<none>", _age(cj, now), names, images,
            _format_label_selector(job_spec.get("selector"))]


class Printer(NamedTuple):
    """How one resource prints: its column definitions and its row function.

    ``row(obj, now)`` returns one cell per column, in column order; ``now`` is the
    reference time (seconds since the epoch) for ages.
    """

    columns: tuple[dict[str, Any], ...]
    row: RowFunction


def _default_row(obj: Object, now: float) -> list[Any]:
    """Cells for a resource without a printer of its own: name and age."""
    return [(obj.get("metadata") or _EMPTY).get("name"), _age(obj, now)]


_DEFAULT_PRINTER = Printer((_NAME, _AGE), _default_row)

PRINTERS: dict[str, Printer] = {
    "pods": Printer(_POD_COLUMNS, _pod_row),
    "nodes": Printer(_NODE_COLUMNS, _node_row),
    "namespaces": Printer(_NAMESPACE_COLUMNS, _namespace_row),
    "services": Printer(_SERVICE_COLUMNS, _service_row),
    "endpoints": Printer(_ENDPOINTS_COLUMNS, _endpoints_row),
    "secrets": Printer(_SECRET_COLUMNS, _secret_row),
    "configmaps": Printer(_CONFIG_MAP_COLUMNS, _config_map_row),
    "events": Printer(_EVENT_COLUMNS, _event_row),
    "replicationcontrollers": Printer(_REPLICATION_CONTROLLER_COLUMNS, _replication_controller_row),
    "serviceaccounts": Printer(_SERVICE_ACCOUNT_COLUMNS, _service_account_row),
    "persistentvolumes": Printer(_PERSISTENT_VOLUME_COLUMNS, _persistent_volume_row),
    "persistentvolumeclaims": Printer(
        _PERSISTENT_VOLUME_CLAIM_COLUMNS, _persistent_volume_claim_row
    ),
    "limitranges": Printer(_LIMIT_RANGE_COLUMNS, _limit_range_row),
    "resourcequotas": Printer(_RESOURCE_QUOTA_COLUMNS, _resource_quota_row),
    "deployments": Printer(_DEPLOYMENT_COLUMNS, _deployment_row),
    "replicasets": Printer(_REPLICA_SET_COLUMNS, _replica_set_row),
    "daemonsets": Printer(_DAEMON_SET_COLUMNS, _daemon_set_row),
    "horizontalpodautoscalers": Printer(_HPA_COLUMNS, _hpa_row),
    "ingresses": Printer(_INGRESS_COLUMNS, _ingress_row),
    "ingressclasses": Printer(_INGRESS_CLASS_COLUMNS, _ingress_class_row),
    "storageclasses": Printer(_STORAGE_CLASS_COLUMNS, _storage_class_row),
    "leases": Printer(_LEASE_COLUMNS, _lease_row),
    "endpointslices": Printer(_ENDPOINT_SLICE_COLUMNS, _endpoint_slice_row),
    "statefulsets": Printer(_STATEFUL_SET_COLUMNS, _stateful_set_row),
    "jobs": Printer(_JOB_COLUMNS, _job_row),
    "cronjobs": Printer(_CRON_JOB_COLUMNS, _cron_job_row),
}


def printer_for(resource: str) -> Printer:
    """The printer for a resource's plural name; Name, Age for resources without one."""
    return PRINTERS.get(resource, _DEFAULT_PRINTER)


def build_table(
    resource: str,
    objects: list[dict],
    list_metadata: dict,
    include_object: str = "Metadata",
    now: float | None = None,
    *,
    with_columns: bool = True,
) -> dict:
    """A meta.k8s.io/v1 Table of `objects` of one resource, ready to serialise.

    `include_object` is the request's ``includeObject``: "Metadata" (kubectl's default)
    puts each object's metadata in a PartialObjectMetadata beside its row, which kubectl
    needs for the NAMESPACE column of ``-A`` and for ``--show-labels``; "Object" puts the
    whole object (``--sort-by`` asks for that); "None" leaves it out.  The metadata dicts
    are shared with `objects`, not copied.

    `with_columns=False` leaves out columnDefinitions, for the watch events after the
    first one of ``kubectl get -w``.  `now` (seconds since the epoch) defaults to the
    current time.  Raises ValueError for an unknown `include_object`; the caller turns
    that into a BadRequest.
    """
    printer = printer_for(resource)
    row = printer.row
    if now is None:
        now = time.time()
    if include_object == "Metadata":
        rows = [
            {
                "cells": row(obj, now),
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": _TABLE_API_VERSION,
                    "metadata": obj.get("metadata") or {},
                },
            }
            for obj in objects
        ]
    elif include_object == "Object":
        rows = [{"cells": row(obj, now), "object": obj} for obj in objects]
    elif include_object == "None":
        rows = [{"cells": row(obj, now)} for obj in objects]
    else:
        raise ValueError(
            f'includeObject must be one of "None", "Metadata" or "Object", not "{include_object}"'
        )
    table: dict[str, Any] = {
        "kind": "Table",
        "apiVersion": _TABLE_API_VERSION,
        "metadata": list_metadata,
    }
    if with_columns:
        table["columnDefinitions"] = list(printer.columns)
    table["rows"] = rows
    return table
