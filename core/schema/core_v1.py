"""The core/v1 API types (``io.k8s.api.core.v1``) in the schema DSL.

Every type reachable from the served core/v1 kinds is here, plus the core/v1 types that
other groups refer to (``PodTemplateSpec`` for apps, ``TypedLocalObjectReference`` for
networking, ``ObjectReference`` for discovery, ``TopologySelectorTerm`` and
``PersistentVolumeSpec`` for storage).  JSON names, protobuf field numbers and types follow
upstream ``k8s.io/api/core/v1`` (``generated.proto`` for numbers, ``types.go`` for JSON
names, ``patchStrategy``/``patchMergeKey`` tags, ``+listType``/``+listMapKey`` markers and
``+enum`` values) as of kubernetes/api commit 10b39a39 (July 2026), so alpha fields of that
release are included.  A field is ``required`` where upstream OpenAPI marks it so: no
``omitempty`` and no ``+optional``, or an explicit ``+required``.

Embedded structs: Go embeds some structs with ``json:",inline"`` (``Volume`` embeds
``VolumeSource``, ``Probe`` embeds ``ProbeHandler``, ``SecretKeySelector`` embeds
``LocalObjectReference``, ...).  In protobuf the embedded struct is an ordinary nested
message with its own field number, but in JSON its fields sit directly in the outer
object.  Such a field is written here with the empty JSON name ``""``, which is what the
Go tag says: JSON readers and writers splice the nested message's fields into the outer
object, while the protobuf codec treats it like any other message field.

``apiVersion`` and ``kind`` (Go's inline ``TypeMeta``) have no protobuf field number and are
not listed; they belong to every message that has a ``gvk``.
"""

from __future__ import annotations

from paddock.core.schema.dsl import f, message

CORE = "io.k8s.api.core.v1."
META = "io.k8s.apimachinery.pkg.apis.meta.v1."

# Enum values upstream documents (types marked ``+enum`` in types.go), shared by the
# fields that use them.

_APP_ARMOR_PROFILE_TYPE = ("Localhost", "RuntimeDefault", "Unconfined")
_AZURE_DATA_DISK_CACHING_MODE = ("None", "ReadOnly", "ReadWrite")
_AZURE_DATA_DISK_KIND = ("Dedicated", "Managed", "Shared")
_DNS_POLICY = ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")
_GRPC_PROBE_MODE = ("Plaintext", "TLS")
_HOST_PATH_TYPE = (
    "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate",
    "Socket",
)
_HTTP_PROTOCOL = ("HTTP1", "HTTP2")
_IP_FAMILY = ("", "IPv4", "IPv6")
_IP_FAMILY_POLICY = ("PreferDualStack", "RequireDualStack", "SingleStack")
_MOUNT_PROPAGATION_MODE = ("Bidirectional", "HostToContainer", "None")
_NAMESPACE_PHASE = ("Active", "Terminating")
_NODE_INCLUSION_POLICY = ("Honor", "Ignore")
_NODE_PHASE = ("Pending", "Running", "Terminated")
_NODE_SELECTOR_OPERATOR = ("DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn")
_PERSISTENT_VOLUME_ACCESS_MODE = (
    "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod",
)
_PERSISTENT_VOLUME_CLAIM_MODIFY_VOLUME_STATUS = ("InProgress", "Infeasible", "Pending")
_PERSISTENT_VOLUME_CLAIM_PHASE = ("Bound", "Lost", "Pending")
_PERSISTENT_VOLUME_MODE = ("Block", "Filesystem")
_PERSISTENT_VOLUME_PHASE = ("Available", "Bound", "Failed", "Pending", "Released")
_PERSISTENT_VOLUME_RECLAIM_POLICY = ("Delete", "Recycle", "Retain")
_POD_FS_GROUP_CHANGE_POLICY = ("Always", "OnRootMismatch")
_POD_PHASE = ("Failed", "Pending", "Running", "Succeeded", "Unknown")
_POD_QOS_CLASS = ("BestEffort", "Burstable", "Guaranteed")
_PREEMPTION_POLICY = ("Never", "PreemptLowerPriority")
_PROC_MOUNT_TYPE = ("Default", "Unmasked")
_PROTOCOL = ("SCTP", "TCP", "UDP")
_PULL_POLICY = ("Always", "IfNotPresent", "Never")
_RESOURCE_QUOTA_SCOPE = (
    "BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass",
    "Terminating", "VolumeAttributesClass",
)
_RESTART_POLICY = ("Always", "Never", "OnFailure")
_SCOPE_SELECTOR_OPERATOR = ("DoesNotExist", "Exists", "In", "NotIn")
_SECCOMP_PROFILE_TYPE = ("Localhost", "RuntimeDefault", "Unconfined")
_SERVICE_AFFINITY = ("ClientIP", "None")
_SERVICE_EXTERNAL_TRAFFIC_POLICY = ("Cluster", "Local")
_SERVICE_INTERNAL_TRAFFIC_POLICY = ("Cluster", "Local")
_SERVICE_TYPE = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
_SIGNAL = (
    "SIGABRT", "SIGALRM", "SIGBUS", "SIGCHLD", "SIGCLD", "SIGCONT", "SIGFPE", "SIGHUP", "SIGILL",
    "SIGINT", "SIGIO", "SIGIOT", "SIGKILL", "SIGPIPE", "SIGPOLL", "SIGPROF", "SIGPWR", "SIGQUIT",
    "SIGRTMAX", "SIGRTMAX-1", "SIGRTMAX-10", "SIGRTMAX-11", "SIGRTMAX-12", "SIGRTMAX-13",
    "SIGRTMAX-14", "SIGRTMAX-2", "SIGRTMAX-3", "SIGRTMAX-4", "SIGRTMAX-5", "SIGRTMAX-6",
    "SIGRTMAX-7", "SIGRTMAX-8", "SIGRTMAX-9", "SIGRTMIN", "SIGRTMIN+1", "SIGRTMIN+10",
    "SIGRTMIN+11", "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15", "SIGRTMIN+2",
    "SIGRTMIN+3", "SIGRTMIN+4", "SIGRTMIN+5", "SIGRTMIN+6", "SIGRTMIN+7", "SIGRTMIN+8",
    "SIGRTMIN+9", "SIGSEGV", "SIGSTKFLT", "SIGSTOP", "SIGSYS", "SIGTERM", "SIGTRAP", "SIGTSTP",
    "SIGTTIN", "SIGTTOU", "SIGURG", "SIGUSR1", "SIGUSR2", "SIGVTALRM", "SIGWINCH", "SIGXCPU",
    "SIGXFSZ",
)
_SUPPLEMENTAL_GROUPS_POLICY = ("Merge", "Strict")
_TAINT_EFFECT = ("NoExecute", "NoSchedule", "PreferNoSchedule")
_TERMINATION_MESSAGE_POLICY = ("FallbackToLogsOnError", "File")
_TOLERATION_OPERATOR = ("Equal", "Exists", "Gt", "Lt")
_UNSATISFIABLE_CONSTRAINT_ACTION = ("DoNotSchedule", "ScheduleAnyway")
_URI_SCHEME = ("HTTP", "HTTPS")
_VOLUME_HEALTH_STATUS_TYPE = ("DataLoss", "Degraded", "Inaccessible")


# ---- Pod ---------------------------------------------------------------------------------------

message(
    CORE + "Pod",
    "A group of containers that run together on one node.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "PodSpec"),
    f("status", 3, CORE + "PodStatus"),
    gvk=("", "v1", "Pod"),
)

