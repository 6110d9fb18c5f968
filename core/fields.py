"""Field selectors: the ``fieldSelector`` grammar, the selectable fields of each resource, and
the field tests the fast object filter runs.

As upstream (``k8s.io/apimachinery/pkg/fields``), a field selector is a comma-separated list
of ``field=value``, ``field==value`` or ``field!=value`` terms.  A value may contain ``,``,
``=`` and ``\\`` only escaped with a backslash (``\\,``, ``\\=``, ``\\\\``); nothing is
trimmed.  A field missing from an object compares as the empty string.

Each resource exposes a few fields (``spec.nodeName`` for pods, ``type`` for secrets, ...).
The table below follows upstream's field label conversion functions (which decide which
fields a request may name, and the 400 message when it names another) and ``ToSelectableFields``
(which compute the values).  One deliberate difference: ``status.replicas`` is accepted for
replicasets, as the Kubernetes documentation says, though upstream rejects it
(kubernetes/kubernetes#135136).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from paddock.core.labels import SelectorError, go_quote

__all__ = [
    "FieldRequirement",
    "FieldSelector",
    "FieldSelectorError",
    "FieldTest",
    "convert_field_selector",
    "field_tests",
    "object_fields",
    "parse_field_selector",
    "supported_fields",
]


class FieldSelectorError(SelectorError):
    """A field selector that does not parse, or names a field its resource does not have.

    ``str(err)`` is upstream's complete message for the 400 BadRequest.
    """


EQUALS = "="
NOT_EQUALS = "!="


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    """One term: ``field`` must (``=``) or must not (``!=``) equal ``value`` (unescaped)."""

    field: str
    operator: str  # EQUALS or NOT_EQUALS; "==" parses as EQUALS
    value: str

    def __str__(self) -> str:
        return f"{self.field}{self.operator}{_escape(self.value)}"


class FieldSelector:
    """The AND of field requirements, in upstream's order (the raw terms sorted)."""

    __slots__ = ("requirements",)

    requirements: tuple[FieldRequirement, ...]

    def __init__(self, requirements: tuple[FieldRequirement, ...] = ()) -> None:
        self.requirements = requirements

    @property
    def empty(self) -> bool:
        """True when the selector restricts nothing."""
        return not self.requirements

    def matches(self, fields: Mapping[str, str]) -> bool:
        """Whether a set of field values (see :func:`object_fields`) satisfies every term."""
        for r in self.requirements:
            if (fields.get(r.field, "") == r.value) != (r.operator == EQUALS):
                return False
        return True

    def exact_value(self, field: str) -> str | None:
        """The value ``field`` must equal, if a ``field=value`` term pins it (the first one)."""
        for r in self.requirements:
            if r.field == field and r.operator == EQUALS:
                return r.value
        return None

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)

    def __repr__(self) -> str:
        return f"parse_field_selector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSelector):
            return NotImplemented
        return self.requirements == other.requirements

    def __hash__(self) -> int:
        return hash(self.requirements)


# -- the grammar -------------------------------------------------------------------------------

