"""``paddock controller-manager``: the controllers that drive workloads to their spec.

One process, one event loop: shared informers (pods, replica sets, replication
controllers) feed each controller's work queue, and each controller runs N workers.
With ``--leader-elect`` (the default) only the holder of the ``kube-controller-manager``
Lease in kube-system works; a second copy waits to take over.  There is no client-side
rate limit unless ``--kube-api-qps`` sets one (upstream's default of 20 requests per
second would cap pod creation at 20 per second).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from paddock.core.client import Client, add_client_flags, client_from_flags
from paddock.core.events import EventRecorder
from paddock.core.informer import Informer
from paddock.core.leaderelection import add_leader_election_flags, duration_flag, lead_until_stopped

from .daemonset import DaemonSetController
from .deployment import DeploymentController
from .endpoints import EndpointsController, EndpointSliceController
from .garbagecollector import GarbageCollector
from .nodelifecycle import NodeLifecycleController
from .replicaset import REPLICA_SET, REPLICATION_CONTROLLER, ReplicaSetController

log = logging.getLogger(__name__)

NAME = "kube-controller-manager"
RESYNC_SECONDS = 12 * 3600.0


class ControllerManager:
    def __init__(self, client: Client, *, replicaset_workers: int = 5, rc_workers: int = 5,
                 deployment_workers: int = 5, gc_workers: int = 20,
                 resync: float = RESYNC_SECONDS, node_lifecycle: dict[str, Any] | None = None) -> None:
        self.client = client
        self.events = EventRecorder(client, "replicaset-controller")
        self.rc_events = EventRecorder(client, "replication-controller")
        self.deployment_events = EventRecorder(client, "deployment-controller")
        self.node_events = EventRecorder(client, "node-controller")
        self.daemonset_events = EventRecorder(client, "daemonset-controller")
        self.informers = {
            "pods": Informer(client, "pods", resync_period=resync),
            "replicasets": Informer(client, "replicasets", resync_period=resync),
            "replicationcontrollers": Informer(client, "replicationcontrollers",
                                               resync_period=resync),
            "deployments": Informer(client, "deployments", resync_period=resync),
            "services": Informer(client, "services", resync_period=resync),
            "endpoints": Informer(client, "endpoints", resync_period=resync),
            "endpointslices": Informer(client, "endpointslices", resync_period=resync),
            "nodes": Informer(client, "nodes", resync_period=resync),
            "leases": Informer(client, "leases", namespace="kube-node-lease"),
            "daemonsets": Informer(client, "daemonsets", resync_period=resync),
        }
        self.controllers: list[Any] = [
            ReplicaSetController(client, REPLICA_SET, self.informers["replicasets"],
                                 self.informers["pods"], self.events, workers=replicaset_workers),
            ReplicaSetController(client, REPLICATION_CONTROLLER,
                                 self.informers["replicationcontrollers"], self.informers["pods"],
                                 self.rc_events, workers=rc_workers),
            DeploymentController(client, self.informers["deployments"],
                                 self.informers["replicasets"], self.informers["pods"],
                                 self.deployment_events, workers=deployment_workers),
            EndpointsController(client, self.informers["services"], self.informers["pods"],
                                self.informers["endpoints"]),
            EndpointSliceController(client, self.informers["services"], self.informers["pods"],
                                    self.informers["endpointslices"], self.informers["nodes"]),
            DaemonSetController(client, self.informers["daemonsets"], self.informers["nodes"],
                                self.informers["pods"], self.daemonset_events),
            NodeLifecycleController(client, self.informers["nodes"], self.informers["leases"],
                                    self.informers["pods"], self.node_events,
                                    **(node_lifecycle or {})),
        ]
        watched = GarbageCollector.informers_for(client, self.informers)
        self.controllers.append(GarbageCollector(client, watched, workers=gc_workers))
        for name, informer in watched.items():
            if all(informer is not i for i in self.informers.values()):
                self.informers[name] = informer

    async def start(self) -> None:
        for informer in self.informers.values():
            informer.start()
        await asyncio.gather(*(i.synced.wait() for i in self.informers.values()))
        log.info("controller-manager synced: %d pods", len(self.informers["pods"].store))
        for controller in self.controllers:
            controller.start()

    async def stop(self) -> None:
        for controller in self.controllers:
            await controller.stop()
        for informer in self.informers.values():
            await informer.stop()
        for events in (self.events, self.rc_events, self.deployment_events, self.node_events,
                       self.daemonset_events):
            await events.flush()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_client_flags(parser, qps=0, burst=0)
    add_leader_election_flags(parser, NAME)
    parser.add_argument("--concurrent-replicaset-syncs", type=int, default=5,
                        help="replica sets synced at once")
    parser.add_argument("--concurrent-rc-syncs", type=int, default=5,
                        help="replication controllers synced at once")
    parser.add_argument("--concurrent-deployment-syncs", type=int, default=5,
                        help="deployments synced at once")
    parser.add_argument("--concurrent-gc-syncs", type=int, default=20,
                        help="garbage collector workers")
    parser.add_argument("--node-monitor-grace-period", type=duration_flag, default=40.0,
                        help="how long a node may be silent before it is Unknown")
    parser.add_argument("--node-monitor-period", type=duration_flag, default=5.0,
                        help="how often nodes are checked")
    parser.add_argument("--node-eviction-rate", type=float, default=0.1,
                        help="nodes per second whose pods are evicted, per zone")
    parser.add_argument("--secondary-node-eviction-rate", type=float, default=0.01,
                        help="the same in a zone that is mostly down")
    parser.add_argument("--unhealthy-zone-threshold", type=float, default=0.55,
                        help="share of nodes down that makes a zone mostly down")
    parser.add_argument("--large-cluster-size-threshold", type=int, default=50,
                        help="zones of this many nodes or fewer stop evicting when mostly down")


def main(args: argparse.Namespace) -> int:
    import uvloop

    async def go() -> int:
        # informers keep objects without managedFields, as upstream's since 1.27: no
        # controller reads them, and they are half of what decoding a pod costs
        async with client_from_flags(args, NAME, strip_managed_fields=True) as client:
            manager = ControllerManager(client, replicaset_workers=args.concurrent_replicaset_syncs,
                                        rc_workers=args.concurrent_rc_syncs,
                                        deployment_workers=args.concurrent_deployment_syncs,
                                        gc_workers=args.concurrent_gc_syncs,
                                        node_lifecycle={
                                            "grace_period": args.node_monitor_grace_period,
                                            "monitor_period": args.node_monitor_period,
                                            "eviction_rate": args.node_eviction_rate,
                                            "secondary_rate": args.secondary_node_eviction_rate,
                                            "unhealthy_threshold": args.unhealthy_zone_threshold,
                                            "large_cluster_size": args.large_cluster_size_threshold})

            async def work() -> None:
                await manager.start()
                await asyncio.Event().wait()  # the controllers run until stopped

            return await lead_until_stopped(client, args, work, manager.stop)

    try:
        return uvloop.run(go())
    except KeyboardInterrupt:
        return 0
