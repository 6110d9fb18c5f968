"""``paddock kubelet`` and ``paddock hollow-nodes``.

``paddock hollow-nodes --count N`` runs N kubelets in one process, on one event loop and
one client, each with the hollow runtime: the real kubelet code (registration, Leases,
status, one watch of its own pods, pod workers) without processes, for load tests.
Node ``i`` is ``<prefix>-<i>`` in zone ``zone-<i mod zones>`` with pod range
``198.18.<i mod 256>.0/24`` (hollow pods never use their addresses, so nodes past 256
share ranges).

``paddock kubelet --node-name N`` runs one kubelet whose node capacity is this machine's
(CPUs, MemTotal, the disk under ``--root-dir``), on the process runtime by default.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from paddock.core.client import Client, TokenBucket, add_client_flags, client_from_flags

from .hollow import HollowRuntime
from .kubelet import Kubelet
from .process import ProcessRuntime
from .runtime import Runtime

log = logging.getLogger(__name__)


def hollow_kubelets(client: Client, count: int, *, prefix: str = "hollow-node", zones: int = 3,
                    start_seconds: float = 0.0, capacity: dict[str, str] | None = None,
                    lease_seconds: int = 40) -> list[Kubelet]:
    runtime = HollowRuntime(start_seconds=start_seconds)
    return [Kubelet(client, f"{prefix}-{i}", runtime, pod_cidr=f"198.18.{i % 256}.0/24",
                    zone=f"zone-{i % zones}" if zones > 0 else "", capacity=capacity,
                    labels={"paddock.dev/hollow": "true"}, lease_seconds=lease_seconds)
            for i in range(count)]


async def start_all(kubelets: list[Kubelet], concurrency: int = 50) -> None:
    """Register and start every kubelet, ``concurrency`` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(k: Kubelet) -> None:
        async with gate:
            await k.start()

    await asyncio.gather(*(one(k) for k in kubelets))


def run_until_signalled(args: argparse.Namespace, start: Callable[[Client], Awaitable[list[Kubelet]]],
                        cleanups: list[Callable[[], Awaitable[None]]] | None = None, *,
                        spawns_processes: bool = False) -> int:
    """Run the kubelets ``start`` makes (on a client from the flags, without managedFields:
    what the kubelets keep of their pods is all they need) until SIGTERM or SIGINT; then
    run ``cleanups`` (which ``start`` may add to) and stop the kubelets.

    A kubelet that ``spawns_processes`` runs on asyncio's own loop with a pidfd child
    watcher: uvloop forks the whole process for every child (5 ms each from a kubelet's
    heap, against under 2 ms for asyncio's vfork), and a pod start spawns several."""
    import uvloop

    async def go() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        async with client_from_flags(args, "kubelet", strip_managed_fields=True) as client:
            kubelets = await start(client)
            await stop.wait()
            await asyncio.gather(*(c() for c in cleanups or ()), return_exceptions=True)
            await asyncio.gather(*(k.stop() for k in kubelets), return_exceptions=True)
        return 0

    if spawns_processes:
        if sys.version_info < (3, 12):  # the default from 3.12 on
            asyncio.set_child_watcher(asyncio.PidfdChildWatcher())
        return asyncio.run(go())
    return uvloop.run(go())


def add_hollow_arguments(parser: argparse.ArgumentParser) -> None:
    add_client_flags(parser, qps=0, burst=0)
    parser.add_argument("--count", type=int, default=10, help="hollow nodes to run")
    parser.add_argument("--prefix", default="hollow-node", help="node names: PREFIX-<i>")
    parser.add_argument("--zones", type=int, default=3, help="zones to spread the nodes over")
    parser.add_argument("--pod-start-seconds", type=float, default=0.0,
                        help="how long a hollow pod takes to start")
    parser.add_argument("--cpu", default="4", help="each node's CPU")
    parser.add_argument("--memory", default="8Gi", help="each node's memory")
    parser.add_argument("--max-pods", default="110", help="each node's pod limit")
    parser.add_argument("--node-lease-duration-seconds", type=int, default=40,
                        help="each node's Lease duration; renewed every quarter of it")


