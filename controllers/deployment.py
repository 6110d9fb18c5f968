"""Deployments: roll a pod template out through ReplicaSets, as upstream's controller does.

A deployment owns ReplicaSets; the one whose template equals the deployment's (ignoring
the ``pod-template-hash`` label) is the *new* one, the rest are *old*.  A sync:

- **claims** ReplicaSets by selector as the replica set controller claims pods;
- when **paused**, or when ``spec.replicas`` changed (a *scaling event*: the
  ``desired-replicas`` annotation of an active set differs), only **scales**: one
  active set takes the new size; several share it in proportion to their size (the
  ``max-replicas`` annotation), the rounding leftover to the largest;
- **RollingUpdate**: the new set grows while all sets together stay within
  ``replicas + maxSurge`` (rounded up from a percentage), old sets shrink while the
  available pods stay at least ``replicas - maxUnavailable`` (rounded down; 1 if both
  are 0), unhealthy old pods first;
- **Recreate**: old sets go to 0, and once none of their pods is running the new set
  goes to ``replicas``;
- keeps ``revisionHistoryLimit`` old sets (empty ones, oldest first deleted) once the
  rollout is complete;
- writes **status**: replicas, updatedReplicas, readyReplicas, availableReplicas,
  unavailableReplicas, observedGeneration, collisionCount, and the conditions
  ``Available`` (MinimumReplicasAvailable / MinimumReplicasUnavailable) and
  ``Progressing`` (NewReplicaSetCreated, FoundNewReplicaSet, ReplicaSetUpdated,
  NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused,
  DeploymentResumed), which ``kubectl rollout status`` reads.

The new set carries revision ``max(old revisions) + 1`` in
``deployment.kubernetes.io/revision`` (``kubectl rollout history`` and ``undo`` read it)
and the deployment's ``kubernetes.io/change-cause``.  Events: ScalingReplicaSet.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from typing import Any

import orjson

from paddock.core.client import Client
from paddock.core.events import EventRecorder
from paddock.core.informer import NAMESPACE_INDEX, Informer, object_key
from paddock.core.labels import Selector, selector_from_label_selector
from paddock.core.meta import now_rfc3339, timestamp
from paddock.core.status import APIError
from paddock.core.workqueue import WorkQueue

from .base import QueueController
from .replicaset import CONTROLLER_INDEX, SMP, controller_ref, index_pods

log = logging.getLogger(__name__)

Obj = dict[str, Any]

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"
# annotations of the deployment not copied to its replica sets
NOT_COPIED = {"kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY,
              DESIRED_REPLICAS, MAX_REPLICAS}
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"




def template_hash(template: Obj, collision_count: int = 0) -> str:
    """A short name-safe hash of a pod template: FNV-1a of its canonical JSON and the
    collision count, written as upstream writes it (the decimal digits mapped onto an
    alphabet without vowels)."""
    data = orjson.dumps(template, option=orjson.OPT_SORT_KEYS)
    if collision_count:
        data += collision_count.to_bytes(4, "little")
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(SAFE_ALPHABET[ord(ch) % len(SAFE_ALPHABET)] for ch in str(h))


def without_hash(template: Obj) -> Obj:
    t = copy.deepcopy(template)
    labels = (t.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
        if not labels:
            t["metadata"].pop("labels")
    return t


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """An int-or-percent against ``total`` (``"25%"`` of 10 is 3 rounded up, 2 down)."""
    if isinstance(value, str) and value.endswith("%"):
        try:
            percent = int(value[:-1])
        except ValueError:
            return 0
        exact = percent * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def replicas(obj: Obj | None) -> int:
    return int(((obj or {}).get("spec") or {}).get("replicas") or 0)


def status_of(obj: Obj | None, field: str) -> int:
    return int(((obj or {}).get("status") or {}).get(field) or 0)


def revision(rs: Obj) -> int:
    try:
        return int(((rs.get("metadata") or {}).get("annotations") or {}).get(REVISION) or 0)
    except ValueError:
        return 0


def is_rolling(d: Obj) -> bool:
    return ((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def surge_and_unavailable(d: Obj) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) resolved as upstream: surge rounds up, unavailable down,
    both 0 makes unavailable 1, and unavailable never exceeds the replicas."""
    if not is_rolling(d):
        return 0, 0
    wanted = replicas(d)
    rolling = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    surge = scaled_value(rolling.get("maxSurge", "25%"), wanted, True)
    unavailable = scaled_value(rolling.get("maxUnavailable", "25%"), wanted, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, min(unavailable, wanted)


def round_half_away(x: float) -> int:
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def condition(status: Obj, kind: str) -> Obj | None:
    return next((c for c in status.get("conditions") or () if c.get("type") == kind), None)


def set_condition(status: Obj, kind: str, value: str, reason: str, message: str) -> None:
    """As upstream's SetDeploymentCondition: same status and reason changes nothing but the
    update time; a new status moves the transition time."""
    now = now_rfc3339()
    old = condition(status, kind)
    if old is not None and old.get("status") == value and old.get("reason") == reason:
        if old.get("message") != message:
            old["message"] = message
            old["lastUpdateTime"] = now
        return
    new = {"type": kind, "status": value, "lastUpdateTime": now, "lastTransitionTime": now,
           "reason": reason, "message": message}
    if old is not None and old.get("status") == value:
        new["lastTransitionTime"] = old.get("lastTransitionTime") or now
    status["conditions"] = [c for c in status.get("conditions") or () if c.get("type") != kind]
    status["conditions"].append(new)


class DeploymentController(QueueController):
    def __init__(self, client: Client, deployments: Informer, replica_sets: Informer,
                 pods: Informer, events: EventRecorder, *, workers: int = 5) -> None:
        self.client = client
        self.deployments = deployments
        self.replica_sets = replica_sets
        self.pods = pods
        self.events = events
        self.workers = workers
        self.queue = WorkQueue("deployment")
        # each deployment's status as the apiserver had it when its sync began
        self._observed: dict[str, Obj] = {}
        index_pods(replica_sets)  # the same controller/orphan indexes, for replica sets
        index_pods(pods)
        deployments.add_handler(lambda event, obj, old: self.queue.add(object_key(obj)))
        replica_sets.add_handler(self._on_replica_set)
        pods.add_handler(self._on_pod)

    def _owner_key(self, obj: Obj) -> str | None:
        ref = controller_ref(obj)
        if ref is None or ref.get("kind") != "Deployment":
            return None
        return f"{obj['metadata'].get('namespace')}/{ref.get('name')}"

    def _on_replica_set(self, event: str, rs: Obj, old: Obj | None) -> None:
        key = self._owner_key(rs)
        if key is not None:
            self.queue.add(key)
        if old is not None and (old_key := self._owner_key(old)) and old_key != key:
            self.queue.add(old_key)
        if key is None and controller_ref(rs) is None:
            labels = (rs.get("metadata") or {}).get("labels") or {}
            for d in self.deployments.by_index(NAMESPACE_INDEX, rs["metadata"].get("namespace") or ""):
                if self._selector(d).matches(labels):
                    self.queue.add(object_key(d))

    def _on_pod(self, event: str, pod: Obj, old: Obj | None) -> None:
        # Recreate waits for old pods to be gone
        if event != "DELETED":
            return
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return
        rs = self.replica_sets.get(f"{pod['metadata'].get('namespace')}/{ref.get('name')}")
        key = self._owner_key(rs) if rs is not None else None
        if key is not None:
            d = self.deployments.get(key)
            if d is not None and not is_rolling(d):
                self.queue.add(key)

    @staticmethod
    def _selector(d: Obj) -> Selector:
        return selector_from_label_selector((d.get("spec") or {}).get("selector"))

    # -- one sync

    async def sync(self, key: str) -> None:
        cached = self.deployments.get(key)
        if cached is None:
            self._observed.pop(key, None)
            return
        d = copy.deepcopy(cached)
        self._observed[key] = copy.deepcopy(cached.get("status") or {})
        spec = d.get("spec") or {}
        selector = self._selector(d)
        if selector.empty and not selector.matches_nothing:
            self.events.record(d, "Warning", "SelectingAll",
                               "This deployment is selecting all pods. A non-empty selector is required.")
            return
        rss = await self._claim(d, selector)
        if d["metadata"].get("deletionTimestamp"):
            await self._write_status(d, *self._split(d, rss), progress=False)
            return
        paused = bool(spec.get("paused"))
        await self._check_paused_condition(d, paused)
        if paused or self._scaling_event(d, rss):
            new, olds = self._split(d, rss)
            await self._scale(d, new, olds)
            if paused:
                await self._cleanup(d, olds)
            await self._write_status(d, new, olds, progress=False)
            return
        if is_rolling(d):
            await self._rollout_rolling(d, rss)
        else:
            await self._rollout_recreate(d, rss)

    async def _claim(self, d: Obj, selector: Selector) -> list[Obj]:
        md = d["metadata"]
        uid = md.get("uid")
        owned: list[Obj] = []
        for rs in self.replica_sets.by_index(CONTROLLER_INDEX, uid):
            if selector.matches((rs.get("metadata") or {}).get("labels") or {}):
                owned.append(copy.deepcopy(rs))
            elif not md.get("deletionTimestamp"):
                await self._patch_rs_owner(rs, {"$patch": "delete", "uid": uid})
        if md.get("deletionTimestamp"):
            return owned
        for rs in self.replica_sets.by_index("orphans", md.get("namespace") or ""):
            if rs["metadata"].get("deletionTimestamp") or not selector.matches(
                    rs["metadata"].get("labels") or {}):
                continue
            adopted = await self._patch_rs_owner(rs, {
                "apiVersion": "apps/v1", "kind": "Deployment", "name": md["name"], "uid": uid,
                "controller": True, "blockOwnerDeletion": True})
            if adopted is not None:
                owned.append(adopted)
        return owned

    async def _patch_rs_owner(self, rs: Obj, ref: Obj) -> Obj | None:
        md = rs["metadata"]
        try:
            result: Obj = await self.client.patch(
                "replicasets", md["name"], {"metadata": {"ownerReferences": [ref], "uid": md.get("uid")}},
                md.get("namespace"), patch_type=SMP)
            return result
        except APIError as e:
            if e.code in (404, 409, 422):
                return None
            raise

    def _split(self, d: Obj, rss: list[Obj]) -> tuple[Obj | None, list[Obj]]:
        """The new replica set (the oldest whose template is the deployment's) and the rest."""
        wanted = without_hash((d.get("spec") or {}).get("template") or {})
        matching = [rs for rs in rss
                    if without_hash((rs.get("spec") or {}).get("template") or {}) == wanted]
        matching.sort(key=lambda rs: (rs["metadata"].get("creationTimestamp") or "",
                                      rs["metadata"].get("name")))
        new = matching[0] if matching else None
        return new, [rs for rs in rss if rs is not new]

    def _scaling_event(self, d: Obj, rss: list[Obj]) -> bool:
        for rs in rss:
            if replicas(rs) <= 0:
                continue
            desired = ((rs.get("metadata") or {}).get("annotations") or {}).get(DESIRED_REPLICAS)
            if desired is not None and desired != str(replicas(d)):
                return True
        return False

    # -- the new replica set

    async def _new_replica_set(self, d: Obj, new: Obj | None, olds: list[Obj],
                               create: bool) -> Obj | None:
        """The new set with its revision brought up to date, created if asked and missing;
        the deployment carries the new set's revision too (``kubectl rollout undo``
        rewrites the deployment's annotations from it)."""
        rs = await self._new_replica_set_only(d, new, olds, create)
        if rs is not None:
            await self._set_deployment_revision(d, str(revision(rs)))
        return rs

    async def _set_deployment_revision(self, d: Obj, value: str) -> None:
        md = d["metadata"]
        if (md.get("annotations") or {}).get(REVISION) == value:
            return
        try:
            patched = await self.client.patch(
                "deployments", md["name"], {"metadata": {"annotations": {REVISION: value}}},
                md.get("namespace"))
        except APIError as e:
            if e.code == 404:
                return
            raise
        md["annotations"] = patched["metadata"].get("annotations")
        md["resourceVersion"] = patched["metadata"].get("resourceVersion")

    async def _new_replica_set_only(self, d: Obj, new: Obj | None, olds: list[Obj],
                                    create: bool) -> Obj | None:
        md = d["metadata"]
        top = max((revision(rs) for rs in olds), default=0)
        new_revision = str(top + 1)
        if new is not None:
            annotations = new["metadata"].setdefault("annotations", {})
            changed = self._copy_annotations(d, new)
            if revision(new) < top + 1:
                annotations[REVISION] = new_revision
                changed = True
            if changed:
                new = await self._update_rs(new)
            status = dict(d.get("status") or {})
            if condition(status, "Progressing") is None and self._has_deadline(d):
                set_condition(status, "Progressing", "True", "FoundNewReplicaSet",
                              f'Found new replica set "{new["metadata"]["name"]}"')
                d["status"] = status
            return new
        if not create:
            return None
        template = copy.deepcopy((d.get("spec") or {}).get("template") or {})
        collisions = int((d.get("status") or {}).get("collisionCount") or 0)
        hash_ = template_hash(template, collisions)
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = hash_
        selector = copy.deepcopy((d.get("spec") or {}).get("selector") or {})
        selector.setdefault("matchLabels", {})[HASH_LABEL] = hash_
        surge, _ = surge_and_unavailable(d)
        count = self._new_rs_replicas(d, olds, None)
        name = f"{md['name']}-{hash_}"
        rs: Obj = {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": name, "namespace": md.get("namespace"),
                "labels": dict(template["metadata"]["labels"]),
                "annotations": {REVISION: new_revision, DESIRED_REPLICAS: str(replicas(d)),
                                MAX_REPLICAS: str(replicas(d) + surge)},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": md["name"], "uid": md["uid"], "controller": True,
                                     "blockOwnerDeletion": True}],
            },
            "spec": {"replicas": count, "minReadySeconds": (d.get("spec") or {}).get(
                "minReadySeconds") or 0, "selector": selector, "template": template},
        }
        self._copy_annotations(d, rs)
        rs["metadata"]["annotations"][REVISION] = new_revision
        try:
            created: Obj = await self.client.create("replicasets", rs, md.get("namespace"))
        except APIError as e:
            if e.code == 409 and e.reason == "AlreadyExists":
                existing = await self.client.get("replicasets", name, md.get("namespace"))
                if (controller_ref(existing) or {}).get("uid") == md["uid"] and without_hash(
                        existing["spec"]["template"]) == without_hash(template):
                    return existing
                # a hash collision: the next try uses another name
                status = dict(d.get("status") or {})
                status["collisionCount"] = collisions + 1
                await self._put_status(d, status)
                raise RuntimeError(f"replica set {name} exists: hash collision") from e
            if self._has_deadline(d):
                status = dict(d.get("status") or {})
                set_condition(status, "Progressing", "False", "ReplicaSetCreateError",
                              f'Failed to create new replica set "{name}": {e.message}')
                await self._put_status(d, status)
            raise
        if count > 0:
            self.events.record(d, "Normal", "ScalingReplicaSet",
                               f"Scaled up replica set {created['metadata']['name']} to {count}")
        if self._has_deadline(d):
            status = dict(d.get("status") or {})
            set_condition(status, "Progressing", "True", "NewReplicaSetCreated",
                          f'Created new replica set "{created["metadata"]["name"]}"')
            d["status"] = status
        return created

    def _copy_annotations(self, d: Obj, rs: Obj) -> bool:
        annotations = rs["metadata"].setdefault("annotations", {})
        changed = False
        for k, v in ((d.get("metadata") or {}).get("annotations") or {}).items():
            if k in NOT_COPIED or annotations.get(k) == v:
                continue
            annotations[k] = v
            changed = True
        return changed

    @staticmethod
    def _has_deadline(d: Obj) -> bool:
        deadline = (d.get("spec") or {}).get("progressDeadlineSeconds")
        return deadline is not None and int(deadline) < 2**31 - 1

    def _new_rs_replicas(self, d: Obj, olds: list[Obj], new: Obj | None) -> int:
        wanted = replicas(d)
        if not is_rolling(d):
            return wanted
        surge, _ = surge_and_unavailable(d)
        current = sum(replicas(rs) for rs in olds) + replicas(new)
        if current >= wanted + surge:
            return replicas(new)
        return replicas(new) + min(wanted + surge - current, wanted - replicas(new))

    # -- scaling a replica set

    async def _scale_rs(self, d: Obj, rs: Obj, count: int) -> Obj:
        old = replicas(rs)
        surge, _ = surge_and_unavailable(d)
        annotations = rs["metadata"].setdefault("annotations", {})
        wanted_annotations = {DESIRED_REPLICAS: str(replicas(d)),
                              MAX_REPLICAS: str(replicas(d) + surge)}
        if old == count and all(annotations.get(k) == v for k, v in wanted_annotations.items()):
            return rs
        annotations.update(wanted_annotations)
        rs["spec"]["replicas"] = count
        updated = await self._update_rs(rs)
        if old != count:
            direction = "up" if count > old else "down"
            self.events.record(d, "Normal", "ScalingReplicaSet",
                               f"Scaled {direction} replica set {rs['metadata']['name']} to {count} from {old}")
        return updated

    async def _update_rs(self, rs: Obj) -> Obj:
        result: Obj = await self.client.update("replicasets", rs)
        key = object_key(result)
        self.replica_sets._put(key, result)  # so that the next decision sees our own write
        return result

    # -- strategies

    async def _rollout_rolling(self, d: Obj, rss: list[Obj]) -> None:
        new, olds = self._split(d, rss)
        new = await self._new_replica_set(d, new, olds, create=True)
        assert new is not None
        all_rss = [*olds, new]
        # scale the new set up
        if replicas(new) != replicas(d):
            if replicas(new) > replicas(d):
                await self._scale_rs(d, new, replicas(d))
                await self._write_status(d, new, olds)
                return
            count = self._new_rs_replicas(d, olds, new)
            if count != replicas(new):
                new = await self._scale_rs(d, new, count)
                await self._write_status(d, new, olds)
                return
        # scale old sets down
        if await self._scale_down_old(d, all_rss, olds, new):
            await self._write_status(d, new, olds)
            return
        if self._complete(d, self._status(d, new, olds)):
            await self._cleanup(d, olds)
        await self._write_status(d, new, olds)

    async def _scale_down_old(self, d: Obj, all_rss: list[Obj], olds: list[Obj], new: Obj) -> bool:
        if sum(replicas(rs) for rs in olds) == 0:
            return False
        _, unavailable = surge_and_unavailable(d)
        min_available = replicas(d) - unavailable
        new_unavailable = replicas(new) - status_of(new, "availableReplicas")
        total = sum(replicas(rs) for rs in all_rss)
        room = total - min_available - new_unavailable
        if room <= 0:
            return False
        olds.sort(key=lambda rs: (rs["metadata"].get("creationTimestamp") or "", rs["metadata"]["name"]))
        scaled = False
        cleaned = 0
        # unhealthy old pods first: they count for nothing
        for i, rs in enumerate(olds):
            if cleaned >= room:
                break
            unhealthy = replicas(rs) - status_of(rs, "availableReplicas")
            if replicas(rs) == 0 or unhealthy <= 0:
                continue
            down = min(room - cleaned, unhealthy)
            olds[i] = await self._scale_rs(d, rs, replicas(rs) - down)
            cleaned += down
            scaled = True
        room -= cleaned
        if room <= 0:
            return scaled
        available = sum(status_of(rs, "availableReplicas") for rs in [*olds, new])
        if available <= min_available:
            return scaled
        budget = min(available - min_available, room)
        done = 0
        for i, rs in enumerate(olds):
            if done >= budget:
                break
            if replicas(rs) == 0:
                continue
            down = min(replicas(rs), budget - done)
            olds[i] = await self._scale_rs(d, rs, replicas(rs) - down)
            done += down
            scaled = True
        return scaled

    async def _rollout_recreate(self, d: Obj, rss: list[Obj]) -> None:
        new, olds = self._split(d, rss)
        new = await self._new_replica_set(d, new, olds, create=False)
        scaled = False
        for i, rs in enumerate(olds):
            if replicas(rs) > 0:
                olds[i] = await self._scale_rs(d, rs, 0)
                scaled = True
        if scaled:
            await self._write_status(d, new, olds)
            return
        for rs in olds:
            # any pod of an old set not finished, terminating ones included, still runs
            if any((p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
                   for p in self.pods.by_index(CONTROLLER_INDEX, rs["metadata"]["uid"])):
                await self._write_status(d, new, olds)
                return
        if new is None:
            new = await self._new_replica_set(d, None, olds, create=True)
        assert new is not None
        if replicas(new) != replicas(d):
            new = await self._scale_rs(d, new, replicas(d))
        if self._complete(d, self._status(d, new, olds)):
            await self._cleanup(d, olds)
        await self._write_status(d, new, olds)

    async def _scale(self, d: Obj, new: Obj | None, olds: list[Obj]) -> None:
        """A scaling event (or a paused deployment): the sets take the new size."""
        active = [rs for rs in [*olds, *([new] if new else [])] if replicas(rs) > 0]
        if len(active) <= 1:
            target = active[0] if active else (new or max(
                olds, key=lambda rs: rs["metadata"].get("creationTimestamp") or "", default=None))
            if target is not None:
                await self._scale_rs(d, target, replicas(d))
            return
        if new is not None and replicas(new) == replicas(d) and status_of(new, "availableReplicas") == replicas(d):
            for rs in olds:
                if replicas(rs):
                    await self._scale_rs(d, rs, 0)
            return
        if not is_rolling(d):
            return
        surge, _ = surge_and_unavailable(d)
        allowed = replicas(d) + surge if replicas(d) > 0 else 0
        to_add = allowed - sum(replicas(rs) for rs in active)
        if to_add > 0:  # largest first, newer first among equals
            active.sort(key=lambda rs: (-replicas(rs), -timestamp(rs["metadata"].get("creationTimestamp"))))
        else:  # largest first, older first among equals
            active.sort(key=lambda rs: (-replicas(rs), timestamp(rs["metadata"].get("creationTimestamp"))))
        sizes = []
        added = 0
        for rs in active:
            share = 0
            if to_add != 0 and to_add != added:
                share = self._proportion(d, rs, to_add - added, to_add > 0)
            sizes.append(replicas(rs) + share)
            added += share
        if added != to_add and sizes:
            sizes[0] += to_add - added
        for rs, size in zip(active, sizes, strict=True):
            await self._scale_rs(d, rs, max(size, 0))

    def _proportion(self, d: Obj, rs: Obj, allowed: int, growing: bool) -> int:
        if replicas(d) == 0:
            fraction = -replicas(rs)
        else:
            surge, _ = surge_and_unavailable(d)
            annotated = ((rs.get("metadata") or {}).get("annotations") or {}).get(MAX_REPLICAS)
            try:
                total = int(annotated) if annotated is not None else status_of(d, "replicas")
            except ValueError:
                total = status_of(d, "replicas")
            if total <= 0:
                return 0
            fraction = round_half_away(replicas(rs) * (replicas(d) + surge) / total) - replicas(rs)
        return min(fraction, allowed) if growing else max(fraction, allowed)

    async def _cleanup(self, d: Obj, olds: list[Obj]) -> None:
        """Delete the oldest empty old sets beyond revisionHistoryLimit."""
        limit = (d.get("spec") or {}).get("revisionHistoryLimit")
        if limit is None:
            return
        empty = [rs for rs in olds if replicas(rs) == 0 and status_of(rs, "replicas") == 0
                 and not rs["metadata"].get("deletionTimestamp")]
        surplus = len(empty) - int(limit)
        if surplus <= 0:
            return
        empty.sort(key=lambda rs: (revision(rs), rs["metadata"].get("creationTimestamp") or ""))
        for rs in empty[:surplus]:
            try:
                await self.client.delete("replicasets", rs["metadata"]["name"], rs["metadata"].get("namespace"))
            except APIError as e:
                if e.code != 404:
                    raise

    async def _check_paused_condition(self, d: Obj, paused: bool) -> None:
        if not self._has_deadline(d):
            return
        status = dict(d.get("status") or {})
        cond = condition(status, "Progressing")
        if cond is not None and cond.get("reason") == "ProgressDeadlineExceeded":
            return
        paused_before = cond is not None and cond.get("reason") == "DeploymentPaused"
        if paused and not paused_before:
            set_condition(status, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused")
        elif not paused and paused_before:
            set_condition(status, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed")
        else:
            return
        d["status"] = status
        await self._put_status(d, status)

    # -- status

    def _status(self, d: Obj, new: Obj | None, olds: list[Obj]) -> Obj:
        all_rss = [*olds, *([new] if new else [])]
        available = sum(status_of(rs, "availableReplicas") for rs in all_rss)
        total = sum(replicas(rs) for rs in all_rss)
        status = dict(d.get("status") or {})
        status.update({
            "observedGeneration": d["metadata"].get("generation", 0),
            "replicas": sum(status_of(rs, "replicas") for rs in all_rss),
            "updatedReplicas": status_of(new, "replicas"),
            "readyReplicas": sum(status_of(rs, "readyReplicas") for rs in all_rss),
            "availableReplicas": available,
            "unavailableReplicas": max(total - available, 0),
        })
        status["conditions"] = [dict(c) for c in status.get("conditions") or ()]
        _, unavailable = surge_and_unavailable(d)
        if available >= replicas(d) - unavailable:
            set_condition(status, "Available", "True", "MinimumReplicasAvailable",
                          "Deployment has minimum availability.")
        else:
            set_condition(status, "Available", "False", "MinimumReplicasUnavailable",
                          "Deployment does not have minimum availability.")
        return status

    @staticmethod
    def _complete(d: Obj, status: Obj) -> bool:
        wanted = replicas(d)
        return (status.get("updatedReplicas") == wanted and status.get("replicas") == wanted
                and status.get("availableReplicas") == wanted
                and int(status.get("observedGeneration") or 0) >= int(d["metadata"].get("generation") or 0))

    async def _write_status(self, d: Obj, new: Obj | None, olds: list[Obj],
                            progress: bool = True) -> None:
        old_status = self._observed.get(object_key(d), {})
        status = self._status(d, new, olds)
        if progress and self._has_deadline(d) and not (d.get("spec") or {}).get("paused"):
            cond = condition(status, "Progressing")
            name = (new or {}).get("metadata", {}).get("name", "")
            done = (status["replicas"] == status["updatedReplicas"] and cond is not None
                    and cond.get("reason") == "NewReplicaSetAvailable")
            if not done:
                if self._complete(d, status):
                    set_condition(status, "Progressing", "True", "NewReplicaSetAvailable",
                                  f'ReplicaSet "{name}" has successfully progressed.')
                elif self._progressing(old_status, status):
                    set_condition(status, "Progressing", "True", "ReplicaSetUpdated",
                                  f'ReplicaSet "{name}" is progressing.')
                elif self._timed_out(d, status):
                    set_condition(status, "Progressing", "False", "ProgressDeadlineExceeded",
                                  f'ReplicaSet "{name}" has timed out progressing.')
        elif not self._has_deadline(d):
            status["conditions"] = [c for c in status["conditions"] if c.get("type") != "Progressing"]
        failure = next((c for rs in [*olds, *([new] if new else [])]
                        if (c := condition(rs.get("status") or {}, "ReplicaFailure"))), None)
        if failure is not None:
            set_condition(status, "ReplicaFailure", "True", failure.get("reason", ""),
                          failure.get("message", ""))
        else:
            status["conditions"] = [c for c in status["conditions"] if c.get("type") != "ReplicaFailure"]
        if status != old_status:
            await self._put_status(d, status)
            self._observed[object_key(d)] = copy.deepcopy(status)
        # look again when the deadline would pass
        cond = condition(status, "Progressing")
        if (progress and self._has_deadline(d) and cond is not None
                and cond.get("reason") not in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded")):
            deadline = int((d.get("spec") or {}).get("progressDeadlineSeconds") or 0)
            left = timestamp(cond.get("lastUpdateTime")) + deadline - time.time()
            self.queue.add_after(object_key(d), max(left, 0) + 1)

    @staticmethod
    def _progressing(old: Obj, new: Obj) -> bool:
        old_old = int(old.get("replicas") or 0) - int(old.get("updatedReplicas") or 0)
        new_old = int(new.get("replicas") or 0) - int(new.get("updatedReplicas") or 0)
        return (int(new.get("updatedReplicas") or 0) > int(old.get("updatedReplicas") or 0)
                or new_old < old_old
                or int(new.get("readyReplicas") or 0) > int(old.get("readyReplicas") or 0)
                or int(new.get("availableReplicas") or 0) > int(old.get("availableReplicas") or 0))

    @staticmethod
    def _timed_out(d: Obj, status: Obj) -> bool:
        cond = condition(status, "Progressing")
        if cond is None:
            return False
        if cond.get("reason") == "ProgressDeadlineExceeded":
            return True
        if cond.get("reason") == "NewReplicaSetAvailable":
            return False
        deadline = int((d.get("spec") or {}).get("progressDeadlineSeconds") or 0)
        return timestamp(cond.get("lastUpdateTime")) + deadline < time.time()

    async def _put_status(self, d: Obj, status: Obj) -> None:
        md = d["metadata"]
        try:
            await self.client.update("deployments", {**d, "status": status}, subresource="status")
        except APIError as e:
            if e.code == 404:
                return
            if e.code != 409:
                raise
            fresh = await self.client.get("deployments", md["name"], md.get("namespace"))
            if fresh["metadata"].get("generation") != md.get("generation"):
                self.queue.add(object_key(d))  # a newer spec: the next sync computes afresh
                return
            await self.client.update("deployments", {**fresh, "status": status}, subresource="status")
        d["status"] = status
