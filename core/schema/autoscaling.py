"""autoscaling/v1 and autoscaling/v2 types (io.k8s.api.autoscaling.v1/.v2).

autoscaling/v1 holds the CPU-only HorizontalPodAutoscaler and the Scale subresource kind;
autoscaling/v2 (the storage version) the HorizontalPodAutoscaler with arbitrary metrics and
scaling behaviour.  Field names, protobuf numbers, required flags and list/patch metadata
follow k8s.io/api as of Kubernetes 1.33.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message
from paddock.core.schema.meta_v1 import LABEL_SELECTOR, LIST_META, OBJECT_META

V1 = "io.k8s.api.autoscaling.v1."
V2 = "io.k8s.api.autoscaling.v2."
GROUP = "autoscaling"

# --- autoscaling/v1 -----------------------------------------------------------------------

message(
    V1 + "CrossVersionObjectReference",
    "Identifies the object to scale (kind, name and API version).",
    f("kind", 1, "string", "Kind of the target, such as Deployment.", required=True),
    f("name", 2, "string", "Name of the target.", required=True),
    f("apiVersion", 3, "string", "API version of the target."),
)

message(
    V1 + "HorizontalPodAutoscaler",
    "Scales a workload between bounds to keep its average CPU utilisation near a target.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f(
        "spec", 2, V1 + "HorizontalPodAutoscalerSpec",
        "The desired behaviour of the autoscaler.",
    ),
    f(
        "status", 3, V1 + "HorizontalPodAutoscalerStatus",
        "The most recently observed state of the autoscaler.",
    ),
    gvk=(GROUP, "v1", "HorizontalPodAutoscaler"),
)

message(
    V1 + "HorizontalPodAutoscalerSpec",
    "The desired behaviour of a CPU-based autoscaler.",
    f(
        "scaleTargetRef", 1, V1 + "CrossVersionObjectReference",
        "The object whose scale subresource is adjusted.", required=True,
    ),
    f("minReplicas", 2, "int32", "Lower bound on the replica count; defaults to 1."),
    f("maxReplicas", 3, "int32", "Upper bound on the replica count.", required=True),
    f(
        "targetCPUUtilizationPercentage", 4, "int32",
        "Average CPU use, as a percentage of the pods' requests, to aim for.",
    ),
)

message(
    V1 + "HorizontalPodAutoscalerStatus",
    "The most recently observed state of a CPU-based autoscaler.",
    f("observedGeneration", 1, "int64", "The generation the autoscaler last acted on."),
    f("lastScaleTime", 2, "Time", "When the autoscaler last changed the replica count."),
    f("currentReplicas", 3, "int32", "Current number of replicas.", required=True),
    f("desiredReplicas", 4, "int32", "Replica count the autoscaler wants.", required=True),
    f(
        "currentCPUUtilizationPercentage", 5, "int32",
        "Current average CPU use as a percentage of the pods' requests.",
    ),
)

message(
    V1 + "HorizontalPodAutoscalerList",
    "A list of HorizontalPodAutoscalers.",
    f("metadata", 1, LIST_META),
    f("items", 2, V1 + "HorizontalPodAutoscaler", repeated=True, required=True),
    gvk=(GROUP, "v1", "HorizontalPodAutoscalerList"),
)

message(
    V1 + "Scale",
    "The scale subresource of a scalable workload.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, V1 + "ScaleSpec", "The desired scale."),
    f("status", 3, V1 + "ScaleStatus", "The current scale."),
    gvk=(GROUP, "v1", "Scale"),
)

message(
    V1 + "ScaleSpec",
    "The desired scale of a workload.",
    f("replicas", 1, "int32", "Desired number of replicas."),
)

message(
    V1 + "ScaleStatus",
    "The observed scale of a workload.",
    f("replicas", 1, "int32", "Actual number of replicas.", required=True),
    f("selector", 2, "string", "Label selector of the pods, in its string form."),
)

# --- autoscaling/v2 -----------------------------------------------------------------------

message(
    V2 + "HorizontalPodAutoscaler",
    "Scales a workload between bounds to keep the metrics it names near their targets.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f(
        "spec", 2, V2 + "HorizontalPodAutoscalerSpec",
        "The desired behaviour of the autoscaler.",
    ),
    f(
        "status", 3, V2 + "HorizontalPodAutoscalerStatus",
        "The most recently observed state of the autoscaler.",
    ),
    gvk=(GROUP, "v2", "HorizontalPodAutoscaler"),
)

message(
    V2 + "HorizontalPodAutoscalerSpec",
    "The desired behaviour of an autoscaler.",
    f(
        "scaleTargetRef", 1, V2 + "CrossVersionObjectReference",
        "The object whose scale subresource is adjusted.", required=True,
    ),
    f("minReplicas", 2, "int32", "Lower bound on the replica count; defaults to 1."),
    f("maxReplicas", 3, "int32", "Upper bound on the replica count.", required=True),
    f(
        "metrics", 4, V2 + "MetricSpec",
        "Metrics whose targets decide the replica count; the largest proposal wins. "
        "Defaults to 80% average CPU utilisation.",
        repeated=True, list_type="atomic",
    ),
    f(
        "behavior", 5, V2 + "HorizontalPodAutoscalerBehavior",
        "How fast to scale up and down; defaults apply when unset.",
    ),
)

message(
    V2 + "CrossVersionObjectReference",
    "Identifies the object to scale (kind, name and API version).",
    f("kind", 1, "string", "Kind of the target, such as Deployment.", required=True),
    f("name", 2, "string", "Name of the target.", required=True),
    f("apiVersion", 3, "string", "API version of the target."),
)

message(
    V2 + "MetricSpec",
    "One metric to scale on; type names which of the other fields is set.",
    f(
        "type", 1, "string",
        "Which source is set: ContainerResource, External, Object, Pods or Resource.",
        required=True,
    ),
    f("object", 2, V2 + "ObjectMetricSource", "A metric describing a single object."),
    f("pods", 3, V2 + "PodsMetricSource", "A metric averaged over the target's pods."),
    f("resource", 4, V2 + "ResourceMetricSource", "A resource (cpu, memory) of the pods."),
    f("external", 5, V2 + "ExternalMetricSource", "A metric from outside the cluster."),
    f(
        "containerResource", 7, V2 + "ContainerResourceMetricSource",
        "A resource of one named container in each pod.",
    ),
)

message(
    V2 + "ObjectMetricSource",
    "A metric of a single object, such as requests per second of an Ingress.",
    f("describedObject", 1, V2 + "CrossVersionObjectReference", required=True),
    f("target", 2, V2 + "MetricTarget", required=True),
    f("metric", 3, V2 + "MetricIdentifier", required=True),
)

message(
    V2 + "PodsMetricSource",
    "A metric averaged over the pods of the target.",
    f("metric", 1, V2 + "MetricIdentifier", required=True),
    f("target", 2, V2 + "MetricTarget", required=True),
)

message(
    V2 + "ResourceMetricSource",
    "A resource (as in requests and limits) of the target's pods.",
    f("name", 1, "string", required=True),
    f("target", 2, V2 + "MetricTarget", required=True),
)

message(
    V2 + "ContainerResourceMetricSource",
    "A resource of one container in each of the target's pods.",
    f("name", 1, "string", required=True),
    f("target", 2, V2 + "MetricTarget", required=True),
    f("container", 3, "string", required=True),
)

message(
    V2 + "ExternalMetricSource",
    "A metric not tied to any object in the cluster.",
    f("metric", 1, V2 + "MetricIdentifier", required=True),
    f("target", 2, V2 + "MetricTarget", required=True),
)

message(
    V2 + "MetricIdentifier",
    "Names a metric, optionally narrowed by a label selector.",
    f("name", 1, "string", required=True),
    f("selector", 2, LABEL_SELECTOR),
)

message(
    V2 + "MetricTarget",
    "The target value of a metric: a value, an average value or an average utilisation.",
    f("type", 1, "string", required=True),
    f("value", 2, "Quantity"),
    f("averageValue", 3, "Quantity"),
    f("averageUtilization", 4, "int32"),
)

message(
    V2 + "HorizontalPodAutoscalerBehavior",
    "Scaling rules for each direction.",
    f("scaleUp", 1, V2 + "HPAScalingRules", "Rules for scaling up."),
    f("scaleDown", 2, V2 + "HPAScalingRules", "Rules for scaling down."),
)

message(
    V2 + "HPAScalingRules",
    "Rules that limit how fast the replica count changes in one direction.",
    f("selectPolicy", 1, "string", "Which policy applies when several do: Max, Min or Disabled."),
    f(
        "policies", 2, V2 + "HPAScalingPolicy", "Allowed changes per period.",
        repeated=True, list_type="atomic",
    ),
    f(
        "stabilizationWindowSeconds", 3, "int32",
        "Seconds of past recommendations to consider, to avoid flapping.",
    ),
    f("tolerance", 4, "Quantity", "Relative metric change below which no scaling happens (alpha)."),
)

message(
    V2 + "HPAScalingPolicy",
    "One limit on replica changes: a number of pods or a percentage per period.",
    f("type", 1, "string", required=True),
    f("value", 2, "int32", required=True),
    f("periodSeconds", 3, "int32", required=True),
)

message(
    V2 + "HorizontalPodAutoscalerStatus",
    "The most recently observed state of an autoscaler.",
    f("observedGeneration", 1, "int64", "The generation the autoscaler last acted on."),
    f("lastScaleTime", 2, "Time", "When the autoscaler last changed the replica count."),
    f("currentReplicas", 3, "int32", "Current number of replicas."),
    f("desiredReplicas", 4, "int32", "Replica count the autoscaler wants.", required=True),
    f(
        "currentMetrics", 5, V2 + "MetricStatus", "Last read values of the metrics.",
        repeated=True, list_type="atomic",
    ),
    f(
        "conditions", 6, V2 + "HorizontalPodAutoscalerCondition",
        "Latest observations of the autoscaler.",
        repeated=True, merge_key="type", patch_strategy="merge",
        list_type="map", list_map_keys=("type",),
    ),
)

message(
    V2 + "HorizontalPodAutoscalerCondition",
    "One observed condition of an autoscaler.",
    f("type", 1, "string", required=True),
    f("status", 2, "string", required=True),
    f("lastTransitionTime", 3, "Time"),
    f("reason", 4, "string"),
    f("message", 5, "string"),
)

message(
    V2 + "MetricStatus",
    "The last read value of one metric; type names which of the other fields is set.",
    f("type", 1, "string", required=True),
    f("object", 2, V2 + "ObjectMetricStatus"),
    f("pods", 3, V2 + "PodsMetricStatus"),
    f("resource", 4, V2 + "ResourceMetricStatus"),
    f("external", 5, V2 + "ExternalMetricStatus"),
    f("containerResource", 7, V2 + "ContainerResourceMetricStatus"),
)

message(
    V2 + "ObjectMetricStatus",
    "The current value of an object metric.",
    f("metric", 1, V2 + "MetricIdentifier", required=True),
    f("current", 2, V2 + "MetricValueStatus", required=True),
    f("describedObject", 3, V2 + "CrossVersionObjectReference", required=True),
)

message(
    V2 + "PodsMetricStatus",
    "The current value of a pods metric.",
    f("metric", 1, V2 + "MetricIdentifier", required=True),
    f("current", 2, V2 + "MetricValueStatus", required=True),
)

message(
    V2 + "ResourceMetricStatus",
    "The current value of a resource metric.",
    f("name", 1, "string", required=True),
    f("current", 2, V2 + "MetricValueStatus", required=True),
)

message(
    V2 + "ContainerResourceMetricStatus",
    "The current value of a container resource metric.",
    f("name", 1, "string", required=True),
    f("current", 2, V2 + "MetricValueStatus", required=True),
    f("container", 3, "string", required=True),
)

message(
    V2 + "ExternalMetricStatus",
    "The current value of an external metric.",
    f("metric", 1, V2 + "MetricIdentifier", required=True),
    f("current", 2, V2 + "MetricValueStatus", required=True),
)

message(
    V2 + "MetricValueStatus",
    "A metric's current value, average value or average utilisation.",
    f("value", 1, "Quantity"),
    f("averageValue", 2, "Quantity"),
    f("averageUtilization", 3, "int32"),
)

message(
    V2 + "HorizontalPodAutoscalerList",
    "A list of HorizontalPodAutoscalers.",
    f("metadata", 1, LIST_META),
    f("items", 2, V2 + "HorizontalPodAutoscaler", repeated=True, required=True),
    gvk=(GROUP, "v2", "HorizontalPodAutoscalerList"),
)
