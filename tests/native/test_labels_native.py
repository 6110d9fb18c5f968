"""The compiled selector matcher and its pure-Python twin behave identically.

Every filtering test runs on both implementations (the ``pure`` fixture); the hypothesis
properties check that they agree on random selectors, label sets and objects.  The native
side must be built: its absence is a failure here, never a skip.
"""

from __future__ import annotations

import logging
from collections import UserDict
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paddock.core import fields, labels
from paddock.core.fields import parse_field_selector
from paddock.core.labels import filter_objects, parse_selector


@pytest.fixture(params=[True, False], ids=["pure", "native"])
def pure(request: pytest.FixtureRequest) -> bool:
    """The value of ``pure=`` that selects each implementation."""
    return bool(request.param)


def pod(name: str, node: str = "", phase: str = "Running", **pod_labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "default", "labels": dict(pod_labels)},
            "spec": {"nodeName": node}, "status": {"phase": phase}}


PODS = [
    pod("web-1", "n1", app="web", tier="fe"),
    pod("web-2", "n2", app="web", tier="fe", track="canary"),
    pod("api-1", "n1", app="api", tier="be"),
    pod("db-1", "n2", "Pending", app="db", tier="db"),
    pod("bare", "n1"),
]


def names(objects: list[Any]) -> list[str]:
    return [o["metadata"]["name"] for o in objects]


# -- filtering ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("", ["web-1", "web-2", "api-1", "db-1", "bare"]),
    ("app=web", ["web-1", "web-2"]),
    ("app in (web,api),tier!=db", ["web-1", "web-2", "api-1"]),
    ("tier!=db", ["web-1", "web-2", "api-1", "bare"]),
    ("track", ["web-2"]),
    ("!track", ["web-1", "api-1", "db-1", "bare"]),
    ("app notin (web)", ["api-1", "db-1", "bare"]),
    ("app=nope", []),
])
def test_filter_keeps_matching_objects_in_order(pure: bool, text: str, expected: list[str]) -> None:
    assert names(filter_objects(PODS, parse_selector(text), pure=pure)) == expected


@pytest.mark.parametrize(("labels_text", "fields_text", "expected"), [
    ("", "spec.nodeName=n1", ["web-1", "api-1", "bare"]),
    ("app=web", "spec.nodeName=n1", ["web-1"]),
    ("", "spec.nodeName!=n1", ["web-2", "db-1"]),
    ("", "spec.nodeName=n1,status.phase=Running", ["web-1", "api-1", "bare"]),
    ("tier", "status.phase!=Running", ["db-1"]),
    ("", "metadata.name=bare", ["bare"]),
    ("", "spec.hostNetwork=false", ["web-1", "web-2", "api-1", "db-1", "bare"]),
    ("", "spec.nodeName=", []),
    ("", "spec.host=n2", ["web-2", "db-1"]),
])
def test_filter_applies_field_tests_with_the_label_selector(pure: bool, labels_text: str,
                                                           fields_text: str, expected: list[str]) -> None:
    tests = fields.field_tests("pods", parse_field_selector(fields_text))
    assert names(filter_objects(PODS, parse_selector(labels_text), tests, pure=pure)) == expected


def test_filter_with_the_nothing_selector_keeps_nothing(pure: bool) -> None:
    assert filter_objects(PODS, labels.nothing(), pure=pure) == []


def test_a_compiled_matcher_filters_any_iterable(pure: bool) -> None:
    matcher = labels.compile_selector(parse_selector("app=web"), pure=pure)
    assert names(matcher.filter(iter(PODS))) == ["web-1", "web-2"]
    assert names(filter_objects(iter(PODS), parse_selector("app=web"), pure=pure)) == ["web-1", "web-2"]


@pytest.mark.parametrize("obj", [
    {},
    {"metadata": None},
    {"metadata": "not a dict"},
    {"metadata": {}},
    {"metadata": {"labels": None}},
    {"metadata": {"labels": {}}},
])
def test_objects_without_labels_match_like_an_empty_label_set(pure: bool, obj: dict[str, Any]) -> None:
    assert filter_objects([obj], parse_selector("!app,tier notin (db)"), pure=pure) == [obj]
    assert filter_objects([obj], parse_selector("app"), pure=pure) == []


def test_label_mappings_that_are_not_dicts_are_matched_too(pure: bool) -> None:
    obj = {"metadata": {"labels": UserDict({"app": "web"})}}
    assert filter_objects([obj], parse_selector("app=web"), pure=pure) == [obj]
    assert labels.compile_selector(parse_selector("app=web"), pure=pure)(UserDict({"app": "web"}))


def test_field_tests_on_missing_or_non_string_fields_read_the_empty_string(pure: bool) -> None:
    objects: list[dict[str, Any]] = [
        {"metadata": {"name": "a"}},
        {"metadata": {"name": "b"}, "spec": None},
        {"metadata": {"name": "c"}, "spec": {"nodeName": 7}},
        {"metadata": {"name": "d"}, "spec": {"nodeName": "n"}},
    ]
    tests = fields.field_tests("pods", parse_field_selector("spec.nodeName="))
    assert names(filter_objects(objects, labels.everything(), tests, pure=pure)) == ["a", "b", "c"]


def test_label_values_that_are_not_strings_never_equal_string_values(pure: bool) -> None:
    matcher = labels.compile_selector(parse_selector("a=1,b!=2,c>0"), pure=pure)
    assert not matcher({"a": 1, "c": "1"})
    assert matcher({"a": "1", "b": 2, "c": "1"})
    assert not matcher({"a": "1", "c": 1})


# -- choosing the implementation ---------------------------------------------------------------

