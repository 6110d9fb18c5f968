"""Field selectors: grammar and escaping, errors, matching, and each resource's fields."""

from __future__ import annotations

from typing import Any

import pytest

from paddock.core import fields
from paddock.core.fields import FieldRequirement, FieldSelectorError, parse_field_selector
from paddock.core.labels import SelectorError

# -- grammar ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "requirements"), [
    ("", ()),
    (",", ()),
    ("a=b", (FieldRequirement("a", "=", "b"),)),
    ("a==b", (FieldRequirement("a", "=", "b"),)),
    ("a!=b", (FieldRequirement("a", "!=", "b"),)),
    ("a=", (FieldRequirement("a", "=", ""),)),
    ("a!=", (FieldRequirement("a", "!=", ""),)),
    ("=b", (FieldRequirement("", "=", "b"),)),
    ("=", ()),  # an empty field with an empty value is dropped, as upstream
    ("spec.nodeName=n1,status.phase!=Running",
     (FieldRequirement("spec.nodeName", "=", "n1"), FieldRequirement("status.phase", "!=", "Running"))),
    ("z=1,a=2", (FieldRequirement("a", "=", "2"), FieldRequirement("z", "=", "1"))),
    ("a = b", (FieldRequirement("a ", "=", " b"),)),  # nothing is trimmed
    ("a=b,,c=d", (FieldRequirement("a", "=", "b"), FieldRequirement("c", "=", "d"))),
    ("a==", (FieldRequirement("a", "=", ""),)),
])
def test_field_selectors_parse_into_sorted_requirements(text: str, requirements: tuple[FieldRequirement, ...]) -> None:
    assert parse_field_selector(text).requirements == requirements


@pytest.mark.parametrize(("text", "value"), [
    (r"a=x\,y", "x,y"),
    (r"a=x\=y", "x=y"),
    (r"a=x\\y", "x\\y"),
    (r"a=\\\,\=", "\\,="),
    ("a=ünïcode", "ünïcode"),
])
def test_escaped_characters_are_data_in_values(text: str, value: str) -> None:
    (requirement,) = parse_field_selector(text).requirements
    assert requirement.value == value


def test_an_escaped_comma_does_not_split_terms() -> None:
    selector = parse_field_selector(r"b=1\,2,a=3")
    assert selector.requirements == (FieldRequirement("a", "=", "3"), FieldRequirement("b", "=", "1,2"))


def test_the_string_form_escapes_values_and_parses_back() -> None:
    selector = parse_field_selector(r"b==1\,2,a!=x\=y\\z")
    assert str(selector) == r"a!=x\=y\\z,b=1\,2"
    assert parse_field_selector(str(selector)) == selector


@pytest.mark.parametrize(("text", "message"), [
    ("a", "invalid selector: 'a'; can't understand 'a'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    ("a in (b)", "invalid selector: 'a in (b)'; can't understand 'a in (b)'"),
    ("a=b=c", "invalid field selector: unescaped character in value: 61"),
    ("a!=b=c", "invalid field selector: unescaped character in value: 61"),
    ("a!==b", "invalid field selector: unescaped character in value: 61"),
    (r"a=b,c=d\,e,f", "invalid selector: 'a=b,c=d\\,e,f'; can't understand 'f'"),
    (r"a=b\c", "invalid field selector: invalid escape sequence: \\c"),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
])
def test_invalid_field_selectors_fail_with_upstreams_message(text: str, message: str) -> None:
    with pytest.raises(FieldSelectorError) as caught:
        parse_field_selector(text)
    assert str(caught.value) == message


def test_field_selector_errors_are_selector_errors_for_one_400_handler() -> None:
    assert issubclass(FieldSelectorError, SelectorError)


# -- matching and exact values -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "values", "expected"), [
    ("", {}, True),
    ("a=b", {"a": "b"}, True),
    ("a=b", {"a": "c"}, False),
    ("a!=b", {"a": "c"}, True),
    ("a!=b", {"a": "b"}, False),
    ("a=", {}, True),  # a missing field compares as the empty string
    ("a=b", {}, False),
    ("a!=b", {}, True),
    ("a=1,b!=2", {"a": "1", "b": "3"}, True),
    ("a=1,b!=2", {"a": "1", "b": "2"}, False),
])
def test_field_selectors_match_field_sets(text: str, values: dict[str, str], expected: bool) -> None:
    assert parse_field_selector(text).matches(values) is expected


