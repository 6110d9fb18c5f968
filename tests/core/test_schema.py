"""The API type schema: registry integrity, kind lookup, unknown-field and type checks."""

from __future__ import annotations

import copy
import sys
import time
from typing import Any

import pytest

from paddock.core.resources import GROUP_VERSIONS, RESOURCES
from paddock.core.schema import (
    carries_type_meta,
    check_fields,
    message_for_kind,
    resolve,
    type_errors,
    unknown_fields,
)
from paddock.core.schema.dsl import REGISTRY, SCALARS

# importing paddock.core.schema loads core_v1 when the module exists
CORE_V1_PRESENT = "paddock.core.schema.core_v1" in sys.modules
needs_core_v1 = pytest.mark.skipif(
    not CORE_V1_PRESENT, reason="core/schema/core_v1.py not written yet"
)


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "labels": {"app": "web"},
            "annotations": {"note": "x"},
            "creationTimestamp": None,
            "managedFields": [
                {"manager": "kubectl", "operation": "Update", "fieldsV1": {"f:spec": {"f:x": {}}}}
            ],
        },
        "spec": {
            "replicas": 3,
            "selector": {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}],
            },
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1},
            },
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "nginx",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "resources": {"limits": {"cpu": "500m", "memory": 128974848}},
                        }
                    ]
                },
            },
        },
        "status": {},
    }


def ingress() -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "ing"},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": ["a.example.com"], "secretName": "tls"}],
            "rules": [
                {
                    "host": "a.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "web", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ],
        },
    }


# --- the registry -------------------------------------------------------------------------


def json_field_names(type_name: str) -> set[str]:
    """The JSON names of a message, with the fields of inline (Go-embedded) messages."""
    msg = resolve(type_name)
    assert msg is not None, type_name
    names: set[str] = set()
    for fld in msg.fields:
        names |= json_field_names(fld.type) if not fld.name else {fld.name}
    return names



def test_field_numbers_and_json_names_are_unique_within_each_message():
    for msg in REGISTRY.values():
        numbers = [fld.number for fld in msg.fields]
        names = [fld.name for fld in msg.fields if fld.name]
        assert len(numbers) == len(set(numbers)), msg.name
        assert len(names) == len(set(names)), msg.name
        assert all(n > 0 for n in numbers), msg.name


def test_every_referenced_type_is_registered():
    for msg in REGISTRY.values():
        for fld in msg.fields:
            type_name = fld.map_value or fld.type
            if type_name in SCALARS:
                continue
            if not CORE_V1_PRESENT and type_name.startswith("io.k8s.api.core.v1."):
                continue
            assert resolve(type_name) is not None, f"{msg.name}.{fld.name} -> {type_name}"


def test_patch_metadata_fields_are_consistent():
    for msg in REGISTRY.values():
        for fld in msg.fields:
            if fld.list_type == "map":
                assert fld.repeated and fld.list_map_keys, f"{msg.name}.{fld.name}"
            if fld.merge_key:
                assert fld.repeated and "merge" in (fld.patch_strategy or ""), fld.name
            if fld.list_map_keys:
                if resolve(fld.type) is not None:
                    keys = set(fld.list_map_keys)
                    assert keys <= json_field_names(fld.type), f"{msg.name}.{fld.name}"


def test_every_served_kind_and_its_list_have_messages():
    for r in RESOURCES:
        if r.group == "" and not CORE_V1_PRESENT:
            continue
        msg = message_for_kind(r.group, r.version, r.kind)
        assert msg is not None, r.kind
        assert msg.gvk == (r.group, r.version, r.kind)
        assert msg.field("metadata") is not None
        if "list" in r.verbs:
            lst = message_for_kind(r.group, r.version, r.list_kind)
            assert lst is not None, r.list_kind
            items = lst.field("items")
            assert items is not None and items.repeated and items.type == msg.name
            assert items.required


def test_subresource_kinds_have_messages():
    for r in RESOURCES:
        for sub in r.subresources:
            group = sub.group if sub.group is not None else r.group
            if group == "" and not CORE_V1_PRESENT:
                continue
            assert message_for_kind(group, sub.version or r.version, sub.kind) is not None


def test_deployment_spec_facts_match_upstream():
    spec = resolve("io.k8s.api.apps.v1.DeploymentSpec")
    assert spec is not None
    strategy = spec.field("strategy")
    assert strategy is not None and strategy.number == 4
    assert strategy.patch_strategy == "retainKeys"
    assert [f.name for f in spec.fields if f.required] == ["selector", "template"]
    status = resolve("io.k8s.api.apps.v1.DeploymentStatus")
    assert status is not None
    conditions = status.field("conditions")
    assert conditions is not None
    assert (conditions.merge_key, conditions.patch_strategy) == ("type", "merge")
    assert conditions.list_map_keys == ("type",)