def test_the_native_matcher_is_built() -> None:
    assert labels.native_available()
    assert type(labels.compile_selector(parse_selector("a"), pure=False)).__module__ == "paddock._native.labels"


def test_pure_true_gives_the_selector_itself() -> None:
    selector = parse_selector("a=b")
    assert labels.compile_selector(selector, pure=True) is selector


def test_paddock_pure_in_the_environment_forces_the_pure_implementation(monkeypatch: pytest.MonkeyPatch) -> None:
    selector = parse_selector("a=b")
    monkeypatch.setenv("PADDOCK_PURE", "1")
    assert labels.compile_selector(selector) is selector
    monkeypatch.setenv("PADDOCK_PURE", "0")
    assert labels.compile_selector(selector) is not selector


def test_without_the_extension_matching_falls_back_with_one_warning(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(labels, "_native", None)
    monkeypatch.setattr(labels, "_native_error", "No module named 'paddock._native.labels'")
    monkeypatch.setattr(labels, "_warned", False)
    monkeypatch.delenv("PADDOCK_PURE", raising=False)
    selector = parse_selector("app=web")
    with caplog.at_level(logging.WARNING, logger="paddock.core.labels"):
        assert labels.compile_selector(selector) is selector
        assert names(filter_objects(PODS, selector)) == ["web-1", "web-2"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "pure Python" in warnings[0].getMessage()
    with pytest.raises(ImportError, match="not built"):
        labels.compile_selector(selector, pure=False)


# -- native and pure agree -----------------------------------------------------------------------

KEYS = ["a", "b", "c", "k8s.io/d"]
VALUES = ["", "0", "1", "7", "10", "x", "web", "9223372036854775807"]
# Label values in stored objects are validated, but the matchers must agree on anything.
ANY_VALUES = st.one_of(
    st.sampled_from(VALUES + ["+3", "-2", "007", " 1", "1_0", "\u0663", "-", "9223372036854775808",
                              "-9223372036854775808"]),
    st.text(max_size=4),
    st.none(),
    st.integers(-3, 12),
)


@st.composite
def requirement_texts(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(KEYS))
    kind = draw(st.sampled_from(["=", "==", "!=", "in", "notin", "exists", "!", ">", "<"]))
    if kind in ("in", "notin"):
        values = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=3))
        return f"{key} {kind} ({','.join(values)})"
    if kind == "exists":
        return key
    if kind == "!":
        return "!" + key
    if kind in (">", "<"):
        return f"{key}{kind}{draw(st.sampled_from(['0', '1', '7', '10', '9223372036854775807']))}"
    return f"{key}{kind}{draw(st.sampled_from(VALUES))}"


SELECTORS = st.one_of(
    st.lists(requirement_texts(), max_size=4).map(lambda reqs: parse_selector(",".join(reqs))),
    st.just(labels.nothing()),
)
LABEL_SETS = st.one_of(st.none(), st.dictionaries(st.sampled_from(KEYS + ["e"]), ANY_VALUES, max_size=5))


@settings(max_examples=500, deadline=None)
@given(selector=SELECTORS, label_sets=st.lists(LABEL_SETS, max_size=8))
def test_native_and_pure_matchers_agree(selector: labels.Selector, label_sets: list[Mapping[str, Any] | None]) -> None:
    native = labels.compile_selector(selector, pure=False)
    for label_set in label_sets:
        assert native(label_set) == selector.matches(label_set), (str(selector), label_set)


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    obj: dict[str, Any] = {"metadata": {"name": draw(st.sampled_from(["p", "q", ""]))}}
    if draw(st.booleans()):
        obj["metadata"]["labels"] = draw(LABEL_SETS)
    if draw(st.booleans()):
        obj["spec"] = draw(st.one_of(st.none(), st.fixed_dictionaries(
            {}, optional={"nodeName": st.sampled_from(["n1", "n2", "", 3]),
                          "hostNetwork": st.sampled_from([True, False, None])})))
    return obj


FIELD_SELECTORS = st.lists(
    st.tuples(st.sampled_from(["spec.nodeName", "spec.hostNetwork", "metadata.name", "status.podIPs"]),
              st.sampled_from(["=", "!="]), st.sampled_from(["n1", "n2", "", "true", "false", "p"])),
    max_size=2,
).map(lambda terms: parse_field_selector(",".join(f + op + v for f, op, v in terms)))


@settings(max_examples=300, deadline=None)
@given(selector=SELECTORS, field_selector=FIELD_SELECTORS, items=st.lists(objects(), max_size=8))
def test_native_and_pure_filters_agree(selector: labels.Selector, field_selector: fields.FieldSelector,
                                       items: list[dict[str, Any]]) -> None:
    tests = fields.field_tests("pods", field_selector)
    native = filter_objects(items, selector, tests, pure=False)
    assert native == filter_objects(items, selector, tests, pure=True)
    # And both agree with the reference definition: labels by Selector.matches, fields by the
    # resource's field set.
    converted = fields.convert_field_selector("pods", field_selector)
    expected = [o for o in items
                if selector.matches((o["metadata"] or {}).get("labels"))
                and converted.matches(fields.object_fields("pods", o))]
    assert [id(o) for o in native] == [id(o) for o in expected]


def test_unvalidated_map_selectors_with_odd_values_match_the_same_on_both(pure: bool) -> None:
    # selector_from_set does not validate, as upstream; both sides must still agree.
    matcher = labels.compile_selector(labels.selector_from_set({"a": 1, "b": "x"}), pure=pure)  # type: ignore[dict-item]
    assert matcher({"a": 1, "b": "x"})
    assert not matcher({"a": "1", "b": "x"})