message(
    CORE + "PodSpec",
    "The desired state of a pod.",
    f(
        "volumes", 1, CORE + "Volume",
        "Volumes the pod's containers can mount.",
        repeated=True, merge_key="name", patch_strategy="merge,retainKeys", list_type="map",
        list_map_keys=("name",),
    ),
    f(
        "initContainers", 20, CORE + "Container",
        "Containers run one after another before the app containers start; each must succeed. "
        "Init containers with restartPolicy Always keep running as sidecars.",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f(
        "containers", 2, CORE + "Container",
        "The app containers of the pod. At least one is required; cannot be added or removed "
        "later.",
        repeated=True, required=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f(
        "ephemeralContainers", 34, CORE + "EphemeralContainer",
        "Debugging containers added to a running pod (via the ephemeralcontainers subresource).",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f(
        "restartPolicy", 3, "string",
        "When the kubelet restarts exited containers: Always (default), OnFailure or Never.",
        enum=_RESTART_POLICY,
    ),
    f(
        "terminationGracePeriodSeconds", 4, "int64",
        "Seconds between the stop signal and the kill on deletion. Defaults to 30.",
    ),
    f(
        "activeDeadlineSeconds", 5, "int64",
        "Seconds after start before the kubelet fails the pod and kills its containers.",
    ),
    f(
        "dnsPolicy", 6, "string",
        "How the pod's DNS is set up: ClusterFirst (default), ClusterFirstWithHostNet, Default "
        "or None.",
        enum=_DNS_POLICY,
    ),
    f(
        "nodeSelector", 7, "string",
        "Labels a node must carry for the pod to be scheduled there.",
        map_value="string",
    ),
    f("serviceAccountName", 8, "string", "The service account the pod runs as."),
    f("serviceAccount", 9, "string", "Deprecated alias of serviceAccountName."),
    f(
        "automountServiceAccountToken", 21, "bool",
        "Whether a service account token is mounted automatically.",
    ),
    f(
        "nodeName", 10, "string",
        "The node the pod runs on. Set by the scheduler; setting it at creation skips scheduling.",
    ),
    f("hostNetwork", 11, "bool", "Use the node's network namespace. Ports then bind on the node."),
    f("hostPID", 12, "bool", "Use the node's process ID namespace."),
    f("hostIPC", 13, "bool", "Use the node's IPC namespace."),
    f(
        "shareProcessNamespace", 27, "bool",
        "Put all containers of the pod in one process namespace.",
    ),
    f(
        "securityContext", 14, CORE + "PodSecurityContext",
        "Security settings that apply to every container of the pod.",
    ),
    f(
        "imagePullSecrets", 15, CORE + "LocalObjectReference",
        "Secrets in the pod's namespace used to pull private images.",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f("hostname", 16, "string", "The pod's hostname. Defaults to a value chosen by the system."),
    f(
        "subdomain", 17, "string",
        "When set, the pod's name becomes <hostname>.<subdomain>.<namespace>.svc.<cluster-domain>.",
    ),
    f(
        "affinity", 18, CORE + "Affinity",
        "Node affinity, pod affinity and pod anti-affinity rules.",
    ),
    f(
        "schedulerName", 19, "string",
        "The scheduler that places the pod. Defaults to default-scheduler.",
    ),
    f(
        "tolerations", 22, CORE + "Toleration",
        "Taints the pod tolerates.",
        repeated=True, list_type="atomic",
    ),
    f(
        "hostAliases", 23, CORE + "HostAlias",
        "Extra entries for the pod's /etc/hosts.",
        repeated=True, merge_key="ip", patch_strategy="merge", list_type="map",
        list_map_keys=("ip",),
    ),
    f("priorityClassName", 24, "string", "The PriorityClass that gives the pod its priority."),
    f(
        "priority", 25, "int32",
        "The pod's priority, filled in from priorityClassName by admission.",
    ),
    f("dnsConfig", 26, CORE + "PodDNSConfig", "DNS settings added to those from dnsPolicy."),
    f(
        "readinessGates", 28, CORE + "PodReadinessGate",
        "Extra pod conditions that must all be true for the pod to be ready.",
        repeated=True, list_type="atomic",
    ),
    f("runtimeClassName", 29, "string", "The RuntimeClass used to run the pod."),
    f(
        "enableServiceLinks", 30, "bool",
        "Whether environment variables for services are injected. Defaults to true.",
    ),
    f(
        "preemptionPolicy", 31, "string",
        "Whether the pod may preempt lower-priority pods: PreemptLowerPriority (default) or Never.",
        enum=_PREEMPTION_POLICY,
    ),
    f(
        "overhead", 32, "Quantity",
        "Resources used by the pod sandbox on top of its containers; set by admission from the "
        "RuntimeClass.",
        map_value="Quantity",
    ),
    f(
        "topologySpreadConstraints", 33, CORE + "TopologySpreadConstraint",
        "How the pod's replicas should spread across zones, nodes or other topology domains.",
        repeated=True, merge_key="topologyKey", patch_strategy="merge", list_type="map",
        list_map_keys=("topologyKey", "whenUnsatisfiable"),
    ),
    f("setHostnameAsFQDN", 35, "bool", "Make the pod's hostname its fully qualified domain name."),
    f(
        "os", 36, CORE + "PodOS",
        "The operating system the pod's containers need (linux or windows).",
    ),
    f(
        "hostUsers", 37, "bool",
        "Use the node's user namespace. Defaults to true; false gives the pod its own.",
    ),
    f(
        "schedulingGates", 38, CORE + "PodSchedulingGate",
        "Gates that hold the pod back from scheduling until every one is removed.",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f(
        "resourceClaims", 39, CORE + "PodResourceClaim",
        "DRA resource claims the pod's containers may use.",
        repeated=True, merge_key="name", patch_strategy="merge,retainKeys", list_type="map",
        list_map_keys=("name",),
    ),
    f(
        "resources", 40, CORE + "ResourceRequirements",
        "Pod-level resource requests and limits (cpu, memory, hugepages) shared by all containers.",
    ),
    f(
        "hostnameOverride", 41, "string",
        "An explicit hostname for the pod, taking precedence over hostname and subdomain.",
    ),
    f(
        "schedulingGroup", 43, CORE + "PodSchedulingGroup",
        "The scheduling group the pod belongs to, for group scheduling.",
    ),
    f(
        "evictionResponders", 44, CORE + "EvictionResponder",
        "Responders that take part in evicting the pod, in priority order.",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
)

message(
    CORE + "Volume",
    "A named volume that containers of the pod can mount.",
    f("name", 1, "string", required=True),
    f("", 2, CORE + "VolumeSource"),
)

message(
    CORE + "VolumeSource",
    "Where a volume's data comes from; exactly one member is set.",
    f("hostPath", 1, CORE + "HostPathVolumeSource"),
    f("emptyDir", 2, CORE + "EmptyDirVolumeSource"),
    f("gcePersistentDisk", 3, CORE + "GCEPersistentDiskVolumeSource"),
    f("awsElasticBlockStore", 4, CORE + "AWSElasticBlockStoreVolumeSource"),
    f("gitRepo", 5, CORE + "GitRepoVolumeSource"),
    f("secret", 6, CORE + "SecretVolumeSource"),
    f("nfs", 7, CORE + "NFSVolumeSource"),
    f("iscsi", 8, CORE + "ISCSIVolumeSource"),
    f("glusterfs", 9, CORE + "GlusterfsVolumeSource"),
    f("persistentVolumeClaim", 10, CORE + "PersistentVolumeClaimVolumeSource"),
    f("rbd", 11, CORE + "RBDVolumeSource"),
    f("flexVolume", 12, CORE + "FlexVolumeSource"),
    f("cinder", 13, CORE + "CinderVolumeSource"),
    f("cephfs", 14, CORE + "CephFSVolumeSource"),
    f("flocker", 15, CORE + "FlockerVolumeSource"),
    f("downwardAPI", 16, CORE + "DownwardAPIVolumeSource"),
    f("fc", 17, CORE + "FCVolumeSource"),
    f("azureFile", 18, CORE + "AzureFileVolumeSource"),
    f("configMap", 19, CORE + "ConfigMapVolumeSource"),
    f("vsphereVolume", 20, CORE + "VsphereVirtualDiskVolumeSource"),
    f("quobyte", 21, CORE + "QuobyteVolumeSource"),
    f("azureDisk", 22, CORE + "AzureDiskVolumeSource"),
    f("photonPersistentDisk", 23, CORE + "PhotonPersistentDiskVolumeSource"),
    f("projected", 26, CORE + "ProjectedVolumeSource"),
    f("portworxVolume", 24, CORE + "PortworxVolumeSource"),
    f("scaleIO", 25, CORE + "ScaleIOVolumeSource"),
    f("storageos", 27, CORE + "StorageOSVolumeSource"),
    f("csi", 28, CORE + "CSIVolumeSource"),
    f("ephemeral", 29, CORE + "EphemeralVolumeSource"),
    f("image", 30, CORE + "ImageVolumeSource"),
)

message(
    CORE + "HostPathVolumeSource",
    "A file or directory on the node mounted into a pod.",
    f("path", 1, "string", required=True),
    f("type", 2, "string", enum=_HOST_PATH_TYPE),
)

message(
    CORE + "EmptyDirVolumeSource",
    "A scratch directory that lives as long as the pod.",
    f("medium", 1, "string"),
    f("sizeLimit", 2, "Quantity"),
    f("mode", 3, "int32"),
)

message(
    CORE + "GCEPersistentDiskVolumeSource",
    "A Google Compute Engine persistent disk.",
    f("pdName", 1, "string", required=True),
    f("fsType", 2, "string"),
    f("partition", 3, "int32"),
    f("readOnly", 4, "bool"),
)

message(
    CORE + "AWSElasticBlockStoreVolumeSource",
    "An Amazon EBS disk mounted into a pod.",
    f("volumeID", 1, "string", required=True),
    f("fsType", 2, "string"),
    f("partition", 3, "int32"),
    f("readOnly", 4, "bool"),
)

message(
    CORE + "GitRepoVolumeSource",
    "A directory cloned from a git repository (deprecated).",
    f("repository", 1, "string", required=True),
    f("revision", 2, "string"),
    f("directory", 3, "string"),
)

message(
    CORE + "SecretVolumeSource",
    "Mounts the keys of a Secret as files.",
    f("secretName", 1, "string"),
    f("items", 2, CORE + "KeyToPath", repeated=True, list_type="atomic"),
    f("defaultMode", 3, "int32"),
    f("optional", 4, "bool"),
    f("defaultUser", 5, "int64"),
)

message(
    CORE + "KeyToPath",
    "Maps one key of a ConfigMap or Secret to a file path.",
    f("key", 1, "string", required=True),
    f("path", 2, "string", required=True),
    f("mode", 3, "int32"),
    f("user", 4, "int64"),
)

message(
    CORE + "NFSVolumeSource",
    "An NFS export mounted into a pod.",
    f("server", 1, "string", required=True),
    f("path", 2, "string", required=True),
    f("readOnly", 3, "bool"),
)

message(
    CORE + "ISCSIVolumeSource",
    "An iSCSI disk mounted into a pod.",
    f("targetPortal", 1, "string", required=True),
    f("iqn", 2, "string", required=True),
    f("lun", 3, "int32", required=True),
    f("iscsiInterface", 4, "string"),
    f("fsType", 5, "string"),
    f("readOnly", 6, "bool"),
    f("portals", 7, "string", repeated=True, list_type="atomic"),
    f("chapAuthDiscovery", 8, "bool"),
    f("chapAuthSession", 11, "bool"),
    f("secretRef", 10, CORE + "LocalObjectReference"),
    f("initiatorName", 12, "string"),
)

message(
    CORE + "LocalObjectReference",
    "A reference to an object by name in the same namespace.",
    f("name", 1, "string"),
)

message(
    CORE + "GlusterfsVolumeSource",
    "A GlusterFS mount that lives as long as the pod.",
    f("endpoints", 1, "string", required=True),
    f("path", 2, "string", required=True),
    f("readOnly", 3, "bool"),
)

message(
    CORE + "PersistentVolumeClaimVolumeSource",
    "Mounts the volume bound to a claim in the pod's namespace.",
    f("claimName", 1, "string", required=True),
    f("readOnly", 2, "bool"),
)

message(
    CORE + "RBDVolumeSource",
    "A Rados block device mounted into a pod.",
    f("monitors", 1, "string", repeated=True, required=True, list_type="atomic"),
    f("image", 2, "string", required=True),
    f("fsType", 3, "string"),
    f("pool", 4, "string"),
    f("user", 5, "string"),
    f("keyring", 6, "string"),
    f("secretRef", 7, CORE + "LocalObjectReference"),
    f("readOnly", 8, "bool"),
)

message(
    CORE + "FlexVolumeSource",
    "A volume managed by a FlexVolume driver.",
    f("driver", 1, "string", required=True),
    f("fsType", 2, "string"),
    f("secretRef", 3, CORE + "LocalObjectReference"),
    f("readOnly", 4, "bool"),
    f("options", 5, "string", map_value="string"),
)

message(
    CORE + "CinderVolumeSource",
    "An OpenStack Cinder volume mounted into a pod.",
    f("volumeID", 1, "string", required=True),
    f("fsType", 2, "string"),
    f("readOnly", 3, "bool"),
    f("secretRef", 4, CORE + "LocalObjectReference"),
)

message(
    CORE + "CephFSVolumeSource",
    "A CephFS mount that lives as long as the pod.",
    f("monitors", 1, "string", repeated=True, required=True, list_type="atomic"),
    f("path", 2, "string"),
    f("user", 3, "string"),
    f("secretFile", 4, "string"),
    f("secretRef", 5, CORE + "LocalObjectReference"),
    f("readOnly", 6, "bool"),
)

message(
    CORE + "FlockerVolumeSource",
    "A volume managed by Flocker.",
    f("datasetName", 1, "string"),
    f("datasetUUID", 2, "string"),
)

message(
    CORE + "DownwardAPIVolumeSource",
    "Exposes pod fields and resource values as files.",
    f("items", 1, CORE + "DownwardAPIVolumeFile", repeated=True, list_type="atomic"),
    f("defaultMode", 2, "int32"),
    f("defaultUser", 3, "int64"),
)

message(
    CORE + "DownwardAPIVolumeFile",
    "One file of a downward API volume.",
    f("path", 1, "string", required=True),
    f("fieldRef", 2, CORE + "ObjectFieldSelector"),
    f("resourceFieldRef", 3, CORE + "ResourceFieldSelector"),
    f("mode", 4, "int32"),
    f("user", 5, "int64"),
)

message(
    CORE + "ObjectFieldSelector",
    "Selects one field of an object.",
    f("apiVersion", 1, "string"),
    f("fieldPath", 2, "string", required=True),
)

message(
    CORE + "ResourceFieldSelector",
    "Selects a container's resource request or limit.",
    f("containerName", 1, "string"),
    f("resource", 2, "string", required=True),
    f("divisor", 3, "Quantity"),
)

message(
    CORE + "FCVolumeSource",
    "A Fibre Channel volume.",
    f("targetWWNs", 1, "string", repeated=True, list_type="atomic"),
    f("lun", 2, "int32"),
    f("fsType", 3, "string"),
    f("readOnly", 4, "bool"),
    f("wwids", 5, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "AzureFileVolumeSource",
    "An Azure File share mounted into a pod.",
    f("secretName", 1, "string", required=True),
    f("shareName", 2, "string", required=True),
    f("readOnly", 3, "bool"),
)

message(
    CORE + "ConfigMapVolumeSource",
    "Mounts the keys of a ConfigMap as files.",
    f("", 1, CORE + "LocalObjectReference"),
    f("items", 2, CORE + "KeyToPath", repeated=True, list_type="atomic"),
    f("defaultMode", 3, "int32"),
    f("optional", 4, "bool"),
    f("defaultUser", 5, "int64"),
)

message(
    CORE + "VsphereVirtualDiskVolumeSource",
    "A vSphere virtual disk.",
    f("volumePath", 1, "string", required=True),
    f("fsType", 2, "string"),
    f("storagePolicyName", 3, "string"),
    f("storagePolicyID", 4, "string"),
)

message(
    CORE + "QuobyteVolumeSource",
    "A Quobyte volume.",
    f("registry", 1, "string", required=True),
    f("volume", 2, "string", required=True),
    f("readOnly", 3, "bool"),
    f("user", 4, "string"),
    f("group", 5, "string"),
    f("tenant", 6, "string"),
)

message(
    CORE + "AzureDiskVolumeSource",
    "An Azure data disk mounted into a pod.",
    f("diskName", 1, "string", required=True),
    f("diskURI", 2, "string", required=True),
    f("cachingMode", 3, "string", enum=_AZURE_DATA_DISK_CACHING_MODE),
    f("fsType", 4, "string"),
    f("readOnly", 5, "bool"),
    f("kind", 6, "string", enum=_AZURE_DATA_DISK_KIND),
)

message(
    CORE + "PhotonPersistentDiskVolumeSource",
    "A Photon Controller persistent disk.",
    f("pdID", 1, "string", required=True),
    f("fsType", 2, "string"),
)

message(
    CORE + "ProjectedVolumeSource",
    "Several volume sources projected into one directory.",
    f("sources", 1, CORE + "VolumeProjection", repeated=True, list_type="atomic"),
    f("defaultMode", 2, "int32"),
    f("defaultUser", 3, "int64"),
)

message(
    CORE + "VolumeProjection",
    "One source of a projected volume; exactly one member is set.",
    f("secret", 1, CORE + "SecretProjection"),
    f("downwardAPI", 2, CORE + "DownwardAPIProjection"),
    f("configMap", 3, CORE + "ConfigMapProjection"),
    f("serviceAccountToken", 4, CORE + "ServiceAccountTokenProjection"),
    f("clusterTrustBundle", 5, CORE + "ClusterTrustBundleProjection"),
    f("podCertificate", 6, CORE + "PodCertificateProjection"),
)

message(
    CORE + "SecretProjection",
    "Projects Secret keys into a projected volume.",
    f("", 1, CORE + "LocalObjectReference"),
    f("items", 2, CORE + "KeyToPath", repeated=True, list_type="atomic"),
    f("optional", 4, "bool"),
)

message(
    CORE + "DownwardAPIProjection",
    "Projects pod fields into a projected volume.",
    f("items", 1, CORE + "DownwardAPIVolumeFile", repeated=True, list_type="atomic"),
)

message(
    CORE + "ConfigMapProjection",
    "Projects ConfigMap keys into a projected volume.",
    f("", 1, CORE + "LocalObjectReference"),
    f("items", 2, CORE + "KeyToPath", repeated=True, list_type="atomic"),
    f("optional", 4, "bool"),
)

message(
    CORE + "ServiceAccountTokenProjection",
    "Projects a service account token into a file.",
    f("audience", 1, "string"),
    f("expirationSeconds", 2, "int64"),
    f("path", 3, "string", required=True),
    f("user", 4, "int64"),
)

message(
    CORE + "ClusterTrustBundleProjection",
    "Projects ClusterTrustBundle certificates into a file.",
    f("name", 1, "string"),
    f("signerName", 2, "string"),
    f("labelSelector", 3, META + "LabelSelector"),
    f("optional", 5, "bool"),
    f("path", 4, "string", required=True),
    f("user", 6, "int64"),
)

message(
    CORE + "PodCertificateProjection",
    "Projects a private key and certificate for the pod into a file.",
    f("signerName", 1, "string", required=True),
    f("keyType", 2, "string", required=True),
    f("maxExpirationSeconds", 3, "int32"),
    f("credentialBundlePath", 4, "string"),
    f("keyPath", 5, "string"),
    f("certificateChainPath", 6, "string"),
    f("userAnnotations", 7, "string", map_value="string"),
    f("user", 8, "int64"),
)

message(
    CORE + "PortworxVolumeSource",
    "A Portworx volume.",
    f("volumeID", 1, "string", required=True),
    f("fsType", 2, "string"),
    f("readOnly", 3, "bool"),
)

message(
    CORE + "ScaleIOVolumeSource",
    "A ScaleIO volume mounted into a pod.",
    f("gateway", 1, "string", required=True),
    f("system", 2, "string", required=True),
    f("secretRef", 3, CORE + "LocalObjectReference", required=True),
    f("sslEnabled", 4, "bool"),
    f("protectionDomain", 5, "string"),
    f("storagePool", 6, "string"),
    f("storageMode", 7, "string"),
    f("volumeName", 8, "string"),
    f("fsType", 9, "string"),
    f("readOnly", 10, "bool"),
)

message(
    CORE + "StorageOSVolumeSource",
    "A StorageOS volume mounted into a pod.",
    f("volumeName", 1, "string"),
    f("volumeNamespace", 2, "string"),
    f("fsType", 3, "string"),
    f("readOnly", 4, "bool"),
    f("secretRef", 5, CORE + "LocalObjectReference"),
)

message(
    CORE + "CSIVolumeSource",
    "An ephemeral inline volume provided by a CSI driver.",
    f("driver", 1, "string", required=True),
    f("readOnly", 2, "bool"),
    f("fsType", 3, "string"),
    f("volumeAttributes", 4, "string", map_value="string"),
    f("nodePublishSecretRef", 5, CORE + "LocalObjectReference"),
)

message(
    CORE + "EphemeralVolumeSource",
    "A volume backed by a PersistentVolumeClaim that lives as long as the pod.",
    f("volumeClaimTemplate", 1, CORE + "PersistentVolumeClaimTemplate"),
)

message(
    CORE + "PersistentVolumeClaimTemplate",
    "A template for the claim of an ephemeral volume.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "PersistentVolumeClaimSpec", required=True),
)

message(
    CORE + "PersistentVolumeClaimSpec",
    "The storage a claim asks for.",
    f(
        "accessModes", 1, "string",
        repeated=True, list_type="atomic", enum=_PERSISTENT_VOLUME_ACCESS_MODE,
    ),
    f("selector", 4, META + "LabelSelector"),
    f("resources", 2, CORE + "VolumeResourceRequirements"),
    f("volumeName", 3, "string"),
    f("storageClassName", 5, "string"),
    f("volumeMode", 6, "string", enum=_PERSISTENT_VOLUME_MODE),
    f("dataSource", 7, CORE + "TypedLocalObjectReference"),
    f("dataSourceRef", 8, CORE + "TypedObjectReference"),
    f("volumeAttributesClassName", 9, "string"),
)

message(
    CORE + "VolumeResourceRequirements",
    "Storage requests and limits of a claim.",
    f("limits", 1, "Quantity", map_value="Quantity"),
    f("requests", 2, "Quantity", map_value="Quantity"),
)

message(
    CORE + "TypedLocalObjectReference",
    "A reference to an object of a given kind in the same namespace.",
    f("apiGroup", 1, "string"),
    f("kind", 2, "string", required=True),
    f("name", 3, "string", required=True),
)

message(
    CORE + "TypedObjectReference",
    "A reference to an object of a given kind, possibly in another namespace.",
    f("apiGroup", 1, "string"),
    f("kind", 2, "string", required=True),
    f("name", 3, "string", required=True),
    f("namespace", 4, "string"),
)

message(
    CORE + "ImageVolumeSource",
    "An OCI image or artifact mounted as a volume.",
    f("reference", 1, "string"),
    f("pullPolicy", 2, "string", enum=_PULL_POLICY),
)

message(
    CORE + "Container",
    "One application container that runs inside a pod.",
    f(
        "name", 1, "string",
        "The container's name, a DNS label unique within the pod.",
        required=True,
    ),
    f("image", 2, "string", "The container image to run."),
    f(
        "command", 3, "string",
        "The entrypoint, replacing the image's ENTRYPOINT. Not run in a shell; $(VAR) references "
        "are expanded.",
        repeated=True, list_type="atomic",
    ),
    f(
        "args", 4, "string",
        "Arguments to the entrypoint, replacing the image's CMD. $(VAR) references are expanded.",
        repeated=True, list_type="atomic",
    ),
    f("workingDir", 5, "string", "The working directory. Defaults to the image's."),
    f(
        "ports", 6, CORE + "ContainerPort",
        "Ports the container exposes. Informational: ports that are not listed are still "
        "reachable.",
        repeated=True, merge_key="containerPort", patch_strategy="merge", list_type="map",
        list_map_keys=("containerPort", "protocol"),
    ),
    f(
        "envFrom", 19, CORE + "EnvFromSource",
        "ConfigMaps and Secrets whose keys all become environment variables.",
        repeated=True, list_type="atomic",
    ),
    f(
        "env", 7, CORE + "EnvVar",
        "Environment variables to set in the container.",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f(
        "resources", 8, CORE + "ResourceRequirements",
        "Compute resources the container requests and may not exceed.",
    ),
    f(
        "resizePolicy", 23, CORE + "ContainerResizePolicy",
        "How the container reacts to an in-place resize of each resource.",
        repeated=True, list_type="atomic",
    ),
    f(
        "restartPolicy", 24, "string",
        "Per-container restart policy; on an init container, Always makes it a sidecar.",
    ),
    f(
        "restartPolicyRules", 25, CORE + "ContainerRestartRule",
        "Rules, checked in order, that decide whether an exited container is restarted.",
        repeated=True, list_type="atomic",
    ),
    f(
        "volumeMounts", 9, CORE + "VolumeMount",
        "Pod volumes mounted into the container's filesystem.",
        repeated=True, merge_key="mountPath", patch_strategy="merge", list_type="map",
        list_map_keys=("mountPath",),
    ),
    f(
        "volumeDevices", 21, CORE + "VolumeDevice",
        "Block devices the container uses.",
        repeated=True, merge_key="devicePath", patch_strategy="merge", list_type="map",
        list_map_keys=("devicePath",),
    ),
    f(
        "livenessProbe", 10, CORE + "Probe",
        "Health check; the container is restarted when it fails.",
    ),
    f(
        "readinessProbe", 11, CORE + "Probe",
        "Health check; the pod is removed from service endpoints while it fails.",
    ),
    f(
        "startupProbe", 22, CORE + "Probe",
        "Health check that must succeed before the other probes start.",
    ),
    f(
        "lifecycle", 12, CORE + "Lifecycle",
        "Actions run right after the container starts and before it is stopped.",
    ),
    f(
        "terminationMessagePath", 13, "string",
        "File whose content becomes the termination message. Defaults to /dev/termination-log.",
    ),
    f(
        "terminationMessagePolicy", 20, "string",
        "File reads the termination message from the file only; FallbackToLogsOnError also uses "
        "the log tail.",
        enum=_TERMINATION_MESSAGE_POLICY,
    ),
    f(
        "imagePullPolicy", 14, "string",
        "When to pull the image: Always, Never or IfNotPresent. Defaults to Always for :latest, "
        "else IfNotPresent.",
        enum=_PULL_POLICY,
    ),
    f(
        "securityContext", 15, CORE + "SecurityContext",
        "Security settings for the container, overriding the pod's.",
    ),
    f("stdin", 16, "bool", "Allocate a buffer for stdin in the container runtime."),
    f("stdinOnce", 17, "bool", "Close stdin after the first attached client disconnects."),
    f("tty", 18, "bool", "Allocate a TTY for the container (needs stdin)."),
)

message(
    CORE + "ContainerPort",
    "A network port a container exposes.",
    f("name", 1, "string"),
    f("hostPort", 2, "int32"),
    f("containerPort", 3, "int32", required=True),
    f("protocol", 4, "string", enum=_PROTOCOL),
    f("hostIP", 5, "string"),
)

message(
    CORE + "EnvFromSource",
    "A source (ConfigMap or Secret) of a whole set of environment variables.",
    f("prefix", 1, "string"),
    f("configMapRef", 2, CORE + "ConfigMapEnvSource"),
    f("secretRef", 3, CORE + "SecretEnvSource"),
)

message(
    CORE + "ConfigMapEnvSource",
    "Imports all keys of a ConfigMap as environment variables.",
    f("", 1, CORE + "LocalObjectReference"),
    f("optional", 2, "bool"),
)

message(
    CORE + "SecretEnvSource",
    "Imports all keys of a Secret as environment variables.",
    f("", 1, CORE + "LocalObjectReference"),
    f("optional", 2, "bool"),
)

message(
    CORE + "EnvVar",
    "One environment variable of a container.",
    f("name", 1, "string", required=True),
    f("value", 2, "string"),
    f("valueFrom", 3, CORE + "EnvVarSource"),
)

message(
    CORE + "EnvVarSource",
    "Where an environment variable's value comes from.",
    f("fieldRef", 1, CORE + "ObjectFieldSelector"),
    f("resourceFieldRef", 2, CORE + "ResourceFieldSelector"),
    f("configMapKeyRef", 3, CORE + "ConfigMapKeySelector"),
    f("secretKeyRef", 4, CORE + "SecretKeySelector"),
    f("fileKeyRef", 5, CORE + "FileKeySelector"),
)

message(
    CORE + "ConfigMapKeySelector",
    "Selects one key of a ConfigMap.",
    f("", 1, CORE + "LocalObjectReference"),
    f("key", 2, "string", required=True),
    f("optional", 3, "bool"),
)

message(
    CORE + "SecretKeySelector",
    "Selects one key of a Secret.",
    f("", 1, CORE + "LocalObjectReference"),
    f("key", 2, "string", required=True),
    f("optional", 3, "bool"),
)

message(
    CORE + "FileKeySelector",
    "Selects one key of an environment file in a volume.",
    f("volumeName", 1, "string", required=True),
    f("path", 2, "string", required=True),
    f("key", 3, "string", required=True),
    f("optional", 4, "bool"),
)

message(
    CORE + "ResourceRequirements",
    "Compute resource requests and limits.",
    f("limits", 1, "Quantity", map_value="Quantity"),
    f("requests", 2, "Quantity", map_value="Quantity"),
    f("claims", 3, CORE + "ResourceClaim", repeated=True, list_type="map", list_map_keys=("name",)),
)

message(
    CORE + "ResourceClaim",
    "Names one DRA resource claim a container uses.",
    f("name", 1, "string", required=True),
    f("request", 2, "string"),
)

message(
    CORE + "ContainerResizePolicy",
    "How a container reacts to an in-place resize of one resource.",
    f("resourceName", 1, "string", required=True),
    f("restartPolicy", 2, "string", required=True),
)

message(
    CORE + "ContainerRestartRule",
    "One rule deciding whether an exited container is restarted.",
    f("action", 1, "string", required=True),
    f("exitCodes", 2, CORE + "ContainerRestartRuleOnExitCodes"),
)

message(
    CORE + "ContainerRestartRuleOnExitCodes",
    "The exit codes a container restart rule matches.",
    f("operator", 1, "string", required=True),
    f("values", 2, "int32", repeated=True, list_type="set"),
)

message(
    CORE + "VolumeMount",
    "Where and how a volume is mounted in a container.",
    f("name", 1, "string", required=True),
    f("readOnly", 2, "bool"),
    f("recursiveReadOnly", 7, "string"),
    f("mountPath", 3, "string", required=True),
    f("subPath", 4, "string"),
    f("mountPropagation", 5, "string", enum=_MOUNT_PROPAGATION_MODE),
    f("subPathExpr", 6, "string"),
    f("bindMountOptions", 8, "string", repeated=True, list_type="set"),
)

message(
    CORE + "VolumeDevice",
    "A raw block device mapped into a container.",
    f("name", 1, "string", required=True),
    f("devicePath", 2, "string", required=True),
)

message(
    CORE + "Probe",
    "A health check the kubelet runs against a container.",
    f("", 1, CORE + "ProbeHandler"),
    f("initialDelaySeconds", 2, "int32"),
    f("timeoutSeconds", 3, "int32"),
    f("periodSeconds", 4, "int32"),
    f("successThreshold", 5, "int32"),
    f("failureThreshold", 6, "int32"),
    f("terminationGracePeriodSeconds", 7, "int64"),
)

message(
    CORE + "ProbeHandler",
    "What a probe does; exactly one member is set.",
    f("exec", 1, CORE + "ExecAction"),
    f("httpGet", 2, CORE + "HTTPGetAction"),
    f("tcpSocket", 3, CORE + "TCPSocketAction"),
    f("grpc", 4, CORE + "GRPCAction"),
)

message(
    CORE + "ExecAction",
    "Runs a command inside the container.",
    f("command", 1, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "HTTPGetAction",
    "An HTTP GET request used as a probe or hook.",
    f("path", 1, "string"),
    f("port", 2, "IntOrString", required=True),
    f("host", 3, "string"),
    f("scheme", 4, "string", enum=_URI_SCHEME),
    f("httpHeaders", 5, CORE + "HTTPHeader", repeated=True, list_type="atomic"),
    f("protocol", 6, "string", enum=_HTTP_PROTOCOL),
)

message(
    CORE + "HTTPHeader",
    "One HTTP header of a probe request.",
    f("name", 1, "string", required=True),
    f("value", 2, "string", required=True),
)

message(
    CORE + "TCPSocketAction",
    "Opens a TCP connection to a port.",
    f("port", 1, "IntOrString", required=True),
    f("host", 2, "string"),
)

message(
    CORE + "GRPCAction",
    "A gRPC health check.",
    f("port", 1, "int32", required=True),
    f("service", 2, "string"),
    f("mode", 3, "string", enum=_GRPC_PROBE_MODE),
)

message(
    CORE + "Lifecycle",
    "Actions run by the kubelet right after a container starts and before it stops.",
    f("postStart", 1, CORE + "LifecycleHandler"),
    f("preStop", 2, CORE + "LifecycleHandler"),
    f("stopSignal", 3, "string", enum=_SIGNAL),
)

message(
    CORE + "LifecycleHandler",
    "One lifecycle hook action; exactly one member is set.",
    f("exec", 1, CORE + "ExecAction"),
    f("httpGet", 2, CORE + "HTTPGetAction"),
    f("tcpSocket", 3, CORE + "TCPSocketAction"),
    f("sleep", 4, CORE + "SleepAction"),
)

message(
    CORE + "SleepAction",
    "Pauses for a number of seconds.",
    f("seconds", 1, "int64", required=True),
)

message(
    CORE + "SecurityContext",
    "Security settings for one container.",
    f("capabilities", 1, CORE + "Capabilities"),
    f("privileged", 2, "bool"),
    f("seLinuxOptions", 3, CORE + "SELinuxOptions"),
    f("windowsOptions", 10, CORE + "WindowsSecurityContextOptions"),
    f("runAsUser", 4, "int64"),
    f("runAsGroup", 8, "int64"),
    f("runAsNonRoot", 5, "bool"),
    f("readOnlyRootFilesystem", 6, "bool"),
    f("allowPrivilegeEscalation", 7, "bool"),
    f("procMount", 9, "string", enum=_PROC_MOUNT_TYPE),
    f("seccompProfile", 11, CORE + "SeccompProfile"),
    f("appArmorProfile", 12, CORE + "AppArmorProfile"),
)

message(
    CORE + "Capabilities",
    "Linux capabilities to add to or drop from a container.",
    f("add", 1, "string", repeated=True, list_type="atomic"),
    f("drop", 2, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "SELinuxOptions",
    "SELinux labels applied to a container.",
    f("user", 1, "string"),
    f("role", 2, "string"),
    f("type", 3, "string"),
    f("level", 4, "string"),
)

message(
    CORE + "WindowsSecurityContextOptions",
    "Windows-specific security settings.",
    f("gmsaCredentialSpecName", 1, "string"),
    f("gmsaCredentialSpec", 2, "string"),
    f("runAsUserName", 3, "string"),
    f("hostProcess", 4, "bool"),
)

message(
    CORE + "SeccompProfile",
    "The seccomp profile a pod or container runs under.",
    f("type", 1, "string", required=True, enum=_SECCOMP_PROFILE_TYPE),
    f("localhostProfile", 2, "string"),
)

message(
    CORE + "AppArmorProfile",
    "The AppArmor profile a pod or container runs under.",
    f("type", 1, "string", required=True, enum=_APP_ARMOR_PROFILE_TYPE),
    f("localhostProfile", 2, "string"),
)

message(
    CORE + "EphemeralContainer",
    "A temporary container added to a running pod for debugging.",
    f("", 1, CORE + "EphemeralContainerCommon"),
    f("targetContainerName", 2, "string"),
)

message(
    CORE + "EphemeralContainerCommon",
    "The container fields an ephemeral container shares with Container.",
    f("name", 1, "string", required=True),
    f("image", 2, "string"),
    f("command", 3, "string", repeated=True, list_type="atomic"),
    f("args", 4, "string", repeated=True, list_type="atomic"),
    f("workingDir", 5, "string"),
    f(
        "ports", 6, CORE + "ContainerPort",
        repeated=True, merge_key="containerPort", patch_strategy="merge", list_type="map",
        list_map_keys=("containerPort", "protocol"),
    ),
    f("envFrom", 19, CORE + "EnvFromSource", repeated=True, list_type="atomic"),
    f(
        "env", 7, CORE + "EnvVar",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f("resources", 8, CORE + "ResourceRequirements"),
    f("resizePolicy", 23, CORE + "ContainerResizePolicy", repeated=True, list_type="atomic"),
    f("restartPolicy", 24, "string"),
    f("restartPolicyRules", 25, CORE + "ContainerRestartRule", repeated=True, list_type="atomic"),
    f(
        "volumeMounts", 9, CORE + "VolumeMount",
        repeated=True, merge_key="mountPath", patch_strategy="merge", list_type="map",
        list_map_keys=("mountPath",),
    ),
    f(
        "volumeDevices", 21, CORE + "VolumeDevice",
        repeated=True, merge_key="devicePath", patch_strategy="merge", list_type="map",
        list_map_keys=("devicePath",),
    ),
    f("livenessProbe", 10, CORE + "Probe"),
    f("readinessProbe", 11, CORE + "Probe"),
    f("startupProbe", 22, CORE + "Probe"),
    f("lifecycle", 12, CORE + "Lifecycle"),
    f("terminationMessagePath", 13, "string"),
    f("terminationMessagePolicy", 20, "string", enum=_TERMINATION_MESSAGE_POLICY),
    f("imagePullPolicy", 14, "string", enum=_PULL_POLICY),
    f("securityContext", 15, CORE + "SecurityContext"),
    f("stdin", 16, "bool"),
    f("stdinOnce", 17, "bool"),
    f("tty", 18, "bool"),
)

message(
    CORE + "PodSecurityContext",
    "Security settings for all containers of a pod.",
    f("seLinuxOptions", 1, CORE + "SELinuxOptions"),
    f("windowsOptions", 8, CORE + "WindowsSecurityContextOptions"),
    f("runAsUser", 2, "int64"),
    f("runAsGroup", 6, "int64"),
    f("runAsNonRoot", 3, "bool"),
    f("supplementalGroups", 4, "int64", repeated=True, list_type="atomic"),
    f("supplementalGroupsPolicy", 12, "string", enum=_SUPPLEMENTAL_GROUPS_POLICY),
    f("fsGroup", 5, "int64"),
    f("sysctls", 7, CORE + "Sysctl", repeated=True, list_type="atomic"),
    f("fsGroupChangePolicy", 9, "string", enum=_POD_FS_GROUP_CHANGE_POLICY),
    f("seccompProfile", 10, CORE + "SeccompProfile"),
    f("appArmorProfile", 11, CORE + "AppArmorProfile"),
    f("seLinuxChangePolicy", 13, "string"),
)

message(
    CORE + "Sysctl",
    "One kernel parameter set for a pod.",
    f("name", 1, "string", required=True),
    f("value", 2, "string", required=True),
)

message(
    CORE + "Affinity",
    "Pod scheduling constraints: node affinity, pod affinity and pod anti-affinity.",
    f("nodeAffinity", 1, CORE + "NodeAffinity"),
    f("podAffinity", 2, CORE + "PodAffinity"),
    f("podAntiAffinity", 3, CORE + "PodAntiAffinity"),
)

message(
    CORE + "NodeAffinity",
    "Rules for which nodes a pod may or prefers to run on.",
    f("requiredDuringSchedulingIgnoredDuringExecution", 1, CORE + "NodeSelector"),
    f(
        "preferredDuringSchedulingIgnoredDuringExecution", 2, CORE + "PreferredSchedulingTerm",
        repeated=True, list_type="atomic",
    ),
)

message(
    CORE + "NodeSelector",
    "A set of node selector terms; any one matching is enough.",
    f(
        "nodeSelectorTerms", 1, CORE + "NodeSelectorTerm",
        repeated=True, required=True, list_type="atomic",
    ),
)

message(
    CORE + "NodeSelectorTerm",
    "Requirements on a node; all must match.",
    f("matchExpressions", 1, CORE + "NodeSelectorRequirement", repeated=True, list_type="atomic"),
    f("matchFields", 2, CORE + "NodeSelectorRequirement", repeated=True, list_type="atomic"),
)

message(
    CORE + "NodeSelectorRequirement",
    "One label or field requirement on a node.",
    f("key", 1, "string", required=True),
    f("operator", 2, "string", required=True, enum=_NODE_SELECTOR_OPERATOR),
    f("values", 3, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "PreferredSchedulingTerm",
    "A weighted node selector term for preferred node affinity.",
    f("weight", 1, "int32", required=True),
    f("preference", 2, CORE + "NodeSelectorTerm", required=True),
)

message(
    CORE + "PodAffinity",
    "Rules to place a pod near other pods.",
    f(
        "requiredDuringSchedulingIgnoredDuringExecution", 1, CORE + "PodAffinityTerm",
        repeated=True, list_type="atomic",
    ),
    f(
        "preferredDuringSchedulingIgnoredDuringExecution", 2, CORE + "WeightedPodAffinityTerm",
        repeated=True, list_type="atomic",
    ),
)

message(
    CORE + "PodAffinityTerm",
    "A set of pods, selected by labels, and the topology domain to compare on.",
    f("labelSelector", 1, META + "LabelSelector"),
    f("namespaces", 2, "string", repeated=True, list_type="atomic"),
    f("topologyKey", 3, "string", required=True),
    f("namespaceSelector", 4, META + "LabelSelector"),
    f("matchLabelKeys", 5, "string", repeated=True, list_type="atomic"),
    f("mismatchLabelKeys", 6, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "WeightedPodAffinityTerm",
    "A pod affinity term with a weight, for preferred rules.",
    f("weight", 1, "int32", required=True),
    f("podAffinityTerm", 2, CORE + "PodAffinityTerm", required=True),
)

message(
    CORE + "PodAntiAffinity",
    "Rules to keep a pod away from other pods.",
    f(
        "requiredDuringSchedulingIgnoredDuringExecution", 1, CORE + "PodAffinityTerm",
        repeated=True, list_type="atomic",
    ),
    f(
        "preferredDuringSchedulingIgnoredDuringExecution", 2, CORE + "WeightedPodAffinityTerm",
        repeated=True, list_type="atomic",
    ),
)

message(
    CORE + "Toleration",
    "Lets a pod schedule onto nodes with matching taints.",
    f("key", 1, "string"),
    f("operator", 2, "string", enum=_TOLERATION_OPERATOR),
    f("value", 3, "string"),
    f("effect", 4, "string", enum=_TAINT_EFFECT),
    f("tolerationSeconds", 5, "int64"),
)

message(
    CORE + "HostAlias",
    "An extra /etc/hosts entry for a pod.",
    f("ip", 1, "string", required=True),
    f("hostnames", 2, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "PodDNSConfig",
    "DNS settings merged into a pod's resolv.conf.",
    f("nameservers", 1, "string", repeated=True, list_type="atomic"),
    f("searches", 2, "string", repeated=True, list_type="atomic"),
    f("options", 3, CORE + "PodDNSConfigOption", repeated=True, list_type="atomic"),
)

message(
    CORE + "PodDNSConfigOption",
    "One resolver option.",
    f("name", 1, "string"),
    f("value", 2, "string"),
)

message(
    CORE + "PodReadinessGate",
    "An extra condition that must be true for a pod to be ready.",
    f("conditionType", 1, "string", required=True),
)

message(
    CORE + "TopologySpreadConstraint",
    "How pods should spread across topology domains.",
    f("maxSkew", 1, "int32", required=True),
    f("topologyKey", 2, "string", required=True),
    f("whenUnsatisfiable", 3, "string", required=True, enum=_UNSATISFIABLE_CONSTRAINT_ACTION),
    f("labelSelector", 4, META + "LabelSelector"),
    f("minDomains", 5, "int32"),
    f("nodeAffinityPolicy", 6, "string", enum=_NODE_INCLUSION_POLICY),
    f("nodeTaintsPolicy", 7, "string", enum=_NODE_INCLUSION_POLICY),
    f("matchLabelKeys", 8, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "PodOS",
    "The operating system a pod's containers need.",
    f("name", 1, "string", required=True),
)

message(
    CORE + "PodSchedulingGate",
    "A gate that holds a pod back from scheduling until removed.",
    f("name", 1, "string", required=True),
)

message(
    CORE + "PodResourceClaim",
    "A DRA resource claim a pod uses.",
    f("name", 1, "string", required=True),
    f("resourceClaimName", 3, "string"),
    f("resourceClaimTemplateName", 4, "string"),
)

message(
    CORE + "PodSchedulingGroup",
    "The scheduling group a pod belongs to.",
    f("podGroupName", 1, "string"),
)

message(
    CORE + "EvictionResponder",
    "A responder that reacts to evictions of a pod.",
    f("name", 1, "string", required=True),
    f("priority", 2, "int32", required=True),
)

message(
    CORE + "PodStatus",
    "The observed state of a pod.",
    f("observedGeneration", 17, "int64"),
    f("phase", 1, "string", enum=_POD_PHASE),
    f(
        "conditions", 2, CORE + "PodCondition",
        repeated=True, merge_key="type", patch_strategy="merge", list_type="map",
        list_map_keys=("type",),
    ),
    f("message", 3, "string"),
    f("reason", 4, "string"),
    f("nominatedNodeName", 11, "string"),
    f("hostIP", 5, "string"),
    f(
        "hostIPs", 16, CORE + "HostIP",
        repeated=True, merge_key="ip", patch_strategy="merge", list_type="atomic",
    ),
    f("podIP", 6, "string"),
    f(
        "podIPs", 12, CORE + "PodIP",
        repeated=True, merge_key="ip", patch_strategy="merge", list_type="map",
        list_map_keys=("ip",),
    ),
    f("startTime", 7, "Time"),
    f("initContainerStatuses", 10, CORE + "ContainerStatus", repeated=True, list_type="atomic"),
    f("containerStatuses", 8, CORE + "ContainerStatus", repeated=True, list_type="atomic"),
    f("qosClass", 9, "string", enum=_POD_QOS_CLASS),
    f(
        "ephemeralContainerStatuses", 13, CORE + "ContainerStatus",
        repeated=True, list_type="atomic",
    ),
    f("resize", 14, "string"),
    f(
        "resourceClaimStatuses", 15, CORE + "PodResourceClaimStatus",
        repeated=True, merge_key="name", patch_strategy="merge,retainKeys", list_type="map",
        list_map_keys=("name",),
    ),
    f("extendedResourceClaimStatus", 18, CORE + "PodExtendedResourceClaimStatus"),
    f("allocatedResources", 19, "Quantity", map_value="Quantity"),
    f("resources", 20, CORE + "ResourceRequirements"),
    f(
        "nodeAllocatableResourceClaimStatuses", 21, CORE + "NodeAllocatableResourceClaimStatus",
        repeated=True, merge_key="resourceClaimName", patch_strategy="merge", list_type="map",
        list_map_keys=("resourceClaimName",),
    ),
    f(
        "volumeHealth", 22, CORE + "PodVolumeHealth",
        repeated=True, list_type="map", list_map_keys=("name",),
    ),
)

message(
    CORE + "PodCondition",
    "One observed condition of a pod.",
    f("type", 1, "string", required=True),
    f("observedGeneration", 7, "int64"),
    f("status", 2, "string", required=True),
    f("lastProbeTime", 3, "Time"),
    f("lastTransitionTime", 4, "Time"),
    f("reason", 5, "string"),
    f("message", 6, "string"),
)

message(
    CORE + "HostIP",
    "One IP address of a pod's host.",
    f("ip", 1, "string", required=True),
)

message(
    CORE + "PodIP",
    "One IP address of a pod.",
    f("ip", 1, "string", required=True),
)

message(
    CORE + "ContainerStatus",
    "The observed state of one container in a pod.",
    f("name", 1, "string", required=True),
    f("state", 2, CORE + "ContainerState"),
    f("lastState", 3, CORE + "ContainerState"),
    f("ready", 4, "bool", required=True),
    f("restartCount", 5, "int32", required=True),
    f("image", 6, "string", required=True),
    f("imageID", 7, "string", required=True),
    f("containerID", 8, "string"),
    f("started", 9, "bool"),
    f("allocatedResources", 10, "Quantity", map_value="Quantity"),
    f("resources", 11, CORE + "ResourceRequirements"),
    f(
        "volumeMounts", 12, CORE + "VolumeMountStatus",
        repeated=True, merge_key="mountPath", patch_strategy="merge", list_type="map",
        list_map_keys=("mountPath",),
    ),
    f("user", 13, CORE + "ContainerUser"),
    f(
        "allocatedResourcesStatus", 14, CORE + "ResourceStatus",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f("stopSignal", 15, "string", enum=_SIGNAL),
)

message(
    CORE + "ContainerState",
    "The state of a container; exactly one member is set.",
    f("waiting", 1, CORE + "ContainerStateWaiting"),
    f("running", 2, CORE + "ContainerStateRunning"),
    f("terminated", 3, CORE + "ContainerStateTerminated"),
)

message(
    CORE + "ContainerStateWaiting",
    "A container that is not yet running.",
    f("reason", 1, "string"),
    f("message", 2, "string"),
)

message(
    CORE + "ContainerStateRunning",
    "A running container.",
    f("startedAt", 1, "Time"),
)

message(
    CORE + "ContainerStateTerminated",
    "A container that has exited.",
    f("exitCode", 1, "int32", required=True),
    f("signal", 2, "int32"),
    f("reason", 3, "string"),
    f("message", 4, "string"),
    f("startedAt", 5, "Time"),
    f("finishedAt", 6, "Time"),
    f("containerID", 7, "string"),
)

message(
    CORE + "VolumeMountStatus",
    "The status of one volume mount of a container.",
    f("name", 1, "string", required=True),
    f("mountPath", 2, "string", required=True),
    f("readOnly", 3, "bool"),
    f("recursiveReadOnly", 4, "string"),
    f("volumeStatus", 5, CORE + "VolumeStatus"),
)

message(
    CORE + "VolumeStatus",
    "The status of a mounted volume; at most one member is set.",
    f("image", 1, CORE + "ImageVolumeStatus"),
)

message(
    CORE + "ImageVolumeStatus",
    "The image actually mounted for an image volume.",
    f("imageRef", 1, "string", required=True),
)

message(
    CORE + "ContainerUser",
    "The identity a container process runs as.",
    f("linux", 1, CORE + "LinuxContainerUser"),
)

message(
    CORE + "LinuxContainerUser",
    "The Linux uid, gid and groups of a container process.",
    f("uid", 1, "int64", required=True),
    f("gid", 2, "int64", required=True),
    f("supplementalGroups", 3, "int64", repeated=True, list_type="atomic"),
)

message(
    CORE + "ResourceStatus",
    "Health of the devices backing one resource of a container.",
    f("name", 1, "string", required=True),
    f(
        "resources", 2, CORE + "ResourceHealth",
        repeated=True, list_type="map", list_map_keys=("resourceID",),
    ),
)

message(
    CORE + "ResourceHealth",
    "Health of one device allocated to a container.",
    f("resourceID", 1, "string", required=True),
    f("health", 2, "string"),
    f("message", 6, "string"),
)

message(
    CORE + "PodResourceClaimStatus",
    "The claim name generated for a pod resource claim.",
    f("name", 1, "string", required=True),
    f("resourceClaimName", 2, "string"),
)

message(
    CORE + "PodExtendedResourceClaimStatus",
    "The claim created for a pod's extended resources backed by DRA.",
    f(
        "requestMappings", 1, CORE + "ContainerExtendedResourceRequest",
        repeated=True, required=True, list_type="atomic",
    ),
    f("resourceClaimName", 2, "string", required=True),
)

message(
    CORE + "ContainerExtendedResourceRequest",
    "Maps a container's extended resource to a DRA device request.",
    f("containerName", 1, "string", required=True),
    f("resourceName", 2, "string", required=True),
    f("requestName", 3, "string", required=True),
)

message(
    CORE + "NodeAllocatableResourceClaimStatus",
    "Node allocatable resources a pod received through a DRA claim.",
    f("resourceClaimName", 1, "string", required=True),
    f("containers", 2, "string", repeated=True, list_type="set"),
    f(
        "mapping", 4, CORE + "NodeAllocatableMappedResources",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f(
        "overhead", 5, CORE + "NodeAllocatableOverheadResources",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
)

message(
    CORE + "NodeAllocatableMappedResources",
    "A node allocatable resource mapped from a DRA allocation.",
    f("name", 1, "string", required=True),
    f("quantity", 2, "Quantity", required=True),
)

message(
    CORE + "NodeAllocatableOverheadResources",
    "Overhead resources of a DRA allocation.",
    f("name", 1, "string", required=True),
    f("perPod", 2, "Quantity"),
    f("perContainer", 3, "Quantity"),
)

message(
    CORE + "PodVolumeHealth",
    "Health of one volume used by a pod.",
    f("name", 1, "string", required=True),
    f(
        "healthConditions", 2, CORE + "VolumeHealthCondition",
        repeated=True, merge_key="status", patch_strategy="merge", list_type="map",
        list_map_keys=("status", "reason"),
    ),
    f("lastTransitionTime", 3, "Time"),
)

message(
    CORE + "VolumeHealthCondition",
    "One adverse health condition of a volume.",
    f("status", 1, "string", required=True, enum=_VOLUME_HEALTH_STATUS_TYPE),
    f("reason", 2, "string", required=True),
    f("message", 3, "string"),
)

message(
    CORE + "PodList",
    "A list of Pods.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "Pod", repeated=True, required=True),
    gvk=("", "v1", "PodList"),
)

message(
    CORE + "PodTemplateSpec",
    "A template from which controllers create pods.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "PodSpec"),
)

# ---- Namespace ---------------------------------------------------------------------------------

message(
    CORE + "Namespace",
    "A scope for names; most objects live in one.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "NamespaceSpec"),
    f("status", 3, CORE + "NamespaceStatus"),
    gvk=("", "v1", "Namespace"),
)

message(
    CORE + "NamespaceSpec",
    "The desired state of a namespace.",
    f("finalizers", 1, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "NamespaceStatus",
    "The observed state of a namespace.",
    f("phase", 1, "string", enum=_NAMESPACE_PHASE),
    f(
        "conditions", 2, CORE + "NamespaceCondition",
        repeated=True, merge_key="type", patch_strategy="merge", list_type="map",
        list_map_keys=("type",),
    ),
)

message(
    CORE + "NamespaceCondition",
    "One observed condition of a namespace.",
    f("type", 1, "string", required=True),
    f("status", 2, "string", required=True),
    f("lastTransitionTime", 4, "Time"),
    f("reason", 5, "string"),
    f("message", 6, "string"),
)

message(
    CORE + "NamespaceList",
    "A list of Namespaces.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "Namespace", repeated=True, required=True),
    gvk=("", "v1", "NamespaceList"),
)

# ---- Node --------------------------------------------------------------------------------------

message(
    CORE + "Node",
    "A worker machine that runs pods.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "NodeSpec"),
    f("status", 3, CORE + "NodeStatus"),
    gvk=("", "v1", "Node"),
)

message(
    CORE + "NodeSpec",
    "The desired state of a node.",
    f("podCIDR", 1, "string"),
    f("podCIDRs", 7, "string", repeated=True, patch_strategy="merge", list_type="set"),
    f("providerID", 3, "string"),
    f("unschedulable", 4, "bool"),
    f("taints", 5, CORE + "Taint", repeated=True, list_type="atomic"),
    f("configSource", 6, CORE + "NodeConfigSource"),
    f("externalID", 2, "string"),
    f("podPreemptionPolicy", 8, CORE + "NodePodPreemptionPolicy"),
)

message(
    CORE + "Taint",
    "A mark on a node that repels pods which do not tolerate it.",
    f("key", 1, "string", required=True),
    f("value", 2, "string"),
    f("effect", 3, "string", required=True, enum=_TAINT_EFFECT),
    f("timeAdded", 4, "Time"),
)

message(
    CORE + "NodeConfigSource",
    "Where a node's dynamic kubelet configuration comes from.",
    f("configMap", 2, CORE + "ConfigMapNodeConfigSource"),
)

message(
    CORE + "ConfigMapNodeConfigSource",
    "A ConfigMap used as a node's kubelet configuration source.",
    f("namespace", 1, "string", required=True),
    f("name", 2, "string", required=True),
    f("uid", 3, "string"),
    f("resourceVersion", 4, "string"),
    f("kubeletConfigKey", 5, "string", required=True),
)

message(
    CORE + "NodePodPreemptionPolicy",
    "Node-level rules for preempting pods.",
    f("disableResizePreemption", 1, "string", repeated=True, list_type="set"),
)

message(
    CORE + "NodeStatus",
    "The observed state of a node.",
    f("capacity", 1, "Quantity", map_value="Quantity"),
    f("allocatable", 2, "Quantity", map_value="Quantity"),
    f("phase", 3, "string", enum=_NODE_PHASE),
    f(
        "conditions", 4, CORE + "NodeCondition",
        repeated=True, merge_key="type", patch_strategy="merge", list_type="map",
        list_map_keys=("type",),
    ),
    f(
        "addresses", 5, CORE + "NodeAddress",
        repeated=True, merge_key="type", patch_strategy="merge", list_type="map",
        list_map_keys=("type",),
    ),
    f("daemonEndpoints", 6, CORE + "NodeDaemonEndpoints"),
    f("nodeInfo", 7, CORE + "NodeSystemInfo"),
    f("images", 8, CORE + "ContainerImage", repeated=True, list_type="atomic"),
    f("volumesInUse", 9, "string", repeated=True, list_type="atomic"),
    f("volumesAttached", 10, CORE + "AttachedVolume", repeated=True, list_type="atomic"),
    f("config", 11, CORE + "NodeConfigStatus"),
    f("runtimeHandlers", 12, CORE + "NodeRuntimeHandler", repeated=True, list_type="atomic"),
    f("features", 13, CORE + "NodeFeatures"),
    f("declaredFeatures", 14, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "NodeCondition",
    "One observed condition of a node.",
    f("type", 1, "string", required=True),
    f("status", 2, "string", required=True),
    f("lastHeartbeatTime", 3, "Time"),
    f("lastTransitionTime", 4, "Time"),
    f("reason", 5, "string"),
    f("message", 6, "string"),
)

message(
    CORE + "NodeAddress",
    "One address of a node.",
    f("type", 1, "string", required=True),
    f("address", 2, "string", required=True),
)

message(
    CORE + "NodeDaemonEndpoints",
    "Ports opened by daemons on a node.",
    f("kubeletEndpoint", 1, CORE + "DaemonEndpoint"),
)

message(
    CORE + "DaemonEndpoint",
    "A port a node daemon listens on.",
    f("Port", 1, "int32", required=True),
)

message(
    CORE + "NodeSystemInfo",
    "Identifiers and versions describing a node's system.",
    f("machineID", 1, "string", required=True),
    f("systemUUID", 2, "string", required=True),
    f("bootID", 3, "string", required=True),
    f("kernelVersion", 4, "string", required=True),
    f("osImage", 5, "string", required=True),
    f("containerRuntimeVersion", 6, "string", required=True),
    f("kubeletVersion", 7, "string", required=True),
    f("kubeProxyVersion", 8, "string", required=True),
    f("operatingSystem", 9, "string", required=True),
    f("architecture", 10, "string", required=True),
    f("swap", 11, CORE + "NodeSwapStatus"),
)

message(
    CORE + "NodeSwapStatus",
    "Swap memory information of a node.",
    f("capacity", 1, "int64"),
)

message(
    CORE + "ContainerImage",
    "A container image present on a node.",
    f("names", 1, "string", repeated=True, list_type="atomic"),
    f("sizeBytes", 2, "int64"),
)

message(
    CORE + "AttachedVolume",
    "A volume attached to a node, as reported in node status.",
    f("name", 1, "string", required=True),
    f("devicePath", 2, "string", required=True),
)

message(
    CORE + "NodeConfigStatus",
    "The status of a node's dynamic kubelet configuration.",
    f("assigned", 1, CORE + "NodeConfigSource"),
    f("active", 2, CORE + "NodeConfigSource"),
    f("lastKnownGood", 3, CORE + "NodeConfigSource"),
    f("error", 4, "string"),
)

message(
    CORE + "NodeRuntimeHandler",
    "One runtime handler offered by a node.",
    f("name", 1, "string"),
    f("features", 2, CORE + "NodeRuntimeHandlerFeatures"),
)

message(
    CORE + "NodeRuntimeHandlerFeatures",
    "Features a runtime handler supports.",
    f("recursiveReadOnlyMounts", 1, "bool"),
    f("userNamespaces", 2, "bool"),
)

message(
    CORE + "NodeFeatures",
    "Features the node's container runtime implements.",
    f("supplementalGroupsPolicy", 1, "bool"),
)

message(
    CORE + "NodeList",
    "A list of Nodes.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "Node", repeated=True, required=True),
    gvk=("", "v1", "NodeList"),
)

# ---- Service -----------------------------------------------------------------------------------

message(
    CORE + "Service",
    "A stable name and address in front of a set of pods.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "ServiceSpec"),
    f("status", 3, CORE + "ServiceStatus"),
    gvk=("", "v1", "Service"),
)

message(
    CORE + "ServiceSpec",
    "The desired state of a service.",
    f(
        "ports", 1, CORE + "ServicePort",
        "The ports the service exposes.",
        repeated=True, merge_key="port", patch_strategy="merge", list_type="map",
        list_map_keys=("port", "protocol"),
    ),
    f(
        "selector", 2, "string",
        "Pods with these labels receive the service's traffic. Without a selector, endpoints are "
        "managed by someone else.",
        map_value="string",
    ),
    f(
        "clusterIP", 3, "string",
        "The virtual IP of the service, usually allocated automatically. \"None\" makes a "
        "headless service.",
    ),
    f(
        "clusterIPs", 18, "string",
        "The service's virtual IPs, one per IP family; the first equals clusterIP.",
        repeated=True, list_type="atomic",
    ),
    f(
        "type", 4, "string",
        "How the service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.",
        enum=_SERVICE_TYPE,
    ),
    f(
        "externalIPs", 5, "string",
        "Extra IPs on which nodes accept traffic for the service.",
        repeated=True, list_type="atomic",
    ),
    f(
        "sessionAffinity", 7, "string",
        "ClientIP sends each client to the same pod; None (default) does not.",
        enum=_SERVICE_AFFINITY,
    ),
    f("loadBalancerIP", 8, "string", "Requested load balancer IP (deprecated; provider specific)."),
    f(
        "loadBalancerSourceRanges", 9, "string",
        "Client CIDRs allowed through the load balancer.",
        repeated=True, list_type="atomic",
    ),
    f(
        "externalName", 10, "string",
        "The DNS name an ExternalName service aliases (returned as a CNAME).",
    ),
    f(
        "externalTrafficPolicy", 11, "string",
        "Cluster spreads external traffic over all endpoints; Local keeps it on the receiving "
        "node and preserves the client IP.",
        enum=_SERVICE_EXTERNAL_TRAFFIC_POLICY,
    ),
    f(
        "healthCheckNodePort", 12, "int32",
        "Node port for load balancer health checks when externalTrafficPolicy is Local.",
    ),
    f("publishNotReadyAddresses", 13, "bool", "Publish endpoints of pods that are not ready."),
    f(
        "sessionAffinityConfig", 14, CORE + "SessionAffinityConfig",
        "Settings for session affinity.",
    ),
    f(
        "ipFamilies", 19, "string",
        "The IP families (IPv4, IPv6) the service uses.",
        repeated=True, list_type="atomic", enum=_IP_FAMILY,
    ),
    f(
        "ipFamilyPolicy", 17, "string",
        "SingleStack, PreferDualStack or RequireDualStack.",
        enum=_IP_FAMILY_POLICY,
    ),
    f(
        "allocateLoadBalancerNodePorts", 20, "bool",
        "Whether LoadBalancer services get node ports. Defaults to true.",
    ),
    f(
        "loadBalancerClass", 21, "string",
        "The load balancer implementation to use for a LoadBalancer service.",
    ),
    f(
        "internalTrafficPolicy", 22, "string",
        "Cluster routes in-cluster traffic to all endpoints; Local only to endpoints on the same "
        "node.",
        enum=_SERVICE_INTERNAL_TRAFFIC_POLICY,
    ),
    f(
        "trafficDistribution", 23, "string",
        "A preference for how traffic is spread over endpoints, such as PreferClose.",
    ),
)

message(
    CORE + "ServicePort",
    "One port a service exposes.",
    f(
        "name", 1, "string",
        "The port's name, unique within the service; required when there are several ports.",
    ),
    f("protocol", 2, "string", "TCP (default), UDP or SCTP.", enum=_PROTOCOL),
    f("appProtocol", 6, "string", "The application protocol carried on the port."),
    f("port", 3, "int32", "The port the service listens on.", required=True),
    f(
        "targetPort", 4, "IntOrString",
        "The pod port (number or named container port) traffic goes to. Defaults to port.",
    ),
    f(
        "nodePort", 5, "int32",
        "The port on every node for NodePort and LoadBalancer services, usually allocated.",
    ),
)

message(
    CORE + "SessionAffinityConfig",
    "Settings for session affinity.",
    f("clientIP", 1, CORE + "ClientIPConfig"),
)

message(
    CORE + "ClientIPConfig",
    "Settings for client-IP session affinity.",
    f("timeoutSeconds", 1, "int32"),
)

message(
    CORE + "ServiceStatus",
    "The observed state of a service.",
    f("loadBalancer", 1, CORE + "LoadBalancerStatus"),
    f(
        "conditions", 2, META + "Condition",
        repeated=True, merge_key="type", patch_strategy="merge", list_type="map",
        list_map_keys=("type",),
    ),
)

message(
    CORE + "LoadBalancerStatus",
    "The status of a service's load balancer.",
    f("ingress", 1, CORE + "LoadBalancerIngress", repeated=True, list_type="atomic"),
)

message(
    CORE + "LoadBalancerIngress",
    "One ingress point of a load balancer.",
    f("ip", 1, "string"),
    f("hostname", 2, "string"),
    f("ipMode", 3, "string"),
    f("ports", 4, CORE + "PortStatus", repeated=True, list_type="atomic"),
)

message(
    CORE + "PortStatus",
    "The status of one service port.",
    f("port", 1, "int32", required=True),
    f("protocol", 2, "string", required=True, enum=_PROTOCOL),
    f("error", 3, "string"),
)

message(
    CORE + "ServiceList",
    "A list of Services.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "Service", repeated=True, required=True),
    gvk=("", "v1", "ServiceList"),
)

# ---- Endpoints ---------------------------------------------------------------------------------

message(
    CORE + "Endpoints",
    "The network endpoints that implement a service.",
    f("metadata", 1, META + "ObjectMeta"),
    f("subsets", 2, CORE + "EndpointSubset", repeated=True, list_type="atomic"),
    gvk=("", "v1", "Endpoints"),
)

message(
    CORE + "EndpointSubset",
    "A group of addresses that all serve the same ports.",
    f("addresses", 1, CORE + "EndpointAddress", repeated=True, list_type="atomic"),
    f("notReadyAddresses", 2, CORE + "EndpointAddress", repeated=True, list_type="atomic"),
    f("ports", 3, CORE + "EndpointPort", repeated=True, list_type="atomic"),
)

message(
    CORE + "EndpointAddress",
    "One backend IP address of a service.",
    f("ip", 1, "string", required=True),
    f("hostname", 3, "string"),
    f("nodeName", 4, "string"),
    f("targetRef", 2, CORE + "ObjectReference"),
)

message(
    CORE + "ObjectReference",
    "A reference to any object, with enough detail to find it.",
    f("kind", 1, "string"),
    f("namespace", 2, "string"),
    f("name", 3, "string"),
    f("uid", 4, "string"),
    f("apiVersion", 5, "string"),
    f("resourceVersion", 6, "string"),
    f("fieldPath", 7, "string"),
)

message(
    CORE + "EndpointPort",
    "One port of a set of endpoints.",
    f("name", 1, "string"),
    f("port", 2, "int32", required=True),
    f("protocol", 3, "string", enum=_PROTOCOL),
    f("appProtocol", 4, "string"),
)

message(
    CORE + "EndpointsList",
    "A list of Endpoints.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "Endpoints", repeated=True, required=True),
    gvk=("", "v1", "EndpointsList"),
)

# ---- ConfigMap and Secret ----------------------------------------------------------------------

message(
    CORE + "ConfigMap",
    "Non-secret configuration data as key/value pairs.",
    f("metadata", 1, META + "ObjectMeta"),
    f("immutable", 4, "bool"),
    f("data", 2, "string", map_value="string"),
    f("binaryData", 3, "bytes", map_value="bytes"),
    gvk=("", "v1", "ConfigMap"),
)

message(
    CORE + "ConfigMapList",
    "A list of ConfigMaps.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "ConfigMap", repeated=True, required=True),
    gvk=("", "v1", "ConfigMapList"),
)

message(
    CORE + "Secret",
    "Sensitive data such as passwords, tokens or keys.",
    f("metadata", 1, META + "ObjectMeta"),
    f("immutable", 5, "bool"),
    f("data", 2, "bytes", map_value="bytes"),
    f("stringData", 4, "string", map_value="string"),
    f("type", 3, "string"),
    gvk=("", "v1", "Secret"),
)

message(
    CORE + "SecretList",
    "A list of Secrets.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "Secret", repeated=True, required=True),
    gvk=("", "v1", "SecretList"),
)

# ---- ServiceAccount ----------------------------------------------------------------------------

message(
    CORE + "ServiceAccount",
    "An identity for processes running in pods.",
    f("metadata", 1, META + "ObjectMeta"),
    f(
        "secrets", 2, CORE + "ObjectReference",
        repeated=True, merge_key="name", patch_strategy="merge", list_type="map",
        list_map_keys=("name",),
    ),
    f("imagePullSecrets", 3, CORE + "LocalObjectReference", repeated=True, list_type="atomic"),
    f("automountServiceAccountToken", 4, "bool"),
    gvk=("", "v1", "ServiceAccount"),
)

message(
    CORE + "ServiceAccountList",
    "A list of ServiceAccounts.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "ServiceAccount", repeated=True, required=True),
    gvk=("", "v1", "ServiceAccountList"),
)

# ---- PersistentVolume --------------------------------------------------------------------------

message(
    CORE + "PersistentVolume",
    "A piece of storage provisioned in the cluster.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "PersistentVolumeSpec"),
    f("status", 3, CORE + "PersistentVolumeStatus"),
    gvk=("", "v1", "PersistentVolume"),
)

message(
    CORE + "PersistentVolumeSpec",
    "The desired state of a persistent volume.",
    f("capacity", 1, "Quantity", map_value="Quantity"),
    f("", 2, CORE + "PersistentVolumeSource"),
    f(
        "accessModes", 3, "string",
        repeated=True, list_type="atomic", enum=_PERSISTENT_VOLUME_ACCESS_MODE,
    ),
    f("claimRef", 4, CORE + "ObjectReference"),
    f("persistentVolumeReclaimPolicy", 5, "string", enum=_PERSISTENT_VOLUME_RECLAIM_POLICY),
    f("storageClassName", 6, "string"),
    f("mountOptions", 7, "string", repeated=True, list_type="atomic"),
    f("volumeMode", 8, "string", enum=_PERSISTENT_VOLUME_MODE),
    f("nodeAffinity", 9, CORE + "VolumeNodeAffinity"),
    f("volumeAttributesClassName", 10, "string"),
)

message(
    CORE + "PersistentVolumeSource",
    "The storage behind a persistent volume; exactly one member is set.",
    f("gcePersistentDisk", 1, CORE + "GCEPersistentDiskVolumeSource"),
    f("awsElasticBlockStore", 2, CORE + "AWSElasticBlockStoreVolumeSource"),
    f("hostPath", 3, CORE + "HostPathVolumeSource"),
    f("glusterfs", 4, CORE + "GlusterfsPersistentVolumeSource"),
    f("nfs", 5, CORE + "NFSVolumeSource"),
    f("rbd", 6, CORE + "RBDPersistentVolumeSource"),
    f("iscsi", 7, CORE + "ISCSIPersistentVolumeSource"),
    f("cinder", 8, CORE + "CinderPersistentVolumeSource"),
    f("cephfs", 9, CORE + "CephFSPersistentVolumeSource"),
    f("fc", 10, CORE + "FCVolumeSource"),
    f("flocker", 11, CORE + "FlockerVolumeSource"),
    f("flexVolume", 12, CORE + "FlexPersistentVolumeSource"),
    f("azureFile", 13, CORE + "AzureFilePersistentVolumeSource"),
    f("vsphereVolume", 14, CORE + "VsphereVirtualDiskVolumeSource"),
    f("quobyte", 15, CORE + "QuobyteVolumeSource"),
    f("azureDisk", 16, CORE + "AzureDiskVolumeSource"),
    f("photonPersistentDisk", 17, CORE + "PhotonPersistentDiskVolumeSource"),
    f("portworxVolume", 18, CORE + "PortworxVolumeSource"),
    f("scaleIO", 19, CORE + "ScaleIOPersistentVolumeSource"),
    f("local", 20, CORE + "LocalVolumeSource"),
    f("storageos", 21, CORE + "StorageOSPersistentVolumeSource"),
    f("csi", 22, CORE + "CSIPersistentVolumeSource"),
)

message(
    CORE + "GlusterfsPersistentVolumeSource",
    "A GlusterFS mount backing a persistent volume.",
    f("endpoints", 1, "string", required=True),
    f("path", 2, "string", required=True),
    f("readOnly", 3, "bool"),
    f("endpointsNamespace", 4, "string"),
)

message(
    CORE + "RBDPersistentVolumeSource",
    "A Rados block device backing a persistent volume.",
    f("monitors", 1, "string", repeated=True, required=True, list_type="atomic"),
    f("image", 2, "string", required=True),
    f("fsType", 3, "string"),
    f("pool", 4, "string"),
    f("user", 5, "string"),
    f("keyring", 6, "string"),
    f("secretRef", 7, CORE + "SecretReference"),
    f("readOnly", 8, "bool"),
)

message(
    CORE + "SecretReference",
    "A reference to a Secret by name and namespace.",
    f("name", 1, "string"),
    f("namespace", 2, "string"),
)

message(
    CORE + "ISCSIPersistentVolumeSource",
    "An iSCSI disk backing a persistent volume.",
    f("targetPortal", 1, "string", required=True),
    f("iqn", 2, "string", required=True),
    f("lun", 3, "int32", required=True),
    f("iscsiInterface", 4, "string"),
    f("fsType", 5, "string"),
    f("readOnly", 6, "bool"),
    f("portals", 7, "string", repeated=True, list_type="atomic"),
    f("chapAuthDiscovery", 8, "bool"),
    f("chapAuthSession", 11, "bool"),
    f("secretRef", 10, CORE + "SecretReference"),
    f("initiatorName", 12, "string"),
)

message(
    CORE + "CinderPersistentVolumeSource",
    "An OpenStack Cinder volume backing a persistent volume.",
    f("volumeID", 1, "string", required=True),
    f("fsType", 2, "string"),
    f("readOnly", 3, "bool"),
    f("secretRef", 4, CORE + "SecretReference"),
)

message(
    CORE + "CephFSPersistentVolumeSource",
    "A CephFS mount backing a persistent volume.",
    f("monitors", 1, "string", repeated=True, required=True, list_type="atomic"),
    f("path", 2, "string"),
    f("user", 3, "string"),
    f("secretFile", 4, "string"),
    f("secretRef", 5, CORE + "SecretReference"),
    f("readOnly", 6, "bool"),
)

message(
    CORE + "FlexPersistentVolumeSource",
    "A persistent volume managed by a FlexVolume driver.",
    f("driver", 1, "string", required=True),
    f("fsType", 2, "string"),
    f("secretRef", 3, CORE + "SecretReference"),
    f("readOnly", 4, "bool"),
    f("options", 5, "string", map_value="string"),
)

message(
    CORE + "AzureFilePersistentVolumeSource",
    "An Azure File share backing a persistent volume.",
    f("secretName", 1, "string", required=True),
    f("shareName", 2, "string", required=True),
    f("readOnly", 3, "bool"),
    f("secretNamespace", 4, "string"),
)

message(
    CORE + "ScaleIOPersistentVolumeSource",
    "A ScaleIO volume backing a persistent volume.",
    f("gateway", 1, "string", required=True),
    f("system", 2, "string", required=True),
    f("secretRef", 3, CORE + "SecretReference", required=True),
    f("sslEnabled", 4, "bool"),
    f("protectionDomain", 5, "string"),
    f("storagePool", 6, "string"),
    f("storageMode", 7, "string"),
    f("volumeName", 8, "string"),
    f("fsType", 9, "string"),
    f("readOnly", 10, "bool"),
)

message(
    CORE + "LocalVolumeSource",
    "A local disk, partition or directory on a node.",
    f("path", 1, "string", required=True),
    f("fsType", 2, "string"),
)

message(
    CORE + "StorageOSPersistentVolumeSource",
    "A StorageOS volume backing a persistent volume.",
    f("volumeName", 1, "string"),
    f("volumeNamespace", 2, "string"),
    f("fsType", 3, "string"),
    f("readOnly", 4, "bool"),
    f("secretRef", 5, CORE + "ObjectReference"),
)

message(
    CORE + "CSIPersistentVolumeSource",
    "A persistent volume managed by an external CSI driver.",
    f("driver", 1, "string", required=True),
    f("volumeHandle", 2, "string", required=True),
    f("readOnly", 3, "bool"),
    f("fsType", 4, "string"),
    f("volumeAttributes", 5, "string", map_value="string"),
    f("controllerPublishSecretRef", 6, CORE + "SecretReference"),
    f("nodeStageSecretRef", 7, CORE + "SecretReference"),
    f("nodePublishSecretRef", 8, CORE + "SecretReference"),
    f("controllerExpandSecretRef", 9, CORE + "SecretReference"),
    f("nodeExpandSecretRef", 10, CORE + "SecretReference"),
)

message(
    CORE + "VolumeNodeAffinity",
    "Which nodes a persistent volume can be used from.",
    f("required", 1, CORE + "NodeSelector"),
)

message(
    CORE + "PersistentVolumeStatus",
    "The observed state of a persistent volume.",
    f("phase", 1, "string", enum=_PERSISTENT_VOLUME_PHASE),
    f("message", 2, "string"),
    f("reason", 3, "string"),
    f("lastPhaseTransitionTime", 4, "Time"),
)

message(
    CORE + "PersistentVolumeList",
    "A list of PersistentVolumes.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "PersistentVolume", repeated=True, required=True),
    gvk=("", "v1", "PersistentVolumeList"),
)

# ---- PersistentVolumeClaim ---------------------------------------------------------------------

message(
    CORE + "PersistentVolumeClaim",
    "A user's request for storage.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "PersistentVolumeClaimSpec"),
    f("status", 3, CORE + "PersistentVolumeClaimStatus"),
    gvk=("", "v1", "PersistentVolumeClaim"),
)

message(
    CORE + "PersistentVolumeClaimStatus",
    "The observed state of a claim.",
    f("phase", 1, "string", enum=_PERSISTENT_VOLUME_CLAIM_PHASE),
    f(
        "accessModes", 2, "string",
        repeated=True, list_type="atomic", enum=_PERSISTENT_VOLUME_ACCESS_MODE,
    ),
    f("capacity", 3, "Quantity", map_value="Quantity"),
    f(
        "conditions", 4, CORE + "PersistentVolumeClaimCondition",
        repeated=True, merge_key="type", patch_strategy="merge", list_type="map",
        list_map_keys=("type",),
    ),
    f("allocatedResources", 5, "Quantity", map_value="Quantity"),
    f("allocatedResourceStatuses", 7, "string", map_value="string"),
    f("currentVolumeAttributesClassName", 8, "string"),
    f("modifyVolumeStatus", 9, CORE + "ModifyVolumeStatus"),
    f("healthStatus", 10, CORE + "VolumeHealthStatus"),
)

message(
    CORE + "PersistentVolumeClaimCondition",
    "One observed condition of a claim.",
    f("type", 1, "string", required=True),
    f("status", 2, "string", required=True),
    f("lastProbeTime", 3, "Time"),
    f("lastTransitionTime", 4, "Time"),
    f("reason", 5, "string"),
    f("message", 6, "string"),
)

message(
    CORE + "ModifyVolumeStatus",
    "The progress of a volume attributes change on a claim.",
    f("targetVolumeAttributesClassName", 1, "string"),
    f("status", 2, "string", required=True, enum=_PERSISTENT_VOLUME_CLAIM_MODIFY_VOLUME_STATUS),
)

message(
    CORE + "VolumeHealthStatus",
    "Health of a volume reported by its CSI controller.",
    f(
        "healthConditions", 1, CORE + "VolumeHealthCondition",
        repeated=True, merge_key="status", patch_strategy="merge", list_type="map",
        list_map_keys=("status", "reason"),
    ),
    f("lastTransitionTime", 2, "Time"),
)

message(
    CORE + "PersistentVolumeClaimList",
    "A list of PersistentVolumeClaims.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "PersistentVolumeClaim", repeated=True, required=True),
    gvk=("", "v1", "PersistentVolumeClaimList"),
)

# ---- ReplicationController ---------------------------------------------------------------------

message(
    CORE + "ReplicationController",
    "Keeps a number of pod replicas running.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "ReplicationControllerSpec"),
    f("status", 3, CORE + "ReplicationControllerStatus"),
    gvk=("", "v1", "ReplicationController"),
)

message(
    CORE + "ReplicationControllerSpec",
    "The desired state of a replication controller.",
    f("replicas", 1, "int32"),
    f("minReadySeconds", 4, "int32"),
    f("selector", 2, "string", map_value="string"),
    f("template", 3, CORE + "PodTemplateSpec"),
)

message(
    CORE + "ReplicationControllerStatus",
    "The observed state of a replication controller.",
    f("replicas", 1, "int32", required=True),
    f("fullyLabeledReplicas", 2, "int32"),
    f("readyReplicas", 4, "int32"),
    f("availableReplicas", 5, "int32"),
    f("observedGeneration", 3, "int64"),
    f(
        "conditions", 6, CORE + "ReplicationControllerCondition",
        repeated=True, merge_key="type", patch_strategy="merge", list_type="map",
        list_map_keys=("type",),
    ),
)

message(
    CORE + "ReplicationControllerCondition",
    "One observed condition of a replication controller.",
    f("type", 1, "string", required=True),
    f("status", 2, "string", required=True),
    f("lastTransitionTime", 3, "Time"),
    f("reason", 4, "string"),
    f("message", 5, "string"),
)

message(
    CORE + "ReplicationControllerList",
    "A list of ReplicationControllers.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "ReplicationController", repeated=True, required=True),
    gvk=("", "v1", "ReplicationControllerList"),
)

# ---- LimitRange --------------------------------------------------------------------------------

message(
    CORE + "LimitRange",
    "Default and bounding resource limits for objects in a namespace.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "LimitRangeSpec"),
    gvk=("", "v1", "LimitRange"),
)

message(
    CORE + "LimitRangeSpec",
    "The limits a LimitRange enforces.",
    f("limits", 1, CORE + "LimitRangeItem", repeated=True, required=True, list_type="atomic"),
)

message(
    CORE + "LimitRangeItem",
    "The limits for one kind of object (Pod, Container, PersistentVolumeClaim).",
    f("type", 1, "string", required=True),
    f("max", 2, "Quantity", map_value="Quantity"),
    f("min", 3, "Quantity", map_value="Quantity"),
    f("default", 4, "Quantity", map_value="Quantity"),
    f("defaultRequest", 5, "Quantity", map_value="Quantity"),
    f("maxLimitRequestRatio", 6, "Quantity", map_value="Quantity"),
)

message(
    CORE + "LimitRangeList",
    "A list of LimitRanges.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "LimitRange", repeated=True, required=True),
    gvk=("", "v1", "LimitRangeList"),
)

# ---- ResourceQuota -----------------------------------------------------------------------------

message(
    CORE + "ResourceQuota",
    "Limits on total resource use in a namespace.",
    f("metadata", 1, META + "ObjectMeta"),
    f("spec", 2, CORE + "ResourceQuotaSpec"),
    f("status", 3, CORE + "ResourceQuotaStatus"),
    gvk=("", "v1", "ResourceQuota"),
)

message(
    CORE + "ResourceQuotaSpec",
    "The limits a resource quota enforces.",
    f("hard", 1, "Quantity", map_value="Quantity"),
    f("scopes", 2, "string", repeated=True, list_type="atomic", enum=_RESOURCE_QUOTA_SCOPE),
    f("scopeSelector", 3, CORE + "ScopeSelector"),
)

message(
    CORE + "ScopeSelector",
    "Scope requirements a quota's tracked objects must match.",
    f(
        "matchExpressions", 1, CORE + "ScopedResourceSelectorRequirement",
        repeated=True, list_type="atomic",
    ),
)

message(
    CORE + "ScopedResourceSelectorRequirement",
    "One requirement on a quota scope.",
    f("scopeName", 1, "string", required=True, enum=_RESOURCE_QUOTA_SCOPE),
    f("operator", 2, "string", required=True, enum=_SCOPE_SELECTOR_OPERATOR),
    f("values", 3, "string", repeated=True, list_type="atomic"),
)

message(
    CORE + "ResourceQuotaStatus",
    "The enforced limits and current usage of a quota.",
    f("hard", 1, "Quantity", map_value="Quantity"),
    f("used", 2, "Quantity", map_value="Quantity"),
)

message(
    CORE + "ResourceQuotaList",
    "A list of ResourceQuotas.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "ResourceQuota", repeated=True, required=True),
    gvk=("", "v1", "ResourceQuotaList"),
)

# ---- Event -------------------------------------------------------------------------------------

message(
    CORE + "Event",
    "A report of something that happened in the cluster.",
    f("metadata", 1, META + "ObjectMeta", required=True),
    f("involvedObject", 2, CORE + "ObjectReference", required=True),
    f("reason", 3, "string"),
    f("message", 4, "string"),
    f("source", 5, CORE + "EventSource"),
    f("firstTimestamp", 6, "Time"),
    f("lastTimestamp", 7, "Time"),
    f("count", 8, "int32"),
    f("type", 9, "string"),
    f("eventTime", 10, "MicroTime"),
    f("series", 11, CORE + "EventSeries"),
    f("action", 12, "string"),
    f("related", 13, CORE + "ObjectReference"),
    f("reportingComponent", 14, "string"),
    f("reportingInstance", 15, "string"),
    gvk=("", "v1", "Event"),
)

message(
    CORE + "EventSource",
    "The component that reported an event.",
    f("component", 1, "string"),
    f("host", 2, "string"),
)

message(
    CORE + "EventSeries",
    "Counts repeats of an event that keeps happening.",
    f("count", 1, "int32"),
    f("lastObservedTime", 2, "MicroTime"),
)

message(
    CORE + "EventList",
    "A list of Events.",
    f("metadata", 1, META + "ListMeta"),
    f("items", 2, CORE + "Event", repeated=True, required=True),
    gvk=("", "v1", "EventList"),
)

# ---- Binding -----------------------------------------------------------------------------------

message(
    CORE + "Binding",
    "Ties an object to another; used to bind a pod to a node.",
    f("metadata", 1, META + "ObjectMeta"),
    f("target", 2, CORE + "ObjectReference", required=True),
    gvk=("", "v1", "Binding"),
)

# ---- The options of the streaming pod subresources (query parameters, never stored) -------------

message(
    CORE + "PodAttachOptions",
    "The query of pods/attach: which streams of which container to attach to.",
    f("stdin", 1, "bool", "Send the client's input to the container's stdin."),
    f("stdout", 2, "bool", "Send the container's stdout to the client."),
    f("stderr", 3, "bool", "Send the container's stderr to the client."),
    f("tty", 4, "bool", "The container's stdio is a terminal."),
    f("container", 5, "string", "The container; may be left out when the pod has one."),
    gvk=("", "v1", "PodAttachOptions"),
)

message(
    CORE + "PodExecOptions",
    "The query of pods/exec: the command to run in a container and its streams.",
    f("stdin", 1, "bool", "Send the client's input to the command's stdin."),
    f("stdout", 2, "bool", "Send the command's stdout to the client."),
    f("stderr", 3, "bool", "Send the command's stderr to the client."),
    f("tty", 4, "bool", "Run the command on a terminal."),
    f("container", 5, "string", "The container; may be left out when the pod has one."),
    f("command", 6, "string", "The argv to run, not through a shell.", repeated=True,
      required=True, list_type="atomic"),
    gvk=("", "v1", "PodExecOptions"),
)

message(
    CORE + "PodPortForwardOptions",
    "The query of pods/portforward.",
    f("ports", 1, "int32", "The pod's ports to forward to.", repeated=True, list_type="atomic"),
    gvk=("", "v1", "PodPortForwardOptions"),
)

# ---- Types other API groups refer to -----------------------------------------------------------

message(
    CORE + "TopologySelectorTerm",
    "A topology domain, described by label requirements.",
    f(
        "matchLabelExpressions", 1, CORE + "TopologySelectorLabelRequirement",
        repeated=True, list_type="atomic",
    ),
)

message(
    CORE + "TopologySelectorLabelRequirement",
    "One label requirement of a topology selector.",
    f("key", 1, "string", required=True),
    f("values", 2, "string", repeated=True, required=True, list_type="atomic"),
)
