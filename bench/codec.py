"""``paddock bench codec``: JSON against protobuf, in the codec and end to end.

Two parts, one JSON report (``--out``):

1. **Codec** (``micro``): encode, decode, and decode without ``metadata.managedFields``
   (skipped by the protobuf decoders, removed after decoding by the others; upstream
   informers strip them) of the objects in ``bench/workloads/codec.yaml`` (a running
   pod, a node, a deployment, a service, and a PodList of ``list_size`` pods) with four
   implementations, each in its own process so that none warms another's caches:
   ``orjson`` (JSON), ``native`` (the Cython protobuf codec), ``pure`` (its pure-Python
   twin), ``package`` (the ``protobuf`` package's message path: dict -> ParseDict ->
   SerializeToString, and FromString -> MessageToDict) and ``marshal`` (CPython's own
   format for these dicts: the floor of making them from bytes at all).  Sizes are of
   what each writes: the codecs' include the 22-byte envelope of a v1 Pod, the package's
   are of the bare message.  Best of five runs, in
   microseconds per operation, with the encoded sizes.
2. **End to end** (``wire``, with ``--start`` or ``--kubeconfig``): against a real
   apiserver, through the components' own client (``core/client.py``) in each content type:
   ``--requests`` GETs of one pod, LISTs of ``--list-pods`` pods, and watch delivery of
   ``--events`` pod creations to ``--watchers`` watchers; wall time, bytes on the wire, and
   CPU seconds of the client and (when the bench started it, or ``--apiserver-pid`` names
   it) the server, per 10,000 requests or per event.

The floors of issue 3 are checked and reported as ratios: protobuf bytes at most 60% of
JSON; native at least 5x faster than the package path and at least 20x faster than the
pure twin; a protobuf watch costs its consumer no more CPU per event than JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import marshal
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import yaml

from .report import machine, write
from .server import temporary_apiserver

WORKLOADS = Path(__file__).resolve().parent / "workloads" / "codec.yaml"
IMPLEMENTATIONS = ("orjson", "native", "pure", "package", "marshal")
FLOORS = {
    "protobuf_bytes_over_json_max": 0.60,
    "native_speedup_over_package_min": 5.0,
    "native_speedup_over_pure_min": 20.0,
    "watch_client_cpu_protobuf_over_json_max": 1.0,
}


def load_workloads() -> dict[str, Any]:
    """The objects, and the PodList built from ``list_size`` copies of the pod."""
    with open(WORKLOADS) as f:
        spec = yaml.safe_load(f)
    # as the apiserver and the components hold objects: parsed from JSON by orjson (YAML's
    # loader makes a new string for every key, which no real object has)
    objects: dict[str, Any] = orjson.loads(orjson.dumps(spec["objects"]))
    pod = objects["pod"]
    items = []
    for i in range(spec["list_size"]):
        item = orjson.loads(orjson.dumps(pod))
        del item["apiVersion"], item["kind"]  # list items carry no type, as upstream's
        item["metadata"]["name"] = f"web-7d4b9c8f6-{i:05d}"
        item["metadata"]["uid"] = f"0f3c2d1e-5a6b-4c7d-8e9f-{i:012d}"
        item["status"]["podIP"] = f"198.18.{i // 250}.{i % 250 + 1}"
        items.append(item)
    objects["podlist"] = {"apiVersion": "v1", "kind": "PodList",
                          "metadata": {"resourceVersion": "123456"}, "items": items}
    return objects


# --- part 1: the codecs, one process per implementation ------------------------------------


def _best_of(function: Callable[[], Any], runs: int = 5, min_time: float = 0.2) -> float:
    """Seconds per call: the best of ``runs`` runs of enough calls to last ``min_time``."""
    function()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            function()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time / 4 or calls >= 1 << 20:
            break
        calls *= 4
    best = elapsed / calls
    for _ in range(runs - 1):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def _strip(obj: dict[str, Any]) -> dict[str, Any]:
    """``metadata.managedFields`` removed after decoding, where a decoder cannot skip it."""
    for item in [obj, *obj.get("items", ())]:
        item.get("metadata", {}).pop("managedFields", None)
    return obj


def _operations(implementation: str, obj: dict[str, Any]) -> tuple[
        bytes, Callable[[], Any], Callable[[], Any], Callable[[], Any]]:
    """The encoding of ``obj``; the encode, decode, and decode-without-managedFields calls
    (what an informer that strips them, as upstream components do, pays) of one
    implementation."""
    from paddock.core import protobuf

    api_version, kind = obj["apiVersion"], obj["kind"]
    message = protobuf.message_for(api_version, kind)
    assert message is not None
    if implementation == "orjson":
        data = orjson.dumps(obj)
        return (data, lambda: orjson.dumps(obj), lambda: orjson.loads(data),
                lambda: _strip(orjson.loads(data)))
    if implementation == "marshal":
        # CPython's own serialisation of these very dicts: no schema, no text to parse, so
        # its loads is close to the cost of making the objects at all, the floor under
        # any decoder that returns dicts
        data = marshal.dumps(obj)
        return (data, lambda: marshal.dumps(obj), lambda: marshal.loads(data),
                lambda: _strip(marshal.loads(data)))
    if implementation in ("native", "pure"):
        pb = protobuf.codec(pure=implementation == "pure")
        data = pb.encode_envelope(obj, api_version, kind, message)
        skip = pb.skip_fields({"ObjectMeta": ["managedFields"]})
        return (data, lambda: pb.encode_envelope(obj, api_version, kind, message),
                lambda: pb.decode_object(data), lambda: pb.decode_object(data, skip))
    from google.protobuf import json_format

    from paddock.proto.reference import load

    reference = load()
    cls = type(reference.new(message.name))
    data = reference.encode(obj, message.name)
    return (data,
            lambda: reference.message(obj, message.name).SerializeToString(deterministic=True),
            lambda: json_format.MessageToDict(cls.FromString(data)),
            lambda: _strip(json_format.MessageToDict(cls.FromString(data))))


def measure_one(implementation: str, min_time: float) -> dict[str, Any]:
    """Encode and decode times (µs) and sizes of every workload with one implementation."""
    out: dict[str, Any] = {}
    for name, obj in load_workloads().items():
        data, encode, decode, decode_lean = _operations(implementation, obj)
        out[name] = {"bytes": len(data),
                     "encode_us": _best_of(encode, min_time=min_time) * 1e6,
                     "decode_us": _best_of(decode, min_time=min_time) * 1e6,
                     "decode_lean_us": _best_of(decode_lean, min_time=min_time) * 1e6}
    return out


def run_micro(min_time: float) -> dict[str, Any]:
    """Each implementation in its own process; the comparison of them."""
    results: dict[str, Any] = {}
    for implementation in IMPLEMENTATIONS:
        done = subprocess.run([sys.executable, "-m", "paddock.bench.codec", "--micro-one",
                               implementation, str(min_time)], check=True, capture_output=True)
        results[implementation] = json.loads(done.stdout)
    ratios: dict[str, Any] = {}
    for name in results["native"]:
        native = results["native"][name]
        ratios[name] = {
            "protobuf_bytes_over_json": native["bytes"] / results["orjson"][name]["bytes"],
            **{f"native_{d}_speedup_over_{other}":
               results[other][name][f"{d}_us"] / native[f"{d}_us"]
               for other in ("pure", "package", "orjson", "marshal")
               for d in ("encode", "decode", "decode_lean")},
        }
    return {"per_implementation": results, "ratios": ratios}


# --- part 2: end to end --------------------------------------------------------------------


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of a process so far (None if not ours to read)."""
    if pid is None:
        return None
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """Wall time and CPU of this process and of the server over one phase."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid

    def __enter__(self) -> Meter:
        self.wall = time.perf_counter()
        self.client = time.process_time()
        self.server = _cpu_seconds(self.server_pid)
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.client = time.process_time() - self.client
        end = _cpu_seconds(self.server_pid)
        self.server = None if end is None or self.server is None else end - self.server


async def _populate(kubeconfig: str, ns: str, pods: int) -> None:
    """The namespace and its ``pods`` pods (copies of the workload pod, as a user creates it)."""
    from paddock.core.client import PROTOBUF, Client

    pod = load_workloads()["pod"]
    async with Client.from_kubeconfig(kubeconfig, content_type=PROTOBUF, qps=-1) as setup:
        await setup.create("namespaces", {"metadata": {"name": ns}})
        sem = asyncio.Semaphore(64)

        async def create(i: int) -> None:
            obj = orjson.loads(orjson.dumps(pod))
            md = obj["metadata"]
            md.update(name=f"p-{i:05d}", namespace=ns)
            for key in ("uid", "resourceVersion", "creationTimestamp", "generateName",
                        "ownerReferences", "managedFields"):
                md.pop(key, None)
            obj.pop("status")
            async with sem:
                await setup.create("pods", obj, ns)

        await asyncio.gather(*(create(i) for i in range(pods)))


async def _measure(kubeconfig: str, ns: str, content_type: str, args: argparse.Namespace,
                   server_pid: int | None, tag: str) -> dict[str, Any]:
    """GET, LIST and watch through the client in one content type (run in its own process)."""
    from paddock.core.client import Client

    async with Client.from_kubeconfig(kubeconfig, content_type=content_type, qps=-1) as c:
        # GET: one object, many times, 32 in flight
        await c.get("pods", "p-00000", ns)
        sem = asyncio.Semaphore(32)

        async def get() -> None:
            async with sem:
                await c.get("pods", "p-00000", ns)

        with Meter(server_pid) as get_meter:
            await asyncio.gather(*(get() for _ in range(args.requests)))
        async with c.session.get(c.config.server + c.path("pods", ns, "p-00000"),
                                 headers={"Accept": c.codec.accept}) as resp:
            get_bytes = len(await resp.read())
        scale = 10_000 / args.requests
        get_result = {"requests": args.requests, "per_s": args.requests / get_meter.wall,
                      "bytes": get_bytes, "client_cpu_s_per_10k": get_meter.client * scale,
                      "server_cpu_s_per_10k": None if get_meter.server is None
                      else get_meter.server * scale}

        # LIST of every pod of the namespace
        lists = 5
        with Meter(server_pid) as list_meter:
            for _ in range(lists):
                listed = await c.list("pods", ns, label_selector="app=web")
        assert len(listed["items"]) == args.list_pods
        del listed
        async with c.session.get(c.config.server + c.path("pods", ns) + "?labelSelector=app%3Dweb",
                                 headers={"Accept": c.codec.accept}) as resp:
            list_bytes = len(await resp.read())
        list_result = {"pods": args.list_pods, "seconds_per_list": list_meter.wall / lists,
                       "bytes": list_bytes, "client_cpu_s_per_list": list_meter.client / lists,
                       "server_cpu_s_per_list": None if list_meter.server is None
                       else list_meter.server / lists}
        watch_result = await _watch_phase(c, ns, args, server_pid, tag)
    return {"get": get_result, "list": list_result, "watch": watch_result}


async def _watch_phase(c: Any, ns: str, args: argparse.Namespace, server_pid: int | None,
                       label: str) -> dict[str, Any]:
    """``--watchers`` watches of the namespace from now; ``--events`` pods created."""
    start_rv = (await c.list("pods", ns, limit=1))["metadata"]["resourceVersion"]
    expected = args.watchers * args.events
    received = 0
    done = asyncio.Event()

    async def watcher() -> None:
        nonlocal received
        async for event_type, _obj in c.watch("pods", ns, resource_version=start_rv,
                                              timeout_seconds=300):
            if event_type == "ADDED":
                received += 1
                if received >= expected:
                    done.set()

    tasks = [asyncio.create_task(watcher()) for _ in range(args.watchers)]
    await asyncio.sleep(2 + args.watchers / 500)  # every watch established
    # not labelled app=web: the LIST phase of a later run counts only the populated pods
    with Meter(server_pid) as meter:
        for i in range(args.events):
            await c.create("pods", {"metadata": {"name": f"w-{label}-{i}"},
                                    "spec": {"containers": [{"name": "c", "image": "pause"}]}},
                           ns)
        try:
            await asyncio.wait_for(done.wait(), 120)
        except TimeoutError:
            pass
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"watchers": args.watchers, "events": args.events, "deliveries": received,
            "deliveries_per_s": received / meter.wall,
            "client_cpu_us_per_delivery": meter.client / max(received, 1) * 1e6,
            "server_cpu_us_per_delivery": None if meter.server is None
            else meter.server / max(received, 1) * 1e6}


def run_wire(args: argparse.Namespace) -> dict[str, Any] | None:
    """Populate once; then each content type in its own process, alternating over two
    rounds (so that neither always runs on the warmer server), the best of each kept."""
    if args.start:
        with temporary_apiserver("paddock-bench-codec-") as (proc, kubeconfig):
            rounds = _rounds(kubeconfig, proc.pid, args)
    elif args.kubeconfig:
        rounds = _rounds(args.kubeconfig, args.apiserver_pid, args)
    else:
        return None
    results = {label: _best(runs) for label, runs in rounds.items()}
    ratios = {}
    for phase, key in (("get", "bytes"), ("list", "bytes"), ("get", "client_cpu_s_per_10k"),
                       ("get", "server_cpu_s_per_10k"), ("list", "seconds_per_list"),
                       ("list", "client_cpu_s_per_list"), ("list", "server_cpu_s_per_list"),
                       ("watch", "client_cpu_us_per_delivery"),
                       ("watch", "server_cpu_us_per_delivery")):
        pb, js = results["protobuf"][phase][key], results["json"][phase][key]
        if pb is not None and js:
            ratios[f"{phase}_{key}_protobuf_over_json"] = pb / js
    return {"per_content_type": results, "rounds": rounds, "ratios": ratios}


def _rounds(kubeconfig: str, server_pid: int | None,
            args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    import uvloop

    from paddock.core.client import JSON, PROTOBUF

    ns = f"bench-codec-{int(time.time())}"
    rounds: dict[str, list[dict[str, Any]]] = {"json": [], "protobuf": []}
    uvloop.run(_populate(kubeconfig, ns, args.list_pods))
    for round_ in range(2):
        for label, content_type in (("json", JSON), ("protobuf", PROTOBUF)):
            params = {"kubeconfig": kubeconfig, "ns": ns, "content_type": content_type,
                      "server_pid": server_pid, "tag": f"{label}-{round_}",
                      **{k: getattr(args, k) for k in ("requests", "list_pods", "watchers",
                                                       "events")}}
            done = subprocess.run([sys.executable, "-m", "paddock.bench.codec",
                                   "--wire-one", json.dumps(params)],
                                  check=True, capture_output=True)
            rounds[label].append(json.loads(done.stdout))
    return rounds


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per phase, the run with the least client CPU."""
    keys = {"get": "client_cpu_s_per_10k", "list": "client_cpu_s_per_list",
            "watch": "client_cpu_us_per_delivery"}
    return {phase: min((r[phase] for r in runs), key=lambda p: p[key])
            for phase, key in keys.items()}


