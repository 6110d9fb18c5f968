"""coordination.k8s.io/v1 types: Lease (io.k8s.api.coordination.v1).

Field names and protobuf numbers follow k8s.io/api as of Kubernetes 1.33.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message
from paddock.core.schema.meta_v1 import LIST_META, OBJECT_META

P = "io.k8s.api.coordination.v1."
GROUP, VERSION = "coordination.k8s.io", "v1"

message(
    P + "Lease",
    "A lease: who holds it and until when (node heartbeats, leader election).",
    f("metadata", 1, OBJECT_META, "Standard object metadata."),
    f("spec", 2, P + "LeaseSpec", "The holder and timing of the lease."),
    gvk=(GROUP, VERSION, "Lease"),
)

message(
    P + "LeaseSpec",
    "The holder and timing of a lease.",
    f("holderIdentity", 1, "string", "Identity of the current holder."),
    f(
        "leaseDurationSeconds", 2, "int32",
        "Seconds other candidates wait after renewTime before they may take the lease.",
    ),
    f("acquireTime", 3, "MicroTime", "When the current holder acquired the lease."),
    f("renewTime", 4, "MicroTime", "When the current holder last renewed the lease."),
    f("leaseTransitions", 5, "int32", "How many times the lease changed holder."),
    f(
        "strategy", 6, "string",
        "How a leader is chosen under coordinated leader election (alpha).",
    ),
    f(
        "preferredHolder", 7, "string",
        "A better holder the current one should hand over to (alpha).",
    ),
)

message(
    P + "LeaseList",
    "A list of Leases.",
    f("metadata", 1, LIST_META),
    f("items", 2, P + "Lease", repeated=True, required=True),
    gvk=(GROUP, VERSION, "LeaseList"),
)