def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _unescape(value: str) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out = []
    escaped = False
    for c in value:
        if escaped:
            if c not in "\\,=":
                raise FieldSelectorError(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in ",=":
            # Upstream prints the rune with %v, i.e. as its code point number.
            raise FieldSelectorError(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if escaped:
        raise FieldSelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(s: str) -> list[str]:
    """Split at commas that are not escaped; the backslashes stay in the terms."""
    terms = []
    start = 0
    escaped = False
    for i, c in enumerate(s):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            terms.append(s[start:i])
            start = i + 1
    terms.append(s[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    """(field, operator, raw value) at the first operator; the field part has no escaping."""
    for i in range(len(term)):
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def parse_field_selector(s: str) -> FieldSelector:
    """Parse a ``fieldSelector`` string; the empty string selects everything.

    Raises :class:`FieldSelectorError` with upstream's message, e.g.
    ``invalid selector: 'a'; can't understand 'a'``.
    """
    requirements = []
    for term in sorted(_split_terms(s)) if s else ():
        if not term:
            continue
        split = _split_term(term)
        if split is None:
            raise FieldSelectorError(f"invalid selector: '{s}'; can't understand '{term}'")
        field, op, raw = split
        value = _unescape(raw)
        if not field and not value:
            continue  # upstream's Transform drops a term whose field and value are both empty
        requirements.append(FieldRequirement(field, NOT_EQUALS if op == "!=" else EQUALS, value))
    return FieldSelector(tuple(requirements))


# -- the selectable fields of each resource ------------------------------------------------------

def _path_value(obj: Mapping[str, Any], path: tuple[str, ...]) -> str:
    """The string at ``path`` in a JSON object; "" when absent or not a string."""
    cur: Any = obj
    for key in path:
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(key)
    return cur if isinstance(cur, str) else ""


@dataclass(frozen=True, slots=True)
class _Field:
    """How to read one selectable field: a plain string at ``path``, or computed."""

    path: tuple[str, ...] | None
    compute: Callable[[Mapping[str, Any]], str] | None = None

    def read(self, obj: Mapping[str, Any]) -> str:
        if self.path is not None:
            return _path_value(obj, self.path)
        assert self.compute is not None
        return self.compute(obj)


def _at(dotted: str) -> _Field:
    return _Field(tuple(dotted.split(".")))


def _go_bool(value: object) -> str:
    return "true" if value is True else "false"


def _pod_host_network(pod: Mapping[str, Any]) -> str:
    return _go_bool((pod.get("spec") or {}).get("hostNetwork"))


def _pod_ip(pod: Mapping[str, Any]) -> str:
    # Upstream reads the first of status.podIPs (which the v1 status.podIP mirrors).
    status = pod.get("status") or {}
    ips = status.get("podIPs") or []
    if ips and isinstance(ips[0], dict):
        ip = ips[0].get("ip")
        return ip if isinstance(ip, str) else ""
    return _path_value(pod, ("status", "podIP"))


def _node_unschedulable(node: Mapping[str, Any]) -> str:
    return _go_bool((node.get("spec") or {}).get("unschedulable"))


def _status_replicas(obj: Mapping[str, Any]) -> str:
    replicas = (obj.get("status") or {}).get("replicas") or 0
    return str(int(replicas))


def _event_source(event: Mapping[str, Any]) -> str:
    # The reporting controller stands in for an event without a source component.
    return _path_value(event, ("source", "component")) or _path_value(event, ("reportingComponent",))


_NAME = {"metadata.name": _at("metadata.name")}
_META = {**_NAME, "metadata.namespace": _at("metadata.namespace")}

# Resources with their own field label conversion upstream: exactly these fields are accepted,
# and any other is "field label not supported: <field>".
_RESOURCE_FIELDS: dict[str, dict[str, _Field]] = {
    "pods": {
        **_META,
        "spec.nodeName": _at("spec.nodeName"),
        "spec.restartPolicy": _at("spec.restartPolicy"),
        "spec.schedulerName": _at("spec.schedulerName"),
        "spec.serviceAccountName": _at("spec.serviceAccountName"),
        "spec.hostNetwork": _Field(None, _pod_host_network),
        "status.phase": _at("status.phase"),
        "status.podIP": _Field(None, _pod_ip),
        "status.nominatedNodeName": _at("status.nominatedNodeName"),
    },
    "events": {
        **_META,
        **{f"involvedObject.{name}": _at(f"involvedObject.{name}") for name in
           ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")},
        "reason": _at("reason"),
        "reportingComponent": _at("reportingComponent"),
        "source": _Field(None, _event_source),
        "type": _at("type"),
    },
    "secrets": {**_META, "type": _at("type")},
    "services": {**_META, "spec.clusterIP": _at("spec.clusterIP"), "spec.type": _at("spec.type")},
    "namespaces": {**_NAME, "status.phase": _at("status.phase")},
    "nodes": {**_NAME, "spec.unschedulable": _Field(None, _node_unschedulable)},
    "replicationcontrollers": {**_META, "status.replicas": _Field(None, _status_replicas)},
    "replicasets": {**_META, "status.replicas": _Field(None, _status_replicas)},
}

# Field labels upstream accepts in a request without their being selectable fields of the
# object (they then compare as ""), and old names it rewrites.
_ACCEPTED_UNSET = {"pods": frozenset({"status.podIPs"})}
_ALIASES = {"pods": {"spec.host": "spec.nodeName"}}


def _fields_of(resource: str) -> dict[str, _Field]:
    return _RESOURCE_FIELDS.get(resource, _META)


def supported_fields(resource: str) -> set[str]:
    """The field labels a request on ``resource`` (plural, e.g. ``pods``) may select on."""
    return set(_fields_of(resource)) | _ACCEPTED_UNSET.get(resource, frozenset()) | set(_ALIASES.get(resource, {}))


def object_fields(resource: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """The selectable fields of an object of ``resource`` and their values, as upstream."""
    return {name: f.read(obj) for name, f in _fields_of(resource).items()}


def _unsupported(resource: str, field: str) -> str:
    if resource in _RESOURCE_FIELDS:
        return f"field label not supported: {field}"
    return (f"{go_quote(field)} is not a known field selector: "
            f'only "metadata.name", "metadata.namespace"')


def convert_field_selector(resource: str, selector: FieldSelector) -> FieldSelector:
    """Check a parsed selector against ``resource``'s fields, rewriting old aliases.

    Raises :class:`FieldSelectorError` with upstream's 400 message for the first field (in
    the selector's order) that ``resource`` does not have.
    """
    known = supported_fields(resource)
    aliases = _ALIASES.get(resource, {})
    converted = []
    for r in selector.requirements:
        if r.field not in known:
            raise FieldSelectorError(_unsupported(resource, r.field))
        converted.append(FieldRequirement(aliases.get(r.field, r.field), r.operator, r.value))
    return FieldSelector(tuple(converted))


@dataclass(frozen=True, slots=True)
class FieldTest:
    """One field requirement bound to where the field lives in ``resource``'s objects.

    The object filters (:func:`paddock.core.labels.filter_objects`, pure and native) run
    these: the native one walks ``path`` itself and calls ``compute`` only for computed
    fields; :meth:`matches` is the pure twin.
    """

    field: str
    value: str
    negate: bool
    path: tuple[str, ...] | None
    compute: Callable[[Mapping[str, Any]], str] | None

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether ``obj`` passes this test."""
        if self.path is not None:
            actual = _path_value(obj, self.path)
        else:
            assert self.compute is not None
            actual = self.compute(obj)
        return (actual == self.value) != self.negate


def _unset(obj: Mapping[str, Any]) -> str:
    return ""


def field_tests(resource: str, selector: FieldSelector) -> tuple[FieldTest, ...]:
    """The tests for ``filter_objects`` that implement ``selector`` on ``resource``'s objects.

    Validates like :func:`convert_field_selector` (and raises as it does).
    """
    fields = _fields_of(resource)
    tests = []
    for r in convert_field_selector(resource, selector).requirements:
        f = fields.get(r.field)
        path, compute = (f.path, f.compute) if f is not None else (None, _unset)
        tests.append(FieldTest(r.field, r.value, r.operator == NOT_EQUALS, path, compute))
    return tuple(tests)
