"""Label selectors: the string grammar, ``metav1.LabelSelector``, map selectors, and matching.

This module is the readable specification.  Its behaviour, including every error message, is
that of upstream ``k8s.io/apimachinery/pkg/labels`` and ``metav1.LabelSelectorAsSelector``, so
the apiserver can answer a bad ``labelSelector`` with the same 400 BadRequest text a real
cluster gives.  The grammar of the string form::

    selector    ::= requirement | requirement "," selector
    requirement ::= ["!"] KEY [ set-based | exact-match | ordering ]
    set-based   ::= ("in" | "notin") "(" VALUE {"," VALUE} ")"
    exact-match ::= ("=" | "==" | "!=") VALUE
    ordering    ::= (">" | "<") INTEGER

``KEY`` is a qualified name (an optional DNS subdomain prefix and ``/``, then a name of at most
63 characters), ``VALUE`` a label value (empty, or at most 63 alphanumerics, ``-``, ``_``,
``.`` starting and ending alphanumeric).  Whitespace between tokens is ignored.

Messages use the wording of Kubernetes 1.33 ("must be no more than 63 characters"; newer
releases say "bytes"), and the parser has the 1.35 fix that accepts consecutive commas in a
value set (``x in (,,)``).  The messages were checked against upstream's own parser.

Matching has two implementations with one behaviour: :meth:`Selector.matches` and
:meth:`Selector.filter` here, and the compiled matcher in ``paddock._native.labels`` used on
the hot paths (every object of a LIST, every event for every watcher).  Callers go through
:func:`compile_selector` and :func:`filter_objects`, which pick the native one when it is
built and fall back to this one, with one loud warning, when it is not.  ``PADDOCK_PURE=1``
in the environment, or ``pure=True``, forces the pure one (tests and benchmarks use both).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from paddock.core.fields import FieldTest

log = logging.getLogger(__name__)

__all__ = [
    "LabelMatcher",
    "Operator",
    "Requirement",
    "Selector",
    "SelectorError",
    "compile_selector",
    "everything",
    "filter_objects",
    "go_quote",
    "native_available",
    "nothing",
    "parse_selector",
    "selector_from_label_selector",
    "selector_from_set",
    "selector_string_from_label_selector",
    "selector_string_from_set",
    "validate_label_key",
    "validate_label_value",
]


class SelectorError(ValueError):
    """A label or field selector that does not parse or is invalid.

    ``str(err)`` is upstream's message, complete; the apiserver returns it as the message of
    a 400 BadRequest ``Status`` without adding to it.
    """


class Operator(StrEnum):
    """A requirement's operator; the values are upstream's ``selection.Operator`` strings."""

    IN = "in"
    NOT_IN = "notin"
    EQUALS = "="
    DOUBLE_EQUALS = "=="
    NOT_EQUALS = "!="
    EXISTS = "exists"
    DOES_NOT_EXIST = "!"
    GREATER_THAN = "gt"
    LESS_THAN = "lt"


# Operators that require the key to be present with one of the values, and their negations
# (which also match when the key is absent).
_INCLUSION = frozenset({Operator.IN, Operator.EQUALS, Operator.DOUBLE_EQUALS})
_EXCLUSION = frozenset({Operator.NOT_IN, Operator.NOT_EQUALS})


# -- validation of keys and values (upstream util/validation) ---------------------------------

_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_VALUE_FMT = "(" + _NAME_FMT + ")?"
_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character"
)
_DNS_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_SUBDOMAIN_FMT = _DNS_LABEL_FMT + "(\\." + _DNS_LABEL_FMT + ")*"
_DNS_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character"
)
_NAME_RE = re.compile(_NAME_FMT)
_VALUE_RE = re.compile(_VALUE_FMT)
_DNS_SUBDOMAIN_RE = re.compile(_DNS_SUBDOMAIN_FMT)
_NAME_MAX = 63
_VALUE_MAX = 63
_DNS_SUBDOMAIN_MAX = 253


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # Upstream's RegexError, including its double space before each " or ".
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def _max_len_error(n: int) -> str:
    # The wording of Kubernetes 1.33 and earlier; newer releases say "bytes".
    return f"must be no more than {n} characters"


def _byte_len(s: str) -> int:
    """Go's len(): UTF-8 bytes, not characters."""
    return len(s) if s.isascii() else len(s.encode("utf-8", "surrogatepass"))


