"""The informer against a real apiserver: list, then watch, with every change delivered once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from paddock.core.client import Client
from paddock.core.informer import Informer
from tests.conftest import APIServerProcess

pytestmark = pytest.mark.timeout(60)


def test_informer_lists_then_watches(apiserver: APIServerProcess, namespace: str) -> None:
    async def go() -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        async with Client.from_kubeconfig(apiserver.kubeconfig) as c:
            await c.create("configmaps", {"metadata": {"name": "before"}}, namespace)
            informer = Informer(c, "configmaps", namespace=namespace)
            informer.add_handler(lambda t, o, old: seen.append((t, o["metadata"]["name"])))
            informer.start()
            await asyncio.wait_for(informer.synced.wait(), 10)
            await c.create("configmaps", {"metadata": {"name": "after"}}, namespace)
            await c.patch("configmaps", "before", {"data": {"a": "b"}}, namespace)
            await c.delete("configmaps", "after", namespace)
            for _ in range(100):
                if len(seen) >= 4:
                    break
                await asyncio.sleep(0.05)
            assert set(informer.store) == {f"{namespace}/before"}
            assert informer.store[f"{namespace}/before"]["data"] == {"a": "b"}
            await informer.stop()
        return seen

    assert asyncio.run(go()) == [("ADDED", "before"), ("ADDED", "after"),
                                 ("MODIFIED", "before"), ("DELETED", "after")]


def test_a_handler_that_fails_does_not_stop_the_others(
        apiserver: APIServerProcess, namespace: str) -> None:
    async def go() -> int:
        got: list[Any] = []
        async with Client.from_kubeconfig(apiserver.kubeconfig) as c:
            informer = Informer(c, "configmaps", namespace=namespace)

            def broken(*_: Any) -> None:
                raise RuntimeError("bug")

            informer.add_handler(broken)
            informer.add_handler(lambda *a: got.append(a))
            informer.start()
            await asyncio.wait_for(informer.synced.wait(), 10)
            await c.create("configmaps", {"metadata": {"name": "x"}}, namespace)
            for _ in range(100):
                if got:
                    break
                await asyncio.sleep(0.05)
            await informer.stop()
        return len(got)

    assert asyncio.run(go()) == 1


def test_informer_catches_up_after_the_apiserver_restarts(
        fresh_apiserver: APIServerProcess) -> None:
    """The watch breaks; the informer lists again and reports what changed meanwhile."""
    api = fresh_apiserver

    async def go() -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        async with Client.from_kubeconfig(api.kubeconfig) as c:
            await c.create("configmaps", {"metadata": {"name": "stays"}}, "default")
            await c.create("configmaps", {"metadata": {"name": "goes"}}, "default")
            informer = Informer(c, "configmaps", namespace="default")
            informer.add_handler(lambda t, o, old: seen.append((t, o["metadata"]["name"])))
            informer.start()
            await asyncio.wait_for(informer.synced.wait(), 10)
            port = api.port
            await asyncio.to_thread(api.stop)
            await asyncio.to_thread(api.start, port)
            await c.delete("configmaps", "goes", "default")
            await c.create("configmaps", {"metadata": {"name": "new"}}, "default")
            for _ in range(200):
                if ("ADDED", "new") in seen and ("DELETED", "goes") in seen:
                    break
                await asyncio.sleep(0.05)
            await informer.stop()
            assert set(informer.store) == {"default/stays", "default/new"}
        return seen

    seen = asyncio.run(go())
    assert seen[:2] == [("ADDED", "goes"), ("ADDED", "stays")] or seen[:2] == [
        ("ADDED", "stays"), ("ADDED", "goes")]
    assert seen.count(("DELETED", "goes")) == 1 and seen.count(("ADDED", "new")) == 1


def test_indexes_follow_changes_and_resync_hands_everything_over_again(
        apiserver: APIServerProcess, namespace: str) -> None:
    async def go() -> None:
        async with Client.from_kubeconfig(apiserver.kubeconfig) as c:
            informer = Informer(c, "configmaps", namespace=namespace, resync_period=0.3)
            informer.add_index("color", lambda o: [(o.get("data") or {}).get("color", "none")])
            resynced: list[str] = []
            informer.add_handler(lambda t, o, old: resynced.append(o["metadata"]["name"])
                                 if t == "MODIFIED" and old is o else None)
            informer.start()
            await asyncio.wait_for(informer.synced.wait(), 10)
            await c.create("configmaps", {"metadata": {"name": "a"}, "data": {"color": "red"}},
                           namespace)
            await c.create("configmaps", {"metadata": {"name": "b"}, "data": {"color": "red"}},
                           namespace)

            def names(value: str) -> list[str]:
                return sorted(o["metadata"]["name"] for o in informer.by_index("color", value))

            for _ in range(100):
                if names("red") == ["a", "b"]:
                    break
                await asyncio.sleep(0.05)
            assert names("red") == ["a", "b"]
            assert len(informer.by_index("namespace", namespace)) == 2
            await c.patch("configmaps", "a", {"data": {"color": "blue"}}, namespace)
            await c.delete("configmaps", "b", namespace)
            for _ in range(100):
                if names("blue") == ["a"] and names("red") == []:
                    break
                await asyncio.sleep(0.05)
            assert (names("blue"), names("red")) == (["a"], [])
            await asyncio.sleep(0.5)
            assert "a" in resynced
            await informer.stop()

    asyncio.run(go())
