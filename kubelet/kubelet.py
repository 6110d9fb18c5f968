"""The kubelet: a node's agent.  It registers the Node, keeps its Lease and status fresh,
and runs the pods bound to it through a :class:`~paddock.kubelet.runtime.Runtime`.

- **Node.** Registered (or, if it exists, its status brought up to date) with capacity,
  allocatable, addresses, labels (hostname, os, arch, zone), podCIDR and the Ready,
  MemoryPressure, DiskPressure and PIDPressure conditions.  The Lease in
  ``kube-node-lease`` is renewed every quarter of its duration (40 s: every 10 s); the
  node status is
  computed every 10 s and posted when it changed, and at least every 5 minutes, as
  upstream's kubelet does.
- **Pods.** Only its own are watched (``fieldSelector=spec.nodeName=<node>``).  Each pod
  has a worker, a small state machine::

      admitted? ──no──> Failed (OutOfcpu / OutOfmemory / OutOfpods)
         │yes
      start sandbox ──> running (status follows the runtime) ──deletionTimestamp──>
      stop (grace period) ──> status ──> confirm the deletion to the apiserver

  and posts status (phase, conditions PodScheduled, PodReadyToStartContainers,
  Initialized, ContainersReady, Ready, container statuses, pod and host IPs, start time)
  only when it changed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp

from paddock.core.client import Client
from paddock.core.informer import Informer, object_key
from paddock.core.meta import now_rfc3339
from paddock.core.status import APIError
from paddock.core.tasks import cancel_and_wait, every
from paddock.scheduler.framework import CPU, MEMORY, PODS, pod_requests, resource_list

from .runtime import ContainerState, Runtime, Sandbox

log = logging.getLogger(__name__)

Obj = dict[str, Any]
LEASE_SECONDS = 40
RENEW_SECONDS = 10.0
STATUS_SECONDS = 10.0
REPORT_SECONDS = 300.0
VERSION = "v1.32.0-paddock"
RETRY_SECONDS = 1.0
SYNC_SECONDS = 60.0  # every pod worker looks again this often, as upstream's syncFrequency
SMP = "application/strategic-merge-patch+json"



def _micro_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _container_status(c: ContainerState) -> Obj:
    if c.state == "running":
        state: Obj = {"running": {"startedAt": c.started_at}}
    elif c.state == "terminated":
        term: Obj = {"exitCode": c.exit_code, "reason": c.reason, "startedAt": c.started_at or None,
                     "finishedAt": c.finished_at, "containerID": c.container_id or None}
        if c.message:
            term["message"] = c.message
        state = {"terminated": {k: v for k, v in term.items() if v is not None}}
    else:
        waiting: Obj = {"reason": c.reason}
        if c.message:
            waiting["message"] = c.message
        state = {"waiting": waiting}
    status: Obj = {"name": c.name, "state": state, "lastState": c.last_state or {},
                   "ready": c.ready, "restartCount": c.restart_count, "image": c.image,
                   "imageID": f"docker.io/library/{c.image}" if c.image else "",
                   "started": c.started if c.started is not None else c.state == "running"}
    if c.container_id:
        status["containerID"] = c.container_id
    return status


def pod_status(pod: Obj, sandbox: Sandbox | None, host_ip: str, started: str,
               previous_status: Obj | None = None) -> Obj:
    """The pod's status from what its sandbox says, as upstream's kubelet writes it.
    Transition times carry over from ``previous_status`` (the kubelet's own last word,
    as upstream's status manager keeps it), else from the pod as read: a pod read back
    one write late must not make the times move and the status flap."""
    old = previous_status if previous_status is not None else pod.get("status") or {}
    spec = pod.get("spec") or {}
    restart = spec.get("restartPolicy") or "Always"
    init = sandbox.init if sandbox else []
    containers = sandbox.containers if sandbox else []
    initialized = all(c.state == "terminated" and c.exit_code == 0 for c in init)
    init_failed = any(c.state == "terminated" and c.exit_code != 0 for c in init) and restart == "Never"
    ready = bool(containers) and all(c.ready for c in containers)
    if init_failed:
        phase = "Failed"
    elif containers and all(c.state == "terminated" for c in containers) and restart != "Always":
        phase = "Succeeded" if all(c.exit_code == 0 for c in containers) else (
            "Failed" if restart == "Never" else "Running")
    elif any(c.state in ("running", "terminated") for c in containers) and initialized:
        phase = "Running"
    else:
        phase = "Pending"
    now = now_rfc3339()
    previous = {c.get("type"): c for c in old.get("conditions") or ()}

    def condition(kind: str, value: bool, reason: str = "") -> Obj:
        text = "True" if value else "False"
        before = previous.get(kind)
        since = before.get("lastTransitionTime") if before and before.get("status") == text else now
        out: Obj = {"type": kind, "status": text, "lastProbeTime": None, "lastTransitionTime": since}
        if reason and not value:
            out["reason"] = reason
        return out

    not_ready = [c.name for c in containers if not c.ready]
    conditions = [
        condition("PodReadyToStartContainers", sandbox is not None),
        condition("Initialized", initialized, "ContainersNotInitialized"),
        condition("Ready", ready and phase == "Running", "ContainersNotReady"),
        condition("ContainersReady", ready, "ContainersNotReady"),
        previous.get("PodScheduled") or {"type": "PodScheduled", "status": "True",
                                         "lastProbeTime": None, "lastTransitionTime": started},
    ]
    for c in conditions:
        if c["type"] in ("Ready", "ContainersReady") and c["status"] == "False" and not_ready:
            c["message"] = f"containers with unready status: [{' '.join(not_ready)}]"
    if init and not initialized:
        pending = [c.name for c in init if not (c.state == "terminated" and c.exit_code == 0)]
        conditions[1]["message"] = f"containers with incomplete status: [{' '.join(pending)}]"
    status: Obj = {"phase": phase, "conditions": conditions, "hostIP": host_ip,
                   "hostIPs": [{"ip": host_ip}], "startTime": started,
                   "containerStatuses": [_container_status(c) for c in containers]}
    if init:
        status["initContainerStatuses"] = [_container_status(c) for c in init]
    if sandbox is not None and sandbox.ip:
        status["podIP"] = sandbox.ip
        status["podIPs"] = [{"ip": sandbox.ip}]
    qos = (pod.get("status") or {}).get("qosClass") or old.get("qosClass")
    if qos:
        status["qosClass"] = qos
    return status


def _without_nulls(value: Any) -> Any:
    """``value`` without null fields: the form the apiserver stores and sends back, so that
    a status computed from the stored pod compares equal to the one posted (a null the
    server drops would otherwise make every status look new, and post forever)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


class PodWorker:
    """One pod's life on this node."""

    def __init__(self, kubelet: Kubelet, pod: Obj) -> None:
        self.kubelet = kubelet
        self.pod = pod
        self.gone = False
        self.wake = asyncio.Event()
        self.sandbox: Sandbox | None = None
        self.started = ""
        self.posted: Obj | None = None
        self.task = asyncio.create_task(self._run(), name=f"pod {object_key(pod)}")

    def update(self, pod: Obj | None) -> None:
        if pod is None:
            self.gone = True
        else:
            self.pod = pod
            if self.sandbox is not None:
                self.kubelet.runtime.update_pod(pod)
        self.wake.set()

    async def _run(self) -> None:
        k = self.kubelet
        try:
            while True:
                self.wake.clear()
                pod = self.pod
                md = pod["metadata"]
                phase = (pod.get("status") or {}).get("phase")
                if self.gone or md.get("deletionTimestamp"):
                    await self._terminate()
                    return
                if self.sandbox is None and phase not in ("Succeeded", "Failed"):
                    rejection = k.admit(pod)
                    if rejection is not None:
                        await self._reject(*rejection)
                        return
                    self.started = (pod.get("status") or {}).get("startTime") or now_rfc3339()
                    self.sandbox = await k.runtime.run_pod(pod, k.pod_ip(pod), self.wake.set)
                    # what the runtime does at once (a container that starts straight away)
                    # goes out in the same status write
                    await asyncio.sleep(0)
                await self._post()
                await self.wake.wait()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: the worker of %s failed", k.node_name, object_key(self.pod))
        finally:
            k.release(self)

    async def _post(self) -> None:
        status = _without_nulls(pod_status(self.pod, self.sandbox, self.kubelet.node_ip,
                                           self.started, self.posted))
        if status == self.posted:
            return
        md = self.pod["metadata"]
        try:
            await self.kubelet.client.patch("pods", md["name"], {"status": status},
                                            md.get("namespace"), subresource="status",
                                            patch_type="application/merge-patch+json")
            self.posted = status
        except APIError as e:
            if e.code != 404:
                log.info("%s: status of %s: %s", self.kubelet.node_name, object_key(self.pod), e)
                asyncio.get_running_loop().call_later(RETRY_SECONDS, self.wake.set)
        except (OSError, aiohttp.ClientError, TimeoutError) as e:
            # the apiserver is restarting or overloaded: try again in a while
            log.info("%s: status of %s: %s", self.kubelet.node_name, object_key(self.pod), e)
            asyncio.get_running_loop().call_later(RETRY_SECONDS, self.wake.set)

    async def _reject(self, reason: str, message: str) -> None:
        md = self.pod["metadata"]
        status = {"phase": "Failed", "reason": reason, "message": message,
                  "startTime": now_rfc3339(), "hostIP": self.kubelet.node_ip}
        try:
            await self.kubelet.client.patch("pods", md["name"], {"status": status},
                                            md.get("namespace"), subresource="status",
                                            patch_type="application/merge-patch+json")
        except APIError:
            pass

    async def _terminate(self) -> None:
        k = self.kubelet
        md = self.pod["metadata"]
        if self.sandbox is not None:
            grace = md.get("deletionGracePeriodSeconds")
            if grace is None:
                grace = (self.pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
            await k.runtime.stop_pod(self.sandbox, self.pod, float(grace or 0))
            if not self.gone:
                await self._post()
        if self.gone:
            return
        try:  # the kubelet's word that the pod is stopped: now it may go
            await k.client.delete("pods", md["name"], md.get("namespace"), options={
                "gracePeriodSeconds": 0, "preconditions": {"uid": md.get("uid")}})
        except APIError as e:
            if e.code not in (404, 409):
                raise


class Kubelet:
    def __init__(self, client: Client, node_name: str, runtime: Runtime, *,
                 node_ip: str = "127.0.0.1", pod_cidr: str = "198.18.0.0/24", zone: str = "",
                 capacity: dict[str, str] | None = None, labels: dict[str, str] | None = None,
                 lease_seconds: int = LEASE_SECONDS, status_seconds: float = STATUS_SECONDS,
                 report_seconds: float = REPORT_SECONDS, port: int = 10250) -> None:
        self.client = client
        self.port = port  # the kubelet server's, in the Node's daemonEndpoints
        self.node_name = node_name
        self.runtime = runtime
        self.node_ip = node_ip
        self.pod_cidr = pod_cidr
        self.zone = zone
        self.capacity = dict(capacity or {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "100Gi",
                                          "pods": "110"})
        self.labels = dict(labels or {})
        self.lease_seconds = lease_seconds
        self.renew_seconds = lease_seconds / 4  # as upstream: a quarter of the duration
        self.status_seconds = status_seconds
        self.report_seconds = report_seconds
        self.node: Obj | None = None
        self.workers: dict[str, PodWorker] = {}
        self._ips = ipaddress.ip_network(pod_cidr, strict=False)
        self._next_ip = 0
        self._in_use: dict[str, str] = {}  # pod uid -> address
        self._tasks: list[asyncio.Task[None]] = []
        self._lease: Obj | None = None
        self._last_report = 0.0
        self.pods = Informer(client, "pods", field_selector=f"spec.nodeName={node_name}")
        self.pods.add_handler(self._on_pod)

    # -- node

    def node_object(self) -> Obj:
        labels = {"kubernetes.io/hostname": self.node_name, "kubernetes.io/os": "linux",
                  "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                  "beta.kubernetes.io/arch": "amd64", **self.labels}
        if self.zone:
            labels["topology.kubernetes.io/zone"] = self.zone
        return {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": self.node_name, "labels": labels},
                "spec": {"podCIDR": self.pod_cidr, "podCIDRs": [self.pod_cidr]},
                "status": self.node_status(None)}

    def node_status(self, old: Obj | None) -> Obj:
        now = now_rfc3339()
        previous = {c.get("type"): c for c in ((old or {}).get("status") or {}).get("conditions") or ()}

        def condition(kind: str, value: str, reason: str, message: str) -> Obj:
            before = previous.get(kind)
            since = before.get("lastTransitionTime") if before and before.get("status") == value else now
            return {"type": kind, "status": value, "reason": reason, "message": message,
                    "lastHeartbeatTime": now, "lastTransitionTime": since}

        return {
            "capacity": dict(self.capacity), "allocatable": dict(self.capacity),
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                          "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                          "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID",
                          "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": self.node_ip},
                          {"type": "Hostname", "address": self.node_name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": self.port}},
            "nodeInfo": {"machineID": self.node_name, "systemUUID": self.node_name,
                         "bootID": self.node_name, "kernelVersion": "", "osImage": "paddock",
                         "containerRuntimeVersion": self.runtime.name, "kubeletVersion": VERSION,
                         "kubeProxyVersion": VERSION, "operatingSystem": "linux",
                         "architecture": "amd64"},
        }

    async def register(self) -> None:
        try:
            self.node = await self.client.create("nodes", self.node_object())
        except APIError as e:
            if e.code != 409:
                raise
            current = await self.client.get("nodes", self.node_name)
            self.node = await self.client.update(
                "nodes", {**current, "status": self.node_status(current)}, subresource="status")
        self._last_report = time.monotonic()

    async def _renew_lease(self) -> None:
        assert self.node is not None
        spec = {"holderIdentity": self.node_name, "leaseDurationSeconds": self.lease_seconds,
                "renewTime": _micro_now()}
        if self._lease is not None:
            try:
                self._lease = await self.client.update("leases", {**self._lease, "spec": spec})
                return
            except APIError as e:
                if e.code not in (404, 409):
                    raise
        try:
            current = await self.client.get("leases", self.node_name, "kube-node-lease")
            self._lease = await self.client.update("leases", {**current, "spec": spec})
        except APIError as e:
            if e.code != 404:
                raise
            self._lease = await self.client.create("leases", {
                "metadata": {"name": self.node_name, "namespace": "kube-node-lease",
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Node",
                                                  "name": self.node_name,
                                                  "uid": self.node["metadata"]["uid"]}]},
                "spec": spec}, "kube-node-lease")

    async def _report_status(self) -> None:
        assert self.node is not None
        if time.monotonic() - self._last_report < self.report_seconds:
            return  # nothing changes on its own yet: the Lease says we are alive
        current = await self.client.get("nodes", self.node_name)
        self.node = await self.client.update(
            "nodes", {**current, "status": self.node_status(current)}, subresource="status")
        self._last_report = time.monotonic()

    # -- pods

    def pod_ip(self, pod: Obj) -> str:
        """A free address of the node's pod range (.1 is the bridge), or the node's own for
        host-network pods."""
        if (pod.get("spec") or {}).get("hostNetwork"):
            return self.node_ip
        uid = pod["metadata"].get("uid") or ""
        had = (pod.get("status") or {}).get("podIP")
        try:
            # the address it had (a kubelet restarted: its sandbox still has it)
            if had and ipaddress.ip_address(had) in self._ips and had not in self._in_use.values():
                self._in_use[uid] = had
                return str(had)
        except ValueError:
            pass
        hosts = max(self._ips.num_addresses - 3, 1)
        for _ in range(hosts):
            offset = 2 + self._next_ip % hosts
            self._next_ip += 1
            address = str(self._ips.network_address + offset)
            if address not in self._in_use.values():
                self._in_use[uid] = address
                return address
        return str(self._ips.network_address + 2)  # full: hollow pods share addresses

    def admit(self, pod: Obj) -> tuple[str, str] | None:
        """None if the pod fits beside the pods admitted here, else (reason, message)."""
        allocatable = resource_list(self.capacity)
        used: dict[str, int] = {}
        admitted = 0
        for worker in self.workers.values():
            if worker.sandbox is None or worker.pod is pod:
                continue
            admitted += 1
            for name, amount in pod_requests(worker.pod.get("spec") or {}).items():
                used[name] = used.get(name, 0) + amount
        if admitted + 1 > allocatable.get(PODS, 110):
            return "OutOfpods", "Pod was rejected: Node didn't have enough resource: pods"
        for name, amount in sorted(pod_requests(pod.get("spec") or {}).items()):
            if amount <= 0 or name == PODS:
                continue
            have = allocatable.get(name, 0)
            if used.get(name, 0) + amount > have:
                shown = {CPU: "cpu", MEMORY: "memory"}.get(name, name)
                return (f"OutOf{shown}", f"Pod was rejected: Node didn't have enough resource: {shown}, "
                        f"requested: {amount}, used: {used.get(name, 0)}, capacity: {have}")
        return None

    def _on_pod(self, event: str, pod: Obj, old: Obj | None) -> None:
        key = object_key(pod)
        worker = self.workers.get(key)
        if event == "DELETED":
            if worker is not None:
                worker.update(None)
            return
        if worker is not None and worker.pod["metadata"].get("uid") != pod["metadata"].get("uid"):
            worker.update(None)  # a new pod of the same name: the old one's worker ends
            worker = None
        if worker is None:
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed") and not pod[
                    "metadata"].get("deletionTimestamp"):
                return
            self.workers[key] = PodWorker(self, pod)
        else:
            worker.update(pod)

    def release(self, worker: PodWorker) -> None:
        self._in_use.pop(worker.pod["metadata"].get("uid") or "", None)
        key = object_key(worker.pod)
        if self.workers.get(key) is worker:
            del self.workers[key]

    async def _sync_all(self) -> None:
        for worker in list(self.workers.values()):
            worker.wake.set()

    # -- running

    async def start(self) -> None:
        await self.register()
        await self._renew_lease()
        self._tasks = [asyncio.create_task(every(self.renew_seconds, self._renew_lease, log, self.node_name)),
                       asyncio.create_task(every(self.status_seconds, self._report_status, log, self.node_name)),
                       asyncio.create_task(every(SYNC_SECONDS, self._sync_all, log, self.node_name))]
        self.pods.start()
        keep_only = getattr(self.runtime, "keep_only", None)
        if keep_only is not None:
            # what an earlier kubelet left running for pods no longer bound here goes now
            self._tasks.append(asyncio.create_task(self._keep_only(keep_only)))

    async def _keep_only(self, keep_only: Any) -> None:
        await self.pods.synced.wait()
        keep_only({(p["metadata"].get("uid") or "") for p in self.pods.store.values()
                   if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")})

    async def stop(self) -> None:
        await self.pods.stop()
        for task in self._tasks:
            await cancel_and_wait(task)
        for worker in list(self.workers.values()):
            await cancel_and_wait(worker.task)
        close = getattr(self.runtime, "close", None)
        if close is not None:  # the process runtime ends its pods: nothing adopts them later
            await close()
