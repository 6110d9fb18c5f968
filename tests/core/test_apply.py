"""Server-side apply, managedFields tracking and the FieldsV1 format."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paddock.core.apply import (
    ApplyConflict,
    FieldSet,
    _raw_add,
    _raw_intersect,
    _raw_subtract,
    default_manager,
    fields_of,
    server_side_apply,
    update_managed_fields,
)
from paddock.core.patch import PatchError, apply_strategic_merge_patch
from paddock.core.schema import message_for_kind

DEPLOYMENT = message_for_kind("apps", "v1", "Deployment")
POD = message_for_kind("", "v1", "Pod")
T0, T1, T2 = "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"


def manifest(replicas: int = 2, image: str = "nginx:1.26") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d1", "namespace": "default", "labels": {"app": "d1"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "d1"}},
            "template": {
                "metadata": {"labels": {"app": "d1"}},
                "spec": {
                    "containers": [
                        {"name": "c", "image": image, "ports": [{"containerPort": 80}]},
                    ],
                },
            },
        },
    }


def stored(obj: dict[str, Any]) -> dict[str, Any]:
    """What the apiserver adds on create, so that live objects look real."""
    out = copy.deepcopy(obj)
    out["metadata"].update(uid="u1", resourceVersion="1", creationTimestamp=T0)
    out["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = "TCP"
    out["status"] = {"replicas": out["spec"].get("replicas", 1)}
    return out


def entries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return obj["metadata"].get("managedFields", [])


def entry(obj: dict[str, Any], manager: str) -> dict[str, Any]:
    (found,) = [e for e in entries(obj) if e["manager"] == manager]
    return found


def apply(live: dict[str, Any] | None, cfg: dict[str, Any], manager: str = "kubectl",
          force: bool = False, now: str = T1) -> dict[str, Any]:
    before_live, before_cfg = json.dumps(live), json.dumps(cfg)
    out = server_side_apply(live, cfg, manager, force, DEPLOYMENT, now)
    assert json.dumps(live) == before_live and json.dumps(cfg) == before_cfg
    return out


def created_by(manager: str, obj: dict[str, Any]) -> dict[str, Any]:
    """An object as a plain create by ``manager`` (kubectl create, client-side apply) leaves it."""
    new = stored(obj)
    update_managed_fields(None, new, manager, message=DEPLOYMENT, now=T0)
    return new


# --- FieldsV1 ---------------------------------------------------------------------------------


def test_fields_v1_round_trips_with_members_and_children() -> None:
    raw = {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {"f:containers": {'k:{"name":"c"}': {".": {}, "f:image": {}}},
                   "f:finalizers": {'v:"a"': {}}},
    }
    fs = FieldSet.from_fields_v1(raw)
    assert fs.has(("f:metadata", "f:labels"))
    assert fs.has(("f:metadata", "f:labels", "f:app"))
    assert not fs.has(("f:metadata",))
    assert fs.has(("f:spec", "f:containers", 'k:{"name":"c"}', "f:image"))
    assert fs.to_fields_v1() == raw


def test_fields_v1_keys_are_canonicalised_with_sorted_key_fields() -> None:
    fs = FieldSet.from_fields_v1({'k:{"protocol": "TCP", "containerPort": 80}': {}})
    assert list(fs.to_fields_v1()) == ['k:{"containerPort":80,"protocol":"TCP"}']


def test_fields_v1_orders_fields_before_keys_and_values_as_upstream() -> None:
    fs = FieldSet.from_paths([("v:2",), ('k:{"a":1}',), ("f:b",), ("f:a",), ("v:\"x\"",)])
    assert list(fs.to_fields_v1()) == ["f:a", "f:b", 'k:{"a":1}', "v:2", 'v:"x"']


def test_fields_v1_rejects_non_objects() -> None:
    with pytest.raises(ValueError):
        FieldSet.from_fields_v1({"f:a": 1})


def test_field_set_algebra() -> None:
    a = FieldSet.from_paths([("f:a", "f:b"), ("f:a", "f:c"), ("f:d",)])
    b = FieldSet.from_paths([("f:a", "f:c"), ("f:e",)])
    assert a.intersection(b) == FieldSet.from_paths([("f:a", "f:c")])
    assert a.difference(b) == FieldSet.from_paths([("f:a", "f:b"), ("f:d",)])
    assert sorted(a.union(b).paths()) == sorted(
        [("f:a", "f:b"), ("f:a", "f:c"), ("f:d",), ("f:e",)]
    )


# Random small sets over a few path elements of every kind, to check that the edits made
# directly on FieldsV1 trees (used on every write) agree with the FieldSet operations.
_PES = st.sampled_from(["f:a", "f:b", 'k:{"name":"x"}', 'k:{"name":"y"}', 'v:"s"', "v:1"])
_SETS = st.lists(st.lists(_PES, min_size=1, max_size=4), max_size=8).map(FieldSet.from_paths)


@settings(max_examples=150, deadline=None)
@given(_SETS, _SETS)
def test_fields_v1_tree_edits_agree_with_set_operations(a: FieldSet, b: FieldSet) -> None:
    raw = a.to_fields_v1()
    frozen_raw = json.dumps(raw)
    assert _raw_subtract(raw, b) == a.difference(b).to_fields_v1()
    assert _raw_add(raw, b) == a.union(b).to_fields_v1()
    assert list(_raw_add(raw, b)) == list(a.union(b).to_fields_v1())  # same key order
    assert _raw_intersect(raw, b) == a.intersection(b)
    assert json.dumps(raw) == frozen_raw  # edits copy, never modify


def test_fields_of_an_applied_configuration_follows_upstream_membership() -> None:
    fs = fields_of(manifest(), DEPLOYMENT)
    assert fs.to_fields_v1() == {
        "f:apiVersion": {},
        "f:kind": {},
        "f:metadata": {"f:labels": {"f:app": {}}, "f:name": {}, "f:namespace": {}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {"f:matchLabels": {"f:app": {}}},
            "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {"f:containers": {'k:{"name":"c"}': {
                    ".": {}, "f:image": {}, "f:name": {},
                    "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                        ".": {}, "f:containerPort": {},
                    }},
                }}},
            },
        },
    }


def test_fields_of_refuses_duplicate_keys_in_a_configuration() -> None:
    cfg = manifest()
    cfg["spec"]["template"]["spec"]["containers"].append({"name": "c", "image": "x"})
    with pytest.raises(PatchError) as caught:
        fields_of(cfg, DEPLOYMENT)
    assert caught.value.code == 400 and 'duplicate entries for key [name="c"]' in str(caught.value)


# --- server-side apply --------------------------------------------------------------------------


def test_apply_creates_the_object_with_an_apply_entry() -> None:
    out = apply(None, manifest())
    assert out["spec"]["replicas"] == 2
    assert entries(out) == [{
        "manager": "kubectl",
        "operation": "Apply",
        "apiVersion": "apps/v1",
        "time": T1,
        "fieldsType": "FieldsV1",
        "fieldsV1": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {"f:matchLabels": {"f:app": {}}},
                "f:template": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:containers": {'k:{"name":"c"}': {
                        ".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                            ".": {}, "f:containerPort": {},
                        }},
                    }}},
                },
            },
        },
    }]


def test_reapply_without_a_field_removes_it() -> None:
    live = stored(apply(None, manifest()))
    cfg = manifest()
    del cfg["spec"]["replicas"]
    del cfg["metadata"]["labels"]
    out = apply(live, cfg, now=T2)
    assert "replicas" not in out["spec"]
    assert "labels" not in out["metadata"]
    assert "f:replicas" not in entry(out, "kubectl")["fieldsV1"]["f:spec"]
    # what the server set and nobody applied stays
    assert out["status"] == live["status"] and out["metadata"]["uid"] == "u1"


def test_reapply_without_a_container_removes_it_with_its_defaulted_fields() -> None:
    cfg = manifest()
    cfg["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox"})
    live = stored(apply(None, cfg))
    live["spec"]["template"]["spec"]["containers"][1]["imagePullPolicy"] = "Always"  # a default
    out = apply(live, manifest(), now=T2)
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["c"]


def test_reapply_keeps_a_field_another_manager_also_owns() -> None:
    live = stored(apply(None, manifest()))
    live = server_side_apply(live, manifest(), "other", False, DEPLOYMENT, T1)  # same values
    cfg = manifest()
    del cfg["spec"]["replicas"]
    out = apply(live, cfg, now=T2)
    assert out["spec"]["replicas"] == 2


def test_unchanged_reapply_returns_the_same_object() -> None:
    live = apply(None, manifest())
    again = apply(live, manifest(), now=T2)
    assert again == live  # time kept, since nothing changed


def test_apply_conflicts_with_the_manager_of_a_changed_field() -> None:
    live = created_by("kubectl-client-side-apply", manifest(replicas=1))
    with pytest.raises(ApplyConflict) as caught:
        apply(live, manifest(replicas=3))
    err = caught.value
    assert err.code == 409 and err.reason == "Conflict"
    assert str(err) == (
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
        "using apps/v1: .spec.replicas"
    )
    assert err.status_causes() == [{
        "reason": "FieldManagerConflict",
        "message": 'conflict with "kubectl-client-side-apply" using apps/v1',
        "field": ".spec.replicas",
    }]
    status = err.status()
    assert status["details"]["causes"] == err.status_causes() and status["code"] == 409


def test_apply_of_equal_values_shares_ownership_without_conflict() -> None:
    live = created_by("kubectl-create", manifest())
    out = apply(live, manifest())
    assert "f:replicas" in entry(out, "kubectl")["fieldsV1"]["f:spec"]
    assert "f:replicas" in entry(out, "kubectl-create")["fieldsV1"]["f:spec"]


def test_apply_lists_every_conflict_grouped_by_manager() -> None:
    live = created_by("kubectl-create", manifest(replicas=1, image="nginx:1"))
    with pytest.raises(ApplyConflict) as caught:
        apply(live, manifest(replicas=3, image="nginx:2"))
    assert str(caught.value) == (
        'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="c"].image'
    )


def test_apply_with_force_takes_ownership() -> None:
    live = created_by("kubectl-client-side-apply", manifest(replicas=1))
    out = apply(live, manifest(replicas=3), force=True)
    assert out["spec"]["replicas"] == 3
    assert "f:replicas" in entry(out, "kubectl")["fieldsV1"]["f:spec"]
    assert "f:replicas" not in entry(out, "kubectl-client-side-apply")["fieldsV1"]["f:spec"]
    # the forced manager keeps what was not taken
    assert "f:selector" in entry(out, "kubectl-client-side-apply")["fieldsV1"]["f:spec"]


def test_apply_conflicts_with_another_applier() -> None:
    live = stored(apply(None, manifest(), manager="ci"))
    with pytest.raises(ApplyConflict) as caught:
        apply(live, manifest(replicas=5))
    assert caught.value.status_causes()[0]["message"] == 'conflict with "ci"'


def sidecar_config(name: str, image: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d1"},
        "spec": {"template": {"spec": {"containers": [{"name": name, "image": image}]}}},
    }


def test_two_appliers_own_different_containers_of_one_list() -> None:
    live = stored(apply(None, manifest()))
    live = apply(live, sidecar_config("side", "busybox"), manager="injector", now=T2)
    names = [c["name"] for c in live["spec"]["template"]["spec"]["containers"]]
    assert names == ["c", "side"]
    side_key = 'k:{"name":"side"}'
    assert side_key in entry(live, "injector")["fieldsV1"]["f:spec"]["f:template"]["f:spec"][
        "f:containers"]
    assert side_key not in entry(live, "kubectl")["fieldsV1"]["f:spec"]["f:template"]["f:spec"][
        "f:containers"]
    # each re-applies its own container without touching the other's
    out = apply(live, manifest(image="nginx:1.27"), now=T2)
    assert [c["image"] for c in out["spec"]["template"]["spec"]["containers"]] == [
        "nginx:1.27", "busybox"]
    out = apply(out, {**sidecar_config("side", "busybox"),
                      "spec": {"template": {"spec": {"containers": []}}}}, manager="injector")
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["c"]


def test_applied_port_without_protocol_matches_the_defaulted_live_port() -> None:
    live = stored(apply(None, manifest()))
    out = apply(live, manifest(), now=T2)
    assert out["spec"]["template"]["spec"]["containers"][0]["ports"] == [
        {"containerPort": 80, "protocol": "TCP"}]


def test_apply_over_an_object_nobody_manages_conflicts_with_before_first_apply() -> None:
    live = stored(manifest(replicas=1))
    with pytest.raises(ApplyConflict) as caught:
        apply(live, manifest(replicas=2))
    assert caught.value.conflicts == [('"before-first-apply" using apps/v1', ".spec.replicas")]


def test_apply_refuses_managed_fields_in_the_configuration() -> None:
    cfg = manifest()
    cfg["metadata"]["managedFields"] = [{"manager": "x"}]
    with pytest.raises(PatchError) as caught:
        apply(None, cfg)
    assert caught.value.code == 400 and str(caught.value) == "metadata.managedFields must be nil"


def test_apply_with_a_null_leaves_the_field_unset() -> None:
    cfg = manifest()
    cfg["spec"]["paused"] = None
    out = apply(None, cfg)
    assert "paused" not in out["spec"]
    assert "f:paused" in entry(out, "kubectl")["fieldsV1"]["f:spec"]


# --- managedFields of ordinary writes -----------------------------------------------------


def test_create_records_an_update_entry_as_upstream() -> None:
    obj = created_by("kubectl-create", manifest())
    (only,) = entries(obj)
    assert {k: only[k] for k in ("manager", "operation", "apiVersion", "time", "fieldsType")} == {
        "manager": "kubectl-create", "operation": "Update", "apiVersion": "apps/v1",
        "time": T0, "fieldsType": "FieldsV1",
    }
    fields = only["fieldsV1"]
    # maps and list items added by an update are members themselves; server-set fields
    # (uid, resourceVersion, ...) and the nested structs are not
    assert fields["f:metadata"] == {"f:labels": {".": {}, "f:app": {}}}
    containers = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert "." not in containers
    assert containers['k:{"name":"c"}']["."] == {}
    assert containers['k:{"name":"c"}']["f:ports"]["."] == {}


def test_update_moves_changed_fields_to_the_writer() -> None:
    live = created_by("kubectl-create", manifest(replicas=1))
    new = apply_strategic_merge_patch(live, {"spec": {"replicas": 4}}, DEPLOYMENT)
    update_managed_fields(live, new, "kubectl-scale", message=DEPLOYMENT, now=T1)
    assert entry(new, "kubectl-scale")["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in entry(new, "kubectl-create")["fieldsV1"]["f:spec"]
    assert live["metadata"]["managedFields"] == entries(created_by("kubectl-create",
                                                                    manifest(replicas=1)))


def test_update_merges_with_the_writers_earlier_entry() -> None:
    live = created_by("kubectl-create", manifest())
    first = apply_strategic_merge_patch(live, {"metadata": {"labels": {"a": "1"}}}, DEPLOYMENT)
    update_managed_fields(live, first, "kubectl-label", message=DEPLOYMENT, now=T1)
    second = apply_strategic_merge_patch(first, {"metadata": {"labels": {"b": "2"}}}, DEPLOYMENT)
    update_managed_fields(first, second, "kubectl-label", message=DEPLOYMENT, now=T2)
    mine = entry(second, "kubectl-label")
    assert mine["fieldsV1"] == {"f:metadata": {"f:labels": {"f:a": {}, "f:b": {}}}}
    assert mine["time"] == T2


def test_update_removing_a_field_drops_it_from_every_manager() -> None:
    live = created_by("kubectl-create", manifest())
    new = apply_strategic_merge_patch(live, {"metadata": {"labels": {"app": None}}}, DEPLOYMENT)
    update_managed_fields(live, new, "kubectl-label", message=DEPLOYMENT, now=T1)
    assert "f:labels" not in entry(new, "kubectl-create")["fieldsV1"].get("f:metadata", {})
    assert [e["manager"] for e in entries(new)] == ["kubectl-create"]


def test_noop_update_leaves_managed_fields_untouched() -> None:
    live = created_by("kubectl-create", manifest())
    new = apply_strategic_merge_patch(live, {"spec": {"replicas": 2}}, DEPLOYMENT)
    update_managed_fields(live, new, "kubectl-patch", message=DEPLOYMENT, now=T2)
    assert new == live
    assert new["metadata"] is not live["metadata"]  # replaced, never edited in place


def test_update_keeps_managed_fields_the_request_sets() -> None:
    # kubectl's migration to server-side apply rewrites managedFields with a JSON patch
    live = created_by("kubectl-client-side-apply", manifest())
    rewritten = copy.deepcopy(entries(live))
    rewritten[0]["manager"] = "kubectl"
    rewritten[0]["operation"] = "Apply"
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = rewritten
    update_managed_fields(live, new, "kubectl", message=DEPLOYMENT, now=T1)
    assert entries(new) == rewritten


@pytest.mark.parametrize("reset", [[], [{}]])
def test_update_with_empty_managed_fields_resets_them(reset: list[Any]) -> None:
    live = created_by("kubectl-create", manifest())
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = reset
    update_managed_fields(live, new, "kubectl-edit", message=DEPLOYMENT, now=T1)
    assert "managedFields" not in new["metadata"]


def test_update_without_managed_fields_keeps_the_live_ones() -> None:
    live = created_by("kubectl-create", manifest())
    new = copy.deepcopy(live)
    del new["metadata"]["managedFields"]
    new["spec"]["replicas"] = 5
    update_managed_fields(live, new, "kubectl-replace", message=DEPLOYMENT, now=T1)
    assert [e["manager"] for e in entries(new)] == ["kubectl-create", "kubectl-replace"]


def test_managed_fields_sent_by_a_client_are_canonicalised() -> None:
    live = created_by("kubectl-create", manifest())
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = [{
        "manager": "importer", "operation": "Update", "apiVersion": "apps/v1", "time": T0,
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
            'k:{ "name" : "c" }': {"f:image": {}}}}}}},
    }]
    new["spec"]["replicas"] = 3
    update_managed_fields(live, new, "kubectl-replace", message=DEPLOYMENT, now=T1)
    assert [e["manager"] for e in entries(new)] == ["importer", "kubectl-replace"]
    importer = entry(new, "importer")["fieldsV1"]["f:spec"]["f:template"]["f:spec"]
    assert importer == {"f:containers": {'k:{"name":"c"}': {"f:image": {}}}}


def test_subresource_writes_get_their_own_entry() -> None:
    live = created_by("kubectl-create", manifest())
    new = copy.deepcopy(live)
    new["status"] = {"replicas": 3, "readyReplicas": 2}
    update_managed_fields(live, new, "kube-controller-manager", subresource="status",
                          message=DEPLOYMENT, now=T1)
    mine = entry(new, "kube-controller-manager")
    assert mine["subresource"] == "status"
    assert mine["fieldsV1"] == {"f:status": {"f:readyReplicas": {}, "f:replicas": {}}}


def test_apply_after_create_reports_the_create_managers_conflict() -> None:
    # kubectl create -f, then kubectl apply --server-side with a different image
    live = created_by("kubectl-create", manifest())
    with pytest.raises(ApplyConflict) as caught:
        apply(live, manifest(image="nginx:1.28"))
    assert caught.value.status_causes() == [{
        "reason": "FieldManagerConflict",
        "message": 'conflict with "kubectl-create" using apps/v1',
        "field": '.spec.template.spec.containers[name="c"].image',
    }]


def test_pod_finalizers_are_a_set_of_values() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": ["a/b"]},
           "spec": {"containers": [{"name": "c", "image": "x"}]}}
    out = server_side_apply(None, pod, "ctl", False, POD, T0)
    assert entry(out, "ctl")["fieldsV1"]["f:metadata"] == {"f:finalizers": {'v:"a/b"': {}}}


# --- default manager ----------------------------------------------------------------------------


@pytest.mark.parametrize("agent,manager", [
    ("kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd", "kubectl"),
    ("kubectl.1.32/v1.32.5 (linux/amd64) kubernetes/abc", "kubectl.1.32"),
    ("OpenAPI-Generator/37.0.2/python", "OpenAPI-Generator"),
    ("curl", "curl"),
    ("", ""),
    ("bad\x00name/1", "badname"),
    ("x" * 200 + "/1", "x" * 128),
])
def test_default_manager_is_the_user_agent_product(agent: str, manager: str) -> None:
    assert default_manager(agent) == manager
