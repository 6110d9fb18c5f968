"""apps/v1 types: Deployment, ReplicaSet, DaemonSet, StatefulSet (io.k8s.api.apps.v1).

Field names, protobuf numbers, required flags and list/patch metadata follow k8s.io/api
as of Kubernetes 1.33.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message
from paddock.core.schema.meta_v1 import LABEL_SELECTOR, LIST_META, OBJECT_META

P = "io.k8s.api.apps.v1."
POD_TEMPLATE_SPEC = "io.k8s.api.core.v1.PodTemplateSpec"
GROUP, VERSION = "apps", "v1"

# --- Deployment ---------------------------------------------------------------------------

message(
    P + "Deployment",
    "A Deployment keeps a set of identical pods running and rolls out changes to them.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "DeploymentSpec", "The desired state of the Deployment."),
    f("status", 3, P + "DeploymentStatus", "The most recently observed state of the Deployment."),
    gvk=(GROUP, VERSION, "Deployment"),
)

message(
    P + "DeploymentSpec",
    "The desired state of a Deployment.",
    f("replicas", 1, "int32", "Number of pods wanted; defaults to 1."),
    f(
        "selector", 2, LABEL_SELECTOR,
        "Selects the pods this Deployment manages; must match the template's labels.",
        required=True,
    ),
    f(
        "template", 3, POD_TEMPLATE_SPEC,
        "The pod each replica is created from.", required=True,
    ),
    f(
        "strategy", 4, P + "DeploymentStrategy",
        "How old pods are replaced by new ones when the template changes.",
        patch_strategy="retainKeys",
    ),
    f(
        "minReadySeconds", 5, "int32",
        "Seconds a new pod must be ready, without crashing, before it counts as available.",
    ),
    f(
        "revisionHistoryLimit", 6, "int32",
        "How many old ReplicaSets to keep for rollback; defaults to 10.",
    ),
    f("paused", 7, "bool", "While true, template changes do not start a rollout."),
    f(
        "progressDeadlineSeconds", 9, "int32",
        "Seconds a rollout may make no progress before it is reported as failed; defaults to 600.",
    ),
)

message(
    P + "DeploymentStrategy",
    "How a Deployment replaces old pods with new ones.",
    f(
        "type", 1, "string",
        "Recreate (stop all old pods first) or RollingUpdate (the default).",
        enum=("Recreate", "RollingUpdate"),
    ),
    f(
        "rollingUpdate", 2, P + "RollingUpdateDeployment",
        "Limits of a rolling update; only allowed when type is RollingUpdate.",
    ),
)

message(
    P + "RollingUpdateDeployment",
    "Limits that pace a rolling update.",
    f(
        "maxUnavailable", 1, "IntOrString",
        "Pods (a number or a percentage of replicas) that may be unavailable during the "
        "update; defaults to 25%.",
    ),
    f(
        "maxSurge", 2, "IntOrString",
        "Pods (a number or a percentage of replicas) that may be created above the desired "
        "count during the update; defaults to 25%.",
    ),
)

message(
    P + "DeploymentStatus",
    "The most recently observed state of a Deployment.",
    f("observedGeneration", 1, "int64", "The generation the controller last acted on."),
    f("replicas", 2, "int32", "Pods targeted by this Deployment (with this selector)."),
    f("updatedReplicas", 3, "int32", "Pods that run the current template."),
    f("availableReplicas", 4, "int32", "Pods ready for at least minReadySeconds."),
    f("unavailableReplicas", 5, "int32", "Pods still needed for the Deployment to be complete."),
    f(
        "conditions", 6, P + "DeploymentCondition", "Latest observations of the rollout.",
        repeated=True, merge_key="type", patch_strategy="merge",
        list_type="map", list_map_keys=("type",),
    ),
    f("readyReplicas", 7, "int32", "Pods with a Ready condition."),
    f("collisionCount", 8, "int32", "Counter used to avoid ReplicaSet name collisions."),
    f("terminatingReplicas", 9, "int32", "Pods that are terminating (alpha)."),
)

message(
    P + "DeploymentCondition",
    "One observed condition of a Deployment (Available, Progressing, ReplicaFailure).",
    f("type", 1, "string", "Type of the condition.", required=True),
    f("status", 2, "string", "True, False or Unknown.", required=True),
    f("reason", 4, "string", "Machine-readable reason for the last transition."),
    f("message", 5, "string", "Human-readable details of the last transition."),
    f("lastUpdateTime", 6, "Time", "When the condition was last updated."),
    f("lastTransitionTime", 7, "Time", "When the status last changed."),
)

message(
    P + "DeploymentList",
    "A list of Deployments.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "Deployment", repeated=True, required=True),
    gvk=(GROUP, VERSION, "DeploymentList"),
)

# --- ReplicaSet ---------------------------------------------------------------------------

message(
    P + "ReplicaSet",
    "A ReplicaSet keeps a given number of pods matching its selector running.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "ReplicaSetSpec", "The desired state of the ReplicaSet."),
    f("status", 3, P + "ReplicaSetStatus", "The most recently observed state of the ReplicaSet."),
    gvk=(GROUP, VERSION, "ReplicaSet"),
)

message(
    P + "ReplicaSetSpec",
    "The desired state of a ReplicaSet.",
    f("replicas", 1, "int32", "Number of pods wanted; defaults to 1."),
    f(
        "selector", 2, LABEL_SELECTOR,
        "Selects the pods this ReplicaSet counts; must match the template's labels.",
        required=True,
    ),
    f("template", 3, POD_TEMPLATE_SPEC, "The pod created when replicas are missing."),
    f(
        "minReadySeconds", 4, "int32",
        "Seconds a new pod must be ready, without crashing, before it counts as available.",
    ),
)

message(
    P + "ReplicaSetStatus",
    "The most recently observed state of a ReplicaSet.",
    f("replicas", 1, "int32", "Pods currently matched.", required=True),
    f("fullyLabeledReplicas", 2, "int32", "Pods whose labels match the template's labels."),
    f("observedGeneration", 3, "int64", "The generation the controller last acted on."),
    f("readyReplicas", 4, "int32", "Pods with a Ready condition."),
    f("availableReplicas", 5, "int32", "Pods ready for at least minReadySeconds."),
    f(
        "conditions", 6, P + "ReplicaSetCondition", "Latest observations of the ReplicaSet.",
        repeated=True, merge_key="type", patch_strategy="merge",
        list_type="map", list_map_keys=("type",),
    ),
    f("terminatingReplicas", 7, "int32", "Pods that are terminating (alpha)."),
)

message(
    P + "ReplicaSetCondition",
    "One observed condition of a ReplicaSet.",
    f("type", 1, "string", "Type of the condition.", required=True),
    f("status", 2, "string", "True, False or Unknown.", required=True),
    f("lastTransitionTime", 3, "Time", "When the status last changed."),
    f("reason", 4, "string", "Machine-readable reason for the last transition."),
    f("message", 5, "string", "Human-readable details of the last transition."),
)

message(
    P + "ReplicaSetList",
    "A list of ReplicaSets.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "ReplicaSet", repeated=True, required=True),
    gvk=(GROUP, VERSION, "ReplicaSetList"),
)

# --- DaemonSet ----------------------------------------------------------------------------

message(
    P + "DaemonSet",
    "A DaemonSet runs one copy of a pod on every (selected) node.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "DaemonSetSpec", "The desired state of the DaemonSet."),
    f("status", 3, P + "DaemonSetStatus", "The most recently observed state of the DaemonSet."),
    gvk=(GROUP, VERSION, "DaemonSet"),
)

message(
    P + "DaemonSetSpec",
    "The desired state of a DaemonSet.",
    f(
        "selector", 1, LABEL_SELECTOR,
        "Selects the pods this DaemonSet manages; must match the template's labels.",
        required=True,
    ),
    f(
        "template", 2, POD_TEMPLATE_SPEC,
        "The pod run on each eligible node.", required=True,
    ),
    f(
        "updateStrategy", 3, P + "DaemonSetUpdateStrategy",
        "How pods are replaced when the template changes.",
    ),
    f(
        "minReadySeconds", 4, "int32",
        "Seconds a new pod must be ready, without crashing, before it counts as available.",
    ),
    f(
        "revisionHistoryLimit", 6, "int32",
        "How many old revisions to keep for rollback; defaults to 10.",
    ),
)

message(
    P + "DaemonSetUpdateStrategy",
    "How a DaemonSet replaces its pods.",
    f(
        "type", 1, "string",
        "RollingUpdate (the default) or OnDelete (replace a pod only once it is deleted).",
        enum=("OnDelete", "RollingUpdate"),
    ),
    f(
        "rollingUpdate", 2, P + "RollingUpdateDaemonSet",
        "Limits of a rolling update; only allowed when type is RollingUpdate.",
    ),
)

message(
    P + "RollingUpdateDaemonSet",
    "Limits that pace a DaemonSet rolling update.",
    f(
        "maxUnavailable", 1, "IntOrString",
        "Pods (a number or a percentage of nodes) that may be unavailable during the update; "
        "defaults to 1.",
    ),
    f(
        "maxSurge", 2, "IntOrString",
        "Nodes (a number or a percentage) that may run an extra new pod while the old one "
        "still runs; defaults to 0.",
    ),
)

message(
    P + "DaemonSetStatus",
    "The most recently observed state of a DaemonSet.",
    f(
        "currentNumberScheduled", 1, "int32",
        "Nodes running at least one daemon pod that should run it.", required=True,
    ),
    f(
        "numberMisscheduled", 2, "int32",
        "Nodes running the daemon pod that should not run it.", required=True,
    ),
    f(
        "desiredNumberScheduled", 3, "int32",
        "Nodes that should run the daemon pod.", required=True,
    ),
    f("numberReady", 4, "int32", "Nodes whose daemon pod is ready.", required=True),
    f("observedGeneration", 5, "int64", "The generation the controller last acted on."),
    f("updatedNumberScheduled", 6, "int32", "Nodes running the current template."),
    f("numberAvailable", 7, "int32", "Nodes whose daemon pod is available."),
    f("numberUnavailable", 8, "int32", "Nodes whose daemon pod is not available."),
    f("collisionCount", 9, "int32", "Counter used to avoid revision name collisions."),
    f(
        "conditions", 10, P + "DaemonSetCondition", "Latest observations of the DaemonSet.",
        repeated=True, merge_key="type", patch_strategy="merge",
        list_type="map", list_map_keys=("type",),
    ),
)

message(
    P + "DaemonSetCondition",
    "One observed condition of a DaemonSet.",
    f("type", 1, "string", "Type of the condition.", required=True),
    f("status", 2, "string", "True, False or Unknown.", required=True),
    f("lastTransitionTime", 3, "Time", "When the status last changed."),
    f("reason", 4, "string", "Machine-readable reason for the last transition."),
    f("message", 5, "string", "Human-readable details of the last transition."),
)

message(
    P + "DaemonSetList",
    "A list of DaemonSets.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "DaemonSet", repeated=True, required=True),
    gvk=(GROUP, VERSION, "DaemonSetList"),
)

# --- StatefulSet --------------------------------------------------------------------------

PERSISTENT_VOLUME_CLAIM = "io.k8s.api.core.v1.PersistentVolumeClaim"

message(
    P + "StatefulSet",
    "A StatefulSet runs pods with stable identities (ordinal names) and stable storage.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "StatefulSetSpec", "The desired state of the StatefulSet."),
    f(
        "status", 3, P + "StatefulSetStatus",
        "The most recently observed state of the StatefulSet.",
    ),
    gvk=(GROUP, VERSION, "StatefulSet"),
)

message(
    P + "StatefulSetSpec",
    "The desired state of a StatefulSet.",
    f("replicas", 1, "int32", "Number of pods wanted; defaults to 1."),
    f(
        "selector", 2, LABEL_SELECTOR,
        "Selects the pods this StatefulSet manages; must match the template's labels.",
        required=True,
    ),
    f(
        "template", 3, POD_TEMPLATE_SPEC,
        "The pod each ordinal is created from.", required=True,
    ),
    f(
        "volumeClaimTemplates", 4, PERSISTENT_VOLUME_CLAIM,
        "Claims each pod gets its own copy of, mounted by name in the template.",
        repeated=True, list_type="atomic",
    ),
    f("serviceName", 5, "string", "The headless Service that gives the pods network identity."),
    f(
        "podManagementPolicy", 6, "string",
        "OrderedReady (the default: one pod at a time, in order) or Parallel.",
        enum=("OrderedReady", "Parallel"),
    ),
    f(
        "updateStrategy", 7, P + "StatefulSetUpdateStrategy",
        "How pods are replaced when the template changes.",
    ),
    f(
        "revisionHistoryLimit", 8, "int32",
        "How many old revisions to keep for rollback; defaults to 10.",
    ),
    f(
        "minReadySeconds", 9, "int32",
        "Seconds a new pod must be ready, without crashing, before it counts as available.",
    ),
    f(
        "persistentVolumeClaimRetentionPolicy", 10,
        P + "StatefulSetPersistentVolumeClaimRetentionPolicy",
        "What happens to the claims from volumeClaimTemplates on deletion or scale-down.",
    ),
    f("ordinals", 11, P + "StatefulSetOrdinals", "Where replica ordinals start."),
)

message(
    P + "StatefulSetUpdateStrategy",
    "How a StatefulSet replaces its pods.",
    f(
        "type", 1, "string",
        "RollingUpdate (the default) or OnDelete (replace a pod only once it is deleted).",
        enum=("OnDelete", "RollingUpdate"),
    ),
    f(
        "rollingUpdate", 2, P + "RollingUpdateStatefulSetStrategy",
        "Limits of a rolling update; only allowed when type is RollingUpdate.",
    ),
)

message(
    P + "RollingUpdateStatefulSetStrategy",
    "Limits that pace a StatefulSet rolling update.",
    f(
        "partition", 1, "int32",
        "Only pods with an ordinal at least this are updated; defaults to 0.",
    ),
    f(
        "maxUnavailable", 2, "IntOrString",
        "Pods (a number or a percentage of replicas) that may be unavailable during the "
        "update; defaults to 1 (beta).",
    ),
)

message(
    P + "StatefulSetPersistentVolumeClaimRetentionPolicy",
    "Whether claims made from volumeClaimTemplates outlive their pods.",
    f(
        "whenDeleted", 1, "string",
        "Retain (the default) or Delete the claims when the StatefulSet is deleted.",
        enum=("Delete", "Retain"),
    ),
    f(
        "whenScaled", 2, "string",
        "Retain (the default) or Delete the claims of pods removed by a scale-down.",
        enum=("Delete", "Retain"),
    ),
)

message(
    P + "StatefulSetOrdinals",
    "The numbering of a StatefulSet's replicas.",
    f("start", 1, "int32", "The first ordinal; replicas are start..start+replicas-1."),
)

message(
    P + "StatefulSetStatus",
    "The most recently observed state of a StatefulSet.",
    f("observedGeneration", 1, "int64", "The generation the controller last acted on."),
    f("replicas", 2, "int32", "Pods created by the controller.", required=True),
    f("readyReplicas", 3, "int32", "Pods with a Ready condition."),
    f("currentReplicas", 4, "int32", "Pods at currentRevision."),
    f("updatedReplicas", 5, "int32", "Pods at updateRevision."),
    f("currentRevision", 6, "string", "The revision that made pods 0..currentReplicas-1."),
    f("updateRevision", 7, "string", "The revision pods are being updated to."),
    f("collisionCount", 9, "int32", "Counter used to avoid revision name collisions."),
    f(
        "conditions", 10, P + "StatefulSetCondition", "Latest observations of the StatefulSet.",
        repeated=True, merge_key="type", patch_strategy="merge",
        list_type="map", list_map_keys=("type",),
    ),
    f("availableReplicas", 11, "int32", "Pods ready for at least minReadySeconds."),
)

message(
    P + "StatefulSetCondition",
    "One observed condition of a StatefulSet.",
    f("type", 1, "string", "Type of the condition.", required=True),
    f("status", 2, "string", "True, False or Unknown.", required=True),
    f("lastTransitionTime", 3, "Time", "When the status last changed."),
    f("reason", 4, "string", "Machine-readable reason for the last transition."),
    f("message", 5, "string", "Human-readable details of the last transition."),
)

message(
    P + "StatefulSetList",
    "A list of StatefulSets.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "StatefulSet", repeated=True, required=True),
    gvk=(GROUP, VERSION, "StatefulSetList"),
)