def _wire_one(params: dict[str, Any]) -> dict[str, Any]:
    import uvloop

    args = argparse.Namespace(**{k: params[k] for k in ("requests", "list_pods", "watchers",
                                                         "events")})
    result: dict[str, Any] = uvloop.run(_measure(params["kubeconfig"], params["ns"],
                                                 params["content_type"], args,
                                                 params["server_pid"], params["tag"]))
    return result


def verdict(micro: dict[str, Any], wire: dict[str, Any] | None) -> dict[str, Any]:
    checks: dict[str, bool] = {}
    for name, r in micro["ratios"].items():
        checks[f"{name}_protobuf_bytes_at_most_60pct_of_json"] = (
            r["protobuf_bytes_over_json"] <= FLOORS["protobuf_bytes_over_json_max"])
        for d in ("encode", "decode"):
            checks[f"{name}_native_{d}_5x_package"] = (
                r[f"native_{d}_speedup_over_package"] >= FLOORS["native_speedup_over_package_min"])
            checks[f"{name}_native_{d}_20x_pure"] = (
                r[f"native_{d}_speedup_over_pure"] >= FLOORS["native_speedup_over_pure_min"])
    if wire is not None:
        checks["watch_client_cpu_protobuf_no_more_than_json"] = (
            wire["ratios"]["watch_client_cpu_us_per_delivery_protobuf_over_json"]
            <= FLOORS["watch_client_cpu_protobuf_over_json_max"])
    return {"checks": checks, "pass": all(checks.values())}


