"""Label selectors: the string grammar, its errors, structured selectors, and matching.

Every matching test runs on both implementations (the ``compile`` fixture); the grammar and
error tests exercise ``paddock.core.labels`` alone, which both share.  The expected error
messages were checked against upstream's own parser (kubectl 1.32 parses ``create pdb
--selector`` client-side with the same apimachinery code the apiserver runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paddock.core import labels
from paddock.core.labels import Operator, Requirement, SelectorError, parse_selector

Matcher = Callable[[labels.Selector], labels.LabelMatcher]

VALUE_REGEX_ERROR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
NAME_REGEX_ERROR = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
PREFIX_REGEX_ERROR = (
    "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
    "'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"


@pytest.fixture(params=["pure", "native"])
def compile(request: pytest.FixtureRequest) -> Matcher:
    """compile_selector forced to one implementation; native must be built (never skipped)."""
    pure = request.param == "pure"
    return lambda selector: labels.compile_selector(selector, pure=pure)


# -- grammar ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "canonical"), [
    ("", ""),
    ("   ", ""),
    ("x=a,y=b,z=c", "x=a,y=b,z=c"),
    ("z=c,x=a", "x=a,z=c"),
    ("x!=a,y=b", "x!=a,y=b"),
    ("x==a", "x==a"),
    ("x=", "x="),
    ("x= ", "x="),
    ("x=,z= ", "x=,z="),
    ("!x", "!x"),
    ("x", "x"),
    ("\rx", "x"),
    ("a ", "a"),
    ("x>1", "x>1"),
    ("x>1,z<5", "x>1,z<5"),
    ("x in (b,a)", "x in (a,b)"),
    ("x in (abc,abc)", "x in (abc)"),
    ("foo  in\t (abc)", "foo in (abc)"),
    ("x notin\n (abc,def)", "x notin (abc,def)"),
    ("x in ()", "x in ()"),
    ("x notin ( )", "x notin ()"),
    ("x in (abc,)", "x in (,abc)"),
    ("x notin (, a)", "x notin (,a)"),
    ("x in (a,,,)", "x in (,a)"),
    ("x in (a,,a,,a,,a,,)", "x in (,a)"),
    ("x in (,,)", "x in ()"),  # rejected before Kubernetes 1.35, whose fix we follow
    ("x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"),
    ("in in (in), notin=notin", "in in (in),notin=notin"),
    ("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
    ("this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"),
    ("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
     "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"),
    ("app.kubernetes.io/name=web,tier!=db", "app.kubernetes.io/name=web,tier!=db"),
])
def test_valid_selectors_parse_to_upstreams_canonical_string(text: str, canonical: str) -> None:
    assert str(parse_selector(text)) == canonical


@pytest.mark.parametrize("text", [
    "x=a,y!=b,z in (h,i,j),!w,v,u>3,t<9", "a in (,x)", "k8s.io/a notin (b,c)", "",
])
def test_the_canonical_string_parses_back_to_an_equal_selector(text: str) -> None:
    selector = parse_selector(text)
    assert parse_selector(str(selector)) == selector


def test_parse_yields_requirements_sorted_by_key_with_their_operators() -> None:
    selector = parse_selector("z, !y, x in (b,a), w notin (c), v=1, u==2, t!=3, s>4, r<5")
    assert selector.requirements == (
        Requirement("r", Operator.LESS_THAN, ("5",)),
        Requirement("s", Operator.GREATER_THAN, ("4",)),
        Requirement("t", Operator.NOT_EQUALS, ("3",)),
        Requirement("u", Operator.DOUBLE_EQUALS, ("2",)),
        Requirement("v", Operator.EQUALS, ("1",)),
        Requirement("w", Operator.NOT_IN, ("c",)),
        Requirement("x", Operator.IN, ("a", "b")),
        Requirement("y", Operator.DOES_NOT_EXIST, ()),
        Requirement("z", Operator.EXISTS, ()),
    )


def test_requirements_on_the_same_key_keep_their_order() -> None:
    assert str(parse_selector("z!=a,x=abc,z")) == "x=abc,z!=a,z"


@pytest.mark.parametrize(("text", "message"), [
    ("!x=a", "found '=', expected: ',' or 'end of string'"),
    ("x==a==b", "found '==', expected: ',' or 'end of string'"),
    (",", "found ',', expected: !, identifier, or 'end of string'"),
    ("(", "found '(', expected: !, identifier, or 'end of string'"),
    ("a=b,", "found '', expected: identifier after ','"),
    ("x=a,,y=b", "found ',', expected: identifier after ','"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("a=b)", "found ')', expected: ',' or 'end of string'"),
    ("x notin (a)b", "found 'b', expected: ',' or 'end of string'"),
    ("a b", f"unable to parse requirement: found 'b', expected: {BINARY_OPERATORS}"),
    ("a!b", f"unable to parse requirement: found '!', expected: {BINARY_OPERATORS}"),
    ("a (", f"unable to parse requirement: found '(', expected: {BINARY_OPERATORS}"),
    ("x nott in (y)", f"unable to parse requirement: found 'nott', expected: {BINARY_OPERATORS}"),
    ("!", "unable to parse requirement: found '', expected: identifier"),
    ("!!a", "unable to parse requirement: found '!', expected: identifier"),
    ("a,!", "unable to parse requirement: found '', expected: identifier"),
    ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
    ("a in b", "unable to parse requirement: found 'b' expected: '('"),
    ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("x in (a,b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
    ("a in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
    ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": "
            "for 'Gt', 'Lt' operators, the value must be an integer"),
    ("x=a||y=b", f"unable to parse requirement: values[0][x]: Invalid value: \"a||y\": {VALUE_REGEX_ERROR}"),
    ("a>-1", f"unable to parse requirement: values[0][a]: Invalid value: \"-1\": {VALUE_REGEX_ERROR}"),
    ("a=" + "v" * 64, "unable to parse requirement: values[0][a]: Invalid value: \""
                      + "v" * 64 + "\": must be no more than 63 characters"),
    ("-a", f"unable to parse requirement: <nil>: Invalid value: \"-a\": {NAME_REGEX_ERROR}"),
    ("a/=b", "unable to parse requirement: <nil>: Invalid value: \"a/\": "
             f"name part must be non-empty; {NAME_REGEX_ERROR}"),
    ("/a=b", "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be non-empty"),
    ("A/b=c", f"unable to parse requirement: <nil>: Invalid value: \"A/b\": {PREFIX_REGEX_ERROR}"),
    ("ké=v", f"unable to parse requirement: <nil>: Invalid value: \"ké\": {NAME_REGEX_ERROR}"),
    ("x=a\"b", f"unable to parse requirement: values[0][x]: Invalid value: \"a\\\"b\": {VALUE_REGEX_ERROR}"),
])
def test_invalid_selectors_fail_with_upstreams_message(text: str, message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        parse_selector(text)
    assert str(caught.value) == message


def test_a_key_with_two_slashes_is_not_a_qualified_name() -> None:
    with pytest.raises(SelectorError, match=r'^unable to parse requirement: <nil>: Invalid value: "a/b/c": '
                                            r"a qualified name must consist of .* with an optional DNS "
                                            r"subdomain prefix and '/' \(e\.g\. 'example\.com/MyName'\)$"):
        parse_selector("a/b/c")


def test_a_nul_character_where_a_token_starts_ends_the_selector_like_upstreams_lexer() -> None:
    assert str(parse_selector("a=b,c \0garbage here")) == "a=b,c"
    with pytest.raises(SelectorError, match="expected: identifier after ','"):
        parse_selector("a=b, \0c")


def test_a_nul_character_right_after_an_operator_is_skipped_like_upstreams_lexer() -> None:
    assert str(parse_selector("a=b,\0c")) == "a=b,c"


def test_a_nul_character_inside_a_word_separates_it_like_upstreams_lexer() -> None:
    assert str(parse_selector("a=b\0")) == "a=b"
    with pytest.raises(SelectorError, match=f"found 'garbage', expected: {BINARY_OPERATORS}"):
        parse_selector("c\0garbage")


def test_selector_error_is_a_value_error_for_callers_that_catch_broadly() -> None:
    assert issubclass(SelectorError, ValueError)


# -- key and value validation ----------------------------------------------------------------

@pytest.mark.parametrize("key", [
    "a", "A", "a-b_c.d", "0", "x" * 63, "example.com/MyName", "k8s.io/a", "a" * 253 + "/b",
])
def test_valid_label_keys_have_no_errors(key: str) -> None:
    assert labels.validate_label_key(key) == []


@pytest.mark.parametrize(("key", "errors"), [
    ("", ["name part must be non-empty", NAME_REGEX_ERROR]),
    ("-a", [NAME_REGEX_ERROR]),
    ("a" * 64, ["name part must be no more than 63 characters"]),
    ("/a", ["prefix part must be non-empty"]),
    ("Example.com/a", [PREFIX_REGEX_ERROR]),
    ("a" * 254 + "/b", ["prefix part must be no more than 253 characters"]),
])
def test_invalid_label_keys_list_upstreams_reasons(key: str, errors: list[str]) -> None:
    assert labels.validate_label_key(key) == errors


@pytest.mark.parametrize("value", ["", "a", "MyValue", "my_value", "12345", "a.b-c_d", "v" * 63])
def test_valid_label_values_have_no_errors(value: str) -> None:
    assert labels.validate_label_value(value) == []


@pytest.mark.parametrize(("value", "errors"), [
    ("-a", [VALUE_REGEX_ERROR]),
    ("a b", [VALUE_REGEX_ERROR]),
    ("v" * 64, ["must be no more than 63 characters"]),
    ("é" * 32, ["must be no more than 63 characters", VALUE_REGEX_ERROR]),  # 64 bytes in UTF-8
])
def test_invalid_label_values_list_upstreams_reasons(value: str, errors: list[str]) -> None:
    assert labels.validate_label_value(value) == errors


@pytest.mark.parametrize(("text", "quoted"), [
    ("plain", '"plain"'),
    ('a"b\\c', '"a\\"b\\\\c"'),
    ("tab\there\n", '"tab\\there\\n"'),
    ("\x01\x7f", '"\\x01\\x7f"'),
    ("é\u00a0\u2028", '"é\\u00a0\\u2028"'),
    ("\U0001f600\U000e0001", '"\U0001f600\\U000e0001"'),
])
def test_go_quote_matches_gos_percent_q(text: str, quoted: str) -> None:
    assert labels.go_quote(text) == quoted


# -- structured selectors --------------------------------------------------------------------

def test_a_nil_label_selector_selects_nothing(compile: Matcher) -> None:
    selector = labels.selector_from_label_selector(None)
    assert not selector.empty
    assert str(selector) == ""
    assert not compile(selector)({})
    assert not compile(selector)({"a": "b"})


@pytest.mark.parametrize("ls", [{}, {"matchLabels": {}, "matchExpressions": []}, {"matchLabels": None}])
def test_an_empty_label_selector_selects_everything(compile: Matcher, ls: dict[str, Any]) -> None:
    selector = labels.selector_from_label_selector(ls)
    assert selector.empty
    assert compile(selector)({})
    assert compile(selector)({"a": "b"})


def test_a_label_selector_combines_match_labels_and_expressions() -> None:
    selector = labels.selector_from_label_selector({
        "matchLabels": {"app": "web", "env": "prod"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["fe", "be"]},
            {"key": "track", "operator": "NotIn", "values": ["canary"]},
            {"key": "owner", "operator": "Exists"},
            {"key": "legacy", "operator": "DoesNotExist", "values": []},
        ],
    })
    assert str(selector) == "app=web,env=prod,!legacy,owner,tier in (be,fe),track notin (canary)"
    assert selector.exact_value("app") == "web"


@pytest.mark.parametrize(("ls", "message"), [
    ({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
     '"Gt" is not a valid label selector operator'),
    ({"matchExpressions": [{"key": "a", "operator": "in", "values": ["1"]}]},
     '"in" is not a valid label selector operator'),
    ({"matchExpressions": [{"key": "a"}]}, '"" is not a valid label selector operator'),
    ({"matchExpressions": [{"key": "a", "operator": "In"}]},
     "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": []}]},
     "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"),
    ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x", "<y>"]}]},
     '[values: Invalid value: ["x","\\u003cy\\u003e"]: values set must be empty for exists and does '
     f'not exist, values[1][a]: Invalid value: "<y>": {VALUE_REGEX_ERROR}]'),
    ({"matchLabels": {"-a": "b"}}, f'key: Invalid value: "-a": {NAME_REGEX_ERROR}'),
    ({"matchLabels": {"a": "b c"}}, f'values[0][a]: Invalid value: "b c": {VALUE_REGEX_ERROR}'),
    ({"matchLabels": {"-a": "-b"}},
     f'[key: Invalid value: "-a": {NAME_REGEX_ERROR}, values[0][-a]: Invalid value: "-b": {VALUE_REGEX_ERROR}]'),
])
def test_invalid_label_selectors_fail_with_upstreams_message(ls: dict[str, Any], message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        labels.selector_from_label_selector(ls)
    assert str(caught.value) == message


def test_a_map_selector_requires_every_pair() -> None:
    selector = labels.selector_from_set({"tier": "fe", "app": "web"})
    assert str(selector) == "app=web,tier=fe"
    assert labels.selector_string_from_set({"tier": "fe", "app": "web"}) == "app=web,tier=fe"
    assert selector.requirements[0] == Requirement("app", Operator.EQUALS, ("web",))


@pytest.mark.parametrize("mapping", [None, {}])
def test_an_empty_map_selector_selects_everything(mapping: dict[str, str] | None) -> None:
    assert labels.selector_from_set(mapping).empty
    assert labels.selector_string_from_set(mapping) == ""


def test_the_scale_selector_string_of_a_label_selector_is_canonical() -> None:
    ls = {"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]}]}
    assert labels.selector_string_from_label_selector(ls) == "a=1,b=2,c in (x,y)"


# -- exact values for index lookups ----------------------------------------------------------

@pytest.mark.parametrize(("text", "key", "value"), [
    ("app=web", "app", "web"),
    ("app==web,tier=fe", "tier", "fe"),
    ("app in (web)", "app", "web"),
    ("app=", "app", ""),
    ("app in (web,api)", "app", None),
    ("app!=web", "app", None),
    ("app notin (web)", "app", None),
    ("app", "app", None),
    ("!app", "app", None),
    ("tier=fe", "app", None),
    ("", "app", None),
    ("app, app=web", "app", None),  # only the first requirement on a key counts, as upstream
])
def test_exact_value_is_the_value_a_selector_pins(text: str, key: str, value: str | None) -> None:
    assert parse_selector(text).exact_value(key) == value


# -- matching --------------------------------------------------------------------------------

FOO_BAR = {"foo": "bar", "baz": "blah"}


@pytest.mark.parametrize(("text", "label_set", "expected"), [
    ("", {"x": "y"}, True),
    ("", {}, True),
    ("x=y", {"x": "y"}, True),
    ("x==y", {"x": "y"}, True),
    ("x=y,z=w", {"x": "y", "z": "w"}, True),
    ("x!=y,z!=w", {"x": "z", "z": "a"}, True),
    ("notin=in", {"notin": "in"}, True),
    ("x", {"x": "z"}, True),
    ("x", {"x": ""}, True),
    ("!x", {"y": "z"}, True),
    ("x>1", {"x": "2"}, True),
    ("x<1", {"x": "0"}, True),
    ("x=z", {}, False),
    ("x=y", {"x": "z"}, False),
    ("x=y,z=w", {"x": "w", "z": "w"}, False),
    ("x!=y,z!=w", {"x": "z", "z": "w"}, False),
    ("x", {"y": "z"}, False),
    ("!x", {"x": "z"}, False),
    ("x>1", {"x": "0"}, False),
    ("x<1", {"x": "2"}, False),
    ("x>1", {"x": "v2"}, False),
    ("x>1", {}, False),
    ("x<1", {}, False),
    ("x=", {"x": ""}, True),
    ("x=", {}, False),
    ("x!=", {}, True),
    ("x in ()", {"x": ""}, True),
    ("x in (a,b)", {"x": "b"}, True),
    ("x in (a,b)", {"x": "c"}, False),
    ("x in (a,b)", {}, False),
    ("x notin (a,b)", {"x": "c"}, True),
    ("x notin (a,b)", {"x": "a"}, False),
    ("x notin (a,b)", {}, True),
    ("x notin (),y", {"y": ""}, True),
    ("!x,y", {"y": ""}, True),
    ("x notin (),!y", {"y": ""}, False),
    ("foo=bar", FOO_BAR, True),
    ("baz=blah", FOO_BAR, True),
    ("foo=bar,baz=blah", FOO_BAR, True),
    ("foo=blah", FOO_BAR, False),
    ("baz=bar", FOO_BAR, False),
    ("foo=bar,foobar=bar,baz=blah", FOO_BAR, False),
])
def test_selectors_match_label_sets_as_upstream(compile: Matcher, text: str,
                                                label_set: dict[str, str], expected: bool) -> None:
    matcher = compile(parse_selector(text))
    assert matcher(label_set) is expected
    assert matcher.matches(label_set) is expected


@pytest.mark.parametrize(("text", "value", "expected"), [
    ("x>4", "5", True),
    ("x>4", "+5", True),
    ("x>4", "0005", True),
    ("x<1", "-0", True),
    ("x<1", "-9223372036854775808", True),
    ("x>1", "9223372036854775807", True),
    ("x>1", "9223372036854775808", False),  # out of int64: not an integer, no match
    ("x<1", "-9223372036854775809", False),
    ("x>1", " 5", False),
    ("x>1", "5_0", False),
    ("x>1", "\u0663", False),  # an Arabic-Indic digit is not a Go decimal digit
    ("x>1", "", False),
    ("x>1", "+", False),
    ("x<1", "-", False),
    ("x>9223372036854775806", "9223372036854775807", True),
])
def test_ordering_operators_parse_label_values_like_go(compile: Matcher, text: str,
                                                       value: str, expected: bool) -> None:
    assert compile(parse_selector(text))({"x": value}) is expected


def test_no_labels_match_like_an_empty_label_set(compile: Matcher) -> None:
    assert compile(parse_selector("!x,y notin (a)"))(None)
    assert not compile(parse_selector("x"))(None)
    assert compile(labels.everything())(None)


def test_the_nothing_selector_matches_no_label_set(compile: Matcher) -> None:
    matcher = compile(labels.nothing())
    assert not matcher({})
    assert not matcher(None)
    assert not labels.nothing().empty


def test_a_map_selector_matches_supersets_of_its_pairs(compile: Matcher) -> None:
    matcher = compile(labels.selector_from_set({"app": "web"}))
    assert matcher({"app": "web", "tier": "fe"})
    assert not matcher({"app": "api"})
    assert not matcher({})
