"""Service cluster IP and node port allocation.

The allocators keep their state in memory and rebuild it from the stored services at
startup, so the services themselves are the record of what is taken (as upstream's
repair loop makes them).
"""

from __future__ import annotations

import ipaddress
import random
from typing import Any


class AllocationError(Exception):
    """The range is full or the requested value is taken or outside the range."""


class IPAllocator:
    """Cluster IPs from a CIDR; the network address and the first host (the
    ``kubernetes`` service) are handled like upstream's: the first host is reserved for
    the API service."""

    def __init__(self, cidr: str) -> None:
        self.network = ipaddress.ip_network(cidr)
        self._used: set[int] = set()
        self._base = int(self.network.network_address)
        self._size = self.network.num_addresses

    @property
    def first(self) -> str:
        return str(ipaddress.ip_address(self._base + 1))

    def allocate(self, want: str | None = None) -> str:
        if want:
            try:
                ip = ipaddress.ip_address(want)
            except ValueError as e:
                raise AllocationError(f"failed to allocate IP {want}: invalid IP address") from e
            if ip not in self.network:
                raise AllocationError(
                    f"failed to allocate IP {want}: the provided IP ({want}) is not in the valid range. "
                    f"The range of valid IPs is {self.network}")
            n = int(ip)
            if n in self._used:
                raise AllocationError(f"failed to allocate IP {want}: provided IP is already allocated")
            self._used.add(n)
            return want
        if len(self._used) >= self._size - 2:
            raise AllocationError("failed to allocate a serviceIP: range is full")
        # random probing, as upstream, so deleted-then-recreated services rarely reuse an IP
        while True:
            n = self._base + random.randint(2, self._size - 2)
            if n not in self._used:
                self._used.add(n)
                return str(ipaddress.ip_address(n))

    def release(self, ip: str | None) -> None:
        if not ip or ip == "None":
            return
        try:
            self._used.discard(int(ipaddress.ip_address(ip)))
        except ValueError:
            pass

    def mark(self, ip: str | None) -> None:
        if ip and ip != "None":
            try:
                self._used.add(int(ipaddress.ip_address(ip)))
            except ValueError:
                pass


class PortAllocator:
    """Node ports from a range (default 30000-32767)."""

    def __init__(self, low: int = 30000, high: int = 32767) -> None:
        self.low = low
        self.high = high
        self._used: set[int] = set()

    def allocate(self, want: int | None = None) -> int:
        if want:
            if not self.low <= want <= self.high:
                raise AllocationError(
                    f"provided port is not in the valid range. The range of valid ports is {self.low}-{self.high}")
            if want in self._used:
                raise AllocationError("provided port is already allocated")
            self._used.add(want)
            return want
        free = self.high - self.low + 1 - len(self._used)
        if free <= 0:
            raise AllocationError("range is full")
        while True:
            p = random.randint(self.low, self.high)
            if p not in self._used:
                self._used.add(p)
                return p

    def release(self, port: int | None) -> None:
        if port:
            self._used.discard(port)

    def mark(self, port: int | None) -> None:
        if port:
            self._used.add(port)


def service_node_ports(svc: dict[str, Any]) -> list[int]:
    return [p["nodePort"] for p in (svc.get("spec") or {}).get("ports") or [] if p.get("nodePort")]
