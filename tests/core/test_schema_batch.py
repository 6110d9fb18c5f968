"""Tests for the batch/v1 types (Job, CronJob) and the apps/v1 StatefulSet types.

The expected field numbers, required flags and list/patch metadata below were read from
upstream kubernetes/api at kubernetes-1.33.9 (batch/v1 and apps/v1 generated.proto and
types.go).
"""

from __future__ import annotations

from typing import Any

import pytest

from paddock.core.schema import check_fields, message_for_kind, resolve
from paddock.core.schema.dsl import REGISTRY, SCALARS, Field, Message

BATCH = "io.k8s.api.batch.v1."
APPS = "io.k8s.api.apps.v1."

BATCH_TYPES = [
    "Job", "JobList", "JobSpec", "JobStatus", "JobCondition", "JobTemplateSpec",
    "CronJob", "CronJobList", "CronJobSpec", "CronJobStatus",
    "PodFailurePolicy", "PodFailurePolicyRule", "PodFailurePolicyOnExitCodesRequirement",
    "PodFailurePolicyOnPodConditionsPattern", "SuccessPolicy", "SuccessPolicyRule",
    "UncountedTerminatedPods",
]
STATEFUL_SET_TYPES = [
    "StatefulSet", "StatefulSetList", "StatefulSetSpec", "StatefulSetStatus",
    "StatefulSetCondition", "StatefulSetUpdateStrategy", "RollingUpdateStatefulSetStrategy",
    "StatefulSetPersistentVolumeClaimRetentionPolicy", "StatefulSetOrdinals",
]
NEW_MESSAGES = [BATCH + n for n in BATCH_TYPES] + [APPS + n for n in STATEFUL_SET_TYPES]


def field_of(type_name: str, json_name: str) -> Field:
    """The field with this JSON name of a registered type (full name)."""
    msg = REGISTRY[type_name]
    fld = msg.field(json_name)
    assert fld is not None, f"{type_name}.{json_name} missing"
    return fld


def required_names(type_name: str) -> list[str]:
    return [fld.name for fld in REGISTRY[type_name].fields if fld.required]


@pytest.mark.parametrize(
    ("group", "kind"),
    [
        ("batch", "Job"), ("batch", "JobList"), ("batch", "CronJob"),
        ("batch", "CronJobList"), ("apps", "StatefulSet"), ("apps", "StatefulSetList"),
    ],
)
def test_top_level_kinds_are_registered_with_their_gvk(group: str, kind: str) -> None:
    msg = message_for_kind(group, "v1", kind)
    assert msg is not None
    assert msg.name == f"io.k8s.api.{group}.v1.{kind}"
    assert msg.gvk == (group, "v1", kind)


def test_nested_types_carry_no_gvk() -> None:
    for name in NEW_MESSAGES:
        if name.rsplit(".", 1)[-1] not in ("Job", "JobList", "CronJob", "CronJobList",
                                            "StatefulSet", "StatefulSetList"):
            assert REGISTRY[name].gvk is None, name


def test_list_kinds_hold_required_items_of_their_kind() -> None:
    for prefix, kind in ((BATCH, "Job"), (BATCH, "CronJob"), (APPS, "StatefulSet")):
        items = field_of(prefix + kind + "List", "items")
        assert items.repeated and items.required and items.type == prefix + kind


def test_every_type_the_new_messages_refer_to_resolves() -> None:
    for name in NEW_MESSAGES:
        msg: Message = REGISTRY[name]
        for fld in msg.fields:
            type_name = fld.map_value or fld.type
            if type_name not in SCALARS:
                assert resolve(type_name) is not None, f"{name}.{fld.name} -> {type_name}"


def test_field_numbers_and_names_are_unique_in_the_new_messages() -> None:
    for name in NEW_MESSAGES:
        fields = REGISTRY[name].fields
        numbers = [fld.number for fld in fields]
        names = [fld.name for fld in fields]
        assert len(numbers) == len(set(numbers)), name
        assert len(names) == len(set(names)), name


@pytest.mark.parametrize(
    ("type_name", "json_name", "number"),
    [
        (BATCH + "JobSpec", "podFailurePolicy", 11),
        (BATCH + "JobSpec", "successPolicy", 16),
        (BATCH + "JobSpec", "backoffLimit", 7),
        (BATCH + "JobSpec", "managedBy", 15),
        (BATCH + "JobStatus", "terminating", 11),
        (BATCH + "JobStatus", "uncountedTerminatedPods", 8),
        (BATCH + "CronJobSpec", "timeZone", 8),
        (BATCH + "CronJobStatus", "lastSuccessfulTime", 5),
        (APPS + "StatefulSetSpec", "ordinals", 11),
        (APPS + "StatefulSetStatus", "collisionCount", 9),
        (APPS + "StatefulSetStatus", "availableReplicas", 11),
    ],
)
def test_field_numbers_match_upstream(type_name: str, json_name: str, number: int) -> None:
    assert field_of(type_name, json_name).number == number


def test_field_numbers_upstream_skips_are_not_filled() -> None:
    # StatefulSetStatus has no field 8 upstream; JobSpec stops at 16 in 1.33
    assert 8 not in {fld.number for fld in REGISTRY[APPS + "StatefulSetStatus"].fields}
    assert max(fld.number for fld in REGISTRY[BATCH + "JobSpec"].fields) == 16


def test_required_fields_match_upstream() -> None:
    assert required_names(BATCH + "JobSpec") == ["template"]
    assert required_names(BATCH + "CronJobSpec") == ["schedule", "jobTemplate"]
    assert required_names(BATCH + "JobCondition") == ["type", "status"]
    assert required_names(BATCH + "PodFailurePolicyRule") == ["action"]
    assert required_names(BATCH + "PodFailurePolicyOnExitCodesRequirement") == [
        "operator", "values",
    ]
    assert required_names(APPS + "StatefulSetSpec") == ["selector", "template"]
    assert required_names(APPS + "StatefulSetStatus") == ["replicas"]


