"""Tests for the core/v1 type schema (core/schema/core_v1.py).

The expected field numbers, merge keys and enum values below were read from upstream
kubernetes/api core/v1 (generated.proto and types.go).
"""

from __future__ import annotations

import pytest

from paddock.core import resources
from paddock.core.schema import core_v1
from paddock.core.schema.dsl import REGISTRY, SCALARS, Field, Message

CORE = core_v1.CORE
META = core_v1.META

CORE_KINDS = [r.kind for r in resources.RESOURCES if r.group == "" and r.version == "v1"]


def core_messages() -> list[Message]:
    """Every registered io.k8s.api.core.v1 type."""
    return [m for name, m in REGISTRY.items() if name.startswith(CORE)]


def field_of(type_name: str, json_name: str) -> Field:
    """The field with this JSON name ("" for an embedded struct) of a core/v1 type."""
    msg = REGISTRY[CORE + type_name]
    fld = msg.field(json_name)
    assert fld is not None, f"{type_name}.{json_name} missing"
    return fld


def test_every_served_core_kind_is_registered_with_its_gvk() -> None:
    assert "Pod" in CORE_KINDS and "Binding" in CORE_KINDS
    for kind in CORE_KINDS:
        assert REGISTRY[CORE + kind].gvk == ("", "v1", kind)


def test_every_listable_core_kind_has_a_list_type_with_items() -> None:
    for kind in CORE_KINDS:
        if kind == "Binding":  # create-only, no list
            continue
        lst = REGISTRY[CORE + kind + "List"]
        assert lst.gvk == ("", "v1", kind + "List")
        items = lst.field("items")
        assert items is not None and items.repeated and items.required
        assert items.type == CORE + kind
        metadata = lst.field("metadata")
        assert metadata is not None and metadata.type == META + "ListMeta"


def test_types_other_groups_refer_to_are_registered() -> None:
    for name in (
        "PodTemplateSpec", "ObjectReference", "LocalObjectReference",
        "TypedLocalObjectReference", "TypedObjectReference", "ResourceRequirements",
        "TopologySelectorTerm", "PersistentVolumeSpec", "PersistentVolumeClaim",
    ):
        assert CORE + name in REGISTRY, name


def test_every_referenced_type_is_a_scalar_a_meta_type_or_registered() -> None:
    for msg in core_messages():
        for fld in msg.fields:
            ref = fld.map_value or fld.type
            if ref in SCALARS or ref.startswith(META):
                continue
            assert ref in REGISTRY, f"{msg.name}.{fld.name} refers to unknown {ref}"


def test_referenced_meta_types_are_registered_by_meta_v1() -> None:
    from paddock.core.schema import meta_v1  # noqa: F401 - registers the meta/v1 types

    for msg in core_messages():
        for fld in msg.fields:
            ref = fld.map_value or fld.type
            if ref.startswith(META):
                assert ref in REGISTRY, f"{msg.name}.{fld.name} refers to unknown {ref}"


def test_core_module_defines_no_meta_types() -> None:
    # ObjectMeta and friends belong to meta_v1; core only refers to them by name.
    assert field_of("Pod", "metadata").type == META + "ObjectMeta"
    assert field_of("ServiceStatus", "conditions").type == META + "Condition"
    assert all(m.name.startswith(CORE) for m in core_messages())


def test_field_numbers_and_json_names_are_unique_within_each_type() -> None:
    for msg in core_messages():
        numbers = [fld.number for fld in msg.fields]
        names = [fld.name for fld in msg.fields]
        assert len(numbers) == len(set(numbers)), msg.name
        assert len(names) == len(set(names)), msg.name
        assert all(n > 0 for n in numbers), msg.name


@pytest.mark.parametrize(
    ("type_name", "json_name", "number"),
    [
        ("PodSpec", "containers", 2),
        ("PodSpec", "nodeName", 10),
        ("PodSpec", "initContainers", 20),
        ("PodSpec", "ephemeralContainers", 34),
        ("Container", "image", 2),
        ("Container", "ports", 6),
        ("Container", "env", 7),
        ("ContainerPort", "containerPort", 3),
        ("ServiceSpec", "clusterIP", 3),
        ("ServiceSpec", "type", 4),
        ("ServicePort", "targetPort", 4),
        ("Secret", "data", 2),
        ("ConfigMap", "binaryData", 3),
        ("Event", "eventTime", 10),
        ("NodeStatus", "nodeInfo", 7),
        ("PodStatus", "podIP", 6),
        ("ObjectReference", "fieldPath", 7),
        ("PodTemplateSpec", "spec", 2),
    ],
)
def test_known_field_numbers_match_upstream(type_name: str, json_name: str, number: int) -> None:
    assert field_of(type_name, json_name).number == number