def main(args: argparse.Namespace) -> int:
    micro = run_micro(args.min_time)
    wire = run_wire(args)
    report = {
        "benchmark": "codec",
        "machine": machine(),
        "params": {k: getattr(args, k) for k in ("requests", "list_pods", "watchers", "events",
                                                 "min_time")},
        "floors": FLOORS,
        "micro": micro,
        "wire": wire,
        **verdict(micro, wire),
    }
    summary = {"micro_ratios": micro["ratios"], "wire_ratios": wire and wire["ratios"],
               "checks": report["checks"], "pass": report["pass"]}
    write(args.out, report, summary)
    return 0 if report["pass"] else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kubeconfig", default=os.environ.get("KUBECONFIG", ""),
                        help="run the end-to-end part against this cluster")
    parser.add_argument("--start", action="store_true",
                        help="start a temporary apiserver for the end-to-end part")
    parser.add_argument("--apiserver-pid", type=int, default=None,
                        help="the apiserver's PID, to report its CPU (implied by --start)")
    parser.add_argument("--out", default="bench-codec.json")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--list-pods", type=int, default=10_000)
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--min-time", type=float, default=0.2,
                        help="seconds each codec timing runs for, at least (best of five)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--micro-one":
        print(json.dumps(measure_one(sys.argv[2], float(sys.argv[3]))))
    elif len(sys.argv) == 3 and sys.argv[1] == "--wire-one":
        print(json.dumps(_wire_one(json.loads(sys.argv[2]))))
    else:
        parser = argparse.ArgumentParser(prog="paddock bench codec")
        add_arguments(parser)
        sys.exit(main(parser.parse_args()))
