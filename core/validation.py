"""Validation of served objects, with upstream's field paths, reasons and messages.

:func:`validate` checks an object in its JSON form (after :func:`core.defaults.apply_defaults`)
the way upstream's ``Validate<Kind>`` / ``Validate<Kind>Update`` do, and returns the
causes a 422 ``Status`` carries in ``details.causes``::

    {"reason": "FieldValueRequired", "message": "Required value",
     "field": "spec.containers[0].image"}

``message`` is upstream's error body without the field (``Invalid value: "Bad_Name": a
lowercase RFC 1123 subdomain must consist of ...``); :func:`invalid_message` joins causes
into the ``Status.message`` kubectl prints.

Values are rendered as upstream's ``fmt`` does: strings quoted, numbers bare, label maps
as ``map[string]string{"app":"web"}``, quantities and selectors through their ``String()``.
Where upstream attaches an error to an odd path (``metadata.taints``, ``volumeMode``
without ``spec.``) or has a typo in one (``downwarAPI``), the odd path is kept, because
clients and tests match on it.

Differences from upstream, on purpose: a value of the wrong JSON type is reported here as
``FieldValueTypeInvalid`` (upstream fails earlier, while decoding, with a 400); an
unparsable quantity is reported as ``FieldValueInvalid`` with the parser's message;
``metadata.resourceVersion`` is not required on update (optimistic concurrency is the
storage layer's business); the request namespace is compared with the object's by the
apiserver, which knows it.  Zero values and absent fields are treated alike when specs
are compared for immutability, as Go's semantic equality does for non-pointer fields.
"""

from __future__ import annotations

import base64
import binascii
import copy
import ipaddress
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from paddock.core.labels import validate_label_key, validate_label_value

from .quantity import Quantity, QuantityError, quantity_from_json
from .resources import by_kind

Cause = dict

FIELD_VALUE_INVALID = "FieldValueInvalid"
FIELD_VALUE_REQUIRED = "FieldValueRequired"
FIELD_VALUE_NOT_SUPPORTED = "FieldValueNotSupported"
FIELD_VALUE_DUPLICATE = "FieldValueDuplicate"
FIELD_VALUE_FORBIDDEN = "FieldValueForbidden"
FIELD_VALUE_TOO_LONG = "FieldValueTooLong"
FIELD_VALUE_TOO_MANY = "FieldValueTooMany"
FIELD_VALUE_NOT_FOUND = "FieldValueNotFound"
FIELD_VALUE_TYPE_INVALID = "FieldValueTypeInvalid"

FIELD_IMMUTABLE = "field is immutable"
_NEGATIVE = "must be greater than or equal to 0"
_MAX_INT32 = 2**31 - 1


# == rendering values and building causes ===================================================