def test_field_types_follow_upstream_wire_types() -> None:
    assert field_of("ServicePort", "targetPort").type == "IntOrString"
    assert field_of("Event", "eventTime").type == "MicroTime"
    assert field_of("Event", "firstTimestamp").type == "Time"
    assert field_of("Secret", "data").map_value == "bytes"
    assert field_of("ResourceRequirements", "limits").map_value == "Quantity"
    assert field_of("PodSpec", "terminationGracePeriodSeconds").type == "int64"
    assert field_of("ServiceSpec", "selector").map_value == "string"


def test_embedded_structs_are_unnamed_message_fields_with_their_proto_number() -> None:
    # Go's json:",inline" embedding: nested on the protobuf wire, spliced into JSON.
    assert field_of("Volume", "").number == 2
    assert field_of("Volume", "").type == CORE + "VolumeSource"
    assert field_of("Probe", "").number == 1
    assert field_of("Probe", "").type == CORE + "ProbeHandler"
    assert field_of("PersistentVolumeSpec", "").number == 2
    assert field_of("EphemeralContainer", "").type == CORE + "EphemeralContainerCommon"
    assert field_of("SecretKeySelector", "").type == CORE + "LocalObjectReference"


def _json_names(msg: Message) -> list[str]:
    """The JSON property names of a type, with embedded structs spliced in."""
    names: list[str] = []
    for fld in msg.fields:
        if fld.name == "":
            names.extend(_json_names(REGISTRY[fld.type]))
        else:
            names.append(fld.name)
    return names


def test_inline_fields_splice_into_json_without_name_clashes() -> None:
    for msg in core_messages():
        for fld in msg.fields:
            if fld.name == "":
                assert fld.type in REGISTRY and not fld.repeated and fld.map_value is None
        names = _json_names(msg)
        assert len(names) == len(set(names)), msg.name
    # An ephemeral container has exactly the JSON fields of a container plus targetContainerName.
    ephemeral = set(_json_names(REGISTRY[CORE + "EphemeralContainer"]))
    container = set(_json_names(REGISTRY[CORE + "Container"]))
    assert ephemeral - container == {"targetContainerName"}


def test_patch_metadata_matches_upstream_struct_tags() -> None:
    containers = field_of("PodSpec", "containers")
    assert (containers.merge_key, containers.patch_strategy) == ("name", "merge")
    assert (containers.list_type, containers.list_map_keys) == ("map", ("name",))
    volumes = field_of("PodSpec", "volumes")
    assert (volumes.merge_key, volumes.patch_strategy) == ("name", "merge,retainKeys")
    ports = field_of("Container", "ports")
    assert ports.merge_key == "containerPort"
    assert ports.list_map_keys == ("containerPort", "protocol")
    assert field_of("Container", "env").merge_key == "name"
    assert field_of("Container", "volumeMounts").merge_key == "mountPath"
    svc_ports = field_of("ServiceSpec", "ports")
    assert (svc_ports.merge_key, svc_ports.list_map_keys) == ("port", ("port", "protocol"))
    assert field_of("Container", "command").list_type == "atomic"
    assert field_of("NodeSpec", "podCIDRs").list_type == "set"
    assert field_of("NodeStatus", "conditions").merge_key == "type"


def test_required_fields_match_upstream_openapi() -> None:
    assert field_of("Container", "name").required
    assert field_of("PodSpec", "containers").required
    assert field_of("ServicePort", "port").required
    assert field_of("Volume", "name").required
    assert field_of("Event", "involvedObject").required
    assert not field_of("Container", "image").required
    assert not field_of("PodSpec", "volumes").required
    assert not field_of("Pod", "spec").required


def test_documented_enums_are_carried() -> None:
    assert set(field_of("PodSpec", "restartPolicy").enum) == {"Always", "OnFailure", "Never"}
    assert set(field_of("PodSpec", "dnsPolicy").enum) == {
        "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None",
    }
    assert set(field_of("ServiceSpec", "type").enum) == {
        "ClusterIP", "NodePort", "LoadBalancer", "ExternalName",
    }
    assert set(field_of("ContainerPort", "protocol").enum) == {"TCP", "UDP", "SCTP"}
    assert set(field_of("Container", "imagePullPolicy").enum) == {"Always", "IfNotPresent", "Never"}
    assert "ReadWriteOncePod" in field_of("PersistentVolumeClaimSpec", "accessModes").enum


def test_kubectl_explain_fields_have_docs() -> None:
    for type_name in ("PodSpec", "Container", "ServiceSpec", "ServicePort"):
        for fld in REGISTRY[CORE + type_name].fields:
            assert fld.doc, f"{type_name}.{fld.name} has no doc"
    assert all(m.doc for m in core_messages())
