"""Conversion between served versions of a resource and its storage version.

Only HorizontalPodAutoscaler is served in two versions (autoscaling/v1 and v2, stored as
v2).  v1 carries one CPU utilization target; other v2 metrics survive a v1 round trip in
the annotation upstream uses for them.
"""

from __future__ import annotations

from typing import Any

import orjson

_V2_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics"
_V2_CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"


def _is_cpu_utilization(metric: dict[str, Any]) -> bool:
    res = metric.get("resource") or {}
    target = res.get("target") or {}
    return (metric.get("type") == "Resource" and res.get("name") == "cpu"
            and target.get("type") == "Utilization")


def hpa_v2_to_v1(obj: dict[str, Any]) -> dict[str, Any]:
    """A stored (v2) HPA in its autoscaling/v1 form."""
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    md = dict(obj.get("metadata") or {})
    v1spec: dict[str, Any] = {"scaleTargetRef": spec.get("scaleTargetRef", {})}
    if "minReplicas" in spec:
        v1spec["minReplicas"] = spec["minReplicas"]
    v1spec["maxReplicas"] = spec.get("maxReplicas", 0)
    others = []
    for m in spec.get("metrics") or []:
        if _is_cpu_utilization(m) and "targetCPUUtilizationPercentage" not in v1spec:
            v1spec["targetCPUUtilizationPercentage"] = m["resource"]["target"].get("averageUtilization")
        else:
            others.append(m)
    if others:
        ann = dict(md.get("annotations") or {})
        ann[_V2_METRICS_ANNOTATION] = orjson.dumps(others).decode()
        md["annotations"] = ann
    v1status: dict[str, Any] = {}
    for k in ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"):
        if k in status:
            v1status[k] = status[k]
    v1status.setdefault("currentReplicas", 0)
    v1status.setdefault("desiredReplicas", 0)
    for cm in status.get("currentMetrics") or []:
        cur = (cm.get("resource") or {}).get("current") or {}
        if cm.get("type") == "Resource" and cm["resource"].get("name") == "cpu" and "averageUtilization" in cur:
            v1status["currentCPUUtilizationPercentage"] = cur["averageUtilization"]
    if status.get("conditions"):
        ann = dict(md.get("annotations") or {})
        ann[_V2_CONDITIONS_ANNOTATION] = orjson.dumps(status["conditions"]).decode()
        md["annotations"] = ann
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1",
            "metadata": md, "spec": v1spec, "status": v1status}


def hpa_v1_to_v2(obj: dict[str, Any]) -> dict[str, Any]:
    """An autoscaling/v1 HPA in its stored (v2) form."""
    spec = obj.get("spec") or {}
    md = dict(obj.get("metadata") or {})
    ann = dict(md.get("annotations") or {})
    metrics: list[dict[str, Any]] = []
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics.append({"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}})
    extra = ann.pop(_V2_METRICS_ANNOTATION, None)
    if extra:
        try:
            metrics.extend(orjson.loads(extra))
        except orjson.JSONDecodeError:
            pass
    conditions = ann.pop(_V2_CONDITIONS_ANNOTATION, None)
    if ann:
        md["annotations"] = ann
    else:
        md.pop("annotations", None)
    v2spec: dict[str, Any] = {"scaleTargetRef": spec.get("scaleTargetRef", {}),
                              "maxReplicas": spec.get("maxReplicas", 0)}
    if "minReplicas" in spec:
        v2spec["minReplicas"] = spec["minReplicas"]
    if metrics:
        v2spec["metrics"] = metrics
    status = obj.get("status") or {}
    v2status: dict[str, Any] = {k: status[k] for k in
                                ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas")
                                if k in status}
    if conditions:
        try:
            v2status["conditions"] = orjson.loads(conditions)
        except orjson.JSONDecodeError:
            pass
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
            "metadata": md, "spec": v2spec, "status": v2status}


def to_storage(group: str, version: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Convert a request object of a served version to the storage version."""
    if group == "autoscaling" and version == "v1" and kind == "HorizontalPodAutoscaler":
        return hpa_v1_to_v2(obj)
    return obj


def from_storage(group: str, version: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Convert a stored object to the version a request asked for."""
    if group == "autoscaling" and version == "v1" and kind == "HorizontalPodAutoscaler":
        return hpa_v2_to_v1(obj)
    return obj


def needs_conversion(group: str, version: str, kind: str) -> bool:
    return group == "autoscaling" and version == "v1" and kind == "HorizontalPodAutoscaler"
