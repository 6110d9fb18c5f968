"""A container's environment as the kubelet builds it: ``envFrom`` first, then ``env`` (whose
values may refer to variables defined before them as ``$(NAME)``; ``$$`` stands for a
``$``), values taken from Secrets, ConfigMaps, the pod's own fields (the downward API) and
its resources; then the variables of the services the pod may see (``service_env``) that
the container does not define itself.  ``command`` and ``args`` are expanded against the
result."""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any

from paddock.core.quantity import QuantityError, quantity_from_json

Obj = dict[str, Any]
# (resource, namespace, name) -> the object or None if there is none; name "": the list
Getter = Callable[[str, str, str], Awaitable[Obj | None]]

_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


class ConfigError(Exception):
    """The container cannot be configured (CreateContainerConfigError); ``str()`` says why."""


def expand(text: str, env: dict[str, str]) -> str:
    """``$(NAME)`` replaced by its value when NAME is defined (else left as written);
    ``$$`` becomes ``$``."""

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return env[name] if name in env else m.group(0)

    return _REF.sub(sub, text)


def _label_lines(values: dict[str, str]) -> str:
    """Labels or annotations as the downward API writes them: ``key="value"`` lines, sorted."""
    out = []
    for k in sorted(values):
        v = str(values[k]).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        out.append(f'{k}="{v}"')
    return "\n".join(out)


def field_value(pod: Obj, path: str) -> str:
    """The value of a downward-API ``fieldRef.fieldPath``."""
    md = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    m = re.fullmatch(r"metadata\.(labels|annotations)\['([^']+)'\]", path)
    if m:
        return str((md.get(m.group(1)) or {}).get(m.group(2), ""))
    simple = {
        "metadata.name": md.get("name"), "metadata.namespace": md.get("namespace"),
        "metadata.uid": md.get("uid"), "spec.nodeName": spec.get("nodeName"),
        "spec.serviceAccountName": spec.get("serviceAccountName"),
        "status.hostIP": status.get("hostIP"), "status.podIP": status.get("podIP"),
        "status.hostIPs": ",".join(i.get("ip", "") for i in status.get("hostIPs") or ()),
        "status.podIPs": ",".join(i.get("ip", "") for i in status.get("podIPs") or ()),
    }
    if path in simple:
        return str(simple[path] or "")
    if path == "metadata.labels":
        return _label_lines(md.get("labels") or {})
    if path == "metadata.annotations":
        return _label_lines(md.get("annotations") or {})
    raise ConfigError(f'unsupported fieldPath: "{path}"')


def resource_value(pod: Obj, container_name: str, ref: Obj, allocatable: dict[str, str]) -> str:
    """A ``resourceFieldRef``: the container's limit or request in units of ``divisor``
    (rounded up), a missing limit being the node's allocatable, as upstream."""
    resource = str(ref.get("resource") or "")
    name = ref.get("containerName") or container_name
    container = next((c for c in (pod.get("spec") or {}).get("containers") or () if c.get("name") == name), None)
    if container is None:
        raise ConfigError(f'resourceFieldRef: container "{name}" not found in pod')
    kind, _, what = resource.partition(".")
    if kind not in ("limits", "requests") or what not in ("cpu", "memory", "ephemeral-storage"):
        raise ConfigError(f'unsupported container resource : "{resource}"')
    resources = container.get("resources") or {}
    value = (resources.get(kind) or {}).get(what)
    if value is None and kind == "requests":
        value = (resources.get("limits") or {}).get(what)
    if value is None:
        value = allocatable.get(what, "0")
    try:
        amount = quantity_from_json(value)
        divisor = quantity_from_json(ref.get("divisor") or "1")
    except (QuantityError, TypeError, ValueError) as e:
        raise ConfigError(f"resourceFieldRef {resource}: {e}") from None
    if divisor.nanos <= 0:
        raise ConfigError(f"resourceFieldRef {resource}: the divisor must be positive")
    return str(max(math.ceil(amount.nanos / divisor.nanos), 1 if what == "cpu" and amount.nanos else 0))