class _Go(str):
    """A value already rendered the way Go prints it (the output of a ``String()``)."""


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _render(value: Any) -> str:
    if isinstance(value, _Go):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        inner = ", ".join(f"{_quote(str(k))}:{_quote(v)}" for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[]string{" + ", ".join(_quote(v) for v in value) + "}"
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def _cause(reason: str, path: str, message: str) -> Cause:
    return {"reason": reason, "message": message, "field": path}


def _invalid(path: str, value: Any, detail: str) -> Cause:
    message = "Invalid value: " + _render(value)
    return _cause(FIELD_VALUE_INVALID, path, message + ": " + detail if detail else message)


def _required(path: str, detail: str = "") -> Cause:
    return _cause(FIELD_VALUE_REQUIRED, path,
                  "Required value: " + detail if detail else "Required value")


def _forbidden(path: str, detail: str) -> Cause:
    return _cause(FIELD_VALUE_FORBIDDEN, path, "Forbidden: " + detail if detail else "Forbidden")


def _duplicate(path: str, value: Any) -> Cause:
    return _cause(FIELD_VALUE_DUPLICATE, path, "Duplicate value: " + _render(value))


def _not_found(path: str, value: Any) -> Cause:
    return _cause(FIELD_VALUE_NOT_FOUND, path, "Not found: " + _render(value))


def _not_supported(path: str, value: Any, supported: Sequence[str]) -> Cause:
    message = "Unsupported value: " + _render(value)
    if supported:
        message += ": supported values: " + ", ".join(_quote(v) for v in supported)
    return _cause(FIELD_VALUE_NOT_SUPPORTED, path, message)


def _too_long(path: str, max_bytes: int) -> Cause:
    return _cause(FIELD_VALUE_TOO_LONG, path, f"Too long: must have at most {max_bytes} bytes")


def _too_many(path: str, actual: int, maximum: int) -> Cause:
    return _cause(FIELD_VALUE_TOO_MANY, path,
                  f"Too many: {actual}: must have at most {maximum} items")


def _type_invalid(path: str, value: Any, expected: str) -> Cause:
    return _cause(FIELD_VALUE_TYPE_INVALID, path,
                  f"Invalid value: {_render(value)}: must be of type {expected}")


# == typed access to JSON fields ============================================================
#
# Each getter returns a usable value (an empty one when the field is absent or null) and
# reports a value of the wrong JSON type, so the checks below never meet a surprise type.


def _map(errs: list, obj: dict, key: str, path: str) -> dict:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errs.append(_type_invalid(path, value, "object"))
        return {}
    return value


def _opt_map(errs: list, obj: dict, key: str, path: str) -> dict | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        errs.append(_type_invalid(path, value, "object"))
        return None
    return value


def _list(errs: list, obj: dict, key: str, path: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        errs.append(_type_invalid(path, value, "array"))
        return []
    return value


def _items(errs: list, obj: dict, key: str, path: str) -> list[tuple[str, dict]]:
    """(path, element) for each element of the list of objects obj[key]."""
    out = []
    for i, item in enumerate(_list(errs, obj, key, path)):
        item_path = f"{path}[{i}]"
        if isinstance(item, dict):
            out.append((item_path, item))
        else:
            errs.append(_type_invalid(item_path, item, "object"))
    return out


def _str(errs: list, obj: dict, key: str, path: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errs.append(_type_invalid(path, value, "string"))
        return ""
    return value


def _opt_str(errs: list, obj: dict, key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        errs.append(_type_invalid(path, value, "string"))
        return None
    return value


def _int(errs: list, obj: dict, key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        errs.append(_type_invalid(path, value, "integer"))
        return None
    return value


def _str_map(errs: list, obj: dict, key: str, path: str) -> dict[str, str]:
    value = _map(errs, obj, key, path)
    for k, v in value.items():
        if not isinstance(v, str):
            errs.append(_type_invalid(f"{path}[{k}]", v, "string"))
            return {k: v for k, v in value.items() if isinstance(v, str)}
    return value


def _str_list(errs: list, obj: dict, key: str, path: str) -> list[str]:
    value = _list(errs, obj, key, path)
    for i, v in enumerate(value):
        if not isinstance(v, str):
            errs.append(_type_invalid(f"{path}[{i}]", v, "string"))
            return [v for v in value if isinstance(v, str)]
    return value


def _text(obj: dict, key: str) -> str:
    """obj[key] when it is a string, else "" (for values already reported)."""
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def _seq(obj: dict, key: str) -> list:
    """obj[key] when it is an array, else an empty one (for values already reported)."""
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _sub(obj: dict, key: str) -> dict:
    """obj[key] when it is an object, else an empty one (for values already reported)."""
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _byte_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


# == string formats (apimachinery util/validation) ==========================================


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    if not examples:
        return message + " (regex used for validation is '" + fmt + "')"
    out = message + " (e.g. "
    for i, example in enumerate(examples):
        if i:
            out += " or "
        out += "'" + example + "', "
    return out + "regex used for validation is '" + fmt + "')"


def _max_len(n: int) -> str:
    return f"must be no more than {n} characters"


def _range_error(low: int, high: int) -> str:
    return f"must be between {low} and {high}, inclusive"


_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_WILDCARD_FMT = "\\*\\." + _DNS1123_SUBDOMAIN_FMT
_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
_PERCENT_FMT = "[0-9]+%"
_HTTP_HEADER_FMT = "[-A-Za-z0-9]+"

_DNS1123_LABEL = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL = re.compile(_DNS1035_LABEL_FMT)
_WILDCARD = re.compile(_WILDCARD_FMT)
_CONFIG_MAP_KEY = re.compile(_CONFIG_MAP_KEY_FMT)
_PERCENT = re.compile(_PERCENT_FMT)
_HTTP_HEADER = re.compile(_HTTP_HEADER_FMT)
_PORT_NAME_CHARSET = re.compile("[-a-z0-9]+")
_ONE_LETTER = re.compile("[a-z]")
_SYSCTL_NAME = re.compile(r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?")
_DOWNWARD_SUBSCRIPT = re.compile(r"(metadata\.(?:labels|annotations))\['(.*)'\]")

_DNS1123_LABEL_MSG = _regex_error(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character",
    _DNS1123_LABEL_FMT, "my-name", "123-abc")
_DNS1123_SUBDOMAIN_MSG = _regex_error(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character",
    _DNS1123_SUBDOMAIN_FMT, "example.com")
_DNS1035_LABEL_MSG = _regex_error(
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character",
    _DNS1035_LABEL_FMT, "my-name", "abc-123")
_WILDCARD_MSG = _regex_error(
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character", _WILDCARD_FMT, "*.example.com")
_CONFIG_MAP_KEY_MSG = _regex_error(
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name")
_PERCENT_MSG = _regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'",
    _PERCENT_FMT, "1%", "93%")
_HTTP_HEADER_MSG = _regex_error(
    "a valid HTTP header must consist of alphanumeric characters or '-'",
    _HTTP_HEADER_FMT, "X-Header-Name")
_ENV_NAME_MSG = ("a valid environment variable name must consist only of printable ASCII "
                 "characters other than '='")
_IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
_CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(_max_len(63))
    if not _DNS1123_LABEL.fullmatch(value):
        # A valid subdomain that is not a valid label can only be one with dots.
        errs.append("must not contain dots" if _DNS1123_SUBDOMAIN.fullmatch(value)
                    else _DNS1123_LABEL_MSG)
    return errs


def _dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(_max_len(253))
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        errs.append(_DNS1123_SUBDOMAIN_MSG)
    return errs


def _dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(_max_len(63))
    if not _DNS1035_LABEL.fullmatch(value):
        errs.append(_DNS1035_LABEL_MSG)
    return errs


def _wildcard_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(_max_len(253))
    if not _WILDCARD.fullmatch(value):
        errs.append(_WILDCARD_MSG)
    return errs


def _qualified_name(value: str) -> list[str]:
    """Upstream ``IsQualifiedName``: a label key, with an optional DNS subdomain prefix."""
    return validate_label_key(value)


def _label_value(value: str) -> list[str]:
    """Upstream ``IsValidLabelValue``."""
    return validate_label_value(value)


def _config_map_key(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(_max_len(253))
    if not _CONFIG_MAP_KEY.fullmatch(value):
        errs.append(_CONFIG_MAP_KEY_MSG)
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def _port_name(port: str) -> list[str]:
    errs = []
    if len(port) > 15:
        errs.append(_max_len(15))
    if not _PORT_NAME_CHARSET.fullmatch(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _ONE_LETTER.search(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def _env_var_name(value: str) -> list[str]:
    """The relaxed rule upstream applies by default since 1.32: printable ASCII but '='."""
    for char in value:
        if not (" " <= char <= "~") or char == "=":
            return [_ENV_NAME_MSG]
    return []


def _path_segment_name(value: str) -> list[str]:
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse an IP as Go's ``ParseIPSloppy``: leading zeros in IPv4 are allowed, zones not."""
    if "%" in value:
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        pass
    parts = value.split(".")
    if len(parts) == 4 and all(p.isdigit() and len(p) <= 3 and int(p) < 256 for p in parts):
        return ipaddress.IPv4Address(".".join(str(int(p)) for p in parts))
    return None


def _validate_ip(errs: list, value: str, path: str) -> bool:
    if _parse_ip(value) is None:
        errs.append(_invalid(path, value, _IP_MSG))
        return False
    return True


def _validate_cidr(errs: list, value: str, path: str) -> None:
    address, _, bits = value.partition("/")
    if not bits.isdigit() or _parse_ip(address) is None:
        errs.append(_invalid(path, value, _CIDR_MSG))
        return
    try:
        ipaddress.ip_network(f"{_parse_ip(address)}/{bits}", strict=False)
    except ValueError:
        errs.append(_invalid(path, value, _CIDR_MSG))


def _validate_non_special_ip(errs: list, value: str, path: str) -> None:
    ip = _parse_ip(value)
    if ip is None:
        errs.append(_invalid(path, value, "must be a valid IP address"))
        return
    if ip.is_unspecified:
        errs.append(_invalid(path, value, f"may not be unspecified ({value})"))
    if ip.is_loopback:
        errs.append(_invalid(path, value,
                             "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
    link_local_multicast = (ip.version == 4 and ip in _V4_LINK_LOCAL_MULTICAST) or (
        ip.version == 6 and ip.is_multicast and (ip.packed[1] & 0x0F) == 2)
    if ip.is_link_local and not link_local_multicast:
        errs.append(_invalid(path, value,
                             "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    if link_local_multicast:
        errs.append(_invalid(
            path, value,
            "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))


_V4_LINK_LOCAL_MULTICAST = ipaddress.ip_network("224.0.0.0/24")


def _nonnegative(errs: list, value: int | None, path: str) -> None:
    if value is not None and value < 0:
        errs.append(_invalid(path, value, _NEGATIVE))


def _each_msg(errs: list, path: str, value: str, messages: list[str]) -> None:
    for message in messages:
        errs.append(_invalid(path, value, message))


# == names ==================================================================================


def _mask_trailing_dash(name: str) -> str:
    # Upstream replaces the last *two* characters, a quirk kept for identical results.
    return name[:-2] + "a" if len(name) > 1 and name.endswith("-") else name


def _name_subdomain(name: str, prefix: bool) -> list[str]:
    return _dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def _name_label(name: str, prefix: bool) -> list[str]:
    return _dns1123_label(_mask_trailing_dash(name) if prefix else name)


def _name_1035(name: str, prefix: bool) -> list[str]:
    return _dns1035_label(_mask_trailing_dash(name) if prefix else name)


_NameRule = Callable[[str, bool], list[str]]

# Every other served kind names its objects with DNS subdomains.
_NAME_RULES: dict[str, _NameRule] = {
    "Namespace": _name_label,
    "Service": _name_1035,
}


def validate_name(kind: str, name: str) -> list[str]:
    """Why ``name`` is not a valid name for a ``kind`` object (empty when it is).

    The messages are upstream's (``a lowercase RFC 1123 subdomain must consist of ...``),
    for the apiserver to check names taken from request paths.
    """
    return _NAME_RULES.get(kind, _name_subdomain)(name, False)


# == object metadata ========================================================================

_ANNOTATIONS_LIMIT = 256 * 1024
_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})


def _validate_labels(errs: list, labels: dict[str, str], path: str) -> None:
    for key, value in labels.items():
        _each_msg(errs, path, key, _qualified_name(key))
        _each_msg(errs, path, value, _label_value(value))


def _validate_annotations(errs: list, annotations: dict[str, str], path: str) -> None:
    total = 0
    for key, value in annotations.items():
        # Annotation keys are label keys in which case does not matter.
        _each_msg(errs, path, key, _qualified_name(key.lower()))
        total += _byte_len(key) + _byte_len(value)
    if total > _ANNOTATIONS_LIMIT:
        errs.append(_too_long(path, _ANNOTATIONS_LIMIT))


def _validate_finalizer_name(errs: list, name: str, path: str, indexed_path: str) -> None:
    _each_msg(errs, path, name, _qualified_name(name))
    if "/" not in name and name not in _STANDARD_FINALIZERS:
        errs.append(_invalid(indexed_path, name,
                             "name is neither a standard finalizer name nor is it fully "
                             "qualified"))


def _validate_owner_references(errs: list, meta: dict, path: str) -> None:
    controller = ""
    for _, ref in _items(errs, meta, "ownerReferences", path):
        api_version = ref.get("apiVersion") or ""
        kind = ref.get("kind") or ""
        version = api_version.rpartition("/")[2] if isinstance(api_version, str) else ""
        if not version:
            errs.append(_invalid(f"{path}.apiVersion", api_version, "version must not be empty"))
        if not kind:
            errs.append(_invalid(f"{path}.kind", kind, "must not be empty"))
        if not ref.get("name"):
            errs.append(_invalid(f"{path}.name", ref.get("name") or "", "must not be empty"))
        if not ref.get("uid"):
            errs.append(_invalid(f"{path}.uid", ref.get("uid") or "", "must not be empty"))
        if api_version == "v1" and kind == "Event":
            errs.append(_invalid(path, ref, "/v1, Kind=Event is disallowed from being an owner"))
        if ref.get("controller") is True:
            current = f"{kind}/{ref.get('name')}"
            if controller:
                errs.append(_invalid(path, meta.get("ownerReferences"),
                                     "Only one reference can have Controller set to true. "
                                     f"Found \"true\" in references for {controller} and "
                                     f"{current}"))
            else:
                controller = current


def _validate_meta(errs: list, meta: dict, namespaced: bool, name_rule: _NameRule,
                   path: str = "metadata") -> None:
    generate_name = _str(errs, meta, "generateName", f"{path}.generateName")
    if generate_name:
        _each_msg(errs, f"{path}.generateName", generate_name, name_rule(generate_name, True))
    name = _str(errs, meta, "name", f"{path}.name")
    if name:
        _each_msg(errs, f"{path}.name", name, name_rule(name, False))
    elif not generate_name:
        # With generateName the apiserver makes the name up before storing the object.
        errs.append(_required(f"{path}.name", "name or generateName is required"))
    namespace = _str(errs, meta, "namespace", f"{path}.namespace")
    if namespaced:
        if not namespace:
            errs.append(_required(f"{path}.namespace"))
        else:
            _each_msg(errs, f"{path}.namespace", namespace, _dns1123_label(namespace))
    elif namespace:
        errs.append(_forbidden(f"{path}.namespace", "not allowed on this type"))
    _nonnegative(errs, _int(errs, meta, "generation", f"{path}.generation"),
                 f"{path}.generation")
    _validate_labels(errs, _str_map(errs, meta, "labels", f"{path}.labels"), f"{path}.labels")
    _validate_annotations(errs, _str_map(errs, meta, "annotations", f"{path}.annotations"),
                          f"{path}.annotations")
    _validate_owner_references(errs, meta, f"{path}.ownerReferences")
    finalizers = _str_list(errs, meta, "finalizers", f"{path}.finalizers")
    for i, finalizer in enumerate(finalizers):
        _validate_finalizer_name(errs, finalizer, f"{path}.finalizers",
                                 f"{path}.finalizers[{i}]")
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errs.append(_invalid(f"{path}.finalizers", finalizers,
                             "finalizer orphan and foregroundDeletion cannot be both set"))


def _go_time(value: Any) -> Any:
    """An RFC 3339 timestamp as Go's ``time.Time.String()`` prints it."""
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z", value)
        if match:
            return _Go(f"{match.group(1)} {match.group(2)} +0000 UTC")
    return value


def _validate_meta_update(errs: list, meta: dict, old_meta: dict) -> None:
    if old_meta.get("deletionTimestamp"):
        old_finalizers = _seq(old_meta, "finalizers")
        added = sorted({f for f in _seq(meta, "finalizers")
                        if isinstance(f, str) and f not in old_finalizers})
        if added:
            errs.append(_forbidden(
                "metadata.finalizers",
                "no new finalizers can be added if the object is being deleted, found new "
                f"finalizers {_render(added)}"))
    generation, old_generation = meta.get("generation") or 0, old_meta.get("generation") or 0
    if isinstance(generation, int) and isinstance(old_generation, int) and \
            generation < old_generation:
        errs.append(_invalid("metadata.generation", generation, "must not be decremented"))
    for key in ("name", "namespace", "uid"):
        if (meta.get(key) or "") != (old_meta.get(key) or ""):
            errs.append(_invalid(f"metadata.{key}", meta.get(key) or "", FIELD_IMMUTABLE))
    for key in ("creationTimestamp", "deletionTimestamp"):
        if meta.get(key) != old_meta.get(key):
            errs.append(_invalid(f"metadata.{key}", _go_time(meta.get(key)), FIELD_IMMUTABLE))
    if meta.get("deletionGracePeriodSeconds") != old_meta.get("deletionGracePeriodSeconds"):
        errs.append(_invalid("metadata.deletionGracePeriodSeconds",
                             meta.get("deletionGracePeriodSeconds"), FIELD_IMMUTABLE))


# == label selectors ========================================================================

_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def _validate_label_selector(errs: list, selector: dict, path: str) -> None:
    _validate_labels(errs, _str_map(errs, selector, "matchLabels", f"{path}.matchLabels"),
                     f"{path}.matchLabels")
    for req_path, requirement in _items(errs, selector, "matchExpressions",
                                        f"{path}.matchExpressions"):
        operator = _str(errs, requirement, "operator", f"{req_path}.operator")
        values = _str_list(errs, requirement, "values", f"{req_path}.values")
        if operator in ("In", "NotIn"):
            if not values:
                errs.append(_required(f"{req_path}.values",
                                      "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.append(_forbidden(f"{req_path}.values", "may not be specified when "
                                       "`operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(_invalid(f"{req_path}.operator", operator, "not a valid selector operator"))
        key = _str(errs, requirement, "key", f"{req_path}.key")
        _each_msg(errs, f"{req_path}.key", key, _qualified_name(key))
        for i, value in enumerate(values):
            _each_msg(errs, f"{req_path}.values[{i}]", value, _label_value(value))


_Requirement = tuple[str, str, tuple[str, ...]]


def _selector_requirements(selector: dict) -> list[_Requirement] | None:
    """The selector as (key, operator, values) requirements; None when upstream's
    ``LabelSelectorAsSelector`` would fail.  An empty list selects everything."""
    requirements: list[_Requirement] = []
    labels = selector.get("matchLabels") or {}
    expressions = _seq(selector, "matchExpressions")
    if not isinstance(labels, dict) or not isinstance(expressions, list):
        return None
    for key, value in labels.items():
        if not isinstance(value, str) or _qualified_name(key) or _label_value(value):
            return None
        requirements.append((key, "In", (value,)))
    for expression in expressions:
        if not isinstance(expression, dict):
            return None
        key, operator = expression.get("key"), expression.get("operator")
        values = _seq(expression, "values")
        if not isinstance(key, str) or _qualified_name(key) or not isinstance(values, list):
            return None
        if operator in ("In", "NotIn"):
            if not values:
                return None
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                return None
        else:
            return None
        if any(not isinstance(v, str) or _label_value(v) for v in values):
            return None
        requirements.append((key, operator, tuple(values)))
    return requirements


def _selector_matches(requirements: list[_Requirement], labels: dict) -> bool:
    for key, operator, values in requirements:
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _selector_string(selector: Any) -> Any:
    """A label selector as its generated ``String()`` prints it."""
    if not isinstance(selector, dict):
        return selector
    labels = selector.get("matchLabels") or {}
    label_text = "".join(f"{k}: {v}," for k, v in sorted(labels.items())) \
        if isinstance(labels, dict) else ""
    expressions = []
    for expression in _seq(selector, "matchExpressions"):
        if isinstance(expression, dict):
            values = " ".join(str(v) for v in _seq(expression, "values"))
            expressions.append(
                f"LabelSelectorRequirement{{Key:{expression.get('key', '')},"
                f"Operator:{expression.get('operator', '')},Values:[{values}],}},")
    return _Go(f"&LabelSelector{{MatchLabels:map[string]string{{{label_text}}},"
               f"MatchExpressions:[]LabelSelectorRequirement{{{''.join(expressions)}}},}}")


# == resources and quantities ===============================================================

_STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
_STANDARD_QUOTA_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "storage", "requests.storage", "pods", "services", "replicationcontrollers",
    "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
    "services.nodeports", "services.loadbalancers",
})
_STANDARD_RESOURCES = _STANDARD_QUOTA_RESOURCES
_INTEGER_RESOURCES = frozenset({
    "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
})
_HUGEPAGES = "hugepages-"


def _is_native_resource(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _is_quota_hugepages(name: str) -> bool:
    return name.startswith((_HUGEPAGES, "requests." + _HUGEPAGES, "limits." + _HUGEPAGES))


def _is_extended_resource(name: str) -> bool:
    if _is_native_resource(name) or name.startswith("requests."):
        return False
    return not _qualified_name("requests." + name)


def _overcommit_allowed(name: str) -> bool:
    return _is_native_resource(name) and not name.startswith(_HUGEPAGES)


def _validate_resource_name(errs: list, name: str, path: str) -> bool:
    messages = _qualified_name(name)
    _each_msg(errs, path, name, messages)
    if messages:
        return False
    if "/" not in name and not (name in _STANDARD_RESOURCES or _is_quota_hugepages(name)):
        errs.append(_invalid(path, name, "must be a standard resource type or fully qualified"))
        return False
    return True


def _validate_container_resource_name(errs: list, name: str, path: str) -> None:
    _validate_resource_name(errs, name, path)
    if "/" not in name:
        if name not in _STANDARD_CONTAINER_RESOURCES and not name.startswith(_HUGEPAGES):
            errs.append(_invalid(path, name, "must be a standard resource for containers"))
    elif not _is_native_resource(name) and not _is_extended_resource(name):
        errs.append(_invalid(path, name, "doesn't follow extended resource name standard"))


def _quantity(errs: list, raw: Any, path: str) -> Quantity | None:
    try:
        return quantity_from_json(raw)
    except QuantityError as err:
        errs.append(_invalid(path, raw, str(err)))
        return None


def _validate_resource_quantity(errs: list, name: str, quantity: Quantity, path: str) -> None:
    if quantity.sign() < 0:
        errs.append(_invalid(path, str(quantity), _NEGATIVE))
    if (name in _INTEGER_RESOURCES or _is_extended_resource(name)) and \
            quantity.milli_value() % 1000:
        errs.append(_invalid(path, _Go(str(quantity)), "must be an integer"))


def _hugepage_error(name: str, quantity: Quantity) -> str | None:
    try:
        page = quantity_from_json(name[len(_HUGEPAGES):])
    except QuantityError:
        return None
    if page.sign() <= 0 or quantity.nanos % page.nanos:
        return f"{quantity} is not positive integer multiple of {name}"
    return None


def _resource_list(errs: list, holder: dict, key: str, path: str,
                   check_name: Callable[[list, str, str], Any]) -> dict[str, Quantity]:
    parsed = {}
    for name, raw in _map(errs, holder, key, path).items():
        item_path = f"{path}[{name}]"
        check_name(errs, name, item_path)
        quantity = _quantity(errs, raw, item_path)
        if quantity is not None:
            _validate_resource_quantity(errs, name, quantity, item_path)
            parsed[name] = quantity
    return parsed


def _validate_resource_requirements(errs: list, resources: dict, path: str) -> None:
    limits = _resource_list(errs, resources, "limits", f"{path}.limits",
                            _validate_container_resource_name)
    requests = _resource_list(errs, resources, "requests", f"{path}.requests",
                              _validate_container_resource_name)
    for name, quantity in limits.items():
        if name.startswith(_HUGEPAGES) and (message := _hugepage_error(name, quantity)):
            errs.append(_invalid(f"{path}.limits[{name}]", str(quantity), message))
    for name, quantity in requests.items():
        limit = limits.get(name)
        if limit is not None:
            # Resources that may not be overcommitted need requests equal to limits.
            if quantity != limit and not _overcommit_allowed(name):
                errs.append(_invalid(f"{path}.requests", str(quantity),
                                     f"must be equal to {name} limit of {limit}"))
            elif quantity > limit:
                errs.append(_invalid(f"{path}.requests", str(quantity),
                                     f"must be less than or equal to {name} limit of {limit}"))
        elif not _overcommit_allowed(name) and name not in limits:
            errs.append(_required(f"{path}.limits",
                                  "Limit must be set for non overcommitable resources"))
        if name.startswith(_HUGEPAGES) and (message := _hugepage_error(name, quantity)):
            errs.append(_invalid(f"{path}.requests[{name}]", str(quantity), message))
    names = set(limits) | set(requests)
    if any(n.startswith(_HUGEPAGES) for n in names) and not names & {"cpu", "memory"}:
        errs.append(_forbidden(path, "HugePages require cpu or memory"))


# == pods ===================================================================================

_PROTOCOLS = ("SCTP", "TCP", "UDP")
_FILE_MODE_MSG = "must be a number between 0 and 0777 (octal), both inclusive"
_ENV_FIELD_PATHS = (
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
    "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
    "status.podIPs",
)
_VOLUME_FIELD_PATHS = ("metadata.annotations", "metadata.labels", "metadata.name",
                       "metadata.namespace", "metadata.uid")
# Field labels the v1 downward API converts at all; the lists above narrow them per use.
_DOWNWARD_FIELD_LABELS = frozenset({
    "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
    "metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
    "spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs", "status.podIP",
    "status.podIPs",
})
_RESOURCE_FIELD_PATHS = ("limits.cpu", "limits.ephemeral-storage", "limits.memory",
                         "requests.cpu", "requests.ephemeral-storage", "requests.memory")
_CPU_DIVISORS = frozenset({"1m", "1"})
_BYTE_DIVISORS = frozenset({"1", "1k", "1M", "1G", "1T", "1P", "1E",
                            "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"})
_HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                    "FileOrCreate", "Socket")

# Volume sources in the order upstream checks them: the second one found is the one
# reported as "may not specify more than 1 volume type".
_VOLUME_SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret",
    "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder",
    "cephfs", "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile",
    "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos",
    "projected", "scaleIO", "csi", "ephemeral", "image",
)
# Upstream names these two differently (one of them misspelt) when reporting a second source.
_SECOND_SOURCE_PATH = {"cephfs": "cephFS", "downwardAPI": "downwarAPI"}
# Sources whose only checks are required string fields: json name -> (path child, fields).
_SIMPLE_SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "gcePersistentDisk": ("persistentDisk", ("pdName",)),
    "awsElasticBlockStore": ("awsElasticBlockStore", ("volumeID",)),
    "glusterfs": ("glusterfs", ("endpoints", "path")),
    "cinder": ("cinder", ("volumeID",)),
    "flexVolume": ("flexVolume", ("driver",)),
    "azureFile": ("azureFile", ("secretName", "shareName")),
    "vsphereVolume": ("vsphereVolume", ("volumePath",)),
    "photonPersistentDisk": ("photonPersistentDisk", ("pdID",)),
    "portworxVolume": ("portworxVolume", ("volumeID",)),
    "azureDisk": ("azureDisk", ("diskName", "diskURI")),
    "storageos": ("storageos", ("volumeName",)),
    "scaleIO": ("scaleIO", ("gateway", "system", "volumeName")),
    "quobyte": ("quobyte", ("registry", "volume")),
    "iscsi": ("iscsi", ("targetPortal", "iqn")),
    "rbd": ("rbd", ("monitors", "image")),
    "cephfs": ("cephfs", ("monitors",)),
    "local": ("local", ("path",)),
}


def _validate_file_mode(errs: list, holder: dict, key: str, path: str) -> None:
    mode = _int(errs, holder, key, path)
    if mode is not None and not 0 <= mode <= 0o777:
        errs.append(_invalid(path, mode, _FILE_MODE_MSG))


def _validate_no_backsteps(errs: list, target: str, path: str) -> None:
    if ".." in target.replace("\\", "/").split("/"):
        errs.append(_invalid(path, target, "must not contain '..'"))


def _validate_local_descending_path(errs: list, target: str, path: str) -> None:
    if target.startswith("/"):
        errs.append(_invalid(path, target, "must be a relative path"))
    _validate_no_backsteps(errs, target, path)


def _validate_local_non_reserved_path(errs: list, target: str, path: str) -> None:
    _validate_local_descending_path(errs, target, path)
    if target.startswith("..") and not target.startswith("../"):
        errs.append(_invalid(path, target, "must not start with '..'"))


def _validate_key_to_paths(errs: list, source: dict, path: str) -> list[str]:
    paths = []
    for item_path, item in _items(errs, source, "items", f"{path}.items"):
        if not _str(errs, item, "key", f"{item_path}.key"):
            errs.append(_required(f"{item_path}.key"))
        target = _str(errs, item, "path", f"{item_path}.path")
        if not target:
            errs.append(_required(f"{item_path}.path"))
        _validate_local_non_reserved_path(errs, target, f"{item_path}.path")
        _validate_file_mode(errs, item, "mode", f"{item_path}.mode")
        paths.append(target)
    return paths


def _validate_object_field_selector(errs: list, selector: dict, allowed: Sequence[str],
                                    path: str) -> None:
    api_version = _str(errs, selector, "apiVersion", f"{path}.apiVersion")
    if not api_version:
        errs.append(_required(f"{path}.apiVersion"))
        return
    field_path = _str(errs, selector, "fieldPath", f"{path}.fieldPath")
    if not field_path:
        errs.append(_required(f"{path}.fieldPath"))
        return
    subscripted = _DOWNWARD_SUBSCRIPT.fullmatch(field_path)
    if api_version != "v1":
        problem = f"unsupported pod version: {api_version}"
    elif subscripted is None and field_path not in _DOWNWARD_FIELD_LABELS:
        problem = f"field label not supported: {field_path}"
    else:
        problem = ""
    if problem:
        errs.append(_invalid(f"{path}.fieldPath", field_path,
                             f"error converting fieldPath: {problem}"))
        return
    if subscripted is not None:
        key = subscripted.group(2)
        if subscripted.group(1) == "metadata.annotations":
            key = key.lower()
        _each_msg(errs, path, key, _qualified_name(key))
    elif field_path not in allowed:
        errs.append(_not_supported(f"{path}.fieldPath", field_path, allowed))


def _validate_resource_field_selector(errs: list, selector: dict, path: str,
                                      in_volume: bool) -> None:
    resource = _str(errs, selector, "resource", f"{path}.resource")
    if in_volume and not _str(errs, selector, "containerName", f"{path}.containerName"):
        errs.append(_required(f"{path}.containerName"))
    elif not resource:
        errs.append(_required(f"{path}.resource"))
    elif resource not in _RESOURCE_FIELD_PATHS and \
            not resource.startswith(("requests.hugepages-", "limits.hugepages-")):
        errs.append(_not_supported(f"{path}.resource", resource, _RESOURCE_FIELD_PATHS))
    divisor_raw = selector.get("divisor")
    if divisor_raw is None:
        return
    divisor = _quantity(errs, divisor_raw, f"{path}.divisor")
    if divisor is None or divisor.is_zero():
        return
    text = str(divisor)
    if resource in ("limits.cpu", "requests.cpu") and text not in _CPU_DIVISORS:
        errs.append(_invalid(f"{path}.divisor", resource,
                             "only divisor's values 1m and 1 are supported with the cpu "
                             "resource"))
    for suffix, what in (("memory", "memory"), ("ephemeral-storage", "local ephemeral storage")):
        if resource in (f"limits.{suffix}", f"requests.{suffix}") and text not in _BYTE_DIVISORS:
            errs.append(_invalid(f"{path}.divisor", resource,
                                 "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, "
                                 f"1Gi, 1Ti, 1Pi, 1Ei are supported with the {what} resource"))


def _validate_downward_items(errs: list, source: dict, path: str) -> list[str]:
    paths = []
    for item_path, item in _items(errs, source, "items", f"{path}.items"):
        target = _str(errs, item, "path", f"{item_path}.path")
        if not target:
            errs.append(_required(f"{item_path}.path"))
        _validate_local_non_reserved_path(errs, target, f"{item_path}.path")
        field_ref = _opt_map(errs, item, "fieldRef", f"{item_path}.fieldRef")
        resource_ref = _opt_map(errs, item, "resourceFieldRef", f"{item_path}.resourceFieldRef")
        if field_ref is not None:
            _validate_object_field_selector(errs, field_ref, _VOLUME_FIELD_PATHS,
                                            f"{item_path}.fieldRef")
            if resource_ref is not None:
                errs.append(_invalid(item_path, "resource", "fieldRef and resourceFieldRef can "
                                     "not be specified simultaneously"))
        elif resource_ref is not None:
            _validate_resource_field_selector(errs, resource_ref,
                                              f"{item_path}.resourceFieldRef", True)
        else:
            errs.append(_required(item_path, "one of fieldRef and resourceFieldRef is required"))
        _validate_file_mode(errs, item, "mode", f"{item_path}.mode")
        paths.append(target)
    return paths


def _validate_projected(errs: list, projected: dict, path: str, notes: dict) -> None:
    _validate_file_mode(errs, projected, "defaultMode", f"{path}.defaultMode")
    seen: set[str] = set()

    def claim(target: str, reported: Any) -> None:
        if target in seen:
            errs.append(_invalid(path, reported, "conflicting duplicate paths"))
        seen.add(target)

    for source_path, source in _items(errs, projected, "sources", f"{path}.sources"):
        kinds = 0
        for kind in ("secret", "configMap"):
            found = _opt_map(errs, source, kind, f"{source_path}.{kind}")
            if found is None:
                continue
            kinds += 1
            if not _str(errs, found, "name", f"{source_path}.{kind}.name"):
                errs.append(_required(f"{source_path}.{kind}.name"))
            for target in _validate_key_to_paths(errs, found, f"{source_path}.{kind}"):
                if target:
                    claim(target, found.get("name") or "")
        downward = _opt_map(errs, source, "downwardAPI", f"{source_path}.downwardAPI")
        if downward is not None:
            kinds += 1
            for target in _validate_downward_items(errs, downward, f"{source_path}.downwardAPI"):
                if target:
                    claim(target, target)
        token = _opt_map(errs, source, "serviceAccountToken",
                         f"{source_path}.serviceAccountToken")
        if token is not None:
            kinds += 1
            token_path = f"{source_path}.serviceAccountToken"
            expiration = _int(errs, token, "expirationSeconds", f"{token_path}.expirationSeconds")
            if expiration is not None and expiration < 600:
                errs.append(_invalid(f"{token_path}.expirationSeconds", expiration,
                                     "may not specify a duration less than 10 minutes"))
            if expiration is not None and expiration > 1 << 32:
                errs.append(_invalid(f"{token_path}.expirationSeconds", expiration,
                                     "may not specify a duration larger than 2^32 seconds"))
            target = _str(errs, token, "path", f"{token_path}.path")
            if not target:
                errs.append(_required(f"{path}.path"))
            else:
                _validate_local_non_reserved_path(errs, target, f"{path}.path")
            notes["token"] = True
        if kinds > 1:
            errs.append(_forbidden(source_path,
                                   "may not specify more than 1 volume type per source"))


def _validate_volume_source(errs: list, volume: dict, path: str, notes: dict) -> None:
    count = 0
    for key in _VOLUME_SOURCES:
        if volume.get(key) is None:
            continue
        if count:
            errs.append(_forbidden(f"{path}.{_SECOND_SOURCE_PATH.get(key, key)}",
                                   "may not specify more than 1 volume type"))
            continue
        count += 1
        source = _opt_map(errs, volume, key, f"{path}.{key}")
        if source is not None:
            _validate_one_source(errs, key, source, f"{path}.{key}", notes)
    if count == 0:
        errs.append(_required(path, "must specify a volume type"))


def _validate_one_source(errs: list, key: str, source: dict, path: str, notes: dict) -> None:
    """Checks of one volume source; ``notes`` records what the pod-level checks need."""
    if key == "emptyDir":
        raw = source.get("sizeLimit")
        if raw is not None:
            limit = _quantity(errs, raw, f"{path}.sizeLimit")
            if limit is not None and limit.sign() < 0:
                errs.append(_forbidden(f"{path}.sizeLimit",
                                       "SizeLimit field must be a valid resource quantity"))
    elif key == "hostPath":
        _validate_host_path(errs, source, path)
    elif key == "gitRepo":
        if not _str(errs, source, "repository", f"{path}.repository"):
            errs.append(_required(f"{path}.repository"))
        _validate_local_descending_path(errs, _str(errs, source, "directory", f"{path}.directory"),
                                        f"{path}.directory")
    elif key in ("secret", "configMap"):
        name_key = "secretName" if key == "secret" else "name"
        if not _str(errs, source, name_key, f"{path}.{name_key}"):
            errs.append(_required(f"{path}.{name_key}"))
        _validate_file_mode(errs, source, "defaultMode", f"{path}.defaultMode")
        _validate_key_to_paths(errs, source, path)
    elif key == "nfs":
        if not _str(errs, source, "server", f"{path}.server"):
            errs.append(_required(f"{path}.server"))
        nfs_path = _str(errs, source, "path", f"{path}.path")
        if not nfs_path:
            errs.append(_required(f"{path}.path"))
        if not nfs_path.startswith("/"):
            errs.append(_invalid(f"{path}.path", nfs_path, "must be an absolute path"))
    elif key == "persistentVolumeClaim":
        if not _str(errs, source, "claimName", f"{path}.claimName"):
            errs.append(_required(f"{path}.claimName"))
    elif key == "downwardAPI":
        _validate_file_mode(errs, source, "defaultMode", f"{path}.defaultMode")
        # Upstream reports item errors under the volume source, not under its items.
        _validate_downward_items(errs, source, path)
    elif key == "projected":
        _validate_projected(errs, source, path, notes)
    elif key == "csi":
        _validate_csi_driver(errs, _str(errs, source, "driver", f"{path}.driver"),
                             f"{path}.driver")
    elif key == "ephemeral":
        template = _opt_map(errs, source, "volumeClaimTemplate", f"{path}.volumeClaimTemplate")
        if template is None:
            errs.append(_required(f"{path}.volumeClaimTemplate"))
        else:
            template_path = f"{path}.volumeClaimTemplate"
            meta = _map(errs, template, "metadata", f"{template_path}.metadata")
            _validate_annotations(errs, _str_map(errs, meta, "annotations",
                                                 f"{template_path}.metadata.annotations"),
                                  f"{template_path}.metadata.annotations")
            _validate_labels(errs, _str_map(errs, meta, "labels",
                                            f"{template_path}.metadata.labels"),
                             f"{template_path}.metadata.labels")
            _validate_pvc_spec(errs, _map(errs, template, "spec", f"{template_path}.spec"),
                               f"{template_path}.spec")
    elif key in _SIMPLE_SOURCES:
        child, fields = _SIMPLE_SOURCES[key]
        for name in fields:
            if not source.get(name):
                errs.append(_required(f"{path[: path.rfind('.')]}.{child}.{name}"))


def _validate_host_path(errs: list, source: dict, path: str) -> None:
    host_path = _str(errs, source, "path", f"{path}.path")
    if not host_path:
        errs.append(_required(f"{path}.path"))
        return
    _validate_no_backsteps(errs, host_path, f"{path}.path")
    host_type = _opt_str(errs, source, "type", f"{path}.type")
    if host_type is not None and host_type not in _HOST_PATH_TYPES:
        errs.append(_not_supported(f"{path}.type", host_type, _HOST_PATH_TYPES))


def _validate_csi_driver(errs: list, driver: str, path: str) -> None:
    if not driver:
        errs.append(_required(path))
    if len(driver) > 63:
        errs.append(_too_long(path, 63))
    _each_msg(errs, path, driver, _dns1123_subdomain(driver.lower()))


def _validate_volumes(errs: list, spec: dict, path: str, notes: dict) -> dict[str, dict]:
    """Check spec.volumes; returns the valid volumes by name for mounts to refer to."""
    volumes: dict[str, dict] = {}
    for volume_path, volume in _items(errs, spec, "volumes", path):
        own: list = []
        _validate_volume_source(own, volume, volume_path, notes)
        name = _str(own, volume, "name", f"{volume_path}.name")
        if not name:
            own.append(_required(f"{volume_path}.name"))
        else:
            _each_msg(own, f"{volume_path}.name", name, _dns1123_label(name))
        if name in volumes:
            own.append(_duplicate(f"{volume_path}.name", name))
        if own:
            errs.extend(own)
        else:
            volumes[name] = volume
    return volumes


def _validate_port_number(errs: list, port: Any, path: str) -> None:
    if not 1 <= port <= 65535:
        errs.append(_invalid(path, port, _range_error(1, 65535)))


def _validate_int_or_port_name(errs: list, port: Any, path: str) -> None:
    """An IntOrString port: a number in range or a port name."""
    if isinstance(port, str):
        _each_msg(errs, path, port, _port_name(port))
    elif isinstance(port, int) and not isinstance(port, bool):
        _validate_port_number(errs, port, path)
    elif port is None:
        _validate_port_number(errs, 0, path)
    else:
        errs.append(_type_invalid(path, port, "integer or string"))


def _validate_container_ports(errs: list, container: dict, path: str) -> None:
    names: set[str] = set()
    for port_path, port in _items(errs, container, "ports", path):
        name = _str(errs, port, "name", f"{port_path}.name")
        if name:
            messages = _port_name(name)
            if messages:
                _each_msg(errs, f"{port_path}.name", name, messages)
            elif name in names:
                errs.append(_duplicate(f"{port_path}.name", name))
            else:
                names.add(name)
        container_port = _int(errs, port, "containerPort", f"{port_path}.containerPort")
        if not container_port:
            errs.append(_required(f"{port_path}.containerPort"))
        else:
            _validate_port_number(errs, container_port, f"{port_path}.containerPort")
        host_port = _int(errs, port, "hostPort", f"{port_path}.hostPort")
        if host_port:
            _validate_port_number(errs, host_port, f"{port_path}.hostPort")
        protocol = _str(errs, port, "protocol", f"{port_path}.protocol")
        if not protocol:
            errs.append(_required(f"{port_path}.protocol"))
        elif protocol not in _PROTOCOLS:
            errs.append(_not_supported(f"{port_path}.protocol", protocol, _PROTOCOLS))


def _validate_env(errs: list, container: dict, path: str) -> None:
    for env_path, env in _items(errs, container, "env", path):
        name = _str(errs, env, "name", f"{env_path}.name")
        if not name:
            errs.append(_required(f"{env_path}.name"))
        else:
            _each_msg(errs, f"{env_path}.name", name, _env_var_name(name))
        value_from = _opt_map(errs, env, "valueFrom", f"{env_path}.valueFrom")
        if value_from is None:
            continue
        from_path = f"{env_path}.valueFrom"
        sources = 0
        field_ref = _opt_map(errs, value_from, "fieldRef", f"{from_path}.fieldRef")
        if field_ref is not None:
            sources += 1
            _validate_object_field_selector(errs, field_ref, _ENV_FIELD_PATHS,
                                            f"{from_path}.fieldRef")
        resource_ref = _opt_map(errs, value_from, "resourceFieldRef",
                                f"{from_path}.resourceFieldRef")
        if resource_ref is not None:
            sources += 1
            _validate_resource_field_selector(errs, resource_ref,
                                              f"{from_path}.resourceFieldRef", False)
        for kind in ("configMapKeyRef", "secretKeyRef"):
            ref = _opt_map(errs, value_from, kind, f"{from_path}.{kind}")
            if ref is None:
                continue
            sources += 1
            ref_path = f"{from_path}.{kind}"
            ref_name = _str(errs, ref, "name", f"{ref_path}.name")
            _each_msg(errs, f"{ref_path}.name", ref_name, _name_subdomain(ref_name, False))
            key = _str(errs, ref, "key", f"{ref_path}.key")
            if not key:
                errs.append(_required(f"{ref_path}.key"))
            else:
                _each_msg(errs, f"{ref_path}.key", key, _config_map_key(key))
        if sources == 0:
            errs.append(_invalid(from_path, "", "must specify one of: `fieldRef`, "
                                 "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
        elif env.get("value"):
            errs.append(_invalid(from_path, "", "may not be specified when `value` is not empty"))
        elif sources > 1:
            errs.append(_invalid(from_path, "",
                                 "may not have more than one field specified at a time"))


def _validate_env_from(errs: list, container: dict, path: str) -> None:
    for item_path, item in _items(errs, container, "envFrom", path):
        prefix = _str(errs, item, "prefix", f"{item_path}.prefix")
        if prefix:
            _each_msg(errs, f"{item_path}.prefix", prefix, _env_var_name(prefix))
        sources = 0
        for kind in ("configMapRef", "secretRef"):
            ref = _opt_map(errs, item, kind, f"{item_path}.{kind}")
            if ref is None:
                continue
            sources += 1
            name = _str(errs, ref, "name", f"{item_path}.{kind}.name")
            if not name:
                errs.append(_required(f"{item_path}.{kind}.name"))
            else:
                _each_msg(errs, f"{item_path}.{kind}.name", name, _name_subdomain(name, True))
        # Upstream reports these against the whole list.
        if sources == 0:
            errs.append(_invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif sources > 1:
            errs.append(_invalid(path, "", "may not have more than one field specified at a time"))


def _validate_volume_mounts(errs: list, container: dict, path: str, volumes: dict[str, dict],
                            devices: dict[str, str]) -> None:
    mount_points: set[str] = set()
    security = container.get("securityContext")
    privileged = isinstance(security, dict) and security.get("privileged") is True
    for mount_path, mount in _items(errs, container, "volumeMounts", path):
        name = _str(errs, mount, "name", f"{mount_path}.name")
        if not name:
            errs.append(_required(f"{mount_path}.name"))
        if name not in volumes:
            errs.append(_not_found(f"{mount_path}.name", name))
        target = _str(errs, mount, "mountPath", f"{mount_path}.mountPath")
        if not target:
            errs.append(_required(f"{mount_path}.mountPath"))
        if target in mount_points:
            errs.append(_invalid(f"{mount_path}.mountPath", target, "must be unique"))
        mount_points.add(target)
        if name in devices:
            errs.append(_invalid(f"{mount_path}.name", name,
                                 "must not already exist in volumeDevices"))
        if target in devices.values():
            errs.append(_invalid(f"{mount_path}.mountPath", target,
                                 "must not already exist as a path in volumeDevices"))
        sub_path = _str(errs, mount, "subPath", f"{mount_path}.subPath")
        if sub_path:
            # Upstream attaches these to the list path, not the item.
            _validate_local_descending_path(errs, sub_path, f"{path}.subPath")
        sub_path_expr = _str(errs, mount, "subPathExpr", f"{mount_path}.subPathExpr")
        if sub_path_expr:
            if sub_path:
                errs.append(_invalid(f"{mount_path}.subPathExpr", sub_path_expr,
                                     "subPathExpr and subPath are mutually exclusive"))
            _validate_local_descending_path(errs, sub_path_expr, f"{path}.subPathExpr")
        propagation = _opt_str(errs, mount, "mountPropagation", f"{mount_path}.mountPropagation")
        if propagation is not None:
            supported = ("Bidirectional", "HostToContainer", "None")
            if propagation not in supported:
                errs.append(_not_supported(f"{path}.mountPropagation", propagation, supported))
            if propagation == "Bidirectional" and not privileged:
                errs.append(_forbidden(f"{path}.mountPropagation", "Bidirectional mount "
                                       "propagation is available only to privileged containers"))


def _validate_volume_devices(errs: list, container: dict, path: str, volumes: dict[str, dict],
                             mounts: dict[str, str]) -> None:
    names: set[str] = set()
    device_paths: set[str] = set()
    for device_path, device in _items(errs, container, "volumeDevices", path):
        name = _str(errs, device, "name", f"{device_path}.name")
        target = _str(errs, device, "devicePath", f"{device_path}.devicePath")
        if not name:
            errs.append(_required(f"{device_path}.name"))
        if name in names:
            errs.append(_invalid(f"{device_path}.name", name, "must be unique"))
        volume = volumes.get(name)
        if volume is not None and volume.get("persistentVolumeClaim") is None and \
                volume.get("ephemeral") is None:
            errs.append(_invalid(f"{device_path}.name", name, "can only use volume source type "
                                 "of PersistentVolumeClaim or Ephemeral for block mode"))
        if volume is None:
            errs.append(_not_found(f"{device_path}.name", name))
        if not target:
            errs.append(_required(f"{device_path}.devicePath"))
        if target in device_paths:
            errs.append(_invalid(f"{device_path}.devicePath", target, "must be unique"))
        if target and ".." in target.split("/"):
            errs.append(_invalid(f"{device_path}.devicePath", target,
                                 "can not contain backsteps ('..')"))
        else:
            device_paths.add(target)
        if name in mounts:
            errs.append(_invalid(f"{device_path}.name", name,
                                 "must not already exist in volumeMounts"))
        if target in mounts.values():
            errs.append(_invalid(f"{device_path}.devicePath", target,
                                 "must not already exist as a path in volumeMounts"))
        if name:
            names.add(name)


def _validate_handler(errs: list, handler: dict, path: str, probe: bool,
                      grace_period: int | None) -> None:
    kinds = ("exec", "httpGet", "tcpSocket", "grpc") if probe else \
        ("exec", "httpGet", "tcpSocket", "sleep")
    count = 0
    for kind in kinds:
        action = _opt_map(errs, handler, kind, f"{path}.{kind}")
        if action is None:
            continue
        if count:
            errs.append(_forbidden(f"{path}.{kind}", "may not specify more than 1 handler type"))
            continue
        count += 1
        action_path = f"{path}.{kind}"
        if kind == "exec":
            if not _list(errs, action, "command", f"{action_path}.command"):
                errs.append(_required(f"{action_path}.command"))
        elif kind == "httpGet":
            if not _str(errs, action, "path", f"{action_path}.path"):
                errs.append(_required(f"{action_path}.path"))
            _validate_int_or_port_name(errs, action.get("port"), f"{action_path}.port")
            scheme = _str(errs, action, "scheme", f"{action_path}.scheme")
            if scheme not in ("HTTP", "HTTPS"):
                errs.append(_not_supported(f"{action_path}.scheme", scheme, ("HTTP", "HTTPS")))
            for _, header in _items(errs, action, "httpHeaders", f"{action_path}.httpHeaders"):
                header_name = _str(errs, header, "name", f"{action_path}.httpHeaders")
                if not _HTTP_HEADER.fullmatch(header_name):
                    errs.append(_invalid(f"{action_path}.httpHeaders", header_name,
                                         _HTTP_HEADER_MSG))
        elif kind == "tcpSocket":
            _validate_int_or_port_name(errs, action.get("port"), f"{action_path}.port")
        elif kind == "grpc":
            port = _int(errs, action, "port", f"{action_path}.port")
            _validate_port_number(errs, port or 0, f"{action_path}.port")
        elif kind == "sleep":
            seconds = _int(errs, action, "seconds", f"{action_path}.seconds") or 0
            if grace_period is not None and not 0 < seconds <= grace_period:
                errs.append(_invalid(action_path, seconds,
                                     "must be greater than 0 and less than "
                                     f"terminationGracePeriodSeconds ({grace_period}). Enable "
                                     "AllowPodLifecycleSleepActionZeroValue feature gate for "
                                     "zero sleep."))
    if count == 0:
        errs.append(_required(path, "must specify a handler type"))


def _validate_probe(errs: list, container: dict, key: str, path: str,
                    grace_period: int | None) -> None:
    probe = _opt_map(errs, container, key, path)
    if probe is None:
        return
    _validate_handler(errs, probe, path, True, grace_period)
    for field in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                  "failureThreshold"):
        _nonnegative(errs, _int(errs, probe, field, f"{path}.{field}"), f"{path}.{field}")
    probe_grace = _int(errs, probe, "terminationGracePeriodSeconds",
                       f"{path}.terminationGracePeriodSeconds")
    if probe_grace is not None and probe_grace <= 0:
        errs.append(_invalid(f"{path}.terminationGracePeriodSeconds", probe_grace,
                             "must be greater than 0"))
    if key in ("livenessProbe", "startupProbe"):
        success = probe.get("successThreshold")
        if success != 1:
            errs.append(_invalid(f"{path}.successThreshold", success, "must be 1"))
    elif probe_grace is not None:
        errs.append(_invalid(f"{path}.terminationGracePeriodSeconds", probe_grace,
                             "must not be set for readinessProbes"))


def _validate_lifecycle(errs: list, container: dict, path: str, grace_period: int | None) -> None:
    lifecycle = _opt_map(errs, container, "lifecycle", path)
    if lifecycle is None:
        return
    for hook in ("postStart", "preStop"):
        handler = _opt_map(errs, lifecycle, hook, f"{path}.{hook}")
        if handler is not None:
            _validate_handler(errs, handler, f"{path}.{hook}", False, grace_period)


def _validate_id(errs: list, holder: dict, key: str, path: str) -> None:
    value = _int(errs, holder, key, path)
    if value is not None and not 0 <= value <= 0xFFFFFFFF:
        errs.append(_invalid(path, value, _range_error(0, 0xFFFFFFFF)))


def _validate_security_context(errs: list, container: dict, path: str) -> None:
    context = _opt_map(errs, container, "securityContext", path)
    if context is None:
        return
    _validate_id(errs, context, "runAsUser", f"{path}.runAsUser")
    _validate_id(errs, context, "runAsGroup", f"{path}.runAsGroup")
    proc_mount = _opt_str(errs, context, "procMount", f"{path}.procMount")
    if proc_mount is not None and proc_mount not in ("Default", "Unmasked"):
        errs.append(_not_supported(f"{path}.procMount", proc_mount, ("Default", "Unmasked")))
    if context.get("allowPrivilegeEscalation") is False and context.get("privileged") is True:
        errs.append(_invalid(path, context, "cannot set `allowPrivilegeEscalation` to false and "
                             "`privileged` to true"))
    _validate_seccomp(errs, context, f"{path}.seccompProfile")


def _validate_seccomp(errs: list, context: dict, path: str) -> None:
    profile = _opt_map(errs, context, "seccompProfile", path)
    if profile is None:
        return
    profile_type = _str(errs, profile, "type", f"{path}.type")
    supported = ("Localhost", "RuntimeDefault", "Unconfined")
    if not profile_type:
        errs.append(_required(f"{path}.type", "type is required when seccompProfile is set"))
    elif profile_type not in supported:
        errs.append(_not_supported(f"{path}.type", profile_type, supported))


def _validate_container_common(errs: list, container: dict, path: str,
                               volumes: dict[str, dict]) -> None:
    name = _str(errs, container, "name", f"{path}.name")
    if not name:
        errs.append(_required(f"{path}.name"))
    else:
        _each_msg(errs, f"{path}.name", name, _dns1123_label(name))
    if not _str(errs, container, "image", f"{path}.image"):
        errs.append(_required(f"{path}.image"))
    policy = _str(errs, container, "terminationMessagePolicy", f"{path}.terminationMessagePolicy")
    if not policy:
        errs.append(_required(f"{path}.terminationMessagePolicy"))
    elif policy not in ("File", "FallbackToLogsOnError"):
        errs.append(_not_supported(f"{path}.terminationMessagePolicy", policy,
                                   ("File", "FallbackToLogsOnError")))
    mounts = {str(m.get("name")): str(m.get("mountPath"))
              for m in _seq(container, "volumeMounts") if isinstance(m, dict)}
    devices = {str(d.get("name")): str(d.get("devicePath"))
               for d in _seq(container, "volumeDevices") if isinstance(d, dict)}
    _validate_container_ports(errs, container, f"{path}.ports")
    _validate_env(errs, container, f"{path}.env")
    _validate_env_from(errs, container, f"{path}.envFrom")
    _validate_volume_mounts(errs, container, f"{path}.volumeMounts", volumes, devices)
    _validate_volume_devices(errs, container, f"{path}.volumeDevices", volumes, mounts)
    pull = _str(errs, container, "imagePullPolicy", f"{path}.imagePullPolicy")
    if not pull:
        errs.append(_required(f"{path}.imagePullPolicy"))
    elif pull not in ("Always", "IfNotPresent", "Never"):
        errs.append(_not_supported(f"{path}.imagePullPolicy", pull,
                                   ("Always", "IfNotPresent", "Never")))
    _validate_resource_requirements(errs, _map(errs, container, "resources", f"{path}.resources"),
                                    f"{path}.resources")
    _validate_security_context(errs, container, f"{path}.securityContext")


def _host_port_conflicts(errs: list, containers: list[tuple[str, dict]]) -> None:
    seen: set[str] = set()
    for container_path, container in containers:
        for i, port in enumerate(_seq(container, "ports")):
            if not isinstance(port, dict) or not port.get("hostPort"):
                continue
            key = f"{port.get('protocol') or ''}/{port.get('hostIP') or ''}/{port['hostPort']}"
            if key in seen:
                errs.append(_duplicate(f"{container_path}.ports[{i}].hostPort", key))
            seen.add(key)


def _validate_containers(errs: list, spec: dict, path: str, volumes: dict[str, dict],
                         grace_period: int | None) -> list[tuple[str, dict]]:
    containers = _items(errs, spec, "containers", f"{path}.containers")
    if not spec.get("containers"):
        errs.append(_required(f"{path}.containers"))
        return containers
    names: set[str] = set()
    for container_path, container in containers:
        _validate_container_common(errs, container, container_path, volumes)
        name = _text(container, "name")
        if name in names:
            errs.append(_duplicate(f"{container_path}.name", name))
        else:
            names.add(name)
        _validate_lifecycle(errs, container, f"{container_path}.lifecycle", grace_period)
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            _validate_probe(errs, container, probe, f"{container_path}.{probe}", grace_period)
        if container.get("restartPolicy") is not None:
            errs.append(_forbidden(f"{container_path}.restartPolicy",
                                   "may not be set for non-init containers"))
    _host_port_conflicts(errs, containers)
    return containers


def _validate_init_containers(errs: list, spec: dict, path: str, volumes: dict[str, dict],
                              grace_period: int | None) -> None:
    names = {_text(c, "name") for c in _seq(spec, "containers") if isinstance(c, dict)}
    for container_path, container in _items(errs, spec, "initContainers",
                                            f"{path}.initContainers"):
        _validate_container_common(errs, container, container_path, volumes)
        restart = _opt_str(errs, container, "restartPolicy", f"{container_path}.restartPolicy")
        if restart is not None and restart != "Always":
            errs.append(_not_supported(f"{container_path}.restartPolicy", restart, ("Always",)))
        name = _text(container, "name")
        if name in names:
            errs.append(_duplicate(f"{container_path}.name", name))
        elif name:
            names.add(name)
        # Init containers run one at a time, so only conflicts within one count.
        _host_port_conflicts(errs, [(container_path, container)])
        if restart == "Always":
            _validate_lifecycle(errs, container, f"{container_path}.lifecycle", grace_period)
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                _validate_probe(errs, container, probe, f"{container_path}.{probe}", grace_period)
        else:
            for field in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(field) is not None:
                    errs.append(_forbidden(f"{container_path}.{field}", "may not be set for init "
                                           "containers without restartPolicy=Always"))


def _validate_tolerations(errs: list, spec: dict, path: str) -> None:
    for toleration_path, toleration in _items(errs, spec, "tolerations", path):
        key = _str(errs, toleration, "key", f"{toleration_path}.key")
        operator = _str(errs, toleration, "operator", f"{toleration_path}.operator")
        value = _str(errs, toleration, "value", f"{toleration_path}.value")
        effect = _str(errs, toleration, "effect", f"{toleration_path}.effect")
        if key:
            _each_msg(errs, f"{toleration_path}.key", key, _qualified_name(key))
        if not key and operator != "Exists":
            errs.append(_invalid(f"{toleration_path}.operator", operator,
                                 "operator must be Exists when `key` is empty, which means "
                                 "\"match all values and all keys\""))
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(_invalid(f"{toleration_path}.effect", effect,
                                 "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if operator in ("Equal", ""):
            messages = _label_value(value)
            if messages:
                # Upstream reports a bad value against the operator, joined with ";".
                errs.append(_invalid(f"{toleration_path}.operator", value, ";".join(messages)))
        elif operator == "Exists":
            if value:
                errs.append(_invalid(f"{toleration_path}.operator", value,
                                     "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(_not_supported(f"{toleration_path}.operator", operator,
                                       ("Equal", "Exists")))
        if effect:
            _validate_taint_effect(errs, effect, f"{toleration_path}.effect")


def _validate_taint_effect(errs: list, effect: str, path: str) -> None:
    supported = ("NoSchedule", "PreferNoSchedule", "NoExecute")
    if effect not in supported:
        errs.append(_not_supported(path, effect, supported))


def _validate_pod_security_context(errs: list, spec: dict, path: str) -> None:
    context = _opt_map(errs, spec, "securityContext", path)
    if context is None:
        return
    _validate_id(errs, context, "fsGroup", f"{path}.fsGroup")
    _validate_id(errs, context, "runAsUser", f"{path}.runAsUser")
    _validate_id(errs, context, "runAsGroup", f"{path}.runAsGroup")
    for i, gid in enumerate(_list(errs, context, "supplementalGroups",
                                  f"{path}.supplementalGroups")):
        if not isinstance(gid, int) or not 0 <= gid <= 0xFFFFFFFF:
            errs.append(_invalid(f"{path}.supplementalGroups[{i}]", gid,
                                 _range_error(0, 0xFFFFFFFF)))
    names: set[str] = set()
    for sysctl_path, sysctl in _items(errs, context, "sysctls", f"{path}.sysctls"):
        name = _str(errs, sysctl, "name", f"{sysctl_path}.name")
        if not name:
            errs.append(_required(f"{sysctl_path}.name"))
        elif len(name) > 253 or not _SYSCTL_NAME.fullmatch(name):
            errs.append(_invalid(f"{sysctl_path}.name", name,
                                 "must have at most 253 characters and match regex "
                                 + _SYSCTL_NAME.pattern))
        elif name in names:
            errs.append(_duplicate(f"{sysctl_path}.name", name))
        names.add(name)
    policy = _opt_str(errs, context, "fsGroupChangePolicy", f"{path}.fsGroupChangePolicy")
    if policy is not None and policy not in ("Always", "OnRootMismatch"):
        errs.append(_not_supported(f"{path}.fsGroupChangePolicy", policy,
                                   ("Always", "OnRootMismatch")))
    _validate_seccomp(errs, context, f"{path}.seccompProfile")


def _validate_dns_config(errs: list, spec: dict, path: str, dns_policy: str) -> None:
    config = _opt_map(errs, spec, "dnsConfig", path)
    if dns_policy == "None":
        if config is None:
            errs.append(_required(path, "must provide `dnsConfig` when `dnsPolicy` is None"))
            return
        if not config.get("nameservers"):
            errs.append(_required(f"{path}.nameservers", "must provide at least one DNS "
                                  "nameserver when `dnsPolicy` is None"))
            return
    if config is None:
        return
    nameservers = _str_list(errs, config, "nameservers", f"{path}.nameservers")
    if len(nameservers) > 3:
        errs.append(_invalid(f"{path}.nameservers", nameservers,
                             "must not have more than 3 nameservers"))
    for i, server in enumerate(nameservers):
        _validate_ip(errs, server, f"{path}.nameservers[{i}]")
    searches = _str_list(errs, config, "searches", f"{path}.searches")
    if len(searches) > 32:
        errs.append(_invalid(f"{path}.searches", searches, "must not have more than 32 search "
                             "paths"))
    if len(" ".join(searches)) > 2048:
        errs.append(_invalid(f"{path}.searches", searches, "must not have more than 2048 "
                             "characters (including spaces) in the search list"))
    for i, search in enumerate(searches):
        if search != ".":
            trimmed = search[:-1] if search.endswith(".") else search
            if not re.fullmatch(r"_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\._?[a-z0-9]([-_a-z0-9]*"
                                r"[a-z0-9])?)*", trimmed) or len(trimmed) > 253:
                _each_msg(errs, f"{path}.searches[{i}]", trimmed, _dns1123_subdomain(trimmed))
    for option_path, option in _items(errs, config, "options", f"{path}.options"):
        if not option.get("name"):
            errs.append(_required(option_path, "must not be empty"))


def _validate_topology_spread(errs: list, spec: dict, path: str) -> None:
    seen: set[tuple[str, str]] = set()
    for constraint_path, constraint in _items(errs, spec, "topologySpreadConstraints", path):
        max_skew = _int(errs, constraint, "maxSkew", f"{constraint_path}.maxSkew") or 0
        if max_skew <= 0:
            errs.append(_invalid(f"{constraint_path}.maxSkew", max_skew,
                                 "must be greater than zero"))
        key = _str(errs, constraint, "topologyKey", f"{constraint_path}.topologyKey")
        if not key:
            errs.append(_required(f"{constraint_path}.topologyKey", "can not be empty"))
        else:
            _each_msg(errs, f"{constraint_path}.topologyKey", key, _qualified_name(key))
        action = _str(errs, constraint, "whenUnsatisfiable", f"{constraint_path}.whenUnsatisfiable")
        supported = ("DoNotSchedule", "ScheduleAnyway")
        if action not in supported:
            errs.append(_not_supported(f"{constraint_path}.whenUnsatisfiable", action, supported))
        if (key, action) in seen:
            errs.append(_duplicate(constraint_path, f"{{{key}, {action}}}"))
        seen.add((key, action))


def _validate_pod_spec(errs: list, spec: dict, path: str, pod_meta: dict | None) -> None:
    """Upstream ``ValidatePodSpec``: shared by pods (``pod_meta`` given) and templates."""
    grace_period = _int(errs, spec, "terminationGracePeriodSeconds",
                        f"{path}.terminationGracePeriodSeconds")
    if grace_period is None:
        errs.append(_required(f"{path}.terminationGracePeriodSeconds"))
    notes: dict = {}
    volumes = _validate_volumes(errs, spec, f"{path}.volumes", notes)
    containers = _validate_containers(errs, spec, path, volumes, grace_period)
    _validate_init_containers(errs, spec, path, volumes, grace_period)
    overhead = _map(errs, spec, "overhead", f"{path}.overhead")
    if overhead:
        _validate_resource_requirements(errs, {"limits": overhead}, f"{path}.overhead")

    if spec.get("hostNetwork") is True:
        # A pod's host ports must equal its container ports; a template may leave them 0.
        for container_path, container in containers:
            for i, port in enumerate(_seq(container, "ports")):
                if not isinstance(port, dict):
                    continue
                host_port, container_port = port.get("hostPort") or 0, port.get("containerPort")
                if (pod_meta is not None or host_port) and host_port != container_port:
                    errs.append(_invalid(f"{container_path}.ports[{i}].hostPort", host_port,
                                         "must match `containerPort` when `hostNetwork` is true"))

    restart = _str(errs, spec, "restartPolicy", f"{path}.restartPolicy")
    if not restart:
        errs.append(_required(f"{path}.restartPolicy"))
    elif restart not in ("Always", "OnFailure", "Never"):
        errs.append(_not_supported(f"{path}.restartPolicy", restart,
                                   ("Always", "OnFailure", "Never")))
    dns_policy = _str(errs, spec, "dnsPolicy", f"{path}.dnsPolicy")
    dns_policies = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
    if not dns_policy:
        errs.append(_required(f"{path}.dnsPolicy"))
    elif dns_policy not in dns_policies:
        errs.append(_not_supported(f"{path}.dnsPolicy", dns_policy, dns_policies))
    _validate_labels(errs, _str_map(errs, spec, "nodeSelector", f"{path}.nodeSelector"),
                     f"{path}.nodeSelector")
    _validate_pod_security_context(errs, spec, f"{path}.securityContext")
    for secret_path, secret in _items(errs, spec, "imagePullSecrets", f"{path}.imagePullSecrets"):
        if set(secret) - {"name"}:
            errs.append(_invalid(secret_path, secret, "only name may be set"))
    _validate_dns_config(errs, spec, f"{path}.dnsConfig", dns_policy)
    for gate_path, gate in _items(errs, spec, "readinessGates", f"{path}.readinessGates"):
        condition = _str(errs, gate, "conditionType", f"{gate_path}.conditionType")
        _each_msg(errs, f"{gate_path}.conditionType", condition, _qualified_name(condition))
    gates: set[str] = set()
    for gate_path, gate in _items(errs, spec, "schedulingGates", f"{path}.schedulingGates"):
        gate_name = _str(errs, gate, "name", f"{gate_path}.name")
        _each_msg(errs, gate_path, gate_name, _qualified_name(gate_name))
        if gate_name in gates:
            errs.append(_duplicate(gate_path, gate_name))
        gates.add(gate_name)
    _validate_topology_spread(errs, spec, f"{path}.topologySpreadConstraints")
    for key, rule in (("serviceAccountName", _dns1123_subdomain), ("nodeName", _dns1123_subdomain),
                      ("hostname", _dns1123_label), ("subdomain", _dns1123_label),
                      ("priorityClassName", _dns1123_subdomain)):
        value = _str(errs, spec, key, f"{path}.{key}")
        if value:
            _each_msg(errs, f"{path}.{key}", value, rule(value))
    deadline = _int(errs, spec, "activeDeadlineSeconds", f"{path}.activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= _MAX_INT32:
        errs.append(_invalid(f"{path}.activeDeadlineSeconds", deadline,
                             _range_error(1, _MAX_INT32)))
    _validate_tolerations(errs, spec, f"{path}.tolerations")
    for alias_path, alias in _items(errs, spec, "hostAliases", f"{path}.hostAliases"):
        _validate_ip(errs, _str(errs, alias, "ip", f"{alias_path}.ip"), f"{alias_path}.ip")
        for i, hostname in enumerate(_str_list(errs, alias, "hostnames",
                                               f"{alias_path}.hostnames")):
            _each_msg(errs, f"{alias_path}.hostnames[{i}]", hostname, _dns1123_subdomain(hostname))
    runtime_class = _opt_str(errs, spec, "runtimeClassName", f"{path}.runtimeClassName")
    if runtime_class is not None:
        _each_msg(errs, f"{path}.runtimeClassName", runtime_class,
                  _dns1123_subdomain(runtime_class))
    preemption = _opt_str(errs, spec, "preemptionPolicy", f"{path}.preemptionPolicy")
    if preemption is not None:
        if not preemption:
            errs.append(_required(f"{path}.preemptionPolicy"))
        elif preemption not in ("PreemptLowerPriority", "Never"):
            errs.append(_not_supported(f"{path}.preemptionPolicy", preemption,
                                       ("PreemptLowerPriority", "Never")))
    os_spec = _opt_map(errs, spec, "os", f"{path}.os")
    if os_spec is not None:
        os_name = _str(errs, os_spec, "name", f"{path}.os.name")
        if not os_name:
            errs.append(_required(f"{path}.os.name"))
        elif os_name not in ("linux", "windows"):
            errs.append(_not_supported(f"{path}.os.name", os_name, ("linux", "windows")))
    if pod_meta is not None and not spec.get("serviceAccountName") and notes.get("token"):
        for vi, volume in enumerate(_seq(spec, "volumes")):
            projected = volume.get("projected") if isinstance(volume, dict) else None
            sources = projected.get("sources") if isinstance(projected, dict) else None
            for si, source in enumerate(sources if isinstance(sources, list) else []):
                if isinstance(source, dict) and source.get("serviceAccountToken") is not None:
                    errs.append(_forbidden(
                        f"{path}.volumes[{vi}].projected.sources[{si}].serviceAccountToken",
                        "must not be specified when serviceAccountName is not set"))
    if pod_meta is not None:
        for key in ("containers", "initContainers"):
            for container_path, container in _items([], spec, key, f"{path}.{key}"):
                image = container.get("image")
                if isinstance(image, str) and image != image.strip():
                    errs.append(_invalid(f"{container_path}.image", image,
                                         "must not have leading or trailing whitespace"))


_UPDATABLE_POD_FIELDS = ",".join((
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
    "negative)",
))


def _validate_pod(errs: list, pod: dict, old: dict | None) -> None:
    meta = _map(errs, pod, "metadata", "metadata")
    spec = _map(errs, pod, "spec", "spec")
    _validate_pod_spec(errs, spec, "spec", meta)
    if old is None:
        if spec.get("ephemeralContainers"):
            errs.append(_forbidden("spec.ephemeralContainers", "cannot be set on create"))
        if spec.get("nodeName") and spec.get("schedulingGates"):
            errs.append(_forbidden("spec.nodeName",
                                   "cannot be set until all schedulingGates have been cleared"))
        return
    _validate_pod_update(errs, spec, _sub(old, "spec"))


def _validate_pod_update(errs: list, spec: dict, old_spec: dict) -> None:
    for key in ("containers", "initContainers"):
        new_list = _seq(spec, key)
        old_list = _seq(old_spec, key)
        if len(new_list) != len(old_list):
            errs.append(_forbidden(f"spec.{key}", "pod updates may not add or remove containers"))
            return
        for i, container in enumerate(new_list):
            image = container.get("image") if isinstance(container, dict) else None
            if isinstance(image, str) and image and image != image.strip():
                errs.append(_invalid(f"spec.{key}[{i}].image", image,
                                     "must not have leading or trailing whitespace"))

    deadline = spec.get("activeDeadlineSeconds")
    old_deadline = old_spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int):
        if not 0 <= deadline <= _MAX_INT32:
            errs.append(_invalid("spec.activeDeadlineSeconds", deadline,
                                 _range_error(0, _MAX_INT32)))
            return
        if isinstance(old_deadline, int) and old_deadline < deadline:
            errs.append(_invalid("spec.activeDeadlineSeconds", deadline,
                                 "must be less than or equal to previous value"))
            return
    elif deadline is None and old_deadline is not None:
        errs.append(_invalid("spec.activeDeadlineSeconds", None,
                             "must not update from a positive integer to nil value"))

    _validate_only_added_tolerations(errs, spec, old_spec)
    new_gates = {_text(g, "name") for g in _seq(spec, "schedulingGates") if isinstance(g, dict)}
    old_gates = {_text(g, "name") for g in _seq(old_spec, "schedulingGates")
                 if isinstance(g, dict)}
    for i, gate in enumerate(_seq(spec, "schedulingGates")):
        name = _text(gate, "name") if isinstance(gate, dict) else None
        if name in new_gates - old_gates:
            errs.append(_forbidden(f"spec.schedulingGates[{i}].name", "only deletion is allowed, "
                                   f"but found new scheduling gate '{name}'"))

    new_view, old_view = _semantic(spec), _semantic(old_spec)
    if new_view == old_view:
        return
    # Put back what may change, then anything still different may not.  The semantic
    # views are fresh copies, so the new one can be edited in place.
    for key in ("containers", "initContainers"):
        for container, old_container in zip(_seq(new_view, key), _seq(old_view, key),
                                            strict=False):
            if isinstance(container, dict) and isinstance(old_container, dict):
                _copy_key(container, old_container, "image")
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        _copy_key(new_view, old_view, key)
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and \
            new_view.get("terminationGracePeriodSeconds") == 1:
        new_view["terminationGracePeriodSeconds"] = old_grace
    if new_view != old_view:
        diff = "\n".join(_differences(old_view, new_view, "spec"))
        errs.append(_forbidden("spec", "pod updates may not change fields other than "
                               f"{_UPDATABLE_POD_FIELDS}\n{diff}"))


def _copy_key(target: dict, source: dict, key: str) -> None:
    if key in source:
        target[key] = source[key]
    else:
        target.pop(key, None)


def _validate_only_added_tolerations(errs: list, spec: dict, old_spec: dict) -> None:
    new = [t for t in _seq(spec, "tolerations") if isinstance(t, dict)]
    for old in _seq(old_spec, "tolerations"):
        if not isinstance(old, dict):
            continue
        # tolerationSeconds may change; everything else of an existing toleration may not.
        wanted = _semantic({k: v for k, v in old.items() if k != "tolerationSeconds"})
        if not any(_semantic({k: v for k, v in t.items() if k != "tolerationSeconds"}) == wanted
                   for t in new):
            errs.append(_forbidden("spec.tolerations",
                                   "existing toleration can not be modified except its "
                                   "tolerationSeconds"))
            return


def _semantic(value: Any) -> Any:
    """A value with Go zero values dropped, so that absent and zero compare equal.

    Quantities need no special care: defaulting has already written them canonically.
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            normal = _semantic(item)
            if normal not in (None, "", 0, False, [], {}):
                out[key] = normal
        return out
    if isinstance(value, list):
        return [_semantic(item) for item in value]
    return value


def _differences(old: Any, new: Any, path: str, limit: int = 10) -> list[str]:
    """Readable lines naming what changed between two semantic values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in list(old) + [k for k in new if k not in old]:
            if old.get(key) != new.get(key):
                out.extend(_differences(old.get(key), new.get(key), f"{path}.{key}", limit))
            if len(out) >= limit:
                break
        return out[:limit]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                out.extend(_differences(a, b, f"{path}[{i}]", limit))
        return out[:limit]
    return [f"  {path}: {_plain(old)} -> {_plain(new)}"]


def _plain(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


# == services and endpoints =================================================================

_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
_IP_FAMILIES = ("IPv4", "IPv6")
_IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
_TRAFFIC_POLICIES = ("Cluster", "Local")
_MAX_AFFINITY_SECONDS = 86400


def _is_headless(spec: dict) -> bool:
    return spec.get("clusterIPs") == ["None"]


def _validate_service(errs: list, service: dict, old: dict | None) -> None:
    spec = _map(errs, service, "spec", "spec")
    if old is not None:
        old_spec = _sub(old, "spec")
        _validate_service_update(errs, spec, old_spec)
    service_type = _str(errs, spec, "type", "spec.type")
    ports = _items(errs, spec, "ports", "spec.ports")
    headless = _is_headless(spec)
    if not ports and not headless and service_type != "ExternalName":
        errs.append(_required("spec.ports"))
    cluster_ips = _str_list(errs, spec, "clusterIPs", "spec.clusterIPs")
    if service_type in ("LoadBalancer", "NodePort") and headless:
        errs.append(_invalid("spec.clusterIPs[0]", cluster_ips[0],
                             f"may not be set to 'None' for {service_type} services"))
    elif service_type == "ExternalName":
        if cluster_ips:
            errs.append(_forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if spec.get("ipFamilies"):
            errs.append(_forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy") is not None:
            errs.append(_forbidden("spec.ipFamilyPolicy",
                                   "may not be set for ExternalName services"))
        # A CNAME may end in a dot to mark it fully qualified.
        cname = _str(errs, spec, "externalName", "spec.externalName").removesuffix(".")
        if cname:
            _each_msg(errs, "spec.externalName", cname, _dns1123_subdomain(cname))
        else:
            errs.append(_required("spec.externalName"))

    names: set[str] = set()
    for port_path, port in ports:
        _validate_service_port(errs, port, port_path, len(ports) > 1, names)
    if spec.get("selector") is not None:
        _validate_labels(errs, _str_map(errs, spec, "selector", "spec.selector"), "spec.selector")

    affinity = _str(errs, spec, "sessionAffinity", "spec.sessionAffinity")
    if not affinity:
        errs.append(_required("spec.sessionAffinity"))
    elif affinity not in ("ClientIP", "None"):
        errs.append(_not_supported("spec.sessionAffinity", affinity, ("ClientIP", "None")))
    if affinity == "ClientIP":
        _validate_client_ip_config(errs, spec)
    elif affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.append(_forbidden("spec.sessionAffinityConfig",
                               "must not be set when session affinity is None"))

    if service_type != "ExternalName":
        _validate_cluster_ips(errs, spec)
    for i, ip in enumerate(_str_list(errs, spec, "externalIPs", "spec.externalIPs")):
        if _validate_ip(errs, ip, f"spec.externalIPs[{i}]"):
            _validate_non_special_ip(errs, ip, f"spec.externalIPs[{i}]")

    if not service_type:
        errs.append(_required("spec.type"))
    elif service_type not in _SERVICE_TYPES:
        errs.append(_not_supported("spec.type", service_type, _SERVICE_TYPES))
    if service_type == "ClusterIP":
        for port_path, port in ports:
            if port.get("nodePort"):
                errs.append(_forbidden(f"{port_path}.nodePort",
                                       "may not be used when `type` is 'ClusterIP'"))
    node_ports: set[tuple[str, str]] = set()
    port_keys: set[tuple[str, str]] = set()
    for port_path, port in ports:
        # repr() keeps values of any JSON type usable as keys.
        protocol, number = repr(port.get("protocol")), repr(port.get("port"))
        if port.get("nodePort"):
            if (protocol, repr(port["nodePort"])) in node_ports:
                errs.append(_duplicate(f"{port_path}.nodePort", port["nodePort"]))
            node_ports.add((protocol, repr(port["nodePort"])))
        if (protocol, number) in port_keys:
            errs.append(_duplicate(port_path, _Go(
                f'core.ServicePort{{Name:"", Protocol:{_quote(str(port.get("protocol")))}, '
                f'AppProtocol:(*string)(nil), Port:{port.get("port")}, '
                'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')))
        port_keys.add((protocol, number))

    ranges = _str_list(errs, spec, "loadBalancerSourceRanges", "spec.loadBalancerSourceRanges")
    if ranges:
        if service_type != "LoadBalancer":
            errs.append(_forbidden("spec.LoadBalancerSourceRanges",
                                   "may only be used when `type` is 'LoadBalancer'"))
        for i, cidr in enumerate(ranges):
            _validate_cidr(errs, cidr.strip(), f"spec.LoadBalancerSourceRanges[{i}]")
    allocate = spec.get("allocateLoadBalancerNodePorts")
    if allocate is not None and service_type != "LoadBalancer":
        errs.append(_forbidden("spec.allocateLoadBalancerNodePorts",
                               "may only be used when `type` is 'LoadBalancer'"))
    if service_type == "LoadBalancer" and allocate is None:
        # Upstream's path really lacks "spec.".
        errs.append(_required("allocateLoadBalancerNodePorts"))
    _validate_traffic_policies(errs, spec, service_type)


def _validate_service_port(errs: list, port: dict, path: str, require_name: bool,
                           names: set[str]) -> None:
    name = _str(errs, port, "name", f"{path}.name")
    if require_name and not name:
        errs.append(_required(f"{path}.name"))
    elif name:
        _each_msg(errs, f"{path}.name", name, _dns1123_label(name))
        if name in names:
            errs.append(_duplicate(f"{path}.name", name))
        names.add(name)
    _validate_port_number(errs, _int(errs, port, "port", f"{path}.port") or 0, f"{path}.port")
    protocol = _str(errs, port, "protocol", f"{path}.protocol")
    if not protocol:
        errs.append(_required(f"{path}.protocol"))
    elif protocol not in _PROTOCOLS:
        errs.append(_not_supported(f"{path}.protocol", protocol, _PROTOCOLS))
    _validate_int_or_port_name(errs, port.get("targetPort"), f"{path}.targetPort")
    app_protocol = _opt_str(errs, port, "appProtocol", f"{path}.appProtocol")
    if app_protocol is not None:
        _each_msg(errs, f"{path}.appProtocol", app_protocol, _qualified_name(app_protocol))


def _validate_client_ip_config(errs: list, spec: dict) -> None:
    path = "spec.sessionAffinityConfig"
    detail = "when session affinity type is ClientIP"
    config = _opt_map(errs, spec, "sessionAffinityConfig", path)
    if config is None:
        errs.append(_required(path, detail))
        return
    client_ip = _opt_map(errs, config, "clientIP", f"{path}.clientIP")
    if client_ip is None:
        errs.append(_required(f"{path}.clientIP", detail))
        return
    timeout = _int(errs, client_ip, "timeoutSeconds", f"{path}.clientIP.timeoutSeconds")
    if timeout is None:
        errs.append(_required(f"{path}.clientIP.timeoutSeconds", detail))
    elif not 0 < timeout <= _MAX_AFFINITY_SECONDS:
        errs.append(_invalid(f"{path}.clientIP.timeoutSeconds", timeout,
                             f"must be greater than 0 and less than {_MAX_AFFINITY_SECONDS}"))


def _validate_cluster_ips(errs: list, spec: dict) -> None:
    cluster_ip = _str(errs, spec, "clusterIP", "spec.clusterIP")
    cluster_ips = [ip for ip in _seq(spec, "clusterIPs") if isinstance(ip, str)]
    if cluster_ip:
        if not cluster_ips:
            errs.append(_required("spec.clusterIPs"))
        elif cluster_ips[0] != cluster_ip:
            errs.append(_invalid("spec.clusterIPs", cluster_ips,
                                 "first value must match `clusterIP`"))
    elif cluster_ips:
        errs.append(_invalid("spec.clusterIPs", cluster_ips,
                             "must be empty when `clusterIP` is not specified"))
    families = _str_list(errs, spec, "ipFamilies", "spec.ipFamilies")
    for i, family in enumerate(families):
        if family not in _IP_FAMILIES:
            errs.append(_not_supported(f"spec.ipFamilies[{i}]", family, _IP_FAMILIES))
        if family in families[:i]:
            errs.append(_duplicate(f"spec.ipFamilies[{i}]", family))
    policy = _opt_str(errs, spec, "ipFamilyPolicy", "spec.ipFamilyPolicy")
    if policy is not None and policy not in _IP_FAMILY_POLICIES:
        errs.append(_not_supported("spec.ipFamilyPolicy", policy, _IP_FAMILY_POLICIES))
    bad = False
    for i, ip in enumerate(cluster_ips):
        if i == 0 and ip == "None":
            if len(cluster_ips) > 1:
                bad = True
                errs.append(_invalid("spec.clusterIPs", cluster_ips,
                                     "'None' must be the first and only value"))
            continue
        bad = not _validate_ip(errs, ip, f"spec.clusterIPs[{i}]") or bad
    if len(cluster_ips) > 2:
        errs.append(_invalid("spec.clusterIPs", cluster_ips, "may only hold up to 2 values"))
    if bad:
        return
    parsed = [_parse_ip(ip) for ip in cluster_ips]
    if len(parsed) > 1 and len({a.version for a in parsed if a is not None}) != 2:
        errs.append(_invalid("spec.clusterIPs", cluster_ips,
                             "may specify no more than one IP for each IP family"))
    if not _is_headless(spec):
        for i, (address, family) in enumerate(zip(parsed, families, strict=False)):
            if address is None:
                continue
            if family == "IPv4" and address.version == 6:
                errs.append(_invalid(f"spec.clusterIPs[{i}]", cluster_ips[i],
                                     f"expected an IPv4 value as indicated by `ipFamilies[{i}]`"))
            if family == "IPv6" and address.version == 4:
                errs.append(_invalid(f"spec.clusterIPs[{i}]", cluster_ips[i],
                                     f"expected an IPv6 value as indicated by `ipFamilies[{i}]`"))


def _validate_traffic_policies(errs: list, spec: dict, service_type: str) -> None:
    external = _str(errs, spec, "externalTrafficPolicy", "spec.externalTrafficPolicy")
    accessible = service_type in ("NodePort", "LoadBalancer") or (
        service_type == "ClusterIP" and bool(spec.get("externalIPs")))
    if not accessible:
        if external:
            errs.append(_invalid("spec.externalTrafficPolicy", external,
                                 "may only be set for externally-accessible services"))
    elif not external:
        errs.append(_required("spec.externalTrafficPolicy"))
    elif external not in _TRAFFIC_POLICIES:
        errs.append(_not_supported("spec.externalTrafficPolicy", external, _TRAFFIC_POLICIES))
    health_port = _int(errs, spec, "healthCheckNodePort", "spec.healthCheckNodePort") or 0
    needs_health_check = service_type == "LoadBalancer" and external == "Local"
    if not needs_health_check and health_port:
        errs.append(_invalid("spec.healthCheckNodePort", health_port, "may only be set when "
                             "`type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
    internal = _opt_str(errs, spec, "internalTrafficPolicy", "spec.internalTrafficPolicy")
    if internal is None:
        if service_type in ("ClusterIP", "NodePort", "LoadBalancer"):
            errs.append(_required("spec.internalTrafficPolicy"))
    elif internal not in _TRAFFIC_POLICIES:
        errs.append(_not_supported("spec.internalTrafficPolicy", internal, _TRAFFIC_POLICIES))


def _validate_service_update(errs: list, spec: dict, old_spec: dict) -> None:
    """A service keeps its cluster IPs (it may gain or drop only the secondary one)."""
    if "ExternalName" in (spec.get("type"), old_spec.get("type")):
        return
    if _is_headless(spec) and _is_headless(old_spec):
        return
    new_ips = [ip for ip in _seq(spec, "clusterIPs") if isinstance(ip, str)]
    old_ips = [ip for ip in _seq(old_spec, "clusterIPs") if isinstance(ip, str)]
    if not new_ips and not spec.get("clusterIP"):
        # Upstream copies the allocated IPs into an update that leaves them out (as
        # `kubectl replace` does) before validating, so leaving them out keeps them.
        return
    if len(old_ips) == len(new_ips):
        for i, ip in enumerate(old_ips):
            if ip != new_ips[i]:
                errs.append(_invalid(f"spec.clusterIPs[{i}]", new_ips, "may not change once set"))
    elif len(old_ips) > len(new_ips):
        if not new_ips:
            errs.append(_invalid("spec.clusterIPs[0]", new_ips,
                                 "primary clusterIP can not be unset"))
        elif new_ips[0] != old_ips[0]:
            errs.append(_invalid("spec.clusterIPs[0]", new_ips, "may not change once set"))
        if len(new_ips) == 1 and spec.get("ipFamilyPolicy") != "SingleStack":
            errs.append(_invalid("spec.ipFamilyPolicy", spec.get("ipFamilyPolicy"),
                                 "must be set to 'SingleStack' when releasing the secondary "
                                 "clusterIP"))
    elif old_ips and new_ips[0] != old_ips[0]:
        errs.append(_invalid("spec.clusterIPs[0]", new_ips, "may not change once set"))
    if _is_headless(spec) != _is_headless(old_spec):
        return
    new_families = _seq(spec, "ipFamilies")
    old_families = _seq(old_spec, "ipFamilies")
    if new_families and old_families and new_families[0] != old_families[0]:
        errs.append(_invalid("spec.ipFamilies[0]", new_families, "may not change once set"))


def _validate_endpoints(errs: list, endpoints: dict, old: dict | None) -> None:
    for subset_path, subset in _items(errs, endpoints, "subsets", "subsets"):
        addresses = _items(errs, subset, "addresses", f"{subset_path}.addresses")
        not_ready = _items(errs, subset, "notReadyAddresses", f"{subset_path}.notReadyAddresses")
        if not addresses and not not_ready:
            errs.append(_required(subset_path, "must specify `addresses` or `notReadyAddresses`"))
        for address_path, address in addresses + not_ready:
            ip = _str(errs, address, "ip", f"{address_path}.ip")
            _validate_ip(errs, ip, f"{address_path}.ip")
            hostname = _str(errs, address, "hostname", f"{address_path}.hostname")
            if hostname:
                _each_msg(errs, f"{address_path}.hostname", hostname, _dns1123_label(hostname))
            node_name = _opt_str(errs, address, "nodeName", f"{address_path}.nodeName")
            if node_name is not None:
                _each_msg(errs, f"{address_path}.nodeName", node_name,
                          _dns1123_subdomain(node_name))
            _validate_non_special_ip(errs, ip, f"{address_path}.ip")
        ports = _items(errs, subset, "ports", f"{subset_path}.ports")
        for port_path, port in ports:
            _validate_endpoint_port(errs, port, port_path, len(ports) > 1)


def _validate_endpoint_port(errs: list, port: dict, path: str, require_name: bool) -> None:
    name = _str(errs, port, "name", f"{path}.name")
    if require_name and not name:
        errs.append(_required(f"{path}.name"))
    elif name:
        _each_msg(errs, f"{path}.name", name, _dns1123_label(name))
    _validate_port_number(errs, _int(errs, port, "port", f"{path}.port") or 0, f"{path}.port")
    protocol = _str(errs, port, "protocol", f"{path}.protocol")
    if not protocol:
        errs.append(_required(f"{path}.protocol"))
    elif protocol not in _PROTOCOLS:
        errs.append(_not_supported(f"{path}.protocol", protocol, _PROTOCOLS))
    app_protocol = _opt_str(errs, port, "appProtocol", f"{path}.appProtocol")
    if app_protocol is not None:
        _each_msg(errs, f"{path}.appProtocol", app_protocol, _qualified_name(app_protocol))


# == workloads ==============================================================================


def _template_labels_value(labels: Any) -> Any:
    return labels if isinstance(labels, dict) else _Go("map[string]string(nil)")


def _validate_pod_template(errs: list, template: dict, path: str) -> None:
    """Upstream ``ValidatePodTemplateSpec``."""
    meta = _map(errs, template, "metadata", f"{path}.metadata")
    _validate_labels(errs, _str_map(errs, meta, "labels", f"{path}.labels"), f"{path}.labels")
    _validate_annotations(errs, _str_map(errs, meta, "annotations", f"{path}.annotations"),
                          f"{path}.annotations")
    spec = _map(errs, template, "spec", f"{path}.spec")
    _validate_pod_spec(errs, spec, f"{path}.spec", None)
    if spec.get("ephemeralContainers"):
        errs.append(_forbidden(f"{path}.spec.ephemeralContainers",
                               "ephemeral containers not allowed in pod template"))


def _validate_workload_template(errs: list, spec: dict, requirements: list[_Requirement] | None,
                                owner: str) -> None:
    """A controller's pod template: it must match the selector and restart Always.

    ``requirements`` is the converted selector: None when it could not be converted (no
    selector at all selects nothing, so every template then fails to match, as upstream).
    """
    template = _opt_map(errs, spec, "template", "spec.template")
    if template is None:
        errs.append(_required("spec.template"))
        return
    metadata = _sub(template, "metadata")
    labels = metadata.get("labels")
    if requirements != []:
        if requirements is None or not _selector_matches(
                requirements, labels if isinstance(labels, dict) else {}):
            errs.append(_invalid("spec.template.metadata.labels", _template_labels_value(labels),
                                 "`selector` does not match template `labels`"))
    _validate_pod_template(errs, template, "spec.template")
    template_spec = _sub(template, "spec")
    restart = template_spec.get("restartPolicy")
    if restart != "Always":
        errs.append(_not_supported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if template_spec.get("activeDeadlineSeconds") is not None:
        if owner == "DaemonSet":
            errs.append(_invalid("spec.template.spec.activeDeadlineSeconds",
                                 template_spec["activeDeadlineSeconds"],
                                 "activeDeadlineSeconds must be nil for daemon set"))
        else:
            errs.append(_forbidden("spec.template.spec.activeDeadlineSeconds",
                                   f"activeDeadlineSeconds in {owner} is not Supported"))


def _validate_selector_field(errs: list, spec: dict, owner: str) -> list[_Requirement] | None:
    """spec.selector of an apps/v1 workload; returns it converted for matching."""
    selector = spec.get("selector")
    if selector is None:
        errs.append(_required("spec.selector"))
        return None
    if not isinstance(selector, dict):
        errs.append(_type_invalid("spec.selector", selector, "object"))
        return None
    _validate_label_selector(errs, selector, "spec.selector")
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errs.append(_invalid("spec.selector", _selector_string(selector),
                             f"empty selector is invalid for {owner}"))
    requirements = _selector_requirements(selector)
    if requirements is None:
        errs.append(_invalid("spec.selector", _selector_string(selector), "invalid label selector"))
    return requirements


def _validate_selector_immutable(errs: list, spec: dict, old: dict | None) -> None:
    if old is None:
        return
    old_spec = _sub(old, "spec")
    if _semantic(spec.get("selector")) != _semantic(old_spec.get("selector")):
        errs.append(_invalid("spec.selector", _selector_string(spec.get("selector")),
                             FIELD_IMMUTABLE))


def _int_or_percent(errs: list, value: Any, path: str) -> int:
    """Validate an IntOrString that is a count or a percentage; returns its number."""
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            errs.append(_invalid(path, _Go(value), _PERCENT_MSG))
            return 0
        number = int(value[:-1])
        if number > 100:
            errs.append(_invalid(path, _Go(value), "must not be greater than 100%"))
        return number
    if isinstance(value, int) and not isinstance(value, bool):
        _nonnegative(errs, value, path)
        return value
    if value is not None:
        errs.append(_type_invalid(path, value, "integer or string"))
    return 0


def _validate_deployment(errs: list, deployment: dict, old: dict | None) -> None:
    spec = _map(errs, deployment, "spec", "spec")
    _nonnegative(errs, _int(errs, spec, "replicas", "spec.replicas"), "spec.replicas")
    requirements = _validate_selector_field(errs, spec, "deployment")
    _validate_workload_template(errs, spec, requirements, "ReplicaSet")
    strategy = _map(errs, spec, "strategy", "spec.strategy")
    strategy_type = strategy.get("type")
    if strategy_type == "Recreate":
        if strategy.get("rollingUpdate") is not None:
            errs.append(_forbidden("spec.strategy.rollingUpdate",
                                   "may not be specified when strategy `type` is 'Recreate'"))
    elif strategy_type == "RollingUpdate":
        rolling = _opt_map(errs, strategy, "rollingUpdate", "spec.strategy.rollingUpdate")
        if rolling is None:
            errs.append(_required("spec.strategy.rollingUpdate",
                                  "this should be defaulted and never be nil"))
        else:
            path = "spec.strategy.rollingUpdate"
            unavailable = _int_or_percent(errs, rolling.get("maxUnavailable"),
                                          f"{path}.maxUnavailable")
            surge = _int_or_percent(errs, rolling.get("maxSurge"), f"{path}.maxSurge")
            if unavailable == 0 and surge == 0:
                errs.append(_invalid(f"{path}.maxUnavailable", _Go(str(rolling.get(
                    "maxUnavailable"))), "may not be 0 when `maxSurge` is 0"))
    else:
        errs.append(_not_supported("spec.strategy", strategy, ("Recreate", "RollingUpdate")))
    min_ready = _int(errs, spec, "minReadySeconds", "spec.minReadySeconds") or 0
    _nonnegative(errs, min_ready, "spec.minReadySeconds")
    _nonnegative(errs, _int(errs, spec, "revisionHistoryLimit", "spec.revisionHistoryLimit"),
                 "spec.revisionHistoryLimit")
    deadline = _int(errs, spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds")
    if deadline is not None:
        _nonnegative(errs, deadline, "spec.progressDeadlineSeconds")
        if deadline <= min_ready:
            errs.append(_invalid("spec.progressDeadlineSeconds", deadline,
                                 "must be greater than minReadySeconds"))
    _validate_selector_immutable(errs, spec, old)


def _validate_replica_set(errs: list, replica_set: dict, old: dict | None) -> None:
    spec = _map(errs, replica_set, "spec", "spec")
    _nonnegative(errs, _int(errs, spec, "replicas", "spec.replicas"), "spec.replicas")
    _nonnegative(errs, _int(errs, spec, "minReadySeconds", "spec.minReadySeconds"),
                 "spec.minReadySeconds")
    # Upstream's message names deployments here too.
    requirements = _validate_selector_field(errs, spec, "deployment")
    _validate_workload_template(errs, spec, requirements, "ReplicaSet")
    _validate_selector_immutable(errs, spec, old)


def _validate_daemon_set(errs: list, daemon_set: dict, old: dict | None) -> None:
    spec = _map(errs, daemon_set, "spec", "spec")
    requirements = _validate_selector_field(errs, spec, "daemonset")
    _validate_workload_template(errs, spec, requirements, "DaemonSet")
    _nonnegative(errs, _int(errs, spec, "minReadySeconds", "spec.minReadySeconds"),
                 "spec.minReadySeconds")
    _nonnegative(errs, _int(errs, spec, "templateGeneration", "spec.templateGeneration"),
                 "spec.templateGeneration")
    strategy = _map(errs, spec, "updateStrategy", "spec.updateStrategy")
    strategy_type = strategy.get("type")
    path = "spec.updateStrategy"
    if strategy_type not in ("OnDelete", "RollingUpdate"):
        errs.append(_not_supported(f"{path}.type", strategy_type, ("OnDelete", "RollingUpdate")))
    if strategy_type == "RollingUpdate":
        rolling = _opt_map(errs, strategy, "rollingUpdate", f"{path}.rollingUpdate")
        if rolling is None:
            errs.append(_required(f"{path}.rollingUpdate"))
        else:
            rolling_path = f"{path}.rollingUpdate"
            unavailable = _int_or_percent(errs, rolling.get("maxUnavailable"),
                                          f"{rolling_path}.maxUnavailable")
            surge = _int_or_percent(errs, rolling.get("maxSurge"), f"{rolling_path}.maxSurge")
            if unavailable and surge:
                errs.append(_invalid(f"{rolling_path}.maxSurge", _Go(str(rolling.get("maxSurge"))),
                                     "may not be set when maxUnavailable is non-zero"))
            elif not unavailable and not surge:
                errs.append(_required(f"{rolling_path}.maxUnavailable",
                                      "cannot be 0 when maxSurge is 0"))
    _nonnegative(errs, _int(errs, spec, "revisionHistoryLimit", "spec.revisionHistoryLimit"),
                 "spec.revisionHistoryLimit")
    _validate_selector_immutable(errs, spec, old)


def _validate_replication_controller(errs: list, rc: dict, old: dict | None) -> None:
    spec = _map(errs, rc, "spec", "spec")
    _nonnegative(errs, _int(errs, spec, "minReadySeconds", "spec.minReadySeconds"),
                 "spec.minReadySeconds")
    selector = _str_map(errs, spec, "selector", "spec.selector")
    if not selector:
        errs.append(_required("spec.selector"))
    _nonnegative(errs, _int(errs, spec, "replicas", "spec.replicas"), "spec.replicas")
    # An RC selector is a plain map; an empty one matches nothing and skips the label check.
    requirements: list[_Requirement] = [(k, "In", (v,)) for k, v in selector.items()]
    _validate_workload_template(errs, spec, requirements, "ReplicationController")


# == configuration ==========================================================================

_MAX_SECRET_SIZE = 1024 * 1024
_SECRET_REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def _decoded(errs: list, value: Any, path: str) -> bytes | None:
    if not isinstance(value, str):
        errs.append(_type_invalid(path, value, "string"))
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        errs.append(_invalid(path, "<secret contents redacted>", "illegal base64 data"))
        return None


def _validate_secret(errs: list, secret: dict, old: dict | None) -> None:
    if old is not None:
        if (secret.get("type") or "") != (old.get("type") or ""):
            errs.append(_invalid("type", secret.get("type") or "", FIELD_IMMUTABLE))
        if old.get("immutable") is True:
            if secret.get("immutable") is not True:
                errs.append(_forbidden("immutable", "field is immutable when `immutable` is set"))
            if _semantic(secret.get("data")) != _semantic(old.get("data")):
                errs.append(_forbidden("data", "field is immutable when `immutable` is set"))
    data = _map(errs, secret, "data", "data")
    total = 0
    contents: dict[str, bytes] = {}
    for key, value in data.items():
        _each_msg(errs, f"data[{key}]", key, _config_map_key(key))
        decoded = _decoded(errs, value, f"data[{key}]")
        if decoded is not None:
            contents[key] = decoded
            total += len(decoded)
    if total > _MAX_SECRET_SIZE:
        errs.append(_too_long("data", _MAX_SECRET_SIZE))
    secret_type = secret.get("type") or ""
    if secret_type == "kubernetes.io/service-account-token":
        annotations = _sub(_sub(secret, "metadata"), "annotations")
        if not annotations.get("kubernetes.io/service-account.name"):
            errs.append(_required("metadata.annotations[kubernetes.io/service-account.name]"))
    elif secret_type in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        key = _SECRET_REQUIRED_KEYS[secret_type][0]
        if key not in data:
            errs.append(_required(f"data[{key}]"))
        elif key in contents:
            try:
                parsed = json.loads(contents[key])
                if not isinstance(parsed, dict):
                    raise ValueError("not an object")
            except ValueError as err:
                errs.append(_invalid(f"data[{key}]", "<secret contents redacted>", str(err)))
    elif secret_type == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs.append(_required("data[username]"))
            errs.append(_required("data[password]"))
    elif secret_type == "kubernetes.io/ssh-auth":
        if not contents.get("ssh-privatekey"):
            errs.append(_required("data[ssh-privatekey]"))
    elif secret_type == "kubernetes.io/tls":
        for key in _SECRET_REQUIRED_KEYS[secret_type]:
            if key not in data:
                errs.append(_required(f"data[{key}]"))


def _validate_config_map(errs: list, config_map: dict, old: dict | None) -> None:
    if old is not None and old.get("immutable") is True:
        if config_map.get("immutable") is not True:
            errs.append(_forbidden("immutable", "field is immutable when `immutable` is set"))
        for key in ("data", "binaryData"):
            if _semantic(config_map.get(key)) != _semantic(old.get(key)):
                errs.append(_forbidden(key, "field is immutable when `immutable` is set"))
    data = _str_map(errs, config_map, "data", "data")
    binary = _map(errs, config_map, "binaryData", "binaryData")
    total = 0
    for key, value in data.items():
        _each_msg(errs, f"data[{key}]", key, _config_map_key(key))
        if key in binary:
            errs.append(_invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
        total += _byte_len(value)
    for key, value in binary.items():
        _each_msg(errs, f"binaryData[{key}]", key, _config_map_key(key))
        decoded = _decoded(errs, value, f"binaryData[{key}]")
        total += len(decoded) if decoded is not None else 0
    if total > _MAX_SECRET_SIZE:
        # An empty path: the limit is on the whole object.
        errs.append(_too_long("", _MAX_SECRET_SIZE))


def _validate_service_account(errs: list, account: dict, old: dict | None) -> None:
    """Only the metadata of a ServiceAccount is validated."""


# == cluster objects ========================================================================


def _validate_namespace(errs: list, namespace: dict, old: dict | None) -> None:
    if old is not None:
        return  # updates may change only metadata; spec changes go through /finalize
    spec = _map(errs, namespace, "spec", "spec")
    for finalizer in _str_list(errs, spec, "finalizers", "spec.finalizers"):
        _validate_finalizer_name(errs, finalizer, "spec.finalizers", "spec.finalizers")


def _validate_node(errs: list, node: dict, old: dict | None) -> None:
    spec = _map(errs, node, "spec", "spec")
    taint_keys: dict[str, set[str]] = {}
    # Upstream reports taint errors under metadata.taints.
    for taint_path, taint in _items(errs, spec, "taints", "metadata.taints"):
        key = _str(errs, taint, "key", f"{taint_path}.key")
        _each_msg(errs, f"{taint_path}.key", key, _qualified_name(key))
        value = _str(errs, taint, "value", f"{taint_path}.value")
        messages = _label_value(value)
        if messages:
            errs.append(_invalid(f"{taint_path}.value", value, ";".join(messages)))
        effect = _str(errs, taint, "effect", f"{taint_path}.effect")
        if not effect:
            errs.append(_required(f"{taint_path}.effect"))
        else:
            _validate_taint_effect(errs, effect, f"{taint_path}.effect")
        if key in taint_keys.get(effect, set()):
            duplicate = _duplicate(taint_path, taint)
            duplicate["message"] += ": taints must be unique by key and effect pair"
            errs.append(duplicate)
            continue
        taint_keys.setdefault(effect, set()).add(key)
    status = _map(errs, node, "status", "status")
    for key in ("capacity", "allocatable"):
        for name, raw in _map(errs, status, key, f"status.{key}").items():
            quantity = _quantity(errs, raw, f"status.{key}.{name}")
            if quantity is not None:
                _validate_resource_quantity(errs, name, quantity, f"status.{key}.{name}")
    cidrs = _str_list(errs, spec, "podCIDRs", "spec.podCIDRs")
    for i, cidr in enumerate(cidrs):
        _validate_cidr(errs, cidr, f"spec.podCIDRs[{i}]")
    if len(cidrs) > 1:
        families = {ip.version for ip in (_parse_ip(c.partition("/")[0]) for c in cidrs) if ip}
        if len(families) != 2 or len(cidrs) > 2:
            errs.append(_invalid("spec.podCIDRs", cidrs,
                                 "may specify no more than one CIDR for each IP family"))
        for i, cidr in enumerate(cidrs):
            if cidr in cidrs[:i]:
                errs.append(_duplicate(f"spec.podCIDRs[{i}]", cidr))
    if old is None:
        return
    old_spec = _sub(old, "spec")
    message = 'node updates may not change podCIDR except from "" to valid'
    old_cidrs = _seq(old_spec, "podCIDRs")
    if old_cidrs and old_cidrs != cidrs:
        errs.append(_forbidden("spec.podCIDRs", message))
    old_provider = old_spec.get("providerID") or ""
    if old_provider and old_provider != (spec.get("providerID") or ""):
        errs.append(_forbidden("spec.providerID", 'node updates may not change providerID '
                               'except from "" to valid'))
    if (spec.get("externalID") or "") != (old_spec.get("externalID") or ""):
        errs.append(_forbidden("spec.externalID", "may not be updated"))


def _validate_event(errs: list, event: dict, old: dict | None) -> None:
    namespace = _sub(event, "metadata").get("namespace")
    namespace = namespace if isinstance(namespace, str) else ""
    involved = _map(errs, event, "involvedObject", "involvedObject")
    involved_namespace = _str(errs, involved, "namespace", "involvedObject.namespace")
    if not event.get("eventTime"):
        if not involved_namespace:
            # Old clients send events about cluster objects into "default".
            if namespace not in ("", "default"):
                errs.append(_invalid("involvedObject.namespace", involved_namespace,
                                     "does not match event.namespace"))
        elif namespace != involved_namespace:
            errs.append(_invalid("involvedObject.namespace", involved_namespace,
                                 "does not match event.namespace"))
    else:
        if not involved_namespace and namespace not in ("default", "kube-system"):
            errs.append(_invalid("involvedObject.namespace", involved_namespace,
                                 "does not match event.namespace"))
        controller = _str(errs, event, "reportingComponent", "reportingComponent")
        if not controller:
            errs.append(_required("source"))
        _each_msg(errs, "source", controller, _qualified_name(controller))
        for key, path, limit in (("reportingInstance", "reportingInstance", 128),
                                 ("action", "action", 128), ("reason", "reason", 128)):
            value = _str(errs, event, key, path)
            if not value:
                errs.append(_required(path))
            if len(value) > limit:
                errs.append(_invalid(path, "", f"can have at most {limit} characters"))
        if len(_str(errs, event, "message", "message")) > 1024:
            errs.append(_invalid("message", "", "can have at most 1024 characters"))
    _each_msg(errs, "namespace", namespace, _dns1123_subdomain(namespace))


def _validate_limit_range(errs: list, limit_range: dict, old: dict | None) -> None:
    spec = _map(errs, limit_range, "spec", "spec")
    types: set[str] = set()
    for item_path, item in _items(errs, spec, "limits", "spec.limits"):
        limit_type = _str(errs, item, "type", f"{item_path}.type")
        type_messages = _qualified_name(limit_type)
        _each_msg(errs, f"{item_path}.type", limit_type, type_messages)
        if not type_messages and "/" not in limit_type and \
                limit_type not in ("Pod", "Container", "PersistentVolumeClaim"):
            errs.append(_invalid(f"{item_path}.type", limit_type,
                                 "must be a standard limit type or fully qualified"))
        if limit_type in types:
            errs.append(_duplicate(f"{item_path}.type", limit_type))
        types.add(limit_type)
        check_name: Callable[[list, str, str], Any] = \
            _validate_container_resource_name if limit_type in ("Pod", "Container") \
            else _validate_resource_name
        values: dict[str, dict[str, Quantity]] = {}
        for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            if limit_type == "Pod" and key in ("default", "defaultRequest"):
                if item.get(key):
                    errs.append(_forbidden(f"{item_path}.{key}",
                                           "may not be specified when `type` is 'Pod'"))
                continue
            values[key] = {}
            for name, raw in _map(errs, item, key, f"{item_path}.{key}").items():
                check_name(errs, name, f"{item_path}.{key}[{name}]")
                quantity = _quantity(errs, raw, f"{item_path}.{key}[{name}]")
                if quantity is not None:
                    values[key][name] = quantity
        if limit_type == "PersistentVolumeClaim" and "storage" not in values["min"] and \
                "storage" not in values["max"]:
            errs.append(_required(f"{item_path}.limits", "either minimum or maximum storage value "
                                  "is required, but neither was provided"))
        _compare_limit_range(errs, item_path, values)


def _compare_limit_range(errs: list, path: str, values: dict[str, dict[str, Quantity]]) -> None:
    low, high = values["min"], values["max"]
    default, request = values.get("default", {}), values.get("defaultRequest", {})
    ratio = values["maxLimitRequestRatio"]
    for name in set().union(*values.values()):
        q_min, q_max, q_def, q_req, q_ratio = (low.get(name), high.get(name), default.get(name),
                                               request.get(name), ratio.get(name))
        if q_min is not None and q_max is not None and q_min > q_max:
            errs.append(_invalid(f"{path}.min[{name}]", _Go(str(q_min)),
                                 f"min value {q_min} is greater than max value {q_max}"))
        if q_req is not None and q_min is not None and q_min > q_req:
            errs.append(_invalid(f"{path}.defaultRequest[{name}]", _Go(str(q_req)),
                                 f"min value {q_min} is greater than default request value "
                                 f"{q_req}"))
        if q_req is not None and q_max is not None and q_req > q_max:
            errs.append(_invalid(f"{path}.defaultRequest[{name}]", _Go(str(q_req)),
                                 f"default request value {q_req} is greater than max value "
                                 f"{q_max}"))
        if q_req is not None and q_def is not None and q_req > q_def:
            errs.append(_invalid(f"{path}.defaultRequest[{name}]", _Go(str(q_req)),
                                 f"default request value {q_req} is greater than default limit "
                                 f"value {q_def}"))
        if q_def is not None and q_min is not None and q_min > q_def:
            errs.append(_invalid(f"{path}.default[{name}]", _Go(str(q_min)),
                                 f"min value {q_min} is greater than default value {q_def}"))
        if q_def is not None and q_max is not None and q_def > q_max:
            errs.append(_invalid(f"{path}.default[{name}]", _Go(str(q_max)),
                                 f"default value {q_def} is greater than max value {q_max}"))
        if q_ratio is not None and q_ratio.milli_value() < 1000:
            errs.append(_invalid(f"{path}.maxLimitRequestRatio[{name}]", _Go(str(q_ratio)),
                                 f"ratio {q_ratio} is less than 1"))
        if q_ratio is not None and q_min is not None and q_max is not None and \
                q_min.milli_value() > 0:
            limit = q_max.milli_value() / q_min.milli_value()
            if q_ratio.milli_value() / 1000 > limit:
                errs.append(_invalid(f"{path}.maxLimitRequestRatio[{name}]", _Go(str(q_ratio)),
                                     f"ratio {q_ratio} is greater than max/min = {limit:f}"))
        if not _overcommit_allowed(name) and q_def is not None and q_req is not None and \
                q_def != q_req:
            errs.append(_invalid(f"{path}.defaultRequest[{name}]", _Go(str(q_req)),
                                 f"default value {q_def} must equal to defaultRequest value "
                                 f"{q_req} in {name}"))


_QUOTA_SCOPES = ("Terminating", "NotTerminating", "BestEffort", "NotBestEffort",
                 "PriorityClass", "CrossNamespacePodAffinity", "VolumeAttributesClass")


def _validate_quota_name(errs: list, name: str, path: str) -> None:
    if _validate_resource_name(errs, name, path) and "/" not in name and \
            name not in _STANDARD_QUOTA_RESOURCES and not _is_quota_hugepages(name):
        errs.append(_invalid(path, name, "must be a standard resource for quota"))


def _validate_resource_quota(errs: list, quota: dict, old: dict | None) -> None:
    for section in ("spec.hard", "status.hard", "status.used"):
        parent, key = section.split(".")
        holder = _map(errs, quota, parent, parent)
        for name, raw in _map(errs, holder, key, section).items():
            path = f"{section}[{name}]"
            _validate_quota_name(errs, name, path)
            quantity = _quantity(errs, raw, path)
            if quantity is not None:
                _validate_resource_quantity(errs, name, quantity, path)
    spec = _sub(quota, "spec")
    scopes = _str_list(errs, spec, "scopes", "spec.scopes")
    for scope in scopes:
        if scope not in _QUOTA_SCOPES:
            errs.append(_invalid("spec.scopes", scopes, "unsupported scope"))
    for pair in (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating")):
        if all(scope in scopes for scope in pair):
            errs.append(_invalid("spec.scopes", scopes, "conflicting scopes"))
    if old is not None:
        old_spec = _sub(old, "spec")
        if set(scopes) != set(_seq(old_spec, "scopes")):
            errs.append(_invalid("spec.scopes", scopes, FIELD_IMMUTABLE))


# == storage ================================================================================

_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_VOLUME_MODES = ("Block", "Filesystem")
_RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
_PV_SOURCES = (
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd",
    "quobyte", "cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi",
)


def _validate_access_modes(errs: list, spec: dict, path: str, required_detail: str) -> None:
    modes = _str_list(errs, spec, "accessModes", path)
    if not modes:
        errs.append(_required(path, required_detail))
    for mode in modes:
        if mode not in _ACCESS_MODES:
            errs.append(_not_supported(path, mode, _ACCESS_MODES))
    if "ReadWriteOncePod" in modes and any(m in _ACCESS_MODES and m != "ReadWriteOncePod"
                                           for m in modes):
        errs.append(_forbidden(path, "may not use ReadWriteOncePod with other access modes"))


def _validate_persistent_volume(errs: list, pv: dict, old: dict | None) -> None:
    spec = _map(errs, pv, "spec", "spec")
    _validate_access_modes(errs, spec, "spec.accessModes", "")
    capacity = _map(errs, spec, "capacity", "spec.capacity")
    if not capacity:
        errs.append(_required("spec.capacity"))
    if "storage" not in capacity or len(capacity) > 1:
        errs.append(_not_supported("spec.capacity", capacity, ("storage",)))
    for name, raw in capacity.items():
        quantity = _quantity(errs, raw, f"spec.capacity[{name}]")
        if quantity is None:
            continue
        if quantity.value() < 0:
            errs.append(_invalid(f"spec.capacity[{name}]", quantity.value(),
                                 "must be a valid resource quantity"))
        if quantity.sign() <= 0:
            errs.append(_invalid(f"spec.capacity[{name}]", str(quantity),
                                 "must be greater than zero"))
    policy = _str(errs, spec, "persistentVolumeReclaimPolicy", "spec.persistentVolumeReclaimPolicy")
    if policy and policy not in _RECLAIM_POLICIES:
        errs.append(_not_supported("spec.persistentVolumeReclaimPolicy", policy, _RECLAIM_POLICIES))
    count = 0
    for key in _PV_SOURCES:
        if spec.get(key) is None:
            continue
        # Upstream never counts flexVolume as a second source.
        if count and key != "flexVolume":
            errs.append(_forbidden(f"spec.{key}", "may not specify more than 1 volume type"))
            continue
        count += 1
        source = _opt_map(errs, spec, key, f"spec.{key}")
        if source is None:
            continue
        if key == "hostPath":
            _validate_host_path(errs, source, "spec.hostPath")
        elif key == "nfs":
            _validate_one_source(errs, "nfs", source, "spec.nfs", {})
        elif key == "csi":
            _validate_csi_driver(errs, _str(errs, source, "driver", "spec.csi.driver"),
                                 "spec.csi.driver")
            if not source.get("volumeHandle"):
                errs.append(_required("spec.csi.volumeHandle"))
        elif key in _SIMPLE_SOURCES:
            _validate_one_source(errs, key, source, f"spec.{key}", {})
            if key == "local" and not _sub(spec, "nodeAffinity").get("required"):
                errs.append(_required("spec.nodeAffinity", "Local volume requires node affinity"))
    if count == 0:
        errs.append(_required("spec", "must specify a volume type"))
    host_path = spec.get("hostPath")
    if isinstance(host_path, dict) and policy == "Recycle" and \
            re.sub("/+", "/", host_path.get("path") or "").rstrip("/") == "":
        errs.append(_forbidden("spec.persistentVolumeReclaimPolicy",
                               "may not be 'recycle' for a hostPath mount of '/'"))
    class_name = _str(errs, spec, "storageClassName", "spec.storageClassName")
    if class_name:
        _each_msg(errs, "spec.storageClassName", class_name, _dns1123_subdomain(class_name))
    mode = _opt_str(errs, spec, "volumeMode", "spec.volumeMode")
    if mode is not None and mode not in _VOLUME_MODES:
        errs.append(_not_supported("spec.volumeMode", mode, _VOLUME_MODES))
    if old is None:
        return
    old_spec = _sub(old, "spec")
    old_source = {k: old_spec.get(k) for k in _PV_SOURCES}
    new_source = {k: spec.get(k) for k in _PV_SOURCES}
    if _semantic(old_source) != _semantic(new_source):
        diff = "\n".join(_differences(_semantic(old_source), _semantic(new_source), "spec"))
        errs.append(_forbidden("spec.persistentvolumesource",
                               f"spec.persistentvolumesource is immutable after creation\n{diff}"))
    if spec.get("volumeMode") != old_spec.get("volumeMode"):
        # Upstream's path really lacks "spec.".
        errs.append(_invalid("volumeMode", spec.get("volumeMode"), FIELD_IMMUTABLE))


def _validate_pvc_spec(errs: list, spec: dict, path: str) -> None:
    _validate_access_modes(errs, spec, f"{path}.accessModes", "at least 1 access mode is required")
    selector = _opt_map(errs, spec, "selector", f"{path}.selector")
    if selector is not None:
        _validate_label_selector(errs, selector, f"{path}.selector")
    resources = _map(errs, spec, "resources", f"{path}.resources")
    requests = _map(errs, resources, "requests", f"{path}.resources.requests")
    storage_path = f"{path}.resources[storage]"
    if "storage" not in requests:
        errs.append(_required(storage_path))
    else:
        storage = _quantity(errs, requests["storage"], storage_path)
        if storage is not None:
            if storage.sign() <= 0:
                errs.append(_invalid(storage_path, str(storage), "must be greater than zero"))
            else:
                _validate_resource_quantity(errs, "storage", storage, storage_path)
    class_name = _opt_str(errs, spec, "storageClassName", f"{path}.storageClassName")
    if class_name:
        _each_msg(errs, f"{path}.storageClassName", class_name, _dns1123_subdomain(class_name))
    mode = _opt_str(errs, spec, "volumeMode", f"{path}.volumeMode")
    if mode is not None and mode not in _VOLUME_MODES:
        errs.append(_not_supported(f"{path}.volumeMode", mode, _VOLUME_MODES))
    for key in ("dataSource", "dataSourceRef"):
        source = _opt_map(errs, spec, key, f"{path}.{key}")
        if source is None:
            continue
        if not source.get("name"):
            errs.append(_required(f"{path}.{key}.name"))
        kind = _str(errs, source, "kind", f"{path}.{key}.kind")
        if not kind:
            errs.append(_required(f"{path}.{key}.kind"))
        group = source.get("apiGroup") or ""
        if not group and kind != "PersistentVolumeClaim":
            errs.append(_invalid(f"{path}.{key}", kind, "must be 'PersistentVolumeClaim' when "
                                 "referencing the default apiGroup"))
        if isinstance(group, str) and group:
            _each_msg(errs, f"{path}.{key}.apiGroup", group, _dns1123_subdomain(group))


def _validate_persistent_volume_claim(errs: list, pvc: dict, old: dict | None) -> None:
    spec = _map(errs, pvc, "spec", "spec")
    _validate_pvc_spec(errs, spec, "spec")
    if old is None:
        return
    old_spec = _sub(old, "spec")
    new_comparable = copy.deepcopy(spec)
    old_comparable = copy.deepcopy(old_spec)
    if not old_spec.get("volumeName"):
        old_comparable["volumeName"] = spec.get("volumeName")  # may be set once
    bound = _sub(pvc, "status").get("phase") == "Bound"
    if bound:
        # A bound claim may be resized and change its volume attributes class.
        new_requests = _sub(new_comparable, "resources").get("requests")
        if isinstance(new_requests, dict):
            new_requests["storage"] = _sub(_sub(old_spec, "resources"), "requests").get("storage")
        new_comparable["volumeAttributesClassName"] = old_spec.get("volumeAttributesClassName")
    if _semantic(new_comparable) != _semantic(old_comparable):
        diff = "\n".join(_differences(_semantic(old_comparable), _semantic(new_comparable), "spec"))
        errs.append(_forbidden("spec", "spec is immutable after creation except "
                               "resources.requests and volumeAttributesClassName for bound "
                               f"claims\n{diff}"))
    old_size = _storage_request(old_spec)
    new_size = _storage_request(spec)
    if old_size is not None and new_size is not None and new_size < old_size:
        errs.append(_forbidden("spec.resources.requests.storage",
                               "field can not be less than previous value"))
    if spec.get("volumeMode") != old_spec.get("volumeMode"):
        errs.append(_invalid("volumeMode", spec.get("volumeMode"), FIELD_IMMUTABLE))


def _storage_request(spec: dict) -> Quantity | None:
    raw = _sub(_sub(spec, "resources"), "requests").get("storage")
    try:
        return quantity_from_json(raw) if raw is not None else None
    except QuantityError:
        return None


def _validate_storage_class(errs: list, storage_class: dict, old: dict | None) -> None:
    provisioner = _str(errs, storage_class, "provisioner", "provisioner")
    if not provisioner:
        errs.append(_required("provisioner"))
    else:
        _each_msg(errs, "provisioner", provisioner.lower(), _qualified_name(provisioner.lower()))
    parameters = _str_map(errs, storage_class, "parameters", "parameters")
    if len(parameters) > 512:
        errs.append(_too_many("parameters", len(parameters), 512))
    if sum(_byte_len(k) + _byte_len(v) for k, v in parameters.items()) > 256 * 1024:
        errs.append(_too_long("parameters", 256 * 1024))
    for key in parameters:
        if not key:
            errs.append(_invalid("parameters", key, "field can not be empty."))
    policy = _opt_str(errs, storage_class, "reclaimPolicy", "reclaimPolicy")
    if policy is not None and policy not in ("Delete", "Retain"):
        errs.append(_not_supported("reclaimPolicy", policy, ("Delete", "Retain")))
    mode = _opt_str(errs, storage_class, "volumeBindingMode", "volumeBindingMode")
    if mode is None:
        errs.append(_required("volumeBindingMode"))
    elif mode not in ("Immediate", "WaitForFirstConsumer"):
        errs.append(_not_supported("volumeBindingMode", mode,
                                   ("Immediate", "WaitForFirstConsumer")))
    if old is None:
        return
    if _semantic(storage_class.get("parameters")) != _semantic(old.get("parameters")):
        errs.append(_forbidden("parameters", "updates to parameters are forbidden."))
    if storage_class.get("provisioner") != old.get("provisioner"):
        errs.append(_forbidden("provisioner", "updates to provisioner are forbidden."))
    if storage_class.get("reclaimPolicy") != old.get("reclaimPolicy"):
        errs.append(_forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
    if storage_class.get("volumeBindingMode") != old.get("volumeBindingMode"):
        errs.append(_invalid("volumeBindingMode", storage_class.get("volumeBindingMode"),
                             FIELD_IMMUTABLE))


# == networking =============================================================================

_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")


def _validate_ingress_backend(errs: list, backend: dict, path: str) -> None:
    resource = backend.get("resource")
    service = backend.get("service")
    if resource is not None and service is not None:
        errs.append(_invalid(path, "", "cannot set both resource and service backends"))
        return
    if isinstance(resource, dict):
        if not resource.get("kind"):
            errs.append(_required(f"{path}.resource.kind"))
        if not resource.get("name"):
            errs.append(_required(f"{path}.resource.name"))
        group = resource.get("apiGroup")
        if isinstance(group, str) and group:
            _each_msg(errs, f"{path}.resource.apiGroup", group, _dns1123_subdomain(group))
    elif isinstance(service, dict):
        name = _str(errs, service, "name", f"{path}.service.name")
        if not name:
            errs.append(_required(f"{path}.service.name"))
        else:
            _each_msg(errs, f"{path}.service.name", name, _name_1035(name, False))
        port = _map(errs, service, "port", f"{path}.service.port")
        port_name = _str(errs, port, "name", f"{path}.service.port.name")
        number = _int(errs, port, "number", f"{path}.service.port.number") or 0
        if port_name and number:
            errs.append(_invalid(path, "", "cannot set both port name & port number"))
        elif port_name:
            _each_msg(errs, f"{path}.service.port.name", port_name, _port_name(port_name))
        elif number:
            _validate_port_number(errs, number, f"{path}.service.port.number")
        else:
            errs.append(_required(path, "port name or number is required"))
    else:
        errs.append(_invalid(path, "", "resource or service backend is required"))


def _validate_ingress(errs: list, ingress: dict, old: dict | None) -> None:
    spec = _map(errs, ingress, "spec", "spec")
    rules = _items(errs, spec, "rules", "spec.rules")
    backend = _opt_map(errs, spec, "defaultBackend", "spec.defaultBackend")
    if not rules and backend is None:
        errs.append(_invalid("spec", _Go("[]networking.IngressRule(nil)"),
                             "either `defaultBackend` or `rules` must be specified"))
    if backend is not None:
        _validate_ingress_backend(errs, backend, "spec.defaultBackend")
    for rule_path, rule in rules:
        host = _str(errs, rule, "host", f"{rule_path}.host")
        if host:
            if _parse_ip(host) is not None:
                errs.append(_invalid(f"{rule_path}.host", host,
                                     "must be a DNS name, not an IP address"))
            if "*" in host:
                _each_msg(errs, f"{rule_path}.host", host, _wildcard_subdomain(host))
            else:
                _each_msg(errs, f"{rule_path}.host", host, _dns1123_subdomain(host))
        http = _opt_map(errs, rule, "http", f"{rule_path}.http")
        if http is None:
            continue
        paths = _items(errs, http, "paths", f"{rule_path}.http.paths")
        if not paths:
            errs.append(_required(f"{rule_path}.http.paths"))
        for path_path, http_path in paths:
            _validate_ingress_path(errs, http_path, path_path)
    for tls_path, tls in _items(errs, spec, "tls", "spec.tls"):
        for i, host in enumerate(_str_list(errs, tls, "hosts", f"{tls_path}.hosts")):
            check = _wildcard_subdomain if "*" in host else _dns1123_subdomain
            _each_msg(errs, f"{tls_path}.hosts[{i}]", host, check(host))
        secret = _str(errs, tls, "secretName", f"{tls_path}.secretName")
        if secret:
            _each_msg(errs, f"{tls_path}.secretName", secret, _dns1123_subdomain(secret))
    class_name = _opt_str(errs, spec, "ingressClassName", "spec.ingressClassName")
    if class_name is not None:
        _each_msg(errs, "spec.ingressClassName", class_name, _dns1123_subdomain(class_name))


def _validate_ingress_path(errs: list, http_path: dict, path: str) -> None:
    path_type = _opt_str(errs, http_path, "pathType", f"{path}.pathType")
    value = _str(errs, http_path, "path", f"{path}.path")
    if path_type is None:
        errs.append(_required(f"{path}.pathType", "pathType must be specified"))
        return
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.append(_invalid(f"{path}.path", value, "must be an absolute path"))
        for sequence in ("//", "/./", "/../", "%2f", "%2F"):
            if sequence in value:
                errs.append(_invalid(f"{path}.path", value, f"must not contain '{sequence}'"))
        for suffix in ("/..", "/."):
            if value.endswith(suffix):
                errs.append(_invalid(f"{path}.path", value, f"cannot end with '{suffix}'"))
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.append(_invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        errs.append(_not_supported(f"{path}.pathType", path_type, _PATH_TYPES))
    _validate_ingress_backend(errs, _map(errs, http_path, "backend", f"{path}.backend"),
                              f"{path}.backend")


def _validate_ingress_class(errs: list, ingress_class: dict, old: dict | None) -> None:
    spec = _map(errs, ingress_class, "spec", "spec")
    controller = _str(errs, spec, "controller", "spec.controller")
    if len(controller) > 250:
        errs.append(_too_long("spec.controller", 250))
    if not controller:
        errs.append(_required("spec.controller"))
    else:
        host, _, rest = controller.partition("/")
        if not host or not rest:
            errs.append(_invalid("spec.controller", controller,
                                 "must be a domain-prefixed path (such as \"acme.io/foo\")"))
        else:
            _each_msg(errs, "spec.controller", host, _dns1123_subdomain(host))
            if not re.fullmatch(r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+", rest):
                errs.append(_invalid("spec.controller", rest, _regex_error(
                    "Invalid path", "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+")))
    parameters = _opt_map(errs, spec, "parameters", "spec.parameters")
    if parameters is not None:
        path = "spec.parameters"
        if not parameters.get("kind"):
            errs.append(_required(f"{path}.kind"))
        if not parameters.get("name"):
            errs.append(_required(f"{path}.name"))
        scope = _opt_str(errs, parameters, "scope", f"{path}.scope")
        namespace = _opt_str(errs, parameters, "namespace", f"{path}.namespace")
        if scope is None:
            errs.append(_required(f"{path}.scope"))
        elif scope not in ("Cluster", "Namespace"):
            errs.append(_not_supported(f"{path}.scope", scope, ("Cluster", "Namespace")))
        elif scope == "Namespace":
            if namespace is None:
                errs.append(_required(f"{path}.namespace", "`parameters.scope` is set to "
                                      "'Namespace'"))
            else:
                _each_msg(errs, f"{path}.namespace", namespace, _dns1123_label(namespace))
        elif namespace is not None:
            errs.append(_forbidden(f"{path}.namespace", "`parameters.scope` is set to 'Cluster'"))
    if old is not None:
        old_spec = _sub(old, "spec")
        if controller != (old_spec.get("controller") or ""):
            errs.append(_invalid("spec.controller", controller, FIELD_IMMUTABLE))


# == autoscaling, coordination, discovery, binding ==========================================

_METRIC_TYPES = ("ContainerResource", "External", "Object", "Pods", "Resource")
_METRIC_SOURCE_FIELDS = {"ContainerResource": "containerResource", "External": "external",
                         "Object": "object", "Pods": "pods", "Resource": "resource"}


def _validate_cross_version_reference(errs: list, ref: dict, path: str) -> None:
    for key in ("kind", "name"):
        value = _str(errs, ref, key, f"{path}.{key}")
        if not value:
            errs.append(_required(f"{path}.{key}"))
        else:
            _each_msg(errs, f"{path}.{key}", value, _path_segment_name(value))


def _validate_metric_target(errs: list, target: dict, path: str) -> None:
    target_type = _str(errs, target, "type", f"{path}.type")
    if not target_type:
        errs.append(_required(f"{path}.type", "must specify a metric target type"))
    if target_type not in ("Utilization", "Value", "AverageValue"):
        errs.append(_invalid(f"{path}.type", target_type,
                             "must be either Utilization, Value, or AverageValue"))
    for key in ("value", "averageValue"):
        raw = target.get(key)
        if raw is not None:
            quantity = _quantity(errs, raw, f"{path}.{key}")
            if quantity is not None and quantity.sign() != 1:
                errs.append(_invalid(f"{path}.{key}", _Go(str(quantity)), "must be positive"))
    utilization = _int(errs, target, "averageUtilization", f"{path}.averageUtilization")
    if utilization is not None and utilization < 1:
        errs.append(_invalid(f"{path}.averageUtilization", utilization, "must be greater than 0"))


def _validate_metric(errs: list, metric: dict, path: str) -> None:
    metric_type = _str(errs, metric, "type", f"{path}.type")
    if not metric_type:
        errs.append(_required(f"{path}.type", "must specify a metric source type"))
    if metric_type not in _METRIC_TYPES:
        errs.append(_not_supported(f"{path}.type", metric_type, _METRIC_TYPES))
    present = [field for field in _METRIC_SOURCE_FIELDS.values() if metric.get(field) is not None]
    expected = _METRIC_SOURCE_FIELDS.get(metric_type, metric_type.lower())
    if expected not in present:
        errs.append(_required(f"{path}.{expected}",
                              "must populate information for the given metric source"))
    for field in present:
        if field != expected:
            errs.append(_forbidden(f"{path}.{field}",
                                   "must populate the given metric source only"))
    source = metric.get(expected)
    if not isinstance(source, dict):
        return
    source_path = f"{path}.{expected}"
    if expected in ("resource", "containerResource"):
        if not source.get("name"):
            errs.append(_required(f"{source_path}.name", "must specify a resource name"))
        if expected == "containerResource" and not source.get("container"):
            errs.append(_required(f"{source_path}.container", "must specify a container"))
    elif expected == "object":
        _validate_cross_version_reference(errs, _map(errs, source, "describedObject",
                                                     f"{source_path}.describedObject"),
                                          f"{source_path}.describedObject")
    if expected in ("pods", "object", "external"):
        metric_id = _map(errs, source, "metric", f"{source_path}.metric")
        if not metric_id.get("name"):
            errs.append(_required(f"{source_path}.metric.name", "must specify a metric name"))
    _validate_metric_target(errs, _map(errs, source, "target", f"{source_path}.target"),
                            f"{source_path}.target")


def _validate_scaling_rules(errs: list, rules: dict, path: str) -> None:
    window = _int(errs, rules, "stabilizationWindowSeconds", f"{path}.stabilizationWindowSeconds")
    if window is not None and window < 0:
        errs.append(_invalid(f"{path}.stabilizationWindowSeconds", window,
                             "must be greater than or equal to zero"))
    if window is not None and window > 3600:
        errs.append(_invalid(f"{path}.stabilizationWindowSeconds", window,
                             "must be less than or equal to 3600"))
    select = _opt_str(errs, rules, "selectPolicy", f"{path}.selectPolicy")
    if select is not None and select not in ("Disabled", "Max", "Min"):
        errs.append(_not_supported(f"{path}.selectPolicy", select, ("Disabled", "Max", "Min")))
    policies = _items(errs, rules, "policies", f"{path}.policies")
    if not policies:
        errs.append(_required(f"{path}.policies", "must specify at least one Policy"))
    for policy_path, policy in policies:
        policy_type = _str(errs, policy, "type", f"{policy_path}.type")
        if policy_type not in ("Percent", "Pods"):
            errs.append(_not_supported(f"{policy_path}.type", policy_type, ("Percent", "Pods")))
        value = _int(errs, policy, "value", f"{policy_path}.value") or 0
        if value <= 0:
            errs.append(_invalid(f"{policy_path}.value", value, "must be greater than zero"))
        period = _int(errs, policy, "periodSeconds", f"{policy_path}.periodSeconds") or 0
        if period <= 0:
            errs.append(_invalid(f"{policy_path}.periodSeconds", period,
                                 "must be greater than zero"))
        elif period > 1800:
            errs.append(_invalid(f"{policy_path}.periodSeconds", period,
                                 "must be less than or equal to 1800"))


def _validate_hpa(errs: list, hpa: dict, old: dict | None) -> None:
    spec = _map(errs, hpa, "spec", "spec")
    min_replicas = _int(errs, spec, "minReplicas", "spec.minReplicas")
    max_replicas = _int(errs, spec, "maxReplicas", "spec.maxReplicas") or 0
    if min_replicas is not None and min_replicas < 1:
        errs.append(_invalid("spec.minReplicas", min_replicas,
                             "must be greater than or equal to 1"))
    if max_replicas < 1:
        errs.append(_invalid("spec.maxReplicas", max_replicas, "must be greater than 0"))
    if min_replicas is not None and max_replicas < min_replicas:
        errs.append(_invalid("spec.maxReplicas", max_replicas,
                             "must be greater than or equal to `minReplicas`"))
    _validate_cross_version_reference(errs, _map(errs, spec, "scaleTargetRef",
                                                 "spec.scaleTargetRef"), "spec.scaleTargetRef")
    if hpa.get("apiVersion") == "autoscaling/v1":
        utilization = _int(errs, spec, "targetCPUUtilizationPercentage",
                           "spec.targetCPUUtilizationPercentage")
        if utilization is not None and utilization < 1:
            errs.append(_invalid("spec.targetCPUUtilizationPercentage", utilization,
                                 "must be greater than 0"))
        return
    for metric_path, metric in _items(errs, spec, "metrics", "spec.metrics"):
        _validate_metric(errs, metric, metric_path)
    behavior = _opt_map(errs, spec, "behavior", "spec.behavior")
    if behavior is not None:
        for direction in ("scaleUp", "scaleDown"):
            rules = _opt_map(errs, behavior, direction, f"spec.behavior.{direction}")
            if rules is not None:
                _validate_scaling_rules(errs, rules, f"spec.behavior.{direction}")


def _validate_lease(errs: list, lease: dict, old: dict | None) -> None:
    spec = _map(errs, lease, "spec", "spec")
    duration = _int(errs, spec, "leaseDurationSeconds", "spec.leaseDurationSeconds")
    if duration is not None and duration <= 0:
        errs.append(_invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    transitions = _int(errs, spec, "leaseTransitions", "spec.leaseTransitions")
    if transitions is not None and transitions < 0:
        errs.append(_invalid("spec.leaseTransitions", transitions, _NEGATIVE))


_ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")


def _validate_endpoint_slice(errs: list, endpoint_slice: dict, old: dict | None) -> None:
    address_type = _str(errs, endpoint_slice, "addressType", "addressType")
    if not address_type:
        errs.append(_required("addressType"))
    elif address_type not in _ADDRESS_TYPES:
        errs.append(_not_supported("addressType", address_type, _ADDRESS_TYPES))
    endpoints = _items(errs, endpoint_slice, "endpoints", "endpoints")
    if len(endpoints) > 1000:
        errs.append(_too_many("endpoints", len(endpoints), 1000))
    for endpoint_path, endpoint in endpoints:
        addresses = _str_list(errs, endpoint, "addresses", f"{endpoint_path}.addresses")
        if not addresses:
            errs.append(_required(f"{endpoint_path}.addresses", "must contain at least 1 address"))
        elif len(addresses) > 100:
            errs.append(_too_many(f"{endpoint_path}.addresses", len(addresses), 100))
        for i, address in enumerate(addresses):
            address_path = f"{endpoint_path}.addresses[{i}]"
            ip = _parse_ip(address)
            if address_type == "IPv4" and (ip is None or ip.version != 4):
                errs.append(_invalid(address_path, address, "must be a valid IPv4 address"))
            elif address_type == "IPv6" and (ip is None or ip.version != 6):
                errs.append(_invalid(address_path, address, "must be a valid IPv6 address"))
            elif address_type == "FQDN":
                name = address.removesuffix(".")
                messages = _dns1123_subdomain(name)
                if messages:
                    errs.append(_invalid(address_path, name, ",".join(messages)))
                elif "." not in name:
                    errs.append(_invalid(address_path, name, "should be a domain with at least "
                                         "two segments separated by dots"))
        hostname = _opt_str(errs, endpoint, "hostname", f"{endpoint_path}.hostname")
        if hostname is not None:
            _each_msg(errs, f"{endpoint_path}.hostname", hostname, _dns1123_label(hostname))
        node_name = _opt_str(errs, endpoint, "nodeName", f"{endpoint_path}.nodeName")
        if node_name is not None:
            _each_msg(errs, f"{endpoint_path}.nodeName", node_name, _dns1123_subdomain(node_name))
    ports = _items(errs, endpoint_slice, "ports", "ports")
    if len(ports) > 20000:
        errs.append(_too_many("ports", len(ports), 20000))
    names: set[str] = set()
    for port_path, port in ports:
        name = _str(errs, port, "name", f"{port_path}.name")
        if name:
            _each_msg(errs, f"{port_path}.name", name, _dns1123_label(name))
        if name in names:
            errs.append(_duplicate(f"{port_path}.name", name))
        names.add(name)
        protocol = _str(errs, port, "protocol", f"{port_path}.protocol")
        if not protocol:
            errs.append(_required(f"{port_path}.protocol"))
        elif protocol not in _PROTOCOLS:
            errs.append(_not_supported(f"{port_path}.protocol", protocol, _PROTOCOLS))
        app_protocol = _opt_str(errs, port, "appProtocol", f"{port_path}.appProtocol")
        if app_protocol is not None:
            _each_msg(errs, f"{port_path}.appProtocol", app_protocol, _qualified_name(app_protocol))
    if old is not None and address_type != (old.get("addressType") or ""):
        errs.append(_invalid("addressType", address_type, FIELD_IMMUTABLE))


def _validate_binding(errs: list, binding: dict, old: dict | None) -> None:
    target = _map(errs, binding, "target", "target")
    kind = _str(errs, target, "kind", "target.kind")
    if kind and kind != "Node":
        errs.append(_not_supported("target.kind", kind, ("Node", "<empty>")))
    if not _str(errs, target, "name", "target.name"):
        errs.append(_required("target.name"))


# == entry points ===========================================================================

_Validator = Callable[[list, dict, "dict | None"], None]

_VALIDATORS: dict[tuple[str, str], _Validator] = {
    ("", "Binding"): _validate_binding,
    ("", "ConfigMap"): _validate_config_map,
    ("", "Endpoints"): _validate_endpoints,
    ("", "Event"): _validate_event,
    ("", "LimitRange"): _validate_limit_range,
    ("", "Namespace"): _validate_namespace,
    ("", "Node"): _validate_node,
    ("", "PersistentVolume"): _validate_persistent_volume,
    ("", "PersistentVolumeClaim"): _validate_persistent_volume_claim,
    ("", "Pod"): _validate_pod,
    ("", "ReplicationController"): _validate_replication_controller,
    ("", "ResourceQuota"): _validate_resource_quota,
    ("", "Secret"): _validate_secret,
    ("", "ServiceAccount"): _validate_service_account,
    ("", "Service"): _validate_service,
    ("apps", "DaemonSet"): _validate_daemon_set,
    ("apps", "Deployment"): _validate_deployment,
    ("apps", "ReplicaSet"): _validate_replica_set,
    ("autoscaling", "HorizontalPodAutoscaler"): _validate_hpa,
    ("coordination.k8s.io", "Lease"): _validate_lease,
    ("discovery.k8s.io", "EndpointSlice"): _validate_endpoint_slice,
    ("networking.k8s.io", "Ingress"): _validate_ingress,
    ("networking.k8s.io", "IngressClass"): _validate_ingress_class,
    ("storage.k8s.io", "StorageClass"): _validate_storage_class,
}
# A binding is a request, not a stored object; upstream checks only its target.
_WITHOUT_METADATA = frozenset({("", "Binding")})


def validate(group: str, kind: str, obj: dict, old: dict | None = None) -> list[Cause]:
    """The causes that make ``obj`` invalid; empty when it is valid.

    ``old`` is the stored object on update (``None`` on create).  Unknown kinds get only
    their metadata checked.
    """
    errs: list[Cause] = []
    if not isinstance(obj, dict):
        return [_type_invalid("", obj, "object")]
    if (group, kind) not in _WITHOUT_METADATA:
        resource = by_kind(group, kind)
        namespaced = resource.namespaced if resource is not None else True
        meta = _map(errs, obj, "metadata", "metadata")
        if old is not None:
            old_meta = old.get("metadata")
            _validate_meta_update(errs, meta, old_meta if isinstance(old_meta, dict) else {})
        _validate_meta(errs, meta, namespaced, _NAME_RULES.get(kind, _name_subdomain))
    validator = _VALIDATORS.get((group, kind))
    if validator is not None:
        validator(errs, obj, old if isinstance(old, dict) else None)
    return _unique(errs)


def _unique(causes: list[Cause]) -> list[Cause]:
    # Upstream validates metadata twice on most updates; report each problem once.
    seen: set[tuple[str, str, str]] = set()
    out = []
    for cause in causes:
        key = (cause["reason"], cause["field"], cause["message"])
        if key not in seen:
            seen.add(key)
            out.append(cause)
    return out


def invalid_message(kind: str, name: str, causes: list[Cause], group: str = "") -> str:
    """The ``Status.message`` of a 422 as upstream words it.

    ``Pod "web1" is invalid: spec.containers[0].image: Required value`` for one cause,
    the causes in brackets joined by ", " for several; ``group`` qualifies the kind
    (``Deployment.apps``).
    """
    qualified = f"{kind}.{group}" if group else kind
    messages: list[str] = []
    for cause in causes:
        text = f"{cause.get('field', '')}: {cause.get('message', '')}"
        if text not in messages:
            messages.append(text)
    head = f"{qualified} {_quote(name)} is invalid"
    if not messages:
        return head
    if len(messages) == 1:
        return f"{head}: {messages[0]}"
    return f"{head}: [{', '.join(messages)}]"