def test_job_conditions_merge_on_type_but_are_an_atomic_list() -> None:
    # upstream tags JobStatus.conditions patchStrategy=merge yet +listType=atomic
    conditions = field_of(BATCH + "JobStatus", "conditions")
    assert (conditions.merge_key, conditions.patch_strategy) == ("type", "merge")
    assert conditions.list_type == "atomic" and conditions.list_map_keys == ()


def test_stateful_set_conditions_are_a_map_keyed_by_type() -> None:
    conditions = field_of(APPS + "StatefulSetStatus", "conditions")
    assert (conditions.merge_key, conditions.patch_strategy) == ("type", "merge")
    assert conditions.list_type == "map" and conditions.list_map_keys == ("type",)


def test_list_types_match_upstream() -> None:
    assert field_of(BATCH + "PodFailurePolicyOnExitCodesRequirement", "values").list_type == "set"
    assert field_of(BATCH + "UncountedTerminatedPods", "succeeded").list_type == "set"
    assert field_of(BATCH + "CronJobStatus", "active").list_type == "atomic"
    assert field_of(APPS + "StatefulSetSpec", "volumeClaimTemplates").list_type == "atomic"


def test_enums_match_upstream() -> None:
    assert field_of(BATCH + "JobSpec", "completionMode").enum == ("Indexed", "NonIndexed")
    assert field_of(BATCH + "CronJobSpec", "concurrencyPolicy").enum == (
        "Allow", "Forbid", "Replace",
    )
    assert field_of(BATCH + "PodFailurePolicyRule", "action").enum == (
        "Count", "FailIndex", "FailJob", "Ignore",
    )
    assert field_of(APPS + "StatefulSetSpec", "podManagementPolicy").enum == (
        "OrderedReady", "Parallel",
    )
    assert field_of(APPS + "StatefulSetUpdateStrategy", "type").enum == (
        "OnDelete", "RollingUpdate",
    )


def test_core_v1_types_are_referenced_by_full_name() -> None:
    assert field_of(BATCH + "JobSpec", "template").type == "io.k8s.api.core.v1.PodTemplateSpec"
    assert field_of(BATCH + "CronJobStatus", "active").type == (
        "io.k8s.api.core.v1.ObjectReference"
    )
    assert field_of(APPS + "StatefulSetSpec", "volumeClaimTemplates").type == (
        "io.k8s.api.core.v1.PersistentVolumeClaim"
    )


# --- checks on whole objects ----------------------------------------------------------------


def pod_template() -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "x"}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "c", "image": "busybox"}],
        },
    }


def job() -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi"},
        "spec": {
            "completions": 3,
            "completionMode": "Indexed",
            "backoffLimitPerIndex": 1,
            "podFailurePolicy": {
                "rules": [
                    {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}},
                    {"action": "Ignore", "onPodConditions": [
                        {"type": "DisruptionTarget", "status": "True"},
                    ]},
                ]
            },
            "successPolicy": {"rules": [{"succeededIndexes": "0-1", "succeededCount": 1}]},
            "template": pod_template(),
        },
        "status": {"uncountedTerminatedPods": {"succeeded": ["uid-1"]}, "ready": 0},
    }


def stateful_set() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "x"}},
            "template": pod_template(),
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"},
            "ordinals": {"start": 5},
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ],
        },
    }


def test_valid_job_and_stateful_set_have_no_findings() -> None:
    assert check_fields("batch", "v1", "Job", job()) == ([], [])
    assert check_fields("apps", "v1", "StatefulSet", stateful_set()) == ([], [])


def test_unknown_fields_in_a_job_are_found_with_upstream_paths() -> None:
    obj = job()
    obj["spec"]["podFailurePolicy"]["rules"][0]["onExitCodes"]["value"] = [1]
    obj["spec"]["template"]["spec"]["containers"][0]["bogus"] = True
    unknown, errors = check_fields("batch", "v1", "Job", obj)
    assert unknown == [
        "spec.podFailurePolicy.rules[0].onExitCodes.value",
        "spec.template.spec.containers[0].bogus",
    ]
    assert errors == []


def test_unknown_fields_in_a_cron_job_template_are_found() -> None:
    obj = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {
            "schedule": "*/5 * * * *",
            "jobTemplate": {"spec": {"template": pod_template(), "paralelism": 2}},
        },
    }
    assert check_fields("batch", "v1", "CronJob", obj) == (
        ["spec.jobTemplate.spec.paralelism"], []
    )


def test_unknown_fields_in_a_stateful_set_are_found_with_upstream_paths() -> None:
    obj = stateful_set()
    obj["spec"]["volumeClaimTemplates"][0]["spec"]["storageClass"] = "fast"
    obj["spec"]["ordinals"]["begin"] = 1
    unknown, errors = check_fields("apps", "v1", "StatefulSet", obj)
    assert unknown == [
        "spec.ordinals.begin",
        "spec.volumeClaimTemplates[0].spec.storageClass",
    ]
    assert errors == []


def test_wrong_json_types_in_a_stateful_set_get_go_messages() -> None:
    obj = stateful_set()
    obj["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = "1"
    _, errors = check_fields("apps", "v1", "StatefulSet", obj)
    assert errors == [
        (
            "spec.updateStrategy.rollingUpdate.partition",
            "json: cannot unmarshal string into Go struct field "
            "RollingUpdateStatefulSetStrategy.spec.updateStrategy.rollingUpdate.partition "
            "of type int32",
        )
    ]