def hollow_main(args: argparse.Namespace) -> int:
    async def start(client: Client) -> list[Kubelet]:
        kubelets = hollow_kubelets(client, args.count, prefix=args.prefix, zones=args.zones,
                                   start_seconds=args.pod_start_seconds,
                                   capacity={"cpu": args.cpu, "memory": args.memory,
                                             "ephemeral-storage": "100Gi", "pods": args.max_pods},
                                   lease_seconds=args.node_lease_duration_seconds)
        await start_all(kubelets)
        log.info("%d hollow nodes running", len(kubelets))
        return kubelets

    return run_until_signalled(args, start)


def machine_capacity(root_dir: str, max_pods: int = 110) -> dict[str, str]:
    """This machine's CPUs, memory (MemTotal) and the disk under ``root_dir``, as the
    kubelet's node capacity."""
    import os

    memory_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
                break
    os.makedirs(root_dir, exist_ok=True)
    disk = os.statvfs(root_dir)
    return {"cpu": str(os.cpu_count() or 1), "memory": f"{memory_kib}Ki",
            "ephemeral-storage": f"{disk.f_blocks * disk.f_frsize // 1024}Ki", "pods": str(max_pods)}


def add_kubelet_arguments(parser: argparse.ArgumentParser) -> None:
    add_client_flags(parser, qps=50, burst=100)
    parser.add_argument("--node-name", required=True, help="the Node this kubelet registers")
    parser.add_argument("--runtime", choices=["process", "hollow"], default="process",
                        help="what runs the pods: real processes in namespaces, or nothing")
    parser.add_argument("--root-dir", default="/var/lib/paddock/kubelet",
                        help="the kubelet's state directory; its disk is the node's ephemeral storage")
    parser.add_argument("--pod-cidr", default="198.18.0.0/24", help="the node's pod addresses")
    parser.add_argument("--node-ip", default="127.0.0.1", help="the node's InternalIP")
    parser.add_argument("--zone", default="", help="topology.kubernetes.io/zone of the node")
    parser.add_argument("--max-pods", type=int, default=110)
    parser.add_argument("--node-lease-duration-seconds", type=int, default=40)
    parser.add_argument("--node-netns", default="",
                        help="the node's network namespace (made if missing) for the pod bridge; "
                             "without it pods have only their loopback")
    parser.add_argument("--image-map", default="",
                        help="JSON or YAML file of image: {command: [...], args: [...]} for "
                             "containers that give no command")
    parser.add_argument("--container-shim", choices=["native", "python"], default="",
                        help="what starts containers: the native shim (make build compiles it; "
                             "the default when built) or its Python twin")
    parser.add_argument("--event-qps", type=float, default=50.0, help="events written per second")
    parser.add_argument("--event-burst", type=int, default=100)
    parser.add_argument("--sync-frequency", type=float, default=60.0,
                        help="seconds between refreshes of secret, configMap and downward-API volumes")
    add_server_arguments(parser)


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the kubelet's HTTPS server (logs, exec, attach, port-forward, stats)."""
    parser.add_argument("--port", type=int, default=10250,
                        help="the kubelet server's port, advertised in the Node (0: any free one)")
    parser.add_argument("--address", default="",
                        help="the address the kubelet server listens on (default: the --node-ip, "
                             "which is where the apiserver dials it)")
    parser.add_argument("--tls-cert-file", default="",
                        help="the kubelet server's certificate (with --tls-private-key-file)")
    parser.add_argument("--tls-private-key-file", default="", help="its private key")
    parser.add_argument("--client-ca-file", default="",
                        help="clients must show a certificate signed by this CA (only the "
                             "apiserver has one); default: the --cluster-pki CA")
    parser.add_argument("--cluster-pki", default="",
                        help="the cluster's PKI directory (ca.crt, ca.key): without --tls-cert-file "
                             "the kubelet issues its own serving certificate from it, into "
                             "ROOT_DIR/pki; without either the kubelet serves no API")


