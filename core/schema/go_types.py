"""How the Go types of k8s.io/api hold scalar fields, where JSON depends on it.

Go leaves a field out of JSON when its tag has ``omitempty`` and it holds the zero value
(``""``, ``0``, ``false``); a pointer field (``*int32``, ``*string``...) holds nil for
"unset", so its zero value is a real value and is kept.  Protobuf carries every non-pointer
field even at zero (generated marshallers write them all), so a decoder must know which
zeros to drop to give the JSON a Go program would print: ``kubectl create deployment``
posts ``"workingDir": ""`` and ``"replicas": 0`` alike, and only the second one is meant.

These are facts of the upstream types (Kubernetes 1.32; fields added later from the
release that added them), consulted by :func:`paddock.core.schema.dsl.message` when a type
is registered.  ``POINTERS``: the scalar fields that are pointers.  ``OMITEMPTY``: the
scalar fields whose ``omitempty`` is not what their ``required`` flag implies (a required
field normally has no ``omitempty``, an optional one has it).
"""

from __future__ import annotations

POINTERS: dict[str, tuple[str, ...]] = {
    "io.k8s.api.apps.v1.DaemonSetSpec": ("revisionHistoryLimit",),
    "io.k8s.api.apps.v1.DaemonSetStatus": ("collisionCount",),
    "io.k8s.api.apps.v1.DeploymentSpec": (
        "progressDeadlineSeconds", "replicas", "revisionHistoryLimit",
    ),
    "io.k8s.api.apps.v1.DeploymentStatus": ("collisionCount", "terminatingReplicas"),
    "io.k8s.api.apps.v1.ReplicaSetSpec": ("replicas",),
    "io.k8s.api.apps.v1.ReplicaSetStatus": ("terminatingReplicas",),
    "io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy": ("partition",),
    "io.k8s.api.apps.v1.StatefulSetSpec": ("replicas", "revisionHistoryLimit"),
    "io.k8s.api.apps.v1.StatefulSetStatus": ("collisionCount",),
    "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec": (
        "minReplicas", "targetCPUUtilizationPercentage",
    ),
    "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus": (
        "currentCPUUtilizationPercentage", "observedGeneration",
    ),
    "io.k8s.api.autoscaling.v2.HPAScalingRules": ("selectPolicy", "stabilizationWindowSeconds"),
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec": ("minReplicas",),
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus": ("observedGeneration",),
    "io.k8s.api.autoscaling.v2.MetricTarget": ("averageUtilization",),
    "io.k8s.api.autoscaling.v2.MetricValueStatus": ("averageUtilization",),
    "io.k8s.api.batch.v1.CronJobSpec": (
        "failedJobsHistoryLimit", "startingDeadlineSeconds", "successfulJobsHistoryLimit",
        "suspend", "timeZone",
    ),
    "io.k8s.api.batch.v1.JobSpec": (
        "activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "completionMode",
        "completions", "managedBy", "manualSelector", "maxFailedIndexes", "parallelism",
        "podReplacementPolicy", "suspend", "ttlSecondsAfterFinished",
    ),
    "io.k8s.api.batch.v1.JobStatus": ("failedIndexes", "ready", "terminating"),
    "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement": ("containerName",),
    "io.k8s.api.batch.v1.SuccessPolicyRule": ("succeededCount", "succeededIndexes"),
    "io.k8s.api.coordination.v1.LeaseSpec": (
        "holderIdentity", "leaseDurationSeconds", "leaseTransitions", "preferredHolder",
        "strategy",
    ),
    "io.k8s.api.core.v1.AppArmorProfile": ("localhostProfile",),
    "io.k8s.api.core.v1.AzureDiskVolumeSource": ("cachingMode", "fsType", "kind", "readOnly"),
    "io.k8s.api.core.v1.AzureFilePersistentVolumeSource": ("secretNamespace",),
    "io.k8s.api.core.v1.CSIVolumeSource": ("fsType", "readOnly"),
    "io.k8s.api.core.v1.ClientIPConfig": ("timeoutSeconds",),
    "io.k8s.api.core.v1.ClusterTrustBundleProjection": ("name", "optional", "signerName", "user"),
    "io.k8s.api.core.v1.ConfigMap": ("immutable",),
    "io.k8s.api.core.v1.ConfigMapEnvSource": ("optional",),
    "io.k8s.api.core.v1.ConfigMapKeySelector": ("optional",),
    "io.k8s.api.core.v1.ConfigMapProjection": ("optional",),
    "io.k8s.api.core.v1.ConfigMapVolumeSource": ("defaultMode", "defaultUser", "optional"),
    "io.k8s.api.core.v1.Container": ("restartPolicy",),
    "io.k8s.api.core.v1.ContainerStatus": ("started", "stopSignal"),
    "io.k8s.api.core.v1.DownwardAPIVolumeFile": ("mode", "user"),
    "io.k8s.api.core.v1.DownwardAPIVolumeSource": ("defaultMode", "defaultUser"),
    "io.k8s.api.core.v1.EmptyDirVolumeSource": ("mode",),
    "io.k8s.api.core.v1.EndpointAddress": ("nodeName",),
    "io.k8s.api.core.v1.EndpointPort": ("appProtocol",),
    "io.k8s.api.core.v1.EphemeralContainerCommon": ("restartPolicy",),
    "io.k8s.api.core.v1.EvictionResponder": ("priority",),
    "io.k8s.api.core.v1.FCVolumeSource": ("lun",),
    "io.k8s.api.core.v1.FileKeySelector": ("optional",),
    "io.k8s.api.core.v1.GRPCAction": ("mode", "service"),
    "io.k8s.api.core.v1.GlusterfsPersistentVolumeSource": ("endpointsNamespace",),
    "io.k8s.api.core.v1.HTTPGetAction": ("protocol",),
    "io.k8s.api.core.v1.HostPathVolumeSource": ("type",),
    "io.k8s.api.core.v1.ISCSIPersistentVolumeSource": ("initiatorName",),
    "io.k8s.api.core.v1.ISCSIVolumeSource": ("initiatorName",),
    "io.k8s.api.core.v1.KeyToPath": ("mode", "user"),
    "io.k8s.api.core.v1.Lifecycle": ("stopSignal",),
    "io.k8s.api.core.v1.LoadBalancerIngress": ("ipMode",),
    "io.k8s.api.core.v1.LocalVolumeSource": ("fsType",),
    "io.k8s.api.core.v1.NodeFeatures": ("supplementalGroupsPolicy",),
    "io.k8s.api.core.v1.NodeRuntimeHandlerFeatures": ("recursiveReadOnlyMounts", "userNamespaces"),
    "io.k8s.api.core.v1.NodeSwapStatus": ("capacity",),
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec": (
        "storageClassName", "volumeAttributesClassName", "volumeMode",
    ),
    "io.k8s.api.core.v1.PersistentVolumeClaimStatus": ("currentVolumeAttributesClassName",),
    "io.k8s.api.core.v1.PersistentVolumeSpec": ("volumeAttributesClassName", "volumeMode"),
    "io.k8s.api.core.v1.PodCertificateProjection": ("maxExpirationSeconds", "user"),
    "io.k8s.api.core.v1.PodDNSConfigOption": ("value",),
    "io.k8s.api.core.v1.PodResourceClaim": ("resourceClaimName", "resourceClaimTemplateName"),
    "io.k8s.api.core.v1.PodResourceClaimStatus": ("resourceClaimName",),
    "io.k8s.api.core.v1.PodSchedulingGroup": ("podGroupName",),
    "io.k8s.api.core.v1.PodSecurityContext": (
        "fsGroup", "fsGroupChangePolicy", "runAsGroup", "runAsNonRoot", "runAsUser",
        "seLinuxChangePolicy", "supplementalGroupsPolicy",
    ),
    "io.k8s.api.core.v1.PodSpec": (
        "activeDeadlineSeconds", "automountServiceAccountToken", "enableServiceLinks",
        "hostUsers", "hostnameOverride", "preemptionPolicy", "priority", "runtimeClassName",
        "setHostnameAsFQDN", "shareProcessNamespace", "terminationGracePeriodSeconds",
    ),
    "io.k8s.api.core.v1.PortStatus": ("error",),
    "io.k8s.api.core.v1.Probe": ("terminationGracePeriodSeconds",),
    "io.k8s.api.core.v1.ProjectedVolumeSource": ("defaultMode", "defaultUser"),
    "io.k8s.api.core.v1.ReplicationControllerSpec": ("replicas",),
    "io.k8s.api.core.v1.ResourceHealth": ("message",),
    "io.k8s.api.core.v1.SeccompProfile": ("localhostProfile",),
    "io.k8s.api.core.v1.Secret": ("immutable",),
    "io.k8s.api.core.v1.SecretEnvSource": ("optional",),
    "io.k8s.api.core.v1.SecretKeySelector": ("optional",),
    "io.k8s.api.core.v1.SecretProjection": ("optional",),
    "io.k8s.api.core.v1.SecretVolumeSource": ("defaultMode", "defaultUser", "optional"),
    "io.k8s.api.core.v1.SecurityContext": (
        "allowPrivilegeEscalation", "privileged", "procMount", "readOnlyRootFilesystem",
        "runAsGroup", "runAsNonRoot", "runAsUser",
    ),
    "io.k8s.api.core.v1.ServiceAccount": ("automountServiceAccountToken",),
    "io.k8s.api.core.v1.ServiceAccountTokenProjection": ("expirationSeconds", "user"),
    "io.k8s.api.core.v1.ServicePort": ("appProtocol",),
    "io.k8s.api.core.v1.ServiceSpec": (
        "allocateLoadBalancerNodePorts", "internalTrafficPolicy", "ipFamilyPolicy",
        "loadBalancerClass", "trafficDistribution",
    ),
    "io.k8s.api.core.v1.Toleration": ("tolerationSeconds",),
    "io.k8s.api.core.v1.TopologySpreadConstraint": (
        "minDomains", "nodeAffinityPolicy", "nodeTaintsPolicy",
    ),
    "io.k8s.api.core.v1.TypedLocalObjectReference": ("apiGroup",),
    "io.k8s.api.core.v1.TypedObjectReference": ("apiGroup", "namespace"),
    "io.k8s.api.core.v1.VolumeMount": ("mountPropagation", "recursiveReadOnly"),
    "io.k8s.api.core.v1.VolumeMountStatus": ("recursiveReadOnly",),
    "io.k8s.api.core.v1.WindowsSecurityContextOptions": (
        "gmsaCredentialSpec", "gmsaCredentialSpecName", "hostProcess", "runAsUserName",
    ),
    "io.k8s.api.discovery.v1.Endpoint": ("hostname", "nodeName", "zone"),
    "io.k8s.api.discovery.v1.EndpointConditions": ("ready", "serving", "terminating"),
    "io.k8s.api.discovery.v1.EndpointPort": ("appProtocol", "name", "port", "protocol"),
    "io.k8s.api.networking.v1.HTTPIngressPath": ("pathType",),
    "io.k8s.api.networking.v1.IngressClassParametersReference": ("apiGroup", "namespace", "scope"),
    "io.k8s.api.networking.v1.IngressPortStatus": ("error",),
    "io.k8s.api.networking.v1.IngressSpec": ("ingressClassName",),
    "io.k8s.api.storage.v1.StorageClass": (
        "allowVolumeExpansion", "reclaimPolicy", "volumeBindingMode",
    ),
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": (
        "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential",
        "orphanDependents", "propagationPolicy",
    ),
    "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta": ("remainingItemCount",),
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": ("deletionGracePeriodSeconds",),
    "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference": ("blockOwnerDeletion", "controller"),
    "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions": ("resourceVersion", "uid"),
}

