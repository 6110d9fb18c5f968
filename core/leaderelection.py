"""Leader election on a coordination.k8s.io Lease, as upstream's components do it.

Several copies of a component may run; the one holding the Lease works, the others wait.
The holder renews the Lease every ``retry_period``; if it cannot renew for
``renew_deadline`` it stops leading (and the component exits, so that it never works
alongside a new leader).  A candidate takes the Lease when it is free, or when the
holder's record has not changed for ``lease_duration`` as measured on the candidate's own
clock (so that clocks need not agree).  On a clean stop the leader releases the Lease at
once, so the next one need not wait out the duration::

    CANDIDATE ──acquired──> LEADER ──renew failed for renew_deadline──> LOST (exit)
        ^                      │
        └──── (released) <─────┘ stop()
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import signal
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from paddock.core.client import Client
from paddock.core.status import APIError
from paddock.core.tasks import cancel_and_wait

log = logging.getLogger(__name__)


def _micro_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    def __init__(self, client: Client, name: str, namespace: str = "kube-system", *,
                 identity: str | None = None, lease_duration: float = 15.0,
                 renew_deadline: float = 10.0, retry_period: float = 2.0) -> None:
        self.client = client
        self.name = name
        self.namespace = namespace
        self.identity = identity or f"{name}_{uuid.uuid4()}"
        self.lease_duration = lease_duration
        self.renew_deadline = renew_deadline
        self.retry_period = retry_period
        self.leading = asyncio.Event()
        self.lost = asyncio.Event()
        self._observed: dict[str, Any] | None = None  # the Lease as last read
        self._observed_at = 0.0  # when its record last changed, on our clock
        self._task: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        """Wait until this identity holds the Lease, then keep renewing it in the background."""
        while not await self._try_acquire_or_renew():
            await asyncio.sleep(self.retry_period)
        log.info("%s: %s is the leader", self.name, self.identity)
        self.leading.set()
        self._task = asyncio.create_task(self._renew_loop())

    async def stop(self) -> None:
        """Stop renewing and release the Lease for the next candidate."""
        await cancel_and_wait(self._task)
        self._task = None
        if self.leading.is_set() and not self.lost.is_set():
            lease = self._observed
            if lease is not None:
                spec = lease.setdefault("spec", {})
                spec.update(holderIdentity="", leaseDurationSeconds=1, renewTime=_micro_now())
                try:
                    await self.client.update("leases.coordination.k8s.io", lease)
                except (APIError, OSError) as e:
                    log.info("%s: could not release the lease: %s", self.name, e)
        self.leading.clear()

    async def _renew_loop(self) -> None:
        last_renew = time.monotonic()
        while True:
            await asyncio.sleep(self.retry_period)
            if await self._try_acquire_or_renew():
                last_renew = time.monotonic()
            elif time.monotonic() - last_renew > self.renew_deadline:
                log.error("%s: failed to renew the lease for %.0fs; stopping leading",
                          self.name, self.renew_deadline)
                self.leading.clear()
                self.lost.set()
                return

    async def _try_acquire_or_renew(self) -> bool:
        now = _micro_now()
        try:
            lease = await self.client.get("leases.coordination.k8s.io", self.name, self.namespace)
        except APIError as e:
            if e.code != 404:
                log.info("%s: cannot read the lease: %s", self.name, e)
                return False
            try:
                self._observe(await self.client.create("leases.coordination.k8s.io", {
                    "metadata": {"name": self.name, "namespace": self.namespace},
                    "spec": {"holderIdentity": self.identity,
                             "leaseDurationSeconds": int(self.lease_duration),
                             "acquireTime": now, "renewTime": now, "leaseTransitions": 0},
                }, self.namespace))
                return True
            except (APIError, OSError) as e:
                log.info("%s: cannot create the lease: %s", self.name, e)
                return False
        except OSError as e:
            log.info("%s: cannot reach the apiserver: %s", self.name, e)
            return False
        self._observe(lease)
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity") or ""
        expired = time.monotonic() > self._observed_at + float(
            spec.get("leaseDurationSeconds") or self.lease_duration)
        if holder and holder != self.identity and not expired:
            return False
        if holder != self.identity:
            spec["acquireTime"] = now
            spec["leaseTransitions"] = int(spec.get("leaseTransitions") or 0) + (1 if holder else 0)
        spec.update(holderIdentity=self.identity,
                    leaseDurationSeconds=int(self.lease_duration), renewTime=now)
        lease["spec"] = spec
        try:
            self._observe(await self.client.update("leases.coordination.k8s.io", lease))
            return True
        except (APIError, OSError) as e:  # a conflict: someone else wrote first
            log.info("%s: could not take the lease: %s", self.name, e)
            return False

    def _observe(self, lease: dict[str, Any]) -> None:
        spec = lease.get("spec") or {}
        record = (spec.get("holderIdentity"), spec.get("renewTime"), spec.get("leaseTransitions"))
        old = self._observed
        old_record = None if old is None else (
            (old.get("spec") or {}).get("holderIdentity"), (old.get("spec") or {}).get("renewTime"),
            (old.get("spec") or {}).get("leaseTransitions"))
        if record != old_record:
            self._observed_at = time.monotonic()
        self._observed = lease


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_flag(text: str) -> float:
    """A Go duration as upstream's flags take it (``15s``, ``1m30s``, ``500ms``), in seconds."""
    pos = 0
    total = 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}")
    return total