def server_credentials(args: argparse.Namespace) -> tuple[str, str, str] | None:
    """(certificate, key, client CA) for the kubelet server from the flags, issuing the
    certificate from --cluster-pki when none is given; None when there is nothing to serve
    with.  Raises ValueError for flags that do not go together."""
    import os

    from paddock.core.certs import kubelet_serving_certificate

    cert, key = args.tls_cert_file, args.tls_private_key_file
    if bool(cert) != bool(key):
        raise ValueError("--tls-cert-file and --tls-private-key-file go together")
    client_ca = args.client_ca_file or (
        os.path.join(args.cluster_pki, "ca.crt") if args.cluster_pki else "")
    if not cert:
        if not args.cluster_pki:
            return None
        cert, key = kubelet_serving_certificate(
            args.cluster_pki, args.node_name, [args.node_ip, args.address],
            os.path.join(args.root_dir, "pki"))
    if not client_ca:
        raise ValueError("--client-ca-file (or --cluster-pki) is needed: only clients with a "
                         "certificate from the cluster CA may use the kubelet's API")
    return cert, key, client_ca


def process_runtime(args: argparse.Namespace, client: Client, capacity: dict[str, str],
                    cleanups: list[Callable[[], Awaitable[None]]]) -> ProcessRuntime:
    """The process runtime the flags describe, reading Secrets, ConfigMaps and volumes
    through ``client`` and recording the pods' events."""
    from paddock.core.events import EventRecorder
    from paddock.core.informer import NAMESPACE_INDEX, Informer
    from paddock.core.status import APIError

    from .images import ImageMap
    from .network import NodeNetwork

    # services feed every container's environment: watched, as upstream's kubelet does,
    # not listed for each container start
    services = Informer(client, "services")
    services.start()
    cleanups.append(services.stop)

    async def get(resource: str, namespace: str, name: str) -> dict[str, Any] | None:
        """One object (None if it does not exist), or with no name the namespace's list."""
        if resource == "services" and not name:
            await services.synced.wait()
            return {"items": services.by_index(NAMESPACE_INDEX, namespace)}
        try:
            if not name:
                return await client.list(resource, namespace or None)
            return await client.get(resource, name, namespace or None)
        except APIError as e:
            if e.code == 404:
                return None
            raise

    network = None
    if args.node_netns:
        network = NodeNetwork(args.node_netns, args.pod_cidr)
        network.setup()
    # events have a client and a rate of their own, as upstream's kubelet's (--event-qps)
    event_client = client_from_flags(args, "kubelet", strip_managed_fields=True)
    event_client.limiter = TokenBucket(args.event_qps, args.event_burst)
    cleanups.append(event_client.close)
    events = EventRecorder(event_client, "kubelet", args.node_name)
    runtime = ProcessRuntime(args.root_dir, node_name=args.node_name, get=get, network=network,
                             images=ImageMap.load(args.image_map), allocatable=capacity,
                             record=events.record, refresh_seconds=args.sync_frequency,
                             node_ip=args.node_ip, shim=args.container_shim)
    runtime.recover()  # what a killed kubelet left: claimed by its pods, or removed
    return runtime


def kubelet_main(args: argparse.Namespace) -> int:
    try:
        credentials = server_credentials(args)
    except (ValueError, OSError) as e:
        log.error("kubelet: %s", e)
        return 2
    if credentials is None:
        log.warning("kubelet %s: no --tls-cert-file or --cluster-pki: serving no API (no logs, "
                    "exec, attach or port-forward)", args.node_name)
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def start(client: Client) -> list[Kubelet]:
        capacity = machine_capacity(args.root_dir, args.max_pods)
        runtime: Runtime = (process_runtime(args, client, capacity, cleanups) if args.runtime == "process"
                            else HollowRuntime())
        kubelet = Kubelet(client, args.node_name, runtime, node_ip=args.node_ip,
                          pod_cidr=args.pod_cidr, zone=args.zone,
                          capacity=capacity,
                          lease_seconds=args.node_lease_duration_seconds, port=args.port)
        if credentials is not None:
            from .server import start_server

            cert, key, client_ca = credentials
            # the hollow runtime streams nothing: its logs, exec and port-forward answer 500
            server = await start_server(
                kubelet, runtime, host=args.address or args.node_ip,  # type: ignore[arg-type]
                port=args.port, cert_file=cert, key_file=key, client_ca_file=client_ca)
            kubelet.port = server.port  # the one advertised, when --port 0 chose it
            cleanups.append(server.stop)
        await kubelet.start()
        log.info("kubelet %s running (%s runtime)", args.node_name, args.runtime)
        return [kubelet]

    return run_until_signalled(args, start, cleanups, spawns_processes=args.runtime == "process")
