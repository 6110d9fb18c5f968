"""The components' client against a real apiserver, in protobuf and in JSON.

Every behaviour runs with both content types (the ``content_type`` fixture); a request log
on the server side is not needed to know protobuf was spoken: the client refuses to decode a
reply of the other kind into the wrong codec, and the tests check the negotiated types.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import yaml

from paddock.core.client import JSON, PROTOBUF, Client, Config, TokenBucket, client_from_flags
from paddock.core.status import APIError
from tests.conftest import APIServerProcess

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=[PROTOBUF, JSON], ids=["protobuf", "json"])
def content_type(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(apiserver: APIServerProcess, content_type: str,
        body: Callable[[Client], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        async with Client.from_kubeconfig(apiserver.kubeconfig, content_type=content_type) as c:
            return await body(c)
    return asyncio.run(go())


def pod(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9"}]}}


def test_create_get_update_and_delete_a_pod(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def body(c: Client) -> None:
        created = await c.create("pods", pod("web-1", app="web"), namespace)
        assert created["kind"] == "Pod" and created["apiVersion"] == "v1"
        assert created["metadata"]["uid"]
        # defaults applied by the server come back through the codec
        assert created["spec"]["containers"][0]["terminationMessagePath"] == "/dev/termination-log"
        got = await c.get("pods", "web-1", namespace)
        assert got["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
        got["metadata"]["labels"]["tier"] = "fe"
        updated = await c.update("pods", got)
        assert updated["metadata"]["labels"] == {"app": "web", "tier": "fe"}
        deleted = await c.delete("pods", "web-1", namespace, options={"gracePeriodSeconds": 0})
        assert deleted["metadata"]["name"] == "web-1"
        with pytest.raises(APIError) as err:
            await c.get("pods", "web-1", namespace)
        assert (err.value.code, err.value.reason) == (404, "NotFound")
        assert err.value.message == 'pods "web-1" not found'

    run(apiserver, content_type, body)


def test_errors_carry_the_servers_status(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def body(c: Client) -> None:
        created = await c.create("configmaps", {"metadata": {"name": "cfg"}, "data": {"a": "1"}},
                                 namespace)
        with pytest.raises(APIError) as err:
            await c.create("configmaps", {"metadata": {"name": "cfg"}}, namespace)
        assert (err.value.code, err.value.reason) == (409, "AlreadyExists")
        stale = dict(created, data={"a": "2"})
        await c.update("configmaps", dict(created, data={"a": "3"}))
        with pytest.raises(APIError) as err:
            await c.update("configmaps", stale)
        assert (err.value.code, err.value.reason) == (409, "Conflict")
        with pytest.raises(APIError) as err:
            await c.create("pods", {"metadata": {"name": "Bad_Name"}, "spec": {}}, namespace)
        assert (err.value.code, err.value.reason) == (422, "Invalid")
        assert err.value.details and err.value.details["causes"]

    run(apiserver, content_type, body)


def test_list_with_selectors_and_pages(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def body(c: Client) -> None:
        for i in range(5):
            await c.create("pods", pod(f"p{i}", app="web" if i % 2 else "db"), namespace)
        web = await c.list("pods", namespace, label_selector="app=web")
        assert web["kind"] == "PodList"
        assert sorted(p["metadata"]["name"] for p in web["items"]) == ["p1", "p3"]
        names = []
        page = await c.list("pods", namespace, limit=2)
        names += [p["metadata"]["name"] for p in page["items"]]
        while page["metadata"].get("continue"):
            page = await c.list("pods", namespace, limit=2, continue_=page["metadata"]["continue"])
            names += [p["metadata"]["name"] for p in page["items"]]
        assert names == [f"p{i}" for i in range(5)]
        one = await c.list("pods", namespace, field_selector="metadata.name=p4")
        assert [p["metadata"]["name"] for p in one["items"]] == ["p4"]

    run(apiserver, content_type, body)


def test_watch_delivers_events_in_order_and_bookmarks(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def body(c: Client) -> list[tuple[str, str]]:
        start = (await c.list("pods", namespace))["metadata"]["resourceVersion"]
        seen: list[tuple[str, str]] = []

        async def watch() -> None:
            async for event_type, obj in c.watch("pods", namespace, resource_version=start,
                                                 timeout_seconds=2, allow_bookmarks=True):
                seen.append((event_type, obj["metadata"].get("name", "")))
                if event_type != "BOOKMARK":
                    assert obj["kind"] == "Pod"

        watcher = asyncio.create_task(watch())
        await c.create("pods", pod("w1"), namespace)
        await c.patch("pods", "w1", {"metadata": {"labels": {"x": "y"}}}, namespace)
        await c.delete("pods", "w1", namespace, options={"gracePeriodSeconds": 0})
        await watcher
        return seen

    seen = run(apiserver, content_type, body)
    assert seen[:3] == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    assert seen[3:] == [("BOOKMARK", "")]


def test_watch_with_a_bad_resource_version_raises_bad_request(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def body(c: Client) -> None:
        with pytest.raises(APIError) as err:
            async for _ in c.watch("pods", namespace, resource_version="abc", timeout_seconds=2):
                pass
        assert (err.value.code, err.value.reason) == (400, "BadRequest")

    run(apiserver, content_type, body)


def test_error_events_in_a_watch_stream_become_api_errors(content_type: str) -> None:
    """A 410 arrives as an ERROR event carrying a Status, in either encoding."""
    from paddock.core import protobuf
    from paddock.core.client import CODECS

    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": "too old resource version: 1 (500)", "reason": "Expired", "code": 410}
    pod_event = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "a"}}
    codec = CODECS[content_type]()
    if content_type == PROTOBUF:
        pb = protobuf.codec()

        def event(event_type: str, obj: dict[str, Any]) -> bytes:
            message = pb.message_for(obj["apiVersion"], obj["kind"])
            raw = pb.encode_envelope(obj, obj["apiVersion"], obj["kind"], message)
            return bytes(pb.frame(pb.encode_watch_event(event_type, raw)))
    else:
        import orjson

        def event(event_type: str, obj: dict[str, Any]) -> bytes:
            return orjson.dumps({"type": event_type, "object": obj}) + b"\n"

    stream = event("ADDED", pod_event) + event("ERROR", status)
    decoder = codec.watch_decoder()
    # fed in pieces that split frames and lines anywhere
    events = []
    for i in range(0, len(stream), 7):
        events += decoder.feed(stream[i:i + 7])
    assert [t for t, _ in events] == ["ADDED", "ERROR"]
    assert events[0][1]["metadata"] == {"name": "a"}
    assert events[1][1]["code"] == 410 and events[1][1]["reason"] == "Expired"


def test_managed_fields_can_be_stripped_on_read(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def go() -> None:
        config = Config.from_kubeconfig(apiserver.kubeconfig)
        async with Client(config, content_type=content_type) as full, \
                Client(config, content_type=content_type, strip_managed_fields=True) as lean:
            start = (await full.list("pods", namespace))["metadata"]["resourceVersion"]
            created = await full.create("pods", pod("m1", app="m"), namespace)
            assert created["metadata"]["managedFields"]
            got = await lean.get("pods", "m1", namespace)
            assert "managedFields" not in got["metadata"]
            assert got["metadata"]["labels"] == {"app": "m"}
            listed = await lean.list("pods", namespace)
            assert all("managedFields" not in p["metadata"] for p in listed["items"])
            async for event_type, obj in lean.watch("pods", namespace, resource_version=start,
                                                    timeout_seconds=1):
                assert event_type == "ADDED" and "managedFields" not in obj["metadata"]
                break

    asyncio.run(go())


def test_many_watches_never_starve_requests(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def body(c: Client) -> int:
        seen = 0

        async def watch() -> None:
            nonlocal seen
            async for event_type, _ in c.watch("configmaps", namespace, timeout_seconds=3):
                if event_type == "ADDED":
                    seen += 1
                    return

        watchers = [asyncio.create_task(watch()) for _ in range(8)]
        await asyncio.sleep(0.5)
        await asyncio.wait_for(c.create("configmaps", {"metadata": {"name": "x"}}, namespace), 5)
        await asyncio.gather(*watchers)
        return seen

    async def go() -> int:
        config = Config.from_kubeconfig(apiserver.kubeconfig)
        async with Client(config, content_type=content_type, connections=2) as c:
            return await body(c)

    assert asyncio.run(go()) == 8


def test_bind_places_a_pod_on_a_node(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def body(c: Client) -> dict[str, Any]:
        created = await c.create("pods", pod("b1"), namespace)
        await c.bind(namespace, "b1", "node-a", uid=created["metadata"]["uid"])
        with pytest.raises(APIError) as err:
            await c.bind(namespace, "b1", "node-b")
        assert err.value.code == 409
        return await c.get("pods", "b1", namespace)

    assert run(apiserver, content_type, body)["spec"]["nodeName"] == "node-a"


def test_grouped_resources_and_subresources(
        apiserver: APIServerProcess, namespace: str, content_type: str) -> None:
    async def body(c: Client) -> None:
        dep = {"metadata": {"name": "d"}, "spec": {
            "replicas": 2, "selector": {"matchLabels": {"app": "d"}},
            "template": {"metadata": {"labels": {"app": "d"}},
                         "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
        created = await c.create("deployments.apps", dep, namespace)
        assert (created["apiVersion"], created["kind"]) == ("apps/v1", "Deployment")
        scale = await c.get("deployments.apps", "d", namespace, subresource="scale")
        assert (scale["kind"], scale["spec"]["replicas"]) == ("Scale", 2)
        status = dict(created, status={"replicas": 2, "observedGeneration": 1})
        after = await c.update("deployments.apps", status, subresource="status")
        assert after["status"]["replicas"] == 2
        lease = await c.create("leases.coordination.k8s.io", {
            "metadata": {"name": "l"},
            "spec": {"holderIdentity": "me", "renewTime": "2026-11-28T04:50:00.123456Z"}},
            namespace)
        assert lease["spec"]["renewTime"] == "2026-11-28T04:50:00.123456Z"

    run(apiserver, content_type, body)


def test_protobuf_is_the_default_and_flags_switch_it(apiserver: APIServerProcess) -> None:
    import argparse

    from paddock.core.client import add_client_flags

    parser = argparse.ArgumentParser()
    add_client_flags(parser)
    args = parser.parse_args(["--kubeconfig", apiserver.kubeconfig])
    assert client_from_flags(args, "test").codec.content_type == PROTOBUF
    args = parser.parse_args(["--kubeconfig", apiserver.kubeconfig,
                              "--kube-api-content-type", JSON, "--kube-api-qps", "-1"])
    client = client_from_flags(args, "test")
    assert client.codec.content_type == JSON and client.limiter.qps == -1
    with pytest.raises(SystemExit):
        parser.parse_args(["--kube-api-content-type", "text/plain"])


def test_kubeconfig_with_files_token_file_and_named_context(
        apiserver: APIServerProcess, tmp_path: Any) -> None:
    (tmp_path / "ca.crt").write_text(apiserver.ca_pem)
    (tmp_path / "token").write_text(apiserver.token + "\n")
    cfg = {"apiVersion": "v1", "kind": "Config", "current-context": "other",
           "clusters": [{"name": "c", "cluster": {"server": apiserver.server + "/",
                                                 "certificate-authority": "ca.crt"}},
                        {"name": "nowhere", "cluster": {"server": "https://127.0.0.1:1"}}],
           "users": [{"name": "u", "user": {"tokenFile": "token"}}],
           "contexts": [{"name": "mine", "context": {"cluster": "c", "user": "u"}},
                        {"name": "other", "context": {"cluster": "nowhere", "user": "u"}}]}
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(cfg))
    config = Config.from_kubeconfig(str(path), context="mine")
    assert config.server == apiserver.server and config.token == apiserver.token

    async def go() -> dict[str, Any]:
        async with Client(config) as c:
            return await c.get("namespaces", "default")

    assert asyncio.run(go())["metadata"]["name"] == "default"
    with pytest.raises(ValueError):
        Config.from_kubeconfig(str(path), context="missing")
    assert os.path.exists(path)


def test_a_bad_token_is_unauthorized(apiserver: APIServerProcess) -> None:
    config = Config.from_kubeconfig(apiserver.kubeconfig)
    config.token = "wrong"

    async def go() -> None:
        async with Client(config) as c:
            await c.get("namespaces", "default")

    with pytest.raises(APIError) as err:
        asyncio.run(go())
    assert err.value.code == 401


def test_unknown_resources_and_content_types_are_refused(apiserver: APIServerProcess) -> None:
    config = Config.from_kubeconfig(apiserver.kubeconfig)
    with pytest.raises(ValueError):
        Client(config, content_type="application/yaml")
    with pytest.raises(ValueError):
        Client(config).path("widgets.example.com")


def test_token_bucket_allows_a_burst_then_holds_the_rate() -> None:
    async def go() -> float:
        bucket = TokenBucket(qps=20, burst=5)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for _ in range(5):
            await bucket.take()
        assert loop.time() - start < 0.05
        for _ in range(4):
            await bucket.take()
        return loop.time() - start

    elapsed = asyncio.run(go())
    assert 0.15 <= elapsed < 0.5  # four more at 20/s
