"""Pod networking inside the node's own network namespace (``--node-netns``), never the
machine's root one.

The node namespace holds a bridge, ``paddock0``, with the first address of the node's pod
range; each pod gets a veth pair, one end on the bridge and the other, ``eth0``, in the
pod's namespace with the pod's address and a default route through the bridge.  Pods of
one node reach each other across the bridge.  Host-network pods live in the node namespace
itself.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import subprocess

BRIDGE = "paddock0"


class NetworkError(Exception):
    pass


async def _run(*argv: str, stdin: str = "") -> None:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate(stdin.encode())
    if proc.returncode != 0:
        raise NetworkError(f"{' '.join(argv)}: {err.decode(errors='replace').strip()}")


class NodeNetwork:
    def __init__(self, netns: str, pod_cidr: str) -> None:
        self.netns = netns
        self.net = ipaddress.ip_network(pod_cidr, strict=False)
        self.gateway = str(self.net.network_address + 1)
        self.created = False

    @property
    def path(self) -> str:
        return f"/run/netns/{self.netns}"

    def setup(self) -> None:
        """Make the namespace (if it is not there) and its bridge."""
        if not os.path.exists(self.path):
            subprocess.run(["ip", "netns", "add", self.netns], check=True, capture_output=True)
            self.created = True
        script = (f"link set lo up\n"
                  f"link add {BRIDGE} type bridge\n"
                  f"addr add {self.gateway}/{self.net.prefixlen} dev {BRIDGE}\n"
                  f"link set {BRIDGE} up\n")
        # -force: carry on past "exists" when the namespace was set up before
        subprocess.run(["ip", "-n", self.netns, "-force", "-batch", "-"], input=script.encode(),
                       capture_output=True)
        subprocess.run(["ip", "netns", "exec", self.netns, "sysctl", "-qw", "net.ipv4.ip_forward=1"],
                       capture_output=True)

    def teardown(self) -> None:
        if self.created:
            subprocess.run(["ip", "netns", "delete", self.netns], capture_output=True)

    @staticmethod
    def veth(uid: str) -> str:
        return "vp" + uid.replace("-", "")[:12]

    async def attach(self, uid: str, holder_pid: int) -> None:
        """Put a veth pair between the bridge and the pod whose namespace ``holder_pid``
        holds (its end there is ``eth0``; the holder gives it the pod's address)."""
        veth = self.veth(uid)
        await _run("ip", "-n", self.netns, "-batch", "-", stdin=(
            f"link add {veth} type veth peer name eth0 netns {holder_pid}\n"
            f"link set {veth} master {BRIDGE} up\n"))

    def pod_config(self, ip: str) -> str:
        """What the pod's holder reads to set up its ``eth0``: address, gateway, prefix."""
        return f"{ip} {self.gateway} {self.net.prefixlen}\n"

    async def detach(self, uid: str) -> None:
        """Remove the pod's veth pair (gone anyway when its namespace ends)."""
        proc = await asyncio.create_subprocess_exec(
            "ip", "-n", self.netns, "link", "del", self.veth(uid),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await proc.wait()