def test_object_meta_owner_references_merge_on_uid():
    meta = resolve("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
    assert meta is not None
    owner_refs = meta.field("ownerReferences")
    assert owner_refs is not None and owner_refs.number == 13
    assert owner_refs.merge_key == "uid" and owner_refs.list_type == "map"


def test_delete_options_is_a_kind_of_every_served_group_version():
    for group, versions in GROUP_VERSIONS:
        for version in versions:
            msg = message_for_kind(group, version, "DeleteOptions")
            assert msg is not None and carries_type_meta(msg)
    assert message_for_kind("nosuch.example.com", "v1", "DeleteOptions") is None


def test_unknown_kind_yields_no_findings():
    assert message_for_kind("apps", "v1", "Nothing") is None
    assert check_fields("apps", "v1", "Nothing", {"spec": {"bogus": 1}}) == ([], [])


# --- unknown fields -----------------------------------------------------------------------


def test_valid_deployment_has_no_unknown_fields_or_type_errors():
    assert check_fields("apps", "v1", "Deployment", deployment()) == ([], [])


def test_valid_ingress_has_no_unknown_fields_or_type_errors():
    assert check_fields("networking.k8s.io", "v1", "Ingress", ingress()) == ([], [])


def test_unknown_fields_are_reported_with_upstream_paths():
    obj = deployment()
    obj["bogus"] = 1
    obj["spec"]["bogus"] = {"deeper": 1}
    obj["spec"]["strategy"]["rollingUpdate"]["maxSurges"] = 1
    obj["metadata"]["labelz"] = {}
    assert unknown_fields("apps", "v1", "Deployment", obj) == [
        "metadata.labelz",
        "spec.strategy.rollingUpdate.maxSurges",
        "spec.bogus",
        "bogus",
    ]


@needs_core_v1
def test_unknown_fields_index_list_items():
    obj = deployment()
    containers = obj["spec"]["template"]["spec"]["containers"]
    containers.append({"name": "d", "image": "busybox", "bogus": True})
    containers[1]["ports"] = [{"containerPort": 1}, {"containerPort": 2, "hostPortt": 3}]
    assert unknown_fields("apps", "v1", "Deployment", obj) == [
        "spec.template.spec.containers[1].bogus",
        "spec.template.spec.containers[1].ports[1].hostPortt",
    ]


def test_type_meta_is_known_only_on_objects_that_carry_it():
    obj = deployment()
    obj["spec"]["strategy"]["kind"] = "DeploymentStrategy"
    assert unknown_fields("apps", "v1", "Deployment", obj) == ["spec.strategy.kind"]
    eviction = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": "p"},
        "deleteOptions": {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0},
    }
    assert check_fields("policy", "v1", "Eviction", eviction) == ([], [])


def test_inline_ingress_rule_value_fields_sit_in_the_rule():
    obj = ingress()
    obj["spec"]["rules"][0]["bogus"] = 1
    obj["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"]["numbr"] = 1
    assert unknown_fields("networking.k8s.io", "v1", "Ingress", obj) == [
        "spec.rules[0].http.paths[0].backend.service.port.numbr",
        "spec.rules[0].bogus",
    ]


def test_raw_fields_are_not_entered():
    obj = deployment()
    obj["metadata"]["managedFields"][0]["fieldsV1"] = {"f:anything": {"k:{\"x\":1}": {}}}
    assert unknown_fields("apps", "v1", "Deployment", obj) == []


def test_null_values_are_accepted_everywhere():
    obj = deployment()
    obj["spec"]["replicas"] = None
    obj["spec"]["strategy"] = None
    obj["metadata"]["labels"]["app"] = None
    obj["spec"]["selector"]["matchExpressions"] = [None]
    assert check_fields("apps", "v1", "Deployment", obj) == ([], [])


# --- type errors --------------------------------------------------------------------------


def test_string_for_int32_mirrors_the_go_decoder_message():
    obj = deployment()
    obj["spec"]["replicas"] = "3"
    assert type_errors("apps", "v1", "Deployment", obj) == [
        (
            "spec.replicas",
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas "
            "of type int32",
        )
    ]


@needs_core_v1
def test_type_error_in_a_list_item_names_the_innermost_struct_without_indices():
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "80"
    [(path, message)] = type_errors("apps", "v1", "Deployment", obj)
    assert path == "spec.template.spec.containers[0].ports[0].containerPort"
    assert message == (
        "json: cannot unmarshal string into Go struct field ContainerPort."
        "spec.template.spec.containers.ports.containerPort of type int32"
    )


def test_integers_must_be_whole_and_in_range():
    obj = deployment()
    obj["spec"]["replicas"] = 1.5
    obj["spec"]["minReadySeconds"] = 2**31
    obj["spec"]["revisionHistoryLimit"] = True
    errors = dict(type_errors("apps", "v1", "Deployment", obj))
    assert "cannot unmarshal number 1.5 " in errors["spec.replicas"]
    assert f"cannot unmarshal number {2**31} " in errors["spec.minReadySeconds"]
    assert "cannot unmarshal bool " in errors["spec.revisionHistoryLimit"]


