"""storage.k8s.io/v1 types: StorageClass (io.k8s.api.storage.v1).

Field names, protobuf numbers, required flags and list metadata follow k8s.io/api as of
Kubernetes 1.33.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message
from paddock.core.schema.meta_v1 import LIST_META, OBJECT_META

P = "io.k8s.api.storage.v1."
GROUP, VERSION = "storage.k8s.io", "v1"

# StorageClass has no spec: its settings sit at the top level, beside metadata.
message(
    P + "StorageClass",
    "A class of storage: the provisioner that creates its volumes and their settings.",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f(
        "provisioner", 2, "string",
        "Name of the volume plugin or CSI driver that provisions volumes of this class.",
        required=True,
    ),
    f(
        "parameters", 3, "string", "Settings passed to the provisioner.",
        map_value="string",
    ),
    f(
        "reclaimPolicy", 4, "string",
        "What happens to provisioned volumes when their claim is deleted; defaults to Delete.",
        enum=("Delete", "Recycle", "Retain"),
    ),
    f(
        "mountOptions", 5, "string", "Mount options of provisioned volumes, such as ro.",
        repeated=True, list_type="atomic",
    ),
    f("allowVolumeExpansion", 6, "bool", "Whether claims of this class may grow."),
    f(
        "volumeBindingMode", 7, "string",
        "When volumes are provisioned and bound: Immediate (the default) or "
        "WaitForFirstConsumer (once a pod uses the claim).",
        enum=("Immediate", "WaitForFirstConsumer"),
    ),
    f(
        "allowedTopologies", 8, "io.k8s.api.core.v1.TopologySelectorTerm",
        "Topology domains (such as zones) volumes may be provisioned in.",
        repeated=True, list_type="atomic",
    ),
    gvk=(GROUP, VERSION, "StorageClass"),
)

message(
    P + "StorageClassList",
    "A list of StorageClasses.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "StorageClass", repeated=True, required=True),
    gvk=(GROUP, VERSION, "StorageClassList"),
)