def _dns_subdomain_errors(value: str) -> list[str]:
    errs = []
    if _byte_len(value) > _DNS_SUBDOMAIN_MAX:
        errs.append(_max_len_error(_DNS_SUBDOMAIN_MAX))
    if _DNS_SUBDOMAIN_RE.fullmatch(value) is None:
        errs.append(_regex_error(_DNS_SUBDOMAIN_MSG, _DNS_SUBDOMAIN_FMT, "example.com"))
    return errs


def validate_label_key(key: str) -> list[str]:
    """Upstream's ``IsQualifiedName``: the reasons ``key`` is not a valid label key, or []."""
    parts = key.split("/")
    errs: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in _dns_subdomain_errors(prefix))
    else:
        return [
            "a qualified name "
            + _regex_error(_NAME_MSG, _NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif _byte_len(name) > _NAME_MAX:
        errs.append("name part " + _max_len_error(_NAME_MAX))
    if _NAME_RE.fullmatch(name) is None:
        errs.append("name part " + _regex_error(_NAME_MSG, _NAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def validate_label_value(value: str) -> list[str]:
    """Upstream's ``IsValidLabelValue``: the reasons ``value`` is not a valid label value, or []."""
    errs = []
    if _byte_len(value) > _VALUE_MAX:
        errs.append(_max_len_error(_VALUE_MAX))
    if _VALUE_RE.fullmatch(value) is None:
        errs.append(_regex_error(_VALUE_MSG, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


# -- upstream's error text ---------------------------------------------------------------------

_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v", '"': '\\"', "\\": "\\\\"}


def go_quote(s: str) -> str:
    """Go's ``%q`` of a string, so that messages quoting user input match upstream exactly."""
    out = ['"']
    for ch in s:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():  # same classes as Go's unicode.IsPrint
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _go_json(value: object) -> str:
    """Go's json.Marshal of a string slice (nil is ``null``; <, >, & are escaped)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _invalid(path: str, value: str | list[str] | None, detail: str) -> str:
    """The text of a ``field.Invalid`` error."""
    shown = go_quote(value) if isinstance(value, str) else _go_json(value)
    return f"{path}: Invalid value: {shown}: {detail}"


def _aggregate(messages: list[str]) -> str:
    """The text of ``ErrorList.ToAggregate()``: duplicates dropped, several in brackets."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


# -- requirements and selectors ----------------------------------------------------------------

_INT64_RE = re.compile(r"[+-]?[0-9]+")


def _parse_int64(value: object) -> int | None:
    """Go's ``strconv.ParseInt(value, 10, 64)``, or None where that fails."""
    if not isinstance(value, str) or _INT64_RE.fullmatch(value) is None:
        return None
    n = int(value)
    return n if -(2**63) <= n < 2**63 else None


class Requirement:
    """One requirement of a selector: ``key``, ``operator`` and ``values``.

    Built by the parsers and constructors of this module, which validate like upstream's
    ``NewRequirement``; read-only afterwards.  ``values`` keeps the given order (the string
    form sorts them).
    """

    __slots__ = ("key", "operator", "values", "_value_set", "_bound")

    key: str
    operator: Operator
    values: tuple[str, ...]

    def __init__(self, key: str, operator: Operator, values: Iterable[str] = ()) -> None:
        self.key = key
        self.operator = Operator(operator)
        self.values = tuple(values)
        self._value_set = frozenset(self.values)
        # The integer of gt/lt, whose single value has been checked to be one.
        ordering = self.operator in (Operator.GREATER_THAN, Operator.LESS_THAN)
        self._bound = _parse_int64(self.values[0]) if ordering and len(self.values) == 1 else None

    def matches(self, labels: Mapping[str, Any]) -> bool:
        """Whether a label set satisfies this requirement (upstream ``Requirement.Matches``)."""
        op = self.operator
        if op is Operator.EXISTS:
            return self.key in labels
        if op is Operator.DOES_NOT_EXIST:
            return self.key not in labels
        if self.key not in labels:
            # notin and != also match objects that lack the label altogether.
            return op in _EXCLUSION
        value = labels[self.key]
        if op in _INCLUSION:
            return value in self._value_set
        if op in _EXCLUSION:
            return value not in self._value_set
        number = _parse_int64(value)
        if number is None or self._bound is None:
            return False
        return number > self._bound if op is Operator.GREATER_THAN else number < self._bound

    def __str__(self) -> str:
        op = self.operator
        if op is Operator.EXISTS:
            return self.key
        if op is Operator.DOES_NOT_EXIST:
            return "!" + self.key
        shown = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if op is Operator.IN or op is Operator.NOT_IN:
            return f"{self.key} {op.value} ({shown})"
        symbol = {Operator.GREATER_THAN: ">", Operator.LESS_THAN: "<"}.get(op, op.value)
        return f"{self.key}{symbol}{shown}"

    def __repr__(self) -> str:
        return f"Requirement({self.key!r}, {self.operator.name}, {self.values!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Requirement):
            return NotImplemented
        return (self.key, self.operator, self.values) == (other.key, other.operator, other.values)

    def __hash__(self) -> int:
        return hash((self.key, self.operator, self.values))


def _new_requirement(key: str, operator: Operator, values: Sequence[str]) -> Requirement:
    """Upstream's ``NewRequirement``: a validated requirement, or SelectorError."""
    errs = []
    key_errs = validate_label_key(key)
    if key_errs:
        errs.append(_invalid("key", key, "; ".join(key_errs)))
    shown = list(values) or None  # Go renders the nil slice these come from as null
    if operator in (Operator.IN, Operator.NOT_IN):
        if not values:
            errs.append(_invalid("values", shown, "for 'in', 'notin' operators, values set can't be empty"))
    elif operator in (Operator.EQUALS, Operator.DOUBLE_EQUALS, Operator.NOT_EQUALS):
        if len(values) != 1:
            errs.append(_invalid("values", shown, "exact-match compatibility requires one single value"))
    elif operator in (Operator.EXISTS, Operator.DOES_NOT_EXIST):
        if values:
            errs.append(_invalid("values", shown, "values set must be empty for exists and does not exist"))
    else:
        if len(values) != 1:
            errs.append(_invalid("values", shown, "for 'Gt', 'Lt' operators, exactly one value is required"))
        for i, value in enumerate(values):
            if _parse_int64(value) is None:
                errs.append(_invalid(f"values[{i}]", value, "for 'Gt', 'Lt' operators, the value must be an integer"))
    for i, value in enumerate(values):
        value_errs = validate_label_value(value)
        if value_errs:
            errs.append(_invalid(f"values[{i}][{key}]", value, "; ".join(value_errs)))
    if errs:
        raise SelectorError(_aggregate(errs))
    return Requirement(key, operator, values)


_EMPTY_LABELS: Mapping[str, str] = {}


class Selector:
    """A label selector: the AND of its requirements, which are kept sorted by key.

    Two special selectors exist, as upstream: :func:`everything` (no requirements; ``empty``
    is true) and :func:`nothing` (matches no label set; what a nil ``LabelSelector`` means).
    A selector is also a predicate: ``selector(labels)`` is ``selector.matches(labels)``.
    """

    __slots__ = ("requirements", "_nothing")

    requirements: tuple[Requirement, ...]

    def __init__(self, requirements: Iterable[Requirement] = (), *, match_nothing: bool = False) -> None:
        # Stable sort by key only, as upstream sorts ByKey; String() then lists them in order.
        self.requirements = tuple(sorted(requirements, key=lambda r: r.key))
        self._nothing = match_nothing

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything (it matches every label set)."""
        return not self._nothing and not self.requirements

    @property
    def matches_nothing(self) -> bool:
        """True for the :func:`nothing` selector."""
        return self._nothing

    def matches(self, labels: Mapping[str, Any] | None) -> bool:
        """Whether a label set (``None`` meaning no labels) satisfies every requirement."""
        if self._nothing:
            return False
        if labels is None:
            labels = _EMPTY_LABELS
        for requirement in self.requirements:
            if not requirement.matches(labels):
                return False
        return True

    __call__ = matches

    def filter(self, objects: Iterable[Mapping[str, Any]],
               field_tests: Sequence[FieldTest] = ()) -> list[Mapping[str, Any]]:
        """The objects whose ``metadata.labels`` match and that pass every field test.

        This is the pure-Python twin of the native ``CompiledSelector.filter``; use
        :func:`filter_objects` rather than calling either directly.
        """
        out = []
        for obj in objects:
            if field_tests and not all(test.matches(obj) for test in field_tests):
                continue
            metadata = obj.get("metadata")
            labels = metadata.get("labels") if isinstance(metadata, dict) else None
            if self.matches(labels):
                out.append(obj)
        return out

    def exact_value(self, key: str) -> str | None:
        """The value ``key`` must have for a label set to match, when the selector pins one.

        As upstream's ``RequiresExactMatch``: only the first requirement on ``key`` is looked
        at, and it pins a value when it is ``=``, ``==`` or ``in`` with a single value.
        Index lookups (``app=web`` → the objects labelled ``app=web``) use this.
        """
        for requirement in self.requirements:
            if requirement.key == key:
                if requirement.operator in _INCLUSION and len(requirement.values) == 1:
                    return requirement.values[0]
                return None
        return None

    def __str__(self) -> str:
        """Upstream's canonical string form; parsing it gives an equal selector."""
        return ",".join(str(r) for r in self.requirements)

    def __repr__(self) -> str:
        return "nothing()" if self._nothing else f"parse_selector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Selector):
            return NotImplemented
        return (self._nothing, self.requirements) == (other._nothing, other.requirements)

    def __hash__(self) -> int:
        return hash((self._nothing, self.requirements))


_EVERYTHING = Selector()
_NOTHING = Selector(match_nothing=True)


def everything() -> Selector:
    """The selector that matches every label set."""
    return _EVERYTHING


def nothing() -> Selector:
    """The selector that matches no label set."""
    return _NOTHING


# -- the string grammar (upstream labels.Parse) ------------------------------------------------

# Token kinds.
_END, _CLOSE, _COMMA, _NOT, _DOUBLE_EQ, _EQ, _GT, _IDENT, _IN, _LT, _NOT_EQ, _NOT_IN, _OPEN = range(13)
_SYMBOLS = {")": _CLOSE, ",": _COMMA, "!": _NOT, "==": _DOUBLE_EQ, "=": _EQ, ">": _GT,
            "<": _LT, "!=": _NOT_EQ, "(": _OPEN}
_KEYWORDS = {"in": _IN, "notin": _NOT_IN}
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"
_OPERATOR_OF_TOKEN = {_IN: Operator.IN, _NOT_IN: Operator.NOT_IN, _EQ: Operator.EQUALS,
                      _DOUBLE_EQ: Operator.DOUBLE_EQUALS, _NOT_EQ: Operator.NOT_EQUALS,
                      _GT: Operator.GREATER_THAN, _LT: Operator.LESS_THAN}


def _lex(s: str) -> list[tuple[int, str]]:
    """The tokens of a selector string, ending with one ``_END`` token.

    Like upstream's lexer, a NUL character reads as the end of the input wherever a token
    starts, and as a separator inside an identifier.
    """
    tokens: list[tuple[int, str]] = []
    pos, n = 0, len(s)
    while True:
        while pos < n and s[pos] in _WHITESPACE:
            pos += 1
        if pos >= n or s[pos] == "\0":
            tokens.append((_END, ""))
            return tokens
        if s[pos] in _SPECIAL:
            # Longest match of the two-character operators, else the single symbol.
            two = s[pos:pos + 2]
            symbol = two if two in ("==", "!=") else s[pos]
            tokens.append((_SYMBOLS[symbol], symbol))
            pos += len(symbol)
            if pos < n and s[pos] == "\0":  # upstream's symbol scanner swallows a NUL
                pos += 1
            continue
        start = pos
        while pos < n and s[pos] != "\0" and s[pos] not in _SPECIAL and s[pos] not in _WHITESPACE:
            pos += 1
        word = s[start:pos]
        if pos < n and s[pos] == "\0":
            pos += 1
        tokens.append((_KEYWORDS.get(word, _IDENT), word))


class _Parser:
    """Upstream's recursive-descent parser over the token list.

    "in" and "notin" are operators after a key but ordinary identifiers where a key or a
    value is expected (``in in (in)`` is a valid selector), hence the ``values`` flag.
    """

    def __init__(self, s: str) -> None:
        self.tokens = _lex(s)
        self.pos = 0

    def peek(self, values: bool = True) -> tuple[int, str]:
        tok, lit = self.tokens[self.pos]
        return (_IDENT, lit) if values and tok in (_IN, _NOT_IN) else (tok, lit)

    def take(self, values: bool = True) -> tuple[int, str]:
        item = self.peek(values)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            tok, lit = self.peek()
            if tok == _END:
                return requirements
            if tok not in (_IDENT, _NOT):
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self.requirement())
            except SelectorError as err:
                raise SelectorError(f"unable to parse requirement: {err}") from None
            tok, lit = self.take()
            if tok == _END:
                return requirements
            if tok != _COMMA:
                raise SelectorError(f"found '{lit}', expected: ',' or 'end of string'")
            tok, lit = self.peek()
            if tok not in (_IDENT, _NOT):
                raise SelectorError(f"found '{lit}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        negated = False
        tok, key = self.take()
        if tok == _NOT:
            negated = True
            tok, key = self.take()
        if tok != _IDENT:
            raise SelectorError(f"found '{key}', expected: identifier")
        key_errs = validate_label_key(key)
        if key_errs:
            # The parser validates keys with a nil field path, which Go prints as <nil>.
            raise SelectorError(_invalid("<nil>", key, "; ".join(key_errs)))
        if negated:
            return _new_requirement(key, Operator.DOES_NOT_EXIST, [])
        if self.peek()[0] in (_END, _COMMA):
            return _new_requirement(key, Operator.EXISTS, [])
        tok, lit = self.take(values=False)
        operator = _OPERATOR_OF_TOKEN.get(tok)
        if operator is None:
            raise SelectorError(f"found '{lit}', expected: {_BINARY_OPERATORS}")
        if operator in (Operator.IN, Operator.NOT_IN):
            values = self.value_set()
        else:
            values = self.exact_value()
        return _new_requirement(key, operator, sorted(values))

    def value_set(self) -> set[str]:
        tok, lit = self.take()
        if tok != _OPEN:
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.peek()
        if tok == _CLOSE:  # "()" is the set holding the empty string
            self.take()
            return {""}
        if tok not in (_IDENT, _COMMA):
            raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")
        values = self.identifiers()
        self.take()  # the ")" that identifiers() stopped at
        return values

    def identifiers(self) -> set[str]:
        """A comma-separated list where empty items are the empty string: ``(a,,b)``, ``(,)``."""
        values: set[str] = set()
        while True:
            tok, lit = self.take()
            if tok == _IDENT:
                values.add(lit)
                tok, lit = self.peek()
                if tok == _CLOSE:
                    return values
                if tok != _COMMA:
                    raise SelectorError(f"found '{lit}', expected: ',' or ')'")
            elif tok == _COMMA:
                if not values:
                    values.add("")
                tok, _ = self.peek()
                if tok == _CLOSE:
                    values.add("")
                    return values
                if tok == _COMMA:
                    values.add("")
            else:
                raise SelectorError(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self) -> set[str]:
        if self.peek()[0] in (_END, _COMMA):  # "a=" selects the empty value
            return {""}
        tok, lit = self.take()
        if tok != _IDENT:
            raise SelectorError(f"found '{lit}', expected: identifier")
        return {lit}


def parse_selector(s: str) -> Selector:
    """Parse the string form of a label selector (the ``labelSelector`` query parameter).

    The empty string selects everything.  Raises :class:`SelectorError` with upstream's
    message, e.g. ``unable to parse requirement: found '', expected: identifier``.
    """
    return Selector(_Parser(s).parse())


# -- structured selectors -------------------------------------------------------------------

_LABEL_SELECTOR_OPERATORS = {
    "In": Operator.IN,
    "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS,
    "DoesNotExist": Operator.DOES_NOT_EXIST,
}


def selector_from_label_selector(ls: Mapping[str, Any] | None) -> Selector:
    """Upstream's ``LabelSelectorAsSelector`` for a ``metav1.LabelSelector`` in JSON form.

    ``None`` selects nothing; ``{}`` (no matchLabels, no matchExpressions) selects everything.
    Keys and values are validated as upstream; SelectorError carries its message.
    """
    if ls is None:
        return _NOTHING
    match_labels = ls.get("matchLabels") or {}
    expressions = ls.get("matchExpressions") or []
    if not match_labels and not expressions:
        return _EVERYTHING
    requirements = [_new_requirement(key, Operator.EQUALS, [value])
                    for key, value in sorted(match_labels.items())]
    for expr in expressions:
        operator = _LABEL_SELECTOR_OPERATORS.get(expr.get("operator"))
        if operator is None:
            raise SelectorError(f"{go_quote(str(expr.get('operator') or ''))} is not a valid label selector operator")
        requirements.append(_new_requirement(expr.get("key") or "", operator, list(expr.get("values") or [])))
    return Selector(requirements)


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """The selector requiring every ``key=value`` of a map selector (RC, Service).

    ``None`` and ``{}`` select everything.  Like upstream's ``SelectorFromSet`` this does not
    validate: the map was validated when its object was.
    """
    if not labels:
        return _EVERYTHING
    return Selector(Requirement(key, Operator.EQUALS, (value,)) for key, value in labels.items())


def selector_string_from_set(labels: Mapping[str, str] | None) -> str:
    """The canonical string of a map selector (the ``status.selector`` of an RC's Scale)."""
    return str(selector_from_set(labels))


def selector_string_from_label_selector(ls: Mapping[str, Any] | None) -> str:
    """The canonical string of a ``LabelSelector`` (the ``status.selector`` of a Scale)."""
    return str(selector_from_label_selector(ls))


# -- the entry points that choose an implementation ------------------------------------------

class LabelMatcher(Protocol):
    """What :func:`compile_selector` returns, native or pure: a predicate on label sets."""

    def __call__(self, labels: Mapping[str, Any] | None) -> bool: ...

    def matches(self, labels: Mapping[str, Any] | None) -> bool: ...

    def filter(self, objects: Iterable[Mapping[str, Any]],
               field_tests: Sequence[FieldTest] = ()) -> list[Mapping[str, Any]]: ...


try:
    from paddock._native import labels as _native
    _native_error: str | None = None
except ImportError as exc:  # not built: fall back, and say so once when first needed
    _native = None
    _native_error = str(exc)
_warned = False


def native_available() -> bool:
    """Whether the compiled matcher ``paddock._native.labels`` is importable."""
    return _native is not None


def _native_module(pure: bool | None) -> Any:
    """The native module to use, or None for the pure implementation.

    ``pure=None`` means: native unless ``PADDOCK_PURE=1``, falling back with a warning;
    ``pure=False`` demands native and raises ImportError without it.
    """
    global _warned
    if pure is None and os.environ.get("PADDOCK_PURE") == "1":
        return None
    if pure:
        return None
    if _native is None:
        if pure is False:
            raise ImportError(f"paddock._native.labels is not built: {_native_error}")
        if not _warned:
            _warned = True
            log.warning("!!! paddock._native.labels is not built (%s): label selectors run in "
                        "pure Python, several times slower; build it with "
                        "`python setup.py build_ext --inplace`", _native_error)
    return _native


def _compile_native(native: Any, selector: Selector) -> LabelMatcher:
    spec = [(r.key, r.operator.value, r.values) for r in selector.requirements]
    matcher: LabelMatcher = native.CompiledSelector(spec, selector.matches_nothing)
    return matcher


def compile_selector(selector: Selector, *, pure: bool | None = None) -> LabelMatcher:
    """A fast predicate for ``selector``: ``m(labels)``, ``m.matches(labels)``, ``m.filter(objs)``.

    Native when the extension is built (unless ``pure=True`` or ``PADDOCK_PURE=1``), else
    the selector itself.  Compile once per request or watcher, match many times.
    """
    native = _native_module(pure)
    return selector if native is None else _compile_native(native, selector)


def filter_objects(objects: Iterable[Mapping[str, Any]], selector: Selector,
                   field_tests: Sequence[FieldTest] = (), *,
                   pure: bool | None = None) -> list[Mapping[str, Any]]:
    """The objects whose labels match ``selector`` and that pass every field test, in order.

    The implementation is chosen as by :func:`compile_selector`.  ``field_tests`` come from
    :func:`paddock.core.fields.field_tests`, e.g. the ``spec.nodeName=<node>`` of a kubelet's
    pod watch.  To filter repeatedly with one selector, compile it once and call the
    matcher's ``filter(objects, field_tests)``.
    """
    return compile_selector(selector, pure=pure).filter(objects, field_tests)