@pytest.mark.parametrize(("text", "field", "value"), [
    ("spec.nodeName=n1", "spec.nodeName", "n1"),
    ("spec.nodeName==n1,metadata.name=p", "metadata.name", "p"),
    ("spec.nodeName=", "spec.nodeName", ""),
    ("spec.nodeName!=n1", "spec.nodeName", None),
    ("spec.nodeName!=n1,spec.nodeName=n2", "spec.nodeName", "n2"),
    ("metadata.name=p", "spec.nodeName", None),
])
def test_exact_value_is_the_value_an_equality_pins(text: str, field: str, value: str | None) -> None:
    assert parse_field_selector(text).exact_value(field) == value


def test_an_empty_field_selector_is_empty() -> None:
    assert parse_field_selector("").empty
    assert not parse_field_selector("a=b").empty


# -- the fields of each resource -----------------------------------------------------------------

POD: dict[str, Any] = {
    "metadata": {"name": "web-1", "namespace": "prod", "labels": {"app": "web"}},
    "spec": {"nodeName": "node-3", "restartPolicy": "Always", "schedulerName": "default-scheduler",
             "serviceAccountName": "default", "hostNetwork": True},
    "status": {"phase": "Running", "podIP": "198.18.3.7",
               "podIPs": [{"ip": "198.18.3.7"}, {"ip": "fd00::7"}], "nominatedNodeName": "node-4"},
}


def test_a_pod_exposes_upstreams_selectable_fields() -> None:
    assert fields.object_fields("pods", POD) == {
        "metadata.name": "web-1",
        "metadata.namespace": "prod",
        "spec.nodeName": "node-3",
        "spec.restartPolicy": "Always",
        "spec.schedulerName": "default-scheduler",
        "spec.serviceAccountName": "default",
        "spec.hostNetwork": "true",
        "status.phase": "Running",
        "status.podIP": "198.18.3.7",
        "status.nominatedNodeName": "node-4",
    }


def test_an_unscheduled_pod_has_empty_fields_and_host_network_false() -> None:
    pod = {"metadata": {"name": "p", "namespace": "default"}, "spec": {}}
    values = fields.object_fields("pods", pod)
    assert values["spec.nodeName"] == ""
    assert values["spec.hostNetwork"] == "false"
    assert values["status.phase"] == ""
    assert values["status.podIP"] == ""


def test_a_pods_ip_field_falls_back_to_status_pod_ip() -> None:
    pod = {"metadata": {"name": "p"}, "status": {"podIP": "198.18.0.9"}}
    assert fields.object_fields("pods", pod)["status.podIP"] == "198.18.0.9"


def test_an_event_exposes_its_involved_object_and_source() -> None:
    event = {
        "metadata": {"name": "web-1.17", "namespace": "prod"},
        "involvedObject": {"kind": "Pod", "namespace": "prod", "name": "web-1", "uid": "u-1",
                           "apiVersion": "v1", "resourceVersion": "42", "fieldPath": "spec.containers{web}"},
        "reason": "Scheduled", "type": "Normal", "reportingComponent": "default-scheduler",
    }
    values = fields.object_fields("events", event)
    assert values["involvedObject.kind"] == "Pod"
    assert values["involvedObject.fieldPath"] == "spec.containers{web}"
    assert values["involvedObject.resourceVersion"] == "42"
    assert values["reason"] == "Scheduled"
    assert values["type"] == "Normal"
    assert values["reportingComponent"] == "default-scheduler"
    assert values["source"] == "default-scheduler"  # no source.component: the reporter stands in
    event["source"] = {"component": "kubelet"}
    assert fields.object_fields("events", event)["source"] == "kubelet"


