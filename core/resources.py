"""The API resources paddock serves, as one literal table.

Everything that needs to know "which resources exist" reads this table: the apiserver's
router and discovery documents, the OpenAPI builder, validation, table printing and the
client.  Facts here (short names, categories, verbs, subresources) follow upstream
Kubernetes so that kubectl's discovery-driven behaviour (``get po``, ``get all``) matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NO_COLLECTION_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
SUB_VERBS = ("get", "patch", "update")


@dataclass(frozen=True)
class Subresource:
    """A subresource such as ``status`` or ``scale`` and the kind its requests speak."""

    name: str
    kind: str
    verbs: tuple[str, ...] = SUB_VERBS
    group: str | None = None  # set when the subresource's kind lives in another group
    version: str | None = None


@dataclass(frozen=True)
class Resource:
    """One served resource in one group/version."""

    group: str
    version: str
    name: str  # plural, lower case: "pods"
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[Subresource, ...] = ()
    # The group/version whose form is stored; reads in another version are converted.
    storage_version: str | None = None

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def storage_resource(self) -> str:
        """The key prefix component under /registry/ (shared by all versions)."""
        return self.name if not self.group else f"{self.group}/{self.name}"

    def subresource(self, name: str) -> Subresource | None:
        for sub in self.subresources:
            if sub.name == name:
                return sub
        return None


def _status(kind: str) -> Subresource:
    return Subresource("status", kind)


def _scale() -> Subresource:
    return Subresource("scale", "Scale", group="autoscaling", version="v1")


# Order matters: discovery lists resources in this order and `kubectl get all` walks the
# "all" category in discovery order.
RESOURCES: tuple[Resource, ...] = (
    Resource("", "v1", "bindings", "Binding", True, verbs=("create",)),
    Resource("", "v1", "configmaps", "ConfigMap", True, ("cm",)),
    Resource("", "v1", "endpoints", "Endpoints", True, ("ep",)),
    Resource("", "v1", "events", "Event", True, ("ev",)),
    Resource("", "v1", "limitranges", "LimitRange", True, ("limits",)),
    Resource(
        "", "v1", "namespaces", "Namespace", False, ("ns",),
        verbs=NO_COLLECTION_VERBS,
        subresources=(Subresource("finalize", "Namespace", ("update",)), _status("Namespace")),
    ),
    Resource("", "v1", "nodes", "Node", False, ("no",), subresources=(_status("Node"),)),
    Resource(
        "", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ("pvc",),
        subresources=(_status("PersistentVolumeClaim"),),
    ),
    Resource(
        "", "v1", "persistentvolumes", "PersistentVolume", False, ("pv",),
        subresources=(_status("PersistentVolume"),),
    ),
    Resource(
        "", "v1", "pods", "Pod", True, ("po",), ("all",),
        subresources=(  # alphabetical, as upstream's discovery lists them
            Subresource("attach", "PodAttachOptions", ("create", "get")),
            Subresource("binding", "Binding", ("create",)),
            Subresource("eviction", "Eviction", ("create",), group="policy", version="v1"),
            Subresource("exec", "PodExecOptions", ("create", "get")),
            Subresource("log", "Pod", ("get",)),
            Subresource("portforward", "PodPortForwardOptions", ("create", "get")),
            _status("Pod"),
        ),
    ),
    Resource(
        "", "v1", "replicationcontrollers", "ReplicationController", True, ("rc",), ("all",),
        subresources=(_scale(), _status("ReplicationController")),
    ),
    Resource(
        "", "v1", "resourcequotas", "ResourceQuota", True, ("quota",),
        subresources=(_status("ResourceQuota"),),
    ),
    Resource("", "v1", "secrets", "Secret", True),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", True, ("sa",)),
    Resource(
        "", "v1", "services", "Service", True, ("svc",), ("all",),
        verbs=NO_COLLECTION_VERBS, subresources=(_status("Service"),),
    ),
    Resource(
        "apps", "v1", "daemonsets", "DaemonSet", True, ("ds",), ("all",),
        subresources=(_status("DaemonSet"),),
    ),
    Resource(
        "apps", "v1", "deployments", "Deployment", True, ("deploy",), ("all",),
        subresources=(_scale(), _status("Deployment")),
    ),
    Resource(
        "apps", "v1", "replicasets", "ReplicaSet", True, ("rs",), ("all",),
        subresources=(_scale(), _status("ReplicaSet")),
    ),
    Resource(
        "apps", "v1", "statefulsets", "StatefulSet", True, ("sts",), ("all",),
        subresources=(_scale(), _status("StatefulSet")),
    ),
    Resource(
        "autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True,
        ("hpa",), ("all",), subresources=(_status("HorizontalPodAutoscaler"),),
    ),
    Resource(
        "autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True,
        ("hpa",), ("all",), subresources=(_status("HorizontalPodAutoscaler"),),
        storage_version="v2",
    ),
    Resource("batch", "v1", "cronjobs", "CronJob", True, ("cj",), ("all",),
             subresources=(_status("CronJob"),)),
    Resource("batch", "v1", "jobs", "Job", True, (), ("all",), subresources=(_status("Job"),)),
    Resource("coordination.k8s.io", "v1", "leases", "Lease", True),
    Resource("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", True),
    Resource("networking.k8s.io", "v1", "ingressclasses", "IngressClass", False),
    Resource(
        "networking.k8s.io", "v1", "ingresses", "Ingress", True, ("ing",),
        subresources=(_status("Ingress"),),
    ),
    Resource("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, ("sc",)),
)

# Group order in /apis; within a group, versions newest-preferred first.
GROUP_VERSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("apps", ("v1",)),
    ("autoscaling", ("v2", "v1")),
    ("batch", ("v1",)),
    ("coordination.k8s.io", ("v1",)),
    ("discovery.k8s.io", ("v1",)),
    ("networking.k8s.io", ("v1",)),
    ("storage.k8s.io", ("v1",)),
)


@dataclass
class _Index:
    by_path: dict[tuple[str, str, str], Resource] = field(default_factory=dict)
    by_kind: dict[tuple[str, str], Resource] = field(default_factory=dict)


_INDEX = _Index()
for _r in RESOURCES:
    _INDEX.by_path[(_r.group, _r.version, _r.name)] = _r
    _INDEX.by_kind.setdefault((_r.group, _r.kind), _r)


def lookup(group: str, version: str, name: str) -> Resource | None:
    """The resource served at /apis/<group>/<version>/<name> (group "" for /api/v1)."""
    return _INDEX.by_path.get((group, version, name))


def by_kind(group: str, kind: str) -> Resource | None:
    """The preferred-version resource for a kind in a group."""
    return _INDEX.by_kind.get((group, kind))


def resources_in(group: str, version: str) -> list[Resource]:
    """All resources served in one group/version, in discovery order."""
    return [r for r in RESOURCES if r.group == group and r.version == version]


def storage_resources() -> list[Resource]:
    """One resource per stored collection (the storage version of each)."""
    return [r for r in RESOURCES if r.storage_version is None and r.name != "bindings"]