def test_int_or_string_accepts_integers_and_strings_only():
    obj = deployment()
    rolling = obj["spec"]["strategy"]["rollingUpdate"]
    rolling["maxSurge"] = 2
    rolling["maxUnavailable"] = "10%"
    assert type_errors("apps", "v1", "Deployment", obj) == []
    rolling["maxSurge"] = 0.5
    rolling["maxUnavailable"] = False
    errors = dict(type_errors("apps", "v1", "Deployment", obj))
    assert errors["spec.strategy.rollingUpdate.maxSurge"].endswith(
        "of type intstr.IntOrString"
    )
    assert "cannot unmarshal bool" in errors["spec.strategy.rollingUpdate.maxUnavailable"]


def test_quantity_accepts_strings_and_numbers():
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
            "maxReplicas": 5,
            "metrics": [
                {
                    "type": "Pods",
                    "pods": {
                        "metric": {"name": "qps"},
                        "target": {"type": "AverageValue", "averageValue": "1k"},
                    },
                },
                {
                    "type": "External",
                    "external": {
                        "metric": {"name": "q"},
                        "target": {"type": "Value", "value": 2.5},
                    },
                },
            ],
        },
    }
    assert check_fields("autoscaling", "v2", "HorizontalPodAutoscaler", hpa) == ([], [])
    hpa["spec"]["metrics"][1]["external"]["target"]["value"] = {"v": 1}
    [(path, message)] = type_errors("autoscaling", "v2", "HorizontalPodAutoscaler", hpa)
    assert path == "spec.metrics[1].external.target.value"
    assert message.startswith("json: cannot unmarshal object into Go struct field MetricTarget.")


def test_times_must_be_strings():
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "n1", "creationTimestamp": 5},
        "spec": {"holderIdentity": "n1", "renewTime": "2026-01-01T00:00:00.000000Z"},
    }
    [(path, message)] = type_errors("coordination.k8s.io", "v1", "Lease", lease)
    assert path == "metadata.creationTimestamp"
    assert message.endswith("ObjectMeta.metadata.creationTimestamp of type v1.Time")


def test_containers_of_the_wrong_shape_are_reported_with_their_go_type():
    obj = ingress()
    obj["spec"]["rules"] = {"host": "x"}
    obj["spec"]["tls"] = [{"hosts": "a.example.com"}, "tls"]
    obj["metadata"]["labels"] = ["a"]
    errors = dict(type_errors("networking.k8s.io", "v1", "Ingress", obj))
    assert errors["spec.rules"].endswith("IngressSpec.spec.rules of type []v1.IngressRule")
    assert errors["spec.tls[0].hosts"].startswith("json: cannot unmarshal string into")
    assert errors["spec.tls[0].hosts"].endswith("of type []string")
    assert errors["spec.tls[1]"].endswith("IngressSpec.spec.tls of type v1.IngressTLS")
    assert errors["metadata.labels"].endswith("of type map[string]string")


def test_map_values_are_checked_and_named_by_their_map():
    obj = deployment()
    obj["metadata"]["labels"]["n"] = 1
    [(path, message)] = type_errors("apps", "v1", "Deployment", obj)
    assert path == "metadata.labels.n"
    assert message == (
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels "
        "of type string"
    )


def test_checks_leave_the_object_unchanged():
    obj = deployment()
    obj["spec"]["bogus"] = 1
    obj["spec"]["replicas"] = "x"
    before = copy.deepcopy(obj)
    check_fields("apps", "v1", "Deployment", obj)
    assert obj == before


def test_a_deployment_is_checked_in_well_under_a_millisecond():
    obj = deployment()
    check_fields("apps", "v1", "Deployment", obj)
    rounds = 2000
    start = time.perf_counter()
    for _ in range(rounds):
        check_fields("apps", "v1", "Deployment", obj)
    per_call = (time.perf_counter() - start) / rounds
    # about 10 µs on a laptop; the bound leaves room for slow CI machines
    assert per_call < 300e-6


def test_go_type_facts_name_fields_that_exist() -> None:
    from paddock.core.schema.go_types import OMITEMPTY, POINTERS

    for type_name, names in POINTERS.items():
        for name in names:
            fld = REGISTRY[type_name].field(name)
            assert fld is not None and fld.pointer, (type_name, name)
    for (type_name, name), omitempty in OMITEMPTY.items():
        fld = REGISTRY[type_name].field(name)
        assert fld is not None and fld.omitempty is omitempty, (type_name, name)


def test_only_non_pointer_optional_scalars_omit_zero() -> None:
    spec = REGISTRY["io.k8s.api.apps.v1.DeploymentSpec"]
    assert [f.name for f in spec.fields if f.omits_zero] == ["minReadySeconds", "paused"]
    port = REGISTRY["io.k8s.api.core.v1.ContainerPort"]
    assert not port.field("containerPort").omits_zero  # required: no omitempty
    assert port.field("hostPort").omits_zero
