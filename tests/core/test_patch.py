"""JSON patch, JSON merge patch and strategic merge patch on API objects in JSON form."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from paddock.core.patch import (
    PatchError,
    apply_json_patch,
    apply_merge_patch,
    apply_strategic_merge_patch,
)
from paddock.core.schema import message_for_kind
from paddock.core.schema.dsl import Message, f

POD = message_for_kind("", "v1", "Pod")
DEPLOYMENT = message_for_kind("apps", "v1", "Deployment")
NODE = message_for_kind("", "v1", "Node")


def frozen(value: Any) -> str:
    """A fingerprint to check that an argument was not modified."""
    return json.dumps(value, sort_keys=True)


# --- RFC 6902 JSON Patch --------------------------------------------------------------------

JSON_PATCH_CASES = [
    # RFC 6902 appendix A, in order
    ("add an object member", {"foo": "bar"},
     [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    ("add an array element", {"foo": ["bar", "baz"]},
     [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ("remove an object member", {"baz": "qux", "foo": "bar"},
     [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ("remove an array element", {"foo": ["bar", "qux", "baz"]},
     [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ("replace a value", {"baz": "qux", "foo": "bar"},
     [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
    ("move a value", {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ("move an array element", {"foo": ["all", "grass", "cows", "eat"]},
     [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),
    ("test passes", {"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ("add a nested member object", {"foo": "bar"},
     [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ("ignore unrecognized members of an operation", {"foo": "bar"},
     [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}], {"foo": "bar", "baz": "qux"}),
    ("~0 and ~1 escapes", {"/": 9, "~1": 10},
     [{"op": "test", "path": "/~01", "value": 10}, {"op": "replace", "path": "/~1", "value": 1}],
     {"/": 1, "~1": 10}),
    ("add an array value", {"foo": ["bar"]},
     [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
     {"foo": ["bar", ["abc", "def"]]}),
    # beyond the appendix
    ("copy a value", {"a": {"b": [1]}},
     [{"op": "copy", "from": "/a/b", "path": "/c"}], {"a": {"b": [1]}, "c": [1]}),
    ("write into one copy leaves the other alone", {"a": {"b": [1]}},
     [{"op": "copy", "from": "/a", "path": "/c"}, {"op": "add", "path": "/c/b/-", "value": 2}],
     {"a": {"b": [1]}, "c": {"b": [1, 2]}}),
    ("append with -", {"spec": {"args": ["a"]}},
     [{"op": "add", "path": "/spec/args/-", "value": "b"}], {"spec": {"args": ["a", "b"]}}),
    ("add at the end index", {"l": [1, 2]},
     [{"op": "add", "path": "/l/2", "value": 3}], {"l": [1, 2, 3]}),
    ("replace the whole document", {"a": 1},
     [{"op": "replace", "path": "", "value": {"b": 2}}], {"b": 2}),
    ("move onto itself is a no-op", {"a": 1},
     [{"op": "move", "from": "/a", "path": "/a"}], {"a": 1}),
    ("several writes to one list", {"l": [1, 2, 3]},
     [{"op": "remove", "path": "/l/0"}, {"op": "replace", "path": "/l/0", "value": 9},
      {"op": "add", "path": "/l/0", "value": 0}], {"l": [0, 9, 3]}),
    ("kubectl rollout undo body", {"spec": {"template": {"a": 1}}, "metadata": {"annotations": {}}},
     [{"op": "replace", "path": "/spec/template", "value": {"b": 2}},
      {"op": "replace", "path": "/metadata/annotations", "value": {"x": "y"}}],
     {"spec": {"template": {"b": 2}}, "metadata": {"annotations": {"x": "y"}}}),
]


@pytest.mark.parametrize(
    "doc,ops,expected", [c[1:] for c in JSON_PATCH_CASES], ids=[c[0] for c in JSON_PATCH_CASES]
)
def test_json_patch_applies_rfc6902_operations(doc: Any, ops: Any, expected: Any) -> None:
    before, ops_before = frozen(doc), frozen(ops)
    assert apply_json_patch(doc, ops) == expected
    assert frozen(doc) == before and frozen(ops) == ops_before


JSON_PATCH_FAILURES = [
    # (name, doc, ops, code, message)
    ("replace of a missing member", {"spec": {}},
     [{"op": "replace", "path": "/spec/foo", "value": 1}], 422,
     "jsonpatch replace operation does not apply: doc is missing path: /spec/foo"),
    ("add below a missing member (RFC A.12)", {"foo": "bar"},
     [{"op": "add", "path": "/baz/bat", "value": "qux"}], 422,
     "jsonpatch add operation does not apply: doc is missing path: /baz/bat"),
    ("remove of a missing member", {"a": 1},
     [{"op": "remove", "path": "/b"}], 422,
     "jsonpatch remove operation does not apply: doc is missing path: /b"),
    ("test of an unequal value (RFC A.9)", {"baz": "qux"},
     [{"op": "test", "path": "/baz", "value": "bar"}], 422,
     "testing value /baz failed: test failed"),
    ("test compares strings and numbers strictly (RFC A.15)", {"/": 9, "~1": 10},
     [{"op": "test", "path": "/~01", "value": "10"}], 422,
     "testing value /~01 failed: test failed"),
    ("test tells true from 1", {"a": 1},
     [{"op": "test", "path": "/a", "value": True}], 422, "testing value /a failed: test failed"),
    ("index past the end", {"l": [1]},
     [{"op": "add", "path": "/l/5", "value": 2}], 422,
     "jsonpatch add operation does not apply: Unable to access invalid index: 5"),
    ("index with a leading zero", {"l": [1, 2]},
     [{"op": "replace", "path": "/l/01", "value": 2}], 422,
     "jsonpatch replace operation does not apply: Unable to access invalid index: 01"),
    ("remove at the length of the list", {"l": [1]},
     [{"op": "remove", "path": "/l/1"}], 422,
     "jsonpatch remove operation does not apply: Unable to access invalid index: 1"),
    ("move from a missing member", {"a": 1},
     [{"op": "move", "from": "/b", "path": "/c"}], 422,
     "jsonpatch move operation does not apply: doc is missing from path: /b"),
    ("move into its own child", {"a": {"b": 1}},
     [{"op": "move", "from": "/a", "path": "/a/b/c"}], 422,
     "jsonpatch move operation does not apply: cannot move /a into its own child /a/b/c"),
    ("pointer without a leading slash", {"a": 1},
     [{"op": "add", "path": "a", "value": 1}], 422,
     "jsonpatch add operation does not apply: doc is missing path: a"),
    ("body that is not a list", {"a": 1}, {"op": "add"}, 400,
     "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    ("operation that is not an object", {"a": 1}, ["add"], 400,
     "json: cannot unmarshal string into Go value of type jsonpatch.Operation"),
    ("unknown operation", {"a": 1}, [{"op": "frob", "path": "/a"}], 400, "Unexpected kind: frob"),
    ("add without a value", {"a": 1}, [{"op": "add", "path": "/b"}], 400,
     "add operation missing value field"),
    ("operation without a path", {"a": 1}, [{"op": "remove"}], 400, "operation missing path field"),
]


@pytest.mark.parametrize(
    "doc,ops,code,message",
    [c[1:] for c in JSON_PATCH_FAILURES],
    ids=[c[0] for c in JSON_PATCH_FAILURES],
)
def test_json_patch_failure_is_a_status_error(doc: Any, ops: Any, code: int, message: str) -> None:
    before = frozen(doc)
    with pytest.raises(PatchError) as caught:
        apply_json_patch(doc, ops)
    assert caught.value.code == code
    assert caught.value.reason == {400: "BadRequest", 422: "Invalid"}[code]
    assert str(caught.value) == message
    assert caught.value.status()["message"] == message
    assert frozen(doc) == before


def test_json_patch_is_atomic_when_a_later_operation_fails() -> None:
    doc = {"a": {"b": 1}}
    with pytest.raises(PatchError):
        apply_json_patch(doc, [{"op": "replace", "path": "/a/b", "value": 2},
                               {"op": "test", "path": "/a/b", "value": 3}])
    assert doc == {"a": {"b": 1}}


def test_json_patch_shares_untouched_subtrees_with_the_input() -> None:
    doc: dict[str, Any] = {"spec": {"big": {"x": list(range(100))}, "n": 1}, "status": {"s": 1}}
    out = apply_json_patch(doc, [{"op": "replace", "path": "/spec/n", "value": 2}])
    assert out["spec"]["n"] == 2 and doc["spec"]["n"] == 1
    assert out["status"] is doc["status"]
    assert out["spec"]["big"] is doc["spec"]["big"]


def test_json_patch_refuses_more_operations_than_upstream_allows() -> None:
    ops = [{"op": "test", "path": "", "value": {}}] * 10001
    with pytest.raises(PatchError) as caught:
        apply_json_patch({}, ops)
    assert caught.value.code == 413


# --- RFC 7386 JSON Merge Patch --------------------------------------------------------------

MERGE_PATCH_CASES = [
    # RFC 7386 appendix A, the rows whose patch is an object
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    # what kubectl label / scale send
    ({"metadata": {"labels": {"app": "x", "tier": "fe"}}}, {"metadata": {"labels": {"tier": None}}},
     {"metadata": {"labels": {"app": "x"}}}),
    ({"spec": {"replicas": 1}, "status": {"replicas": 1}}, {"spec": {"replicas": 2}},
     {"spec": {"replicas": 2}, "status": {"replicas": 1}}),
]


@pytest.mark.parametrize("doc,patch,expected", MERGE_PATCH_CASES)
def test_merge_patch_follows_rfc7386(doc: Any, patch: Any, expected: Any) -> None:
    before = frozen(doc)
    assert apply_merge_patch(doc, patch) == expected
    assert frozen(doc) == before


@pytest.mark.parametrize("patch", [["c", "d"], None, "bar"])
def test_merge_patch_that_is_not_an_object_is_a_bad_request(patch: Any) -> None:
    # RFC 7386 would replace the whole document; for an API object upstream refuses
    with pytest.raises(PatchError) as caught:
        apply_merge_patch({"a": "b"}, patch)
    assert caught.value.code == 400 and caught.value.reason == "BadRequest"


def test_merge_patch_shares_untouched_subtrees() -> None:
    doc: dict[str, Any] = {
        "metadata": {"labels": {"a": "1"}}, "spec": {"containers": [{"name": "c"}]},
    }
    out = apply_merge_patch(doc, {"metadata": {"labels": {"b": "2"}}})
    assert out["spec"] is doc["spec"]
    assert doc["metadata"]["labels"] == {"a": "1"}


# --- strategic merge patch --------------------------------------------------------------------


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "d1",
            "labels": {"app": "d1", "tier": "web"},
            "finalizers": ["example.com/a", "example.com/b"],
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "d1"}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": {
                "metadata": {"labels": {"app": "d1"}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "nginx:1.26",
                            "args": ["--a", "--b"],
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        },
                        {"name": "side", "image": "busybox"},
                    ],
                    "volumes": [{"name": "data", "emptyDir": {}}],
                },
            },
        },
        "status": {"replicas": 1},
    }


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return obj["spec"]["template"]["spec"]["containers"]


def smp(patch: dict[str, Any], doc: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = doc if doc is not None else deployment()
    before = frozen(doc)
    out = apply_strategic_merge_patch(doc, patch, DEPLOYMENT)
    assert frozen(doc) == before, "the patch modified its input"
    return out


def test_smp_set_image_changes_only_the_named_container() -> None:
    # kubectl set image deployment/d1 c=nginx:1.28
    out = smp({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "c"}, {"name": "side"}],
        "containers": [{"image": "nginx:1.28", "name": "c"}],
    }}}})
    first, second = containers(out)
    assert first["image"] == "nginx:1.28" and first["env"][0] == {"name": "A", "value": "1"}
    assert second == {"name": "side", "image": "busybox"}


def test_smp_set_element_order_reorders_a_merged_list() -> None:
    out = smp({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "side"}, {"name": "c"}],
    }}}})
    assert [c["name"] for c in containers(out)] == ["side", "c"]


def test_smp_set_element_order_places_a_new_item() -> None:
    # kubectl apply adding a container at the end of the manifest
    out = smp({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "c"}, {"name": "side"}, {"name": "new"}],
        "containers": [{"name": "new", "image": "redis"}],
    }}}})
    assert [c["name"] for c in containers(out)] == ["c", "side", "new"]


def test_smp_set_element_order_never_adds_items() -> None:
    out = smp({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "ghost"}, {"name": "side"}, {"name": "c"}],
    }}}})
    assert [c["name"] for c in containers(out)] == ["side", "c"]


def test_smp_new_item_without_order_comes_first_as_upstream() -> None:
    # kubectl patch -p '{"spec":{"template":{"spec":{"containers":[{"name":"new",...}]}}}}'
    out = smp({"spec": {"template": {"spec": {"containers": [{"name": "new", "image": "redis"}]}}}})
    assert [c["name"] for c in containers(out)] == ["new", "c", "side"]


def test_smp_patch_order_wins_and_server_only_items_keep_their_place() -> None:
    doc = deployment()
    doc["spec"]["template"]["spec"]["containers"] = [{"name": n} for n in "123"]
    out = smp({"spec": {"template": {"spec": {"containers": [{"name": "3"}, {"name": "1"}]}}}}, doc)
    assert [c["name"] for c in containers(out)] == ["2", "3", "1"]


def test_smp_set_element_order_must_agree_with_the_patch_list() -> None:
    with pytest.raises(PatchError) as caught:
        smp({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "side"}, {"name": "c"}],
            "containers": [{"name": "c", "image": "x"}, {"name": "side", "image": "y"}],
        }}}})
    assert caught.value.code == 400 and "doesn't match $setElementOrder" in str(caught.value)


def test_smp_null_deletes_a_label() -> None:
    # kubectl apply after removing the tier label from the manifest
    out = smp({"metadata": {"labels": {"tier": None}}})
    assert out["metadata"]["labels"] == {"app": "d1"}


def test_smp_null_for_a_missing_key_is_dropped() -> None:
    out = smp({"metadata": {"annotations": {"gone": None, "kept": "x"}}})
    assert out["metadata"]["annotations"] == {"kept": "x"}


def test_smp_env_merges_by_name() -> None:
    out = smp({"spec": {"template": {"spec": {"containers": [{
        "name": "c",
        "$setElementOrder/env": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
        "env": [{"name": "B", "value": "two"}, {"name": "C", "value": "3"}],
    }]}}}})
    assert containers(out)[0]["env"] == [
        {"name": "A", "value": "1"}, {"name": "B", "value": "two"}, {"name": "C", "value": "3"},
    ]


def test_smp_ports_merge_on_container_port() -> None:
    out = smp({"spec": {"template": {"spec": {"containers": [{
        "name": "c",
        "$setElementOrder/ports": [{"containerPort": 80}, {"containerPort": 443}],
        "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}],
    }]}}}})
    assert containers(out)[0]["ports"] == [
        {"containerPort": 80, "protocol": "TCP", "name": "http"}, {"containerPort": 443},
    ]


def test_smp_patch_delete_removes_a_list_item() -> None:
    out = smp({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "c"}],
        "containers": [{"$patch": "delete", "name": "side"}],
    }}}})
    assert [c["name"] for c in containers(out)] == ["c"]


def test_smp_patch_replace_in_a_list_replaces_it() -> None:
    out = smp({"spec": {"template": {"spec": {
        "containers": [{"name": "only", "image": "x"}, {"$patch": "replace"}],
    }}}})
    assert containers(out) == [{"name": "only", "image": "x"}]


def test_smp_patch_replace_in_a_map_replaces_it() -> None:
    out = smp({"metadata": {"labels": {"$patch": "replace", "new": "1"}}})
    assert out["metadata"]["labels"] == {"new": "1"}


def test_smp_patch_delete_in_a_map_empties_it() -> None:
    out = smp({"spec": {"strategy": {"$patch": "delete"}}})
    assert out["spec"]["strategy"] == {}


def test_smp_patch_merge_is_the_default() -> None:
    out = smp({"metadata": {"labels": {"$patch": "merge", "new": "1"}}})
    assert out["metadata"]["labels"] == {"app": "d1", "tier": "web", "new": "1"}


def test_smp_unknown_directive_is_a_bad_request() -> None:
    with pytest.raises(PatchError) as caught:
        smp({"metadata": {"labels": {"$patch": "frob"}}})
    assert caught.value.code == 400


def test_smp_retain_keys_switches_rolling_update_to_recreate() -> None:
    # kubectl apply after changing strategy.type to Recreate and dropping rollingUpdate
    out = smp({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": None,
                                     "type": "Recreate"}}})
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_smp_retain_keys_drops_keys_the_patch_does_not_name() -> None:
    out = smp({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_smp_retain_keys_must_cover_the_patch() -> None:
    with pytest.raises(PatchError) as caught:
        smp({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}})
    assert caught.value.code == 400 and "retainKeys" in str(caught.value)


def test_smp_finalizers_merge_as_a_set() -> None:
    out = smp({"metadata": {"finalizers": ["example.com/b", "example.com/c"]}})
    assert out["metadata"]["finalizers"] == ["example.com/a", "example.com/b", "example.com/c"]


def test_smp_delete_from_primitive_list_removes_finalizers() -> None:
    out = smp({"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/a"]}})
    assert out["metadata"]["finalizers"] == ["example.com/b"]


def test_smp_delete_from_a_missing_primitive_list_adds_nothing() -> None:
    doc = deployment()
    del doc["metadata"]["finalizers"]
    out = smp({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}, doc)
    assert "finalizers" not in out["metadata"]


def test_smp_set_element_order_orders_a_primitive_list() -> None:
    out = smp({"metadata": {
        "$setElementOrder/finalizers": ["example.com/b", "example.com/a"],
    }})
    assert out["metadata"]["finalizers"] == ["example.com/b", "example.com/a"]


def test_smp_list_without_merge_strategy_is_replaced() -> None:
    out = smp({"spec": {"template": {"spec": {"containers": [{"name": "c", "args": ["--z"]}]}}}})
    assert containers(out)[0]["args"] == ["--z"]


def test_smp_volume_source_switch_keeps_the_name() -> None:
    # volumes are merge,retainKeys; kubectl sends the new source and nulls the old one
    out = smp({"spec": {"template": {"spec": {"volumes": [
        {"$retainKeys": ["configMap", "name"], "configMap": {"name": "cm"}, "emptyDir": None,
         "name": "data"},
    ]}}}})
    volumes = out["spec"]["template"]["spec"]["volumes"]
    assert volumes == [{"name": "data", "configMap": {"name": "cm"}}]


def test_smp_missing_merge_key_is_a_bad_request() -> None:
    with pytest.raises(PatchError) as caught:
        smp({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}})
    assert caught.value.code == 400
    assert "does not contain declared merge key: name" in str(caught.value)


def test_smp_cordon_sets_unschedulable() -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}, "spec": {}}
    out = apply_strategic_merge_patch(node, {"spec": {"unschedulable": True}}, NODE)
    assert out["spec"] == {"unschedulable": True} and node["spec"] == {}


def test_smp_python_client_scale_body() -> None:
    out = smp({"spec": {"replicas": 3}})
    assert out["spec"]["replicas"] == 3 and out["status"] == {"replicas": 1}


def test_smp_kubectl_apply_update_body() -> None:
    last = json.dumps({"kind": "Deployment"}) + "\n"
    out = smp({
        "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": last}},
        "spec": {"replicas": 3, "template": {"spec": {
            "$setElementOrder/containers": [{"name": "c"}, {"name": "side"}],
            "containers": [{"image": "nginx:1.27", "name": "c"}],
        }}},
    })
    annotations = out["metadata"]["annotations"]
    assert annotations == {"kubectl.kubernetes.io/last-applied-configuration": last}
    assert out["spec"]["replicas"] == 3 and containers(out)[0]["image"] == "nginx:1.27"


def test_smp_new_field_is_cleaned_of_nulls_and_directives() -> None:
    out = smp({"spec": {"template": {"spec": {"securityContext": {"runAsUser": 1, "fsGroup": None},
                                              "containers": [{"name": "c"}]}}}})
    assert out["spec"]["template"]["spec"]["securityContext"] == {"runAsUser": 1}


def test_smp_unknown_kind_merges_maps_and_replaces_lists() -> None:
    doc = {"spec": {"items": [{"name": "a"}], "m": {"x": 1}}}
    patch = {"spec": {"items": [{"name": "b"}], "m": {"y": 2}}}
    out = apply_strategic_merge_patch(doc, patch, None)
    assert out == {"spec": {"items": [{"name": "b"}], "m": {"x": 1, "y": 2}}}


def test_smp_shares_untouched_subtrees() -> None:
    doc = deployment()
    out = smp({"spec": {"replicas": 5}}, doc)
    assert out["status"] is doc["status"]
    assert out["spec"]["template"] is doc["spec"]["template"]
    assert out["metadata"] is doc["metadata"]


def test_smp_patch_that_is_not_an_object_is_a_bad_request() -> None:
    with pytest.raises(PatchError) as caught:
        smp([{"op": "add"}])  # type: ignore[arg-type]
    assert caught.value.code == 400


def test_smp_works_on_hand_built_types_with_their_own_resolver() -> None:
    item = Message("test.Item", "", (f("key", 1, "string"), f("v", 2, "string")))
    top = Message("test.Top", "", (
        f("items", 1, "test.Item", repeated=True, merge_key="key", patch_strategy="merge"),
    ))
    types = {m.name: m for m in (item, top)}
    doc = {"items": [{"key": "a", "v": "1"}, {"key": "b", "v": "2"}]}
    out = apply_strategic_merge_patch(
        doc, {"items": [{"key": "b", "v": "two"}]}, top, resolve=types.get
    )
    assert out == {"items": [{"key": "a", "v": "1"}, {"key": "b", "v": "two"}]}


def test_smp_does_not_mutate_deeply_nested_input() -> None:
    doc = deployment()
    snapshot = copy.deepcopy(doc)
    smp({"spec": {"template": {"spec": {"containers": [
        {"name": "c", "env": [{"name": "A", "$patch": "delete"}], "ports": [{"containerPort": 81}]},
    ]}}}}, doc)
    assert doc == snapshot
