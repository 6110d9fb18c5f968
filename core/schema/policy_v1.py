"""policy/v1 types: Eviction (io.k8s.api.policy.v1), the body of POST pods/<name>/eviction.

Field names and protobuf numbers follow k8s.io/api as of Kubernetes 1.33.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message
from paddock.core.schema.meta_v1 import DELETE_OPTIONS, OBJECT_META

message(
    "io.k8s.api.policy.v1.Eviction",
    "A request to evict a pod, honouring its disruption budgets.",
    f("metadata", 1, OBJECT_META, "Names the pod to evict."),
    f("deleteOptions", 2, DELETE_OPTIONS, "Options for deleting the pod."),
    gvk=("policy", "v1", "Eviction"),
)
