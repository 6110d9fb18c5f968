"""The REST API over real HTTPS: errors for malformed requests, concurrency, watch
semantics, restart and durability."""

from __future__ import annotations

import concurrent.futures
import json
import socket
import ssl
import threading
import time
from typing import Any

import pytest

from tests.conftest import APIServerProcess


def pod(name: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": "t"}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


BIG = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"' + b"x" * (3 * 1024 * 1024) + b'"}}'

# (method, path template, body, headers, expected code, expected reason)
BAD_INPUT = [
    ("POST", "/api/v1/namespaces/{ns}/pods", b"{not json", {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/pods", b"key: [unclosed", {"Content-Type": "application/yaml"}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/pods", b"[1,2]", {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/pods", b"", {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/pods",
     json.dumps({**pod("x"), "apiVersion": "apps/v1"}).encode(), {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/pods",
     json.dumps({**pod("x"), "kind": "Service"}).encode(), {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/pods", json.dumps(pod("Bad_Name")).encode(), {}, 422, "Invalid"),
    ("POST", "/api/v1/namespaces/{ns}/pods",
     json.dumps({"metadata": {"name": "nocontainers"}, "spec": {}}).encode(), {}, 422, "Invalid"),
    ("POST", "/api/v1/namespaces/{ns}/pods?fieldValidation=Strict",
     json.dumps({**pod("strict"), "bogus": 1}).encode(), {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/pods",
     json.dumps({"metadata": {"name": "t"}, "spec": {"containers": [{"name": "c", "image": "i",
                                                                   "ports": [{"containerPort": "80"}]}]}}).encode(),
     {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/configmaps", BIG, {}, 413, "RequestEntityTooLarge"),
    ("POST", "/api/v1/namespaces/no-such-ns/pods", json.dumps(pod("x")).encode(), {}, 404, "NotFound"),
    ("GET", "/api/v1/namespaces/{ns}/pods/missing", None, {}, 404, "NotFound"),
    ("GET", "/api/v1/namespaces/{ns}/nosuchresource", None, {}, 404, "NotFound"),
    ("GET", "/apis/nosuch.group/v1/things", None, {}, 404, "NotFound"),
    ("GET", "/api/v1/namespaces/{ns}/pods?labelSelector=a%20in%20(", None, {}, 400, "BadRequest"),
    ("GET", "/api/v1/namespaces/{ns}/pods?fieldSelector=spec.bogus%3D1", None, {}, 400, "BadRequest"),
    ("GET", "/api/v1/namespaces/{ns}/pods?limit=abc", None, {}, 400, "BadRequest"),
    ("GET", "/api/v1/namespaces/{ns}/pods?continue=garbage", None, {}, 400, "BadRequest"),
    ("GET", "/api/v1/namespaces/{ns}/pods", None, {"Accept": "application/xml"}, 406,
     "NotAcceptable"),
    ("PATCH", "/api/v1/namespaces/{ns}/pods/p0", b'{"a":1}', {"Content-Type": "text/html"}, 415,
     "UnsupportedMediaType"),
    ("PATCH", "/api/v1/namespaces/{ns}/pods/p0", b'[{"op":"replace","path":"/spec/nope/x","value":1}]',
     {"Content-Type": "application/json-patch+json"}, 422, "Invalid"),
    ("PATCH", "/api/v1/namespaces/{ns}/pods/p0", b'{"op":"add"}',
     {"Content-Type": "application/json-patch+json"}, 400, "BadRequest"),
    ("PATCH", "/api/v1/namespaces/{ns}/pods/p0", b"{bad",
     {"Content-Type": "application/merge-patch+json"}, 400, "BadRequest"),
    ("PUT", "/api/v1/namespaces/{ns}/pods/p0", json.dumps({**pod("other")}).encode(), {}, 400, "BadRequest"),
    ("DELETE", "/api/v1/namespaces/{ns}/pods/p0", b'{"propagationPolicy":"Sideways"}', {}, 400, "BadRequest"),
    ("DELETE", "/api/v1/namespaces/{ns}/pods/p0?dryRun=Maybe", None, {}, 400, "BadRequest"),
    ("POST", "/api/v1/namespaces/{ns}/pods/p0/binding", b'{"target":{}}', {}, 422, "Invalid"),
]


@pytest.mark.parametrize("method,path,body,headers,code,reason", BAD_INPUT,
                         ids=[f"{m} {p.split('?')[0][-30:]} {c}" for m, p, _, _, c, _ in BAD_INPUT])
def test_malformed_requests_get_a_status_with_code_and_reason(
        apiserver: APIServerProcess, namespace: str, method: str, path: str, body: bytes | None,
        headers: dict[str, str], code: int, reason: str) -> None:
    r0 = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/pods", pod("p0"))
    assert r0.status == 201
    r = apiserver.request(method, path.format(ns=namespace), body, headers)
    assert r.status == code, r.body[:500]
    status = r.json()
    assert status["kind"] == "Status" and status["status"] == "Failure"
    assert status["code"] == code and status["reason"] == reason, status
    # nothing half-written: p0 is intact and still the only pod
    pods = apiserver.request("GET", f"/api/v1/namespaces/{namespace}/pods").json()
    assert [p["metadata"]["name"] for p in pods["items"]] == ["p0"]
    assert pods["items"][0]["metadata"]["resourceVersion"] == r0.json()["metadata"]["resourceVersion"]


def test_invalid_object_lists_causes_per_field(apiserver: APIServerProcess, namespace: str) -> None:
    bad = {"metadata": {"name": "Bad_Name"}, "spec": {"containers": [{"name": "c"}, {"name": "c", "image": "x"}]}}
    r = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/pods", bad)
    assert r.status == 422
    causes = {(c["field"], c["reason"]) for c in r.json()["details"]["causes"]}
    assert ("metadata.name", "FieldValueInvalid") in causes
    assert ("spec.containers[0].image", "FieldValueRequired") in causes
    assert ("spec.containers[1].name", "FieldValueDuplicate") in causes


def test_unauthenticated_requests_get_401(apiserver: APIServerProcess) -> None:
    assert apiserver.request("GET", "/api/v1/namespaces", token="").status == 401
    r = apiserver.request("GET", "/api/v1/namespaces", token="wrong")
    assert r.status == 401 and r.json()["reason"] == "Unauthorized"
    assert apiserver.request("GET", "/healthz", token="").status == 200


def test_two_writers_on_one_object_exactly_one_wins(apiserver: APIServerProcess, namespace: str) -> None:
    created = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/configmaps",
                                {"metadata": {"name": "race"}, "data": {"v": "0"}}).json()
    barrier = threading.Barrier(2)

    def write(v: str) -> int:
        body = {**created, "data": {"v": v}}
        barrier.wait()
        return apiserver.request("PUT", f"/api/v1/namespaces/{namespace}/configmaps/race", body).status

    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        codes = sorted(ex.map(write, ["a", "b"]))
    assert codes == [200, 409]


def test_create_existing_name_is_409_already_exists(apiserver: APIServerProcess, namespace: str) -> None:
    assert apiserver.request("POST", f"/api/v1/namespaces/{namespace}/pods", pod("dup")).status == 201
    r = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/pods", pod("dup"))
    assert r.status == 409 and r.json()["reason"] == "AlreadyExists"
    assert r.json()["message"] == 'pods "dup" already exists'


def test_generate_name_and_server_set_metadata(apiserver: APIServerProcess, namespace: str) -> None:
    body = pod("")
    body["metadata"] = {"generateName": "gen-"}
    obj = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/pods", body).json()
    md = obj["metadata"]
    assert md["name"].startswith("gen-") and len(md["name"]) == 9
    assert md["uid"] and md["creationTimestamp"].endswith("Z") and md["resourceVersion"].isdigit()


def test_a_generated_name_already_taken_is_generated_again(tmp_path: Any, monkeypatch: Any) -> None:
    """Upstream retries a taken generated name (up to 7 more times) instead of failing."""
    import random

    from tests.conftest import APIServerProcess as Server

    monkeypatch.setenv("PADDOCK_NAME_SEED", "42")
    expected = random.Random(42)
    first, second = ("gen-" + "".join(expected.choices("bcdfghjklmnpqrstvwxz2456789", k=5))
                     for _ in range(2))
    srv = Server(str(tmp_path))
    srv.start()
    try:
        assert srv.request("POST", "/api/v1/namespaces/default/pods", pod(first)).status == 201
        body = pod("")
        body["metadata"] = {"generateName": "gen-"}
        r = srv.request("POST", "/api/v1/namespaces/default/pods", body)
        assert r.status == 201, r.body
        assert r.json()["metadata"]["name"] == second
    finally:
        srv.stop()


def test_generation_bumps_on_spec_change_only(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/apis/apps/v1/namespaces/{namespace}/deployments"
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "g"},
         "spec": {"selector": {"matchLabels": {"a": "b"}},
                  "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    assert apiserver.request("POST", base, d).json()["metadata"]["generation"] == 1
    merge = {"Content-Type": "application/merge-patch+json"}
    r = apiserver.request("PATCH", base + "/g", {"metadata": {"labels": {"x": "y"}}}, merge).json()
    assert r["metadata"]["generation"] == 1
    r = apiserver.request("PATCH", base + "/g", {"spec": {"replicas": 5}}, merge).json()
    assert r["metadata"]["generation"] == 2
    r = apiserver.request("PATCH", base + "/g/status", {"status": {"replicas": 5}}, merge).json()
    assert r["metadata"]["generation"] == 2 and r["status"]["replicas"] == 5
    # the main resource cannot write status, the status subresource cannot write spec
    r = apiserver.request("PATCH", base + "/g", {"status": {"replicas": 9}}, merge).json()
    assert r["status"]["replicas"] == 5
    r = apiserver.request("PATCH", base + "/g/status", {"spec": {"replicas": 9}}, merge).json()
    assert r["spec"]["replicas"] == 5


def test_bound_pod_deletion_is_graceful_unbound_is_immediate(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/pods"
    apiserver.request("POST", base, pod("unbound"))
    r = apiserver.request("DELETE", base + "/unbound")
    assert r.status == 200 and apiserver.request("GET", base + "/unbound").status == 404
    apiserver.request("POST", base, pod("bound"))
    b = apiserver.request("POST", base + "/bound/binding",
                          {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "bound"},
                           "target": {"kind": "Node", "name": "n1"}})
    assert b.status == 201
    again = apiserver.request("POST", base + "/bound/binding", {"metadata": {"name": "bound"},
                                                                "target": {"name": "n2"}})
    assert again.status == 409
    r = apiserver.request("DELETE", base + "/bound")
    obj = r.json()
    assert obj["metadata"]["deletionGracePeriodSeconds"] == 30 and obj["metadata"]["deletionTimestamp"]
    assert apiserver.request("GET", base + "/bound").status == 200
    r = apiserver.request("DELETE", base + "/bound", {"gracePeriodSeconds": 0})
    assert apiserver.request("GET", base + "/bound").status == 404


def test_finalizers_hold_deletion_until_removed(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    apiserver.request("POST", base, {"metadata": {"name": "fin", "finalizers": ["example.com/hold"]}})
    r = apiserver.request("DELETE", base + "/fin")
    assert r.status == 200 and r.json()["metadata"]["deletionTimestamp"]
    assert apiserver.request("GET", base + "/fin").status == 200
    apiserver.request("PATCH", base + "/fin", {"metadata": {"finalizers": None}},
                      {"Content-Type": "application/merge-patch+json"})
    assert apiserver.request("GET", base + "/fin").status == 404


def test_creating_in_terminating_namespace_is_forbidden(apiserver: APIServerProcess) -> None:
    apiserver.request("POST", "/api/v1/namespaces", {"metadata": {"name": "term-ns"}})
    apiserver.request("POST", "/api/v1/namespaces/term-ns/configmaps",
                      {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}})
    r = apiserver.request("DELETE", "/api/v1/namespaces/term-ns")
    assert r.status == 200 and r.json()["status"]["phase"] == "Terminating"
    r = apiserver.request("POST", "/api/v1/namespaces/term-ns/configmaps", {"metadata": {"name": "new"}})
    assert r.status == 403 and r.json()["reason"] == "Forbidden"
    apiserver.request("PATCH", "/api/v1/namespaces/term-ns/configmaps/held", {"metadata": {"finalizers": None}},
                      {"Content-Type": "application/merge-patch+json"})
    deadline = time.time() + 10
    while time.time() < deadline and apiserver.request("GET", "/api/v1/namespaces/term-ns").status != 404:
        time.sleep(0.2)
    assert apiserver.request("GET", "/api/v1/namespaces/term-ns").status == 404


def _watch_lines(apiserver: APIServerProcess, path: str, count: int, timeout: float = 10) -> list[dict[str, Any]]:
    """Read ``count`` watch events over a raw HTTPS connection."""
    ctx = apiserver.ssl_context()
    sock = ctx.wrap_socket(socket.create_connection((apiserver.host, apiserver.port), timeout=timeout),
                           server_hostname=apiserver.host)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {apiserver.token}\r\n\r\n".encode())
    buf = b""
    events: list[dict[str, Any]] = []
    try:
        while len(events) < count:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
            body = buf.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in buf else b""
            # de-chunk loosely: JSON lines are complete objects between chunk headers
            events = [json.loads(line) for line in body.split(b"\n")
                      if line.startswith(b"{") and line.endswith(b"}")]
            if body.endswith(b"\r\n0\r\n\r\n") or body == b"0\r\n\r\n":
                break  # the chunked response ended (the connection itself stays open)
    finally:
        sock.close()
    return events


def test_watch_resumes_from_resource_version(apiserver: APIServerProcess,
                                                                     namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    rv0 = apiserver.request("GET", base).json()["metadata"]["resourceVersion"]
    for i in range(3):
        apiserver.request("POST", base, {"metadata": {"name": f"w{i}"}})
    events = _watch_lines(apiserver, f"{base}?watch=true&resourceVersion={rv0}", 3)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "w0"), ("ADDED", "w1"), ("ADDED", "w2")]


def test_watch_with_label_selector_sees_object_leave_as_deleted(apiserver: APIServerProcess,
                                                                namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/pods"
    rv = apiserver.request("GET", base).json()["metadata"]["resourceVersion"]
    apiserver.request("POST", base, pod("sel", app="in"))
    apiserver.request("PATCH", base + "/sel", {"metadata": {"labels": {"app": "out"}}},
                      {"Content-Type": "application/merge-patch+json"})
    events = _watch_lines(apiserver, f"{base}?watch=true&labelSelector=app%3Din&resourceVersion={rv}", 2)
    assert [e["type"] for e in events] == ["ADDED", "DELETED"]


def test_objects_and_revisions_survive_restart(fresh_apiserver: APIServerProcess) -> None:
    s = fresh_apiserver
    s.request("POST", "/api/v1/namespaces", {"metadata": {"name": "keep"}})
    obj = s.request("POST", "/api/v1/namespaces/keep/configmaps", {"metadata": {"name": "c"}, "data": {"a": "1"}}).json()
    s.stop()
    s.start()
    again = s.request("GET", "/api/v1/namespaces/keep/configmaps/c").json()
    assert again == obj
    nxt = s.request("POST", "/api/v1/namespaces/keep/configmaps", {"metadata": {"name": "d"}}).json()
    assert int(nxt["metadata"]["resourceVersion"]) > int(obj["metadata"]["resourceVersion"])


def test_sigkill_loses_no_acknowledged_write(fresh_apiserver: APIServerProcess) -> None:
    s = fresh_apiserver
    s.request("POST", "/api/v1/namespaces", {"metadata": {"name": "dur"}})
    acked: list[str] = []
    stop = threading.Event()

    def writer(wid: int) -> None:
        i = 0
        while not stop.is_set():
            name = f"w{wid}-{i}"
            try:
                r = s.request("POST", "/api/v1/namespaces/dur/configmaps", {"metadata": {"name": name}})
                if r.status == 201:
                    acked.append(name)
            except (OSError, ssl.SSLError, ConnectionError, Exception):
                return
            i += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    s.kill()
    stop.set()
    for t in threads:
        t.join(10)
    assert len(acked) > 20
    s.start()
    items = s.request("GET", "/api/v1/namespaces/dur/configmaps").json()["items"]
    present = {i["metadata"]["name"] for i in items}
    missing = [a for a in acked if a not in present]
    assert not missing, f"{len(missing)} acknowledged writes lost"


def test_too_many_requests_in_flight_get_429(tmp_path: Any) -> None:
    # reads finish without yielding, so only writes (waiting for their fsync) overlap
    s = APIServerProcess(str(tmp_path), ["--max-mutating-requests-inflight", "1"])
    s.start()
    try:
        def create(i: int) -> tuple[int, dict[str, str]]:
            r = s.request("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": f"c{i}"}})
            return r.status, r.headers
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            results = list(ex.map(create, range(300)))
        codes = {c for c, _ in results}
        assert codes <= {201, 429} and 201 in codes and 429 in codes
        assert all(h.get("retry-after") == "1" for c, h in results if c == 429)
    finally:
        s.stop()


def test_metrics_expose_request_duration_histogram(apiserver: APIServerProcess) -> None:
    apiserver.request("GET", "/api/v1/namespaces")
    text = apiserver.request("GET", "/metrics").body.decode()
    assert 'apiserver_request_duration_seconds_bucket{verb="list",group="",resource="namespaces"' in text


def test_metrics_count_errors_under_their_verb_and_resource(
        apiserver: APIServerProcess, namespace: str) -> None:
    assert apiserver.request("GET", f"/api/v1/namespaces/{namespace}/configmaps/absent").status == 404
    text = apiserver.request("GET", "/metrics").body.decode()
    assert _metric(text, "apiserver_request_duration_seconds_count", verb="get", group="",
                   resource="configmaps", subresource="", code="404") >= 1


def _metric(text: str, name: str, **labels: str) -> float:
    """A sample of the Prometheus text ``text`` (0 when absent)."""
    head = name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "} "
    for line in text.splitlines():
        if line.startswith(head):
            return float(line[len(head):])
    return 0.0


def test_metrics_count_the_bytes_of_request_bodies_responses_and_watch_events(
        apiserver: APIServerProcess, namespace: str) -> None:
    before = apiserver.request("GET", "/metrics").body.decode()
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sized"}, "data": {"k": "v"}}
    created = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/configmaps", cm)
    assert created.status == 201
    watched = apiserver.request("GET", f"/api/v1/namespaces/{namespace}/configmaps?watch=true&timeoutSeconds=1")
    assert b'"ADDED"' in watched.body
    after = apiserver.request("GET", "/metrics").body.decode()

    def grew(name: str, **labels: str) -> float:
        return _metric(after, name, **labels) - _metric(before, name, **labels)

    assert grew("apiserver_request_body_size_bytes_sum", resource="configmaps", verb="create") == len(
        json.dumps(cm))
    assert grew("apiserver_response_sizes_sum", verb="create", group="", resource="configmaps",
                subresource="") == len(created.body)
    assert grew("apiserver_watch_events_sizes_sum", group="", version="v1", resource="configmaps") == len(
        watched.body)
    assert grew("apiserver_watch_events_sizes_count", group="", version="v1", resource="configmaps") == 1


def test_discovery_aggregated_content_type(apiserver: APIServerProcess) -> None:
    accept = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")
    r = apiserver.request("GET", "/apis", headers={"Accept": accept})
    assert r.headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    groups = [i["metadata"]["name"] for i in r.json()["items"]]
    assert "apps" in groups
    r = apiserver.request("GET", "/api", headers={"Accept": accept.replace(";v=v2;", ";v=vX;")})
    assert r.headers["content-type"].endswith("v=v2beta1;as=APIGroupDiscoveryList")
    assert apiserver.request("GET", "/version").json()["major"] == "1"


def test_hpa_is_served_in_v1_and_v2(apiserver: APIServerProcess, namespace: str) -> None:
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
          "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"},
                   "minReplicas": 1, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}}
    r = apiserver.request("POST", f"/apis/autoscaling/v1/namespaces/{namespace}/horizontalpodautoscalers", v1)
    assert r.status == 201 and r.json()["spec"]["targetCPUUtilizationPercentage"] == 60
    v2 = apiserver.request("GET", f"/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers/h").json()
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 60


def test_dry_run_does_not_persist(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    r = apiserver.request("POST", base + "?dryRun=All", {"metadata": {"name": "dry"}})
    assert r.status == 201
    assert apiserver.request("GET", base + "/dry").status == 404


def test_service_gets_cluster_ip_and_node_ports(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/services"
    svc = {"metadata": {"name": "np"}, "spec": {"type": "NodePort", "ports": [{"port": 80}], "selector": {"a": "b"}}}
    obj = apiserver.request("POST", base, svc).json()
    assert obj["spec"]["clusterIP"].startswith("198.19.")
    assert 30000 <= obj["spec"]["ports"][0]["nodePort"] <= 32767
    dup = {"metadata": {"name": "np2"}, "spec": {"clusterIP": obj["spec"]["clusterIP"], "ports": [{"port": 80}]}}
    r = apiserver.request("POST", base, dup)
    assert r.status == 422


def test_watch_ends_at_timeout_with_a_bookmark_only_when_asked(apiserver: APIServerProcess,
                                                               namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    rv = apiserver.request("GET", base).json()["metadata"]["resourceVersion"]
    start = time.monotonic()
    events = _watch_lines(apiserver, f"{base}?watch=true&resourceVersion={rv}&timeoutSeconds=1"
                                     "&allowWatchBookmarks=true", 1)
    assert time.monotonic() - start < 5
    assert events and events[0]["type"] == "BOOKMARK"
    assert int(events[0]["object"]["metadata"]["resourceVersion"]) >= int(rv)
    events = _watch_lines(apiserver, f"{base}?watch=true&resourceVersion={rv}&timeoutSeconds=1", 1)
    assert events == []


def test_deletecollection_removes_only_selected(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    for name, app in (("a", "x"), ("b", "x"), ("c", "y")):
        apiserver.request("POST", base, {"metadata": {"name": name, "labels": {"app": app}}})
    r = apiserver.request("DELETE", base + "?labelSelector=app%3Dx")
    assert r.status == 200 and r.json()["kind"] == "ConfigMapList"
    names = [i["metadata"]["name"] for i in apiserver.request("GET", base).json()["items"]]
    assert names == ["c"]


def test_eviction_deletes_the_pod(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/pods"
    apiserver.request("POST", base, pod("ev"))
    r = apiserver.request("POST", base + "/ev/eviction", {"apiVersion": "policy/v1", "kind": "Eviction",
                                                          "metadata": {"name": "ev"}})
    assert r.status == 201
    assert apiserver.request("GET", base + "/ev").status == 404


def test_update_with_resource_version_creates_nothing_and_put_may_create_leases(
        apiserver: APIServerProcess, namespace: str) -> None:
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l1"},
             "spec": {"holderIdentity": "me", "leaseDurationSeconds": 40}}
    r = apiserver.request("PUT", f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/l1", lease)
    assert r.status == 201 and r.json()["spec"]["holderIdentity"] == "me"
    r = apiserver.request("PUT", f"/api/v1/namespaces/{namespace}/pods/nope", pod("nope"))
    assert r.status == 404


def test_large_bodies_sent_in_pieces_are_read_whole(apiserver: APIServerProcess, namespace: str) -> None:
    value = "x" * 600_000
    body = json.dumps({"metadata": {"name": "big"}, "data": {"v": value}}).encode()
    ctx = apiserver.ssl_context()
    sock = ctx.wrap_socket(socket.create_connection((apiserver.host, apiserver.port), timeout=30),
                           server_hostname=apiserver.host)
    head = (f"POST /api/v1/namespaces/{namespace}/configmaps HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {apiserver.token}\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n").encode()
    sock.sendall(head)
    for i in range(0, len(body), 7000):
        piece = body[i:i + 7000]
        sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        time.sleep(0.001)
    sock.sendall(b"0\r\n\r\n")
    resp = b""
    while chunk := sock.recv(65536):
        resp += chunk
    sock.close()
    assert resp.startswith(b"HTTP/1.1 201"), resp[:300]
    got = apiserver.request("GET", f"/api/v1/namespaces/{namespace}/configmaps/big").json()
    assert len(got["data"]["v"]) == 600_000


def test_put_creates_only_where_upstream_allows_and_only_under_the_url_name(
        apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}"
    r = apiserver.request("PUT", base + "/configmaps/x", {"metadata": {"name": "x"}})
    assert r.status == 404
    r = apiserver.request("PUT", base + "/services/x", {"metadata": {"name": "y"}, "spec": {"ports": [{"port": 80}]}})
    assert r.status == 400 and "does not match the name on the URL" in r.json()["message"]
    r = apiserver.request("PUT", base + "/services/x", {"metadata": {"name": "x"}, "spec": {"ports": [{"port": 80}]}})
    assert r.status == 201


def test_service_type_change_drops_fields_the_new_type_does_not_use(apiserver: APIServerProcess,
                                                                    namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/services"
    svc = {"metadata": {"name": "np"}, "spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "selector": {"a": "b"}}}
    assert apiserver.request("POST", base, svc).status == 201
    merge = {"Content-Type": "application/merge-patch+json"}
    r = apiserver.request("PATCH", base + "/np", {"spec": {"type": "NodePort"}}, merge)
    assert r.status == 200, r.body
    r = apiserver.request("PATCH", base + "/np", {"spec": {"type": "ClusterIP"}}, merge)
    assert r.status == 200, r.body
    assert "nodePort" not in r.json()["spec"]["ports"][0]
    r = apiserver.request("PATCH", base + "/np", {"spec": {"type": "ExternalName", "externalName": "a.example.com"}}, merge)
    assert r.status == 200, r.body
    assert "clusterIP" not in r.json()["spec"]


def test_hpa_v2_status_has_desired_replicas(apiserver: APIServerProcess, namespace: str) -> None:
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h2"},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"},
                    "maxReplicas": 3}}
    r = apiserver.request("POST", f"/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers", hpa)
    assert r.status == 201 and r.json()["status"] == {"desiredReplicas": 0}


def test_list_parameter_errors_and_no_limit_below_one(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    for i in range(3):
        apiserver.request("POST", base, {"metadata": {"name": f"c{i}"}})
    r = apiserver.request("GET", base + "?limit=-1").json()
    assert len(r["items"]) == 3 and "continue" not in r["metadata"]
    token = apiserver.request("GET", base + "?limit=1").json()["metadata"]["continue"]
    r = apiserver.request("GET", base + f"?limit=1&continue={token}&resourceVersion=5")
    assert r.status == 400
    assert apiserver.request("GET", base + "/c0?resourceVersion=abc").status == 400
    assert apiserver.request("POST", base, b'{"metadata":{"name":"t"}}', {"Content-Type": "text/plain"}).status == 415


def test_nodes_keep_the_status_they_are_created_with_and_pods_do_not(
        apiserver: APIServerProcess, namespace: str) -> None:
    status = {"allocatable": {"cpu": "2", "pods": "110"}, "capacity": {"cpu": "2", "pods": "110"}}
    r = apiserver.request("POST", "/api/v1/nodes", {
        "apiVersion": "v1", "kind": "Node", "metadata": {"name": f"{namespace}-node"},
        "status": status})
    assert r.status == 201 and r.json()["status"]["allocatable"] == status["allocatable"]
    r = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "x"}]},
        "status": {"phase": "Running", "podIP": "198.18.0.9"}})
    assert r.status == 201 and "podIP" not in r.json()["status"]
    apiserver.request("DELETE", f"/api/v1/nodes/{namespace}-node")