@pytest.mark.parametrize(("resource", "obj", "field", "value"), [
    ("secrets", {"metadata": {"name": "s"}, "type": "kubernetes.io/tls"}, "type", "kubernetes.io/tls"),
    ("namespaces", {"metadata": {"name": "ns"}, "status": {"phase": "Terminating"}}, "status.phase", "Terminating"),
    ("nodes", {"metadata": {"name": "n"}, "spec": {"unschedulable": True}}, "spec.unschedulable", "true"),
    ("nodes", {"metadata": {"name": "n"}, "spec": {}}, "spec.unschedulable", "false"),
    ("replicationcontrollers", {"metadata": {"name": "rc"}, "status": {"replicas": 3}}, "status.replicas", "3"),
    ("replicationcontrollers", {"metadata": {"name": "rc"}}, "status.replicas", "0"),
    ("replicasets", {"metadata": {"name": "rs"}, "status": {"replicas": 2}}, "status.replicas", "2"),
    ("services", {"metadata": {"name": "svc"}, "spec": {"type": "NodePort", "clusterIP": "198.19.0.10"}},
     "spec.clusterIP", "198.19.0.10"),
    ("configmaps", {"metadata": {"name": "cm", "namespace": "prod"}}, "metadata.namespace", "prod"),
    ("persistentvolumes", {"metadata": {"name": "pv"}}, "metadata.namespace", ""),
])
def test_resources_expose_their_specific_fields(resource: str, obj: dict[str, Any], field: str, value: str) -> None:
    assert fields.object_fields(resource, obj)[field] == value


def test_cluster_scoped_resources_with_their_own_fields_have_no_namespace_field() -> None:
    assert fields.supported_fields("nodes") == {"metadata.name", "spec.unschedulable"}
    assert fields.supported_fields("namespaces") == {"metadata.name", "status.phase"}
    assert "metadata.namespace" not in fields.object_fields("nodes", {"metadata": {"name": "n"}})


def test_resources_without_their_own_fields_support_name_and_namespace() -> None:
    assert fields.supported_fields("deployments") == {"metadata.name", "metadata.namespace"}
    assert fields.object_fields("configmaps", {"metadata": {"name": "c", "namespace": "d"}}) == {
        "metadata.name": "c", "metadata.namespace": "d"}


def test_pods_support_upstreams_field_labels() -> None:
    assert fields.supported_fields("pods") == {
        "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
        "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
        "status.podIP", "status.podIPs", "status.nominatedNodeName", "spec.host",
    }


@pytest.mark.parametrize(("resource", "text", "message"), [
    ("pods", "spec.foo=x", "field label not supported: spec.foo"),
    ("pods", "status.phase=Running,metadata.uid=1", "field label not supported: metadata.uid"),
    ("nodes", "metadata.namespace=x", "field label not supported: metadata.namespace"),
    ("secrets", "data=x", "field label not supported: data"),
    ("deployments", "status.replicas=1",
     '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ("configmaps", 'we"ird=1', '"we\\"ird" is not a known field selector: only "metadata.name", "metadata.namespace"'),
])
def test_unknown_field_labels_fail_with_upstreams_message(resource: str, text: str, message: str) -> None:
    with pytest.raises(FieldSelectorError) as caught:
        fields.convert_field_selector(resource, parse_field_selector(text))
    assert str(caught.value) == message
    with pytest.raises(FieldSelectorError):
        fields.field_tests(resource, parse_field_selector(text))


def test_the_old_spec_host_field_of_pods_means_spec_node_name() -> None:
    converted = fields.convert_field_selector("pods", parse_field_selector("spec.host=node-1"))
    assert converted.requirements == (FieldRequirement("spec.nodeName", "=", "node-1"),)
    assert converted.exact_value("spec.nodeName") == "node-1"


# -- field tests (the pure side; tests/native runs them on both) ----------------------------------

def test_field_tests_read_plain_fields_by_path_and_compute_the_others() -> None:
    tests = fields.field_tests("pods", parse_field_selector("spec.nodeName=node-3,spec.hostNetwork=true"))
    by_field = {t.field: t for t in tests}
    assert by_field["spec.nodeName"].path == ("spec", "nodeName")
    assert by_field["spec.nodeName"].compute is None
    assert by_field["spec.hostNetwork"].path is None
    assert all(t.matches(POD) for t in tests)


@pytest.mark.parametrize(("text", "expected"), [
    ("spec.nodeName=node-3", True),
    ("spec.nodeName!=node-3", False),
    ("spec.host=node-3", True),
    ("status.podIPs=198.18.3.7", False),  # accepted but not a selectable field: it reads as ""
    ("status.podIPs=", True),
    ("status.phase=Running,metadata.namespace=prod", True),
    ("status.phase=Running,metadata.namespace!=prod", False),
])
def test_field_tests_agree_with_matching_the_field_set(text: str, expected: bool) -> None:
    selector = fields.convert_field_selector("pods", parse_field_selector(text))
    tests = fields.field_tests("pods", selector)
    assert all(t.matches(POD) for t in tests) is expected
    assert selector.matches(fields.object_fields("pods", POD)) is expected