def add_leader_election_flags(parser: argparse.ArgumentParser, name: str) -> None:
    """Upstream's ``--leader-elect*`` flags, with its defaults."""
    parser.add_argument("--leader-elect", type=lambda v: v.lower() in ("true", "1", "yes"),
                        default=True, nargs="?", const=True,
                        help="hold a Lease while working, so that copies can stand by")
    parser.add_argument("--leader-elect-lease-duration", type=duration_flag, default=15.0)
    parser.add_argument("--leader-elect-renew-deadline", type=duration_flag, default=10.0)
    parser.add_argument("--leader-elect-retry-period", type=duration_flag, default=2.0)
    parser.add_argument("--leader-elect-resource-name", default=name)
    parser.add_argument("--leader-elect-resource-namespace", default="kube-system")


def elector_from_flags(client: Client, args: argparse.Namespace) -> LeaderElector | None:
    if not args.leader_elect:
        return None
    return LeaderElector(client, args.leader_elect_resource_name,
                         args.leader_elect_resource_namespace,
                         identity=f"{socket.gethostname()}_{uuid.uuid4()}",
                         lease_duration=args.leader_elect_lease_duration,
                         renew_deadline=args.leader_elect_renew_deadline,
                         retry_period=args.leader_elect_retry_period)


async def lead_until_stopped(client: Client, args: argparse.Namespace,
                             work: Callable[[], Coroutine[Any, Any, None]],
                             cleanup: Callable[[], Awaitable[None]]) -> int:
    """A component's life: wait for the Lease (when ``--leader-elect``), run ``work``
    until SIGTERM, its own end or the loss of the Lease, then ``cleanup`` and release the
    Lease.  Returns the exit code: 1 when leadership was lost (so that the component never
    works beside a new leader), else 0; ``work``'s own failure is raised."""
    terminated = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, terminated.set)
    elector = elector_from_flags(client, args)
    if elector is not None:
        acquiring = asyncio.create_task(elector.acquire())
        stop = asyncio.create_task(terminated.wait())
        await asyncio.wait([acquiring, stop], return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if terminated.is_set():
            acquiring.cancel()
            return 0
    waits = [asyncio.create_task(work()), asyncio.create_task(terminated.wait())]
    if elector is not None:
        waits.append(asyncio.create_task(elector.lost.wait()))
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        if elector is not None and elector.lost.is_set():
            log.error("leadership lost; exiting so as never to work beside a new leader")
            return 1
        for task in done:
            task.result()
        return 0
    finally:
        for task in waits:
            task.cancel()
        await cleanup()
        if elector is not None:
            await elector.stop()