OMITEMPTY: dict[tuple[str, str], bool] = {
    ("io.k8s.api.apps.v1.StatefulSetOrdinals", "start"): False,
    ("io.k8s.api.apps.v1.StatefulSetSpec", "serviceName"): False,
    ("io.k8s.api.apps.v1.StatefulSetStatus", "availableReplicas"): False,
    ("io.k8s.api.core.v1.AzureFilePersistentVolumeSource", "secretNamespace"): False,
    ("io.k8s.api.core.v1.ContainerRestartRule", "action"): True,
    ("io.k8s.api.core.v1.ContainerRestartRuleOnExitCodes", "operator"): True,
    ("io.k8s.api.core.v1.Event", "reportingComponent"): False,
    ("io.k8s.api.core.v1.Event", "reportingInstance"): False,
    ("io.k8s.api.core.v1.GRPCAction", "service"): False,
    ("io.k8s.api.core.v1.ImageVolumeStatus", "imageRef"): True,
    ("io.k8s.api.core.v1.NodeRuntimeHandler", "name"): False,
    ("io.k8s.api.core.v1.PodCertificateProjection", "keyType"): True,
    ("io.k8s.api.core.v1.PodCertificateProjection", "signerName"): True,
    ("io.k8s.api.core.v1.TypedLocalObjectReference", "apiGroup"): False,
    ("io.k8s.api.core.v1.TypedObjectReference", "apiGroup"): False,
    ("io.k8s.api.networking.v1.IngressClassParametersReference", "scope"): False,
}