def data_bytes(obj: Obj, secret: bool) -> dict[str, bytes]:
    """A Secret's or ConfigMap's values as bytes."""
    if secret:
        return {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
    out = {k: str(v).encode() for k, v in (obj.get("data") or {}).items()}
    for k, v in (obj.get("binaryData") or {}).items():
        out[k] = base64.b64decode(v)
    return out


def _data(obj: Obj, secret: bool) -> dict[str, str]:
    """A Secret's or ConfigMap's values as text."""
    if secret:
        return {k: base64.b64decode(v).decode(errors="replace") for k, v in (obj.get("data") or {}).items()}
    out = {k: str(v) for k, v in (obj.get("data") or {}).items()}
    for k, v in (obj.get("binaryData") or {}).items():
        out[k] = base64.b64decode(v).decode(errors="replace")
    return out


def _env_name(name: str) -> str:
    return name.upper().replace("-", "_")


def service_env(services: list[Obj], namespace: str, enable_links: bool = True) -> dict[str, str]:
    """The variables upstream gives every container for the services it may see: those of
    its namespace (unless ``enableServiceLinks`` is false) and always ``kubernetes`` of the
    default namespace.  ``NAME_SERVICE_HOST``/``_PORT``, one per named port, and the
    Docker-link style ``NAME_PORT_<port>_<PROTO>...``.  Services without a cluster IP have none."""
    chosen: dict[str, Obj] = {}
    for svc in services:
        md = svc.get("metadata") or {}
        ip = (svc.get("spec") or {}).get("clusterIP")
        if not ip or ip == "None":
            continue
        name = str(md.get("name") or "")
        if md.get("namespace") == "default" and name == "kubernetes":
            chosen.setdefault(name, svc)
        elif md.get("namespace") == namespace and enable_links:
            chosen[name] = svc
    env: dict[str, str] = {}
    for name, svc in chosen.items():
        spec = svc.get("spec") or {}
        ip = str(spec["clusterIP"])
        ports = spec.get("ports") or []
        prefix = _env_name(name)
        env[f"{prefix}_SERVICE_HOST"] = ip
        if ports:
            env[f"{prefix}_SERVICE_PORT"] = str(ports[0].get("port"))
        for i, port in enumerate(ports):
            number = str(port.get("port"))
            protocol = str(port.get("protocol") or "TCP")
            if port.get("name"):
                env[f"{prefix}_SERVICE_PORT_{_env_name(str(port['name']))}"] = number
            url = f"{protocol.lower()}://{ip}:{number}"
            if i == 0:
                env[f"{prefix}_PORT"] = url
            link = f"{prefix}_PORT_{number}_{protocol.upper()}"
            env[link] = url
            env[f"{link}_PROTO"] = protocol.lower()
            env[f"{link}_PORT"] = number
            env[f"{link}_ADDR"] = ip
    return env


async def container_env(pod: Obj, container: Obj, get: Getter, allocatable: dict[str, str],
                        services: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of ``container`` in ``pod`` (``services``: :func:`service_env`);
    raises ConfigError as upstream words it."""
    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    cache: dict[tuple[str, str], Obj | None] = {}

    async def fetch(resource: str, name: str) -> Obj | None:
        if (resource, name) not in cache:
            cache[(resource, name)] = await get(resource, ns, name)
        return cache[(resource, name)]

    env: dict[str, str] = {}
    for source in container.get("envFrom") or ():
        prefix = str(source.get("prefix") or "")
        for resource, key in (("secrets", "secretRef"), ("configmaps", "configMapRef")):
            ref = source.get(key)
            if ref is None:
                continue
            obj = await fetch(resource, ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                kind = "secret" if resource == "secrets" else "configmap"
                raise ConfigError(f'{kind} "{ref.get("name", "")}" not found')
            for k, v in _data(obj, resource == "secrets").items():
                if _ENV_NAME.match(prefix + k):  # upstream skips (and reports) invalid names
                    env[prefix + k] = v
    for e in container.get("env") or ():
        name = str(e.get("name") or "")
        if "valueFrom" not in e or e.get("valueFrom") is None:
            env[name] = expand(str(e.get("value") or ""), {**(services or {}), **env})
            continue
        source = e["valueFrom"]
        if "fieldRef" in source:
            env[name] = field_value(pod, str((source["fieldRef"] or {}).get("fieldPath") or ""))
        elif "resourceFieldRef" in source:
            env[name] = resource_value(pod, container.get("name", ""), source["resourceFieldRef"] or {}, allocatable)
        else:
            for resource, key, kind in (("secrets", "secretKeyRef", "secret"),
                                        ("configmaps", "configMapKeyRef", "configmap")):
                ref = source.get(key)
                if ref is None:
                    continue
                obj = await fetch(resource, ref.get("name", ""))
                optional = bool(ref.get("optional"))
                if obj is None:
                    if optional:
                        break
                    raise ConfigError(f'{kind} "{ref.get("name", "")}" not found')
                values = _data(obj, resource == "secrets")
                if ref.get("key") not in values:
                    if optional:
                        break
                    title = "Secret" if kind == "secret" else "ConfigMap"
                    raise ConfigError(f'couldn\'t find key {ref.get("key")} in {title} {ns}/{ref.get("name")}')
                env[name] = values[ref["key"]]
                break
    return {**(services or {}), **env}
