"""The real kubectl (1.32 on the PATH, older ones beside it) against a real apiserver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from typing import Any

import pytest
import yaml

from tests.conftest import APIServerProcess

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: nginx:1.25
        ports:
        - containerPort: 80
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  labels: {{app: {app}, tier: fe}}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
"""


def kubectl_versioned(version: str) -> str | None:
    exe = shutil.which("kubectl")
    if not exe:
        return None
    path = os.path.join(os.path.dirname(os.path.realpath(exe)), f"kubectl.{version}")
    return path if os.path.exists(path) else None


@pytest.fixture
def k(apiserver: APIServerProcess, namespace: str) -> Any:
    def run(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return apiserver.kubectl("-n", namespace, *args, **kw)
    return run


def test_api_resources_lists_short_names_and_groups(apiserver: APIServerProcess) -> None:
    out = apiserver.kubectl("api-resources").stdout
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "po" in lines["pods"] and "deploy" in lines["deployments"]
    assert "apps/v1" in lines["deployments"]
    assert "autoscaling/v2" in lines["horizontalpodautoscalers"]
    assert "leases" in lines and "endpointslices" in lines and "ingresses" in lines


def test_api_versions_lists_every_group_version(apiserver: APIServerProcess) -> None:
    out = apiserver.kubectl("api-versions").stdout.split()
    for gv in ("v1", "apps/v1", "autoscaling/v1", "autoscaling/v2", "coordination.k8s.io/v1",
               "discovery.k8s.io/v1", "networking.k8s.io/v1", "storage.k8s.io/v1"):
        assert gv in out


def test_get_namespaces_shows_builtins(apiserver: APIServerProcess) -> None:
    out = apiserver.kubectl("get", "namespaces").stdout
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert any(line.split()[:2] == [ns, "Active"] for line in out.splitlines())


def test_create_and_get_pod_in_every_output_format(k: Any, namespace: str) -> None:
    k("create", "-f", "-", input=POD.format(name="web1", app="x"))
    table = k("get", "pods").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert table[1].split()[:4] == ["web1", "0/1", "Pending", "0"]
    wide = k("get", "pods", "-o", "wide").stdout.splitlines()[0].split()
    assert wide[5:] == ["IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"]
    pod = yaml.safe_load(k("get", "pod", "web1", "-o", "yaml").stdout)
    assert pod["spec"]["restartPolicy"] == "Always"
    assert pod["spec"]["containers"][0]["terminationMessagePath"] == "/dev/termination-log"
    assert pod["metadata"]["namespace"] == namespace
    assert json.loads(k("get", "pod", "web1", "-o", "json").stdout)["kind"] == "Pod"
    assert k("get", "pods", "-o", "name").stdout.strip() == "pod/web1"
    labels = k("get", "pods", "--show-labels").stdout
    assert "app=x,tier=fe" in labels


def test_label_and_field_selectors_filter(k: Any) -> None:
    k("create", "-f", "-", input=POD.format(name="a1", app="a"))
    k("create", "-f", "-", input=POD.format(name="b1", app="b"))
    assert k("get", "pods", "-l", "app=a", "-o", "name").stdout.split() == ["pod/a1"]
    assert k("get", "pods", "-l", "app in (a,b)", "-o", "name").stdout.split() == ["pod/a1", "pod/b1"]
    assert k("get", "pods", "--field-selector", "metadata.name=b1", "-o", "name").stdout.split() == ["pod/b1"]
    assert k("get", "pods", "--field-selector", "status.phase=Pending", "-o", "name").stdout.split() == [
        "pod/a1", "pod/b1"]
    assert k("get", "pods", "--field-selector", "status.phase!=Pending", "-o", "name").stdout.split() == []


def test_get_all_namespaces_and_sort_by(apiserver: APIServerProcess, k: Any, namespace: str) -> None:
    k("create", "-f", "-", input=POD.format(name="zz", app="s"))
    k("create", "-f", "-", input=POD.format(name="aa", app="s"))
    out = apiserver.kubectl("get", "pods", "-A").stdout.splitlines()
    assert out[0].split()[0] == "NAMESPACE"
    assert any(line.split()[:2] == [namespace, "zz"] for line in out)
    names = [line.split()[0] for line in k("get", "pods", "--sort-by=.metadata.name").stdout.splitlines()[1:]]
    assert names == ["aa", "zz"]


def test_apply_creates_then_reports_unchanged_then_configured(k: Any) -> None:
    assert "deployment.apps/web created" in k("apply", "-f", "-", input=DEPLOYMENT).stdout
    assert "deployment.apps/web unchanged" in k("apply", "-f", "-", input=DEPLOYMENT).stdout
    changed = DEPLOYMENT.replace("nginx:1.25", "nginx:1.26").replace("replicas: 2", "replicas: 3")
    assert "deployment.apps/web configured" in k("apply", "-f", "-", input=changed).stdout
    d = json.loads(k("get", "deploy", "web", "-o", "json").stdout)
    assert d["spec"]["replicas"] == 3
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert d["metadata"]["generation"] == 2
    assert d["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": "25%"}
    table = k("get", "deployments").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]


def test_apply_multi_document_file(k: Any) -> None:
    docs = "\n---\n".join([
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1}\ndata: {a: '1'}",
        "apiVersion: v1\nkind: Service\nmetadata: {name: svc1}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]",
        POD.format(name="p1", app="m"),
    ])
    out = k("apply", "-f", "-", input=docs).stdout
    assert "configmap/cm1 created" in out and "service/svc1 created" in out and "pod/p1 created" in out
    svc = json.loads(k("get", "svc", "svc1", "-o", "json").stdout)
    assert svc["spec"]["clusterIP"].startswith("198.19.")
    assert svc["spec"]["ports"][0]["targetPort"] == 80


def test_server_side_apply_and_conflict(k: Any) -> None:
    out = k("apply", "--server-side", "-f", "-", input=DEPLOYMENT).stdout
    assert "serverside-applied" in out
    d = json.loads(k("get", "deploy", "web", "-o", "json", "--show-managed-fields").stdout)
    assert any(m["manager"] == "kubectl" and m["operation"] == "Apply" for m in d["metadata"]["managedFields"])
    k("scale", "deploy", "web", "--replicas=5")
    r = k("apply", "--server-side", "-f", "-", input=DEPLOYMENT, check=False)
    assert r.returncode != 0 and "conflict" in r.stderr.lower() and ".spec.replicas" in r.stderr
    out = k("apply", "--server-side", "--force-conflicts", "-f", "-", input=DEPLOYMENT).stdout
    assert "serverside-applied" in out
    assert json.loads(k("get", "deploy", "web", "-o", "json").stdout)["spec"]["replicas"] == 2


def test_label_annotate_patch_scale_set_image(k: Any) -> None:
    k("apply", "-f", "-", input=DEPLOYMENT)
    k("label", "deploy", "web", "tier=fe")
    k("annotate", "deploy", "web", "note=hello")
    k("patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"minReadySeconds":5}}')
    k("patch", "deploy", "web", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]')
    k("patch", "deploy", "web", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}')
    d = json.loads(k("get", "deploy", "web", "-o", "json").stdout)
    assert d["metadata"]["labels"]["tier"] == "fe"
    assert d["metadata"]["annotations"]["note"] == "hello"
    assert d["spec"]["minReadySeconds"] == 5 and d["spec"]["replicas"] == 4
    assert d["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert "scaled" in k("scale", "deploy", "web", "--replicas=1").stdout
    k("set", "image", "deploy/web", "c=nginx:3")
    d = json.loads(k("get", "deploy", "web", "-o", "json").stdout)
    assert d["spec"]["replicas"] == 1
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:3"
    noop = k("patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"replicas":1}}').stdout
    assert "(no change)" in noop
    k("label", "deploy", "web", "tier-")
    assert "tier" not in json.loads(k("get", "deploy", "web", "-o", "json").stdout)["metadata"]["labels"]


def test_describe_pod_deployment_namespace_and_get_all(k: Any, namespace: str) -> None:
    k("apply", "-f", "-", input=DEPLOYMENT)
    k("create", "-f", "-", input=POD.format(name="d1", app="d"))
    assert "Name:" in k("describe", "pod", "d1").stdout
    out = k("describe", "deployment", "web").stdout
    assert "Replicas:" in out and "StrategyType:" in out and "RollingUpdate" in out
    assert "Status:" in k("describe", "namespace", namespace).stdout
    all_out = k("get", "all").stdout
    assert "pod/d1" in all_out and "deployment.apps/web" in all_out


def test_get_watch_sees_a_later_change(apiserver: APIServerProcess, namespace: str) -> None:
    apiserver.kubectl("-n", namespace, "create", "-f", "-", input=POD.format(name="w1", app="w"))
    env = {**os.environ, "KUBECONFIG": apiserver.kubeconfig}
    proc = subprocess.Popen(["kubectl", "--cache-dir", apiserver.cache_dir, "-n", namespace, "get", "pods",
                             "-w", "--request-timeout=20s"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        time.sleep(1.5)
        apiserver.kubectl("-n", namespace, "label", "pod", "w1", "seen=yes")
        apiserver.kubectl("-n", namespace, "create", "-f", "-", input=POD.format(name="w2", app="w"))
        time.sleep(1.5)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    rows = [line.split()[0] for line in out.splitlines()[1:]]
    assert rows.count("w1") >= 2 and "w2" in rows


def test_delete_by_name_file_label_and_namespace(apiserver: APIServerProcess, k: Any, namespace: str) -> None:
    k("create", "-f", "-", input=POD.format(name="x1", app="del"))
    k("create", "-f", "-", input=POD.format(name="x2", app="del"))
    k("create", "-f", "-", input=POD.format(name="x3", app="keep"))
    assert 'pod "x1" deleted' in k("delete", "pod", "x1").stdout
    assert 'pod "x2" deleted' in k("delete", "pods", "-l", "app=del").stdout
    assert 'pod "x3" deleted' in k("delete", "-f", "-", input=POD.format(name="x3", app="keep")).stdout
    assert k("get", "pods", "-o", "name").stdout.strip() == ""
    k("create", "configmap", "cm", "--from-literal=a=b", binary=kubectl_versioned("1.31"))
    out = apiserver.kubectl("delete", "namespace", namespace, "--timeout=60s").stdout
    assert f'namespace "{namespace}" deleted' in out
    r = apiserver.kubectl("get", "namespace", namespace, check=False)
    assert r.returncode != 0 and "NotFound" in r.stderr


def test_explain_uses_openapi_schemas(apiserver: APIServerProcess) -> None:
    out = apiserver.kubectl("explain", "pods.spec.containers").stdout
    assert "KIND:" in out and "Pod" in out and "image" in out
    out = apiserver.kubectl("explain", "deployment.spec.strategy").stdout
    assert "rollingUpdate" in out


def test_generator_commands_of_kubectl_1_31_send_json(apiserver: APIServerProcess, namespace: str) -> None:
    exe = kubectl_versioned("1.31")
    assert exe, "kubectl.1.31 is expected beside kubectl"

    def k31(*args: str) -> str:
        return apiserver.kubectl("-n", namespace, *args, binary=exe).stdout
    assert "namespace/gen-" in apiserver.kubectl("create", "namespace", f"gen-{namespace}"[:60], binary=exe).stdout
    assert "secret/s1 created" in k31("create", "secret", "generic", "s1", "--from-literal=k=v")
    assert "configmap/c1 created" in k31("create", "configmap", "c1", "--from-literal=k=v")
    assert "deployment.apps/d1 created" in k31("create", "deployment", "d1", "--image=nginx", "--replicas=2")
    assert "service/s1 created" in k31("create", "service", "clusterip", "s1", "--tcp=80:8080")
    sec = json.loads(k31("get", "secret", "s1", "-o", "json"))
    assert sec["data"] == {"k": "dg=="} and sec["type"] == "Opaque"


def test_errors_print_like_a_real_cluster(k: Any) -> None:
    r = k("get", "pod", "nosuch", check=False)
    assert r.returncode == 1
    assert 'Error from server (NotFound): pods "nosuch" not found' in r.stderr
    k("create", "-f", "-", input=POD.format(name="dup", app="e"))
    r = k("create", "-f", "-", input=POD.format(name="dup", app="e"), check=False)
    assert 'Error from server (AlreadyExists): error when creating "STDIN": pods "dup" already exists' in r.stderr
    bad = POD.format(name="Bad_Name", app="e")
    r = k("create", "-f", "-", input=bad, check=False)
    assert r.returncode == 1
    assert 'The Pod "Bad_Name" is invalid' in r.stderr and "metadata.name: Invalid value" in r.stderr


def test_strict_field_validation_rejects_unknown_fields(k: Any) -> None:
    bad = POD.format(name="strict", app="s").replace("    image: busybox", "    image: busybox\n    bogus: 1")
    r = k("create", "-f", "-", input=bad, check=False)
    assert r.returncode == 1 and 'unknown field "spec.containers[0].bogus"' in r.stderr
    r = k("create", "--validate=warn", "-f", "-", input=bad, check=False)
    assert r.returncode == 0 and "Warning" in r.stderr


def test_nodes_print_and_describe(apiserver: APIServerProcess) -> None:
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "node-e2e", "labels": {"node-role.kubernetes.io/worker": ""}},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "lastHeartbeatTime": "2026-11-28T00:00:00Z",
                                       "lastTransitionTime": "2026-11-28T00:00:00Z"}],
                       "nodeInfo": {"kubeletVersion": "v1.32.0"},
                       "capacity": {"cpu": "2", "memory": "4Gi", "pods": "110"}}}
    r = apiserver.request("POST", "/api/v1/nodes", node)
    assert r.status == 201, r.body
    apiserver.request("PUT", "/api/v1/nodes/node-e2e/status", {**r.json(), "status": node["status"]})
    table = apiserver.kubectl("get", "nodes").stdout.splitlines()
    assert table[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert table[1].split()[:3] == ["node-e2e", "Ready", "worker"]
    out = apiserver.kubectl("describe", "node", "node-e2e").stdout
    assert "Name:" in out and "node-e2e" in out and "Capacity:" in out
    apiserver.kubectl("cordon", "node-e2e")
    assert "SchedulingDisabled" in apiserver.kubectl("get", "node", "node-e2e").stdout
    apiserver.kubectl("delete", "node", "node-e2e")


@pytest.mark.parametrize("version", ["1.27", "1.29", "1.33"])
def test_other_kubectl_versions_discover_and_get(apiserver: APIServerProcess, version: str) -> None:
    exe = kubectl_versioned(version)
    assert exe, f"kubectl.{version} is expected beside kubectl"
    out = apiserver.kubectl("get", "ns", "kube-system", binary=exe).stdout
    assert "kube-system" in out and "Active" in out
    res = apiserver.kubectl("api-resources", binary=exe).stdout
    assert "deployments" in res and "deploy" in res


def test_apply_prune_with_label_removes_objects_left_out(k: Any) -> None:
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {n}, labels: {{set: a}}}}\n"
    k("apply", "-f", "-", "--prune", "-l", "set=a", input=cm.format(n="a1") + "---\n" + cm.format(n="a2"))
    out = k("apply", "-f", "-", "--prune", "-l", "set=a", input=cm.format(n="a1")).stdout
    assert "configmap/a2 pruned" in out
    assert k("get", "cm", "-l", "set=a", "-o", "name").stdout.split() == ["configmap/a1"]


def test_jobs_cronjobs_statefulsets_are_stored_and_listed_in_get_all(k: Any) -> None:
    job = ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j1}\nspec:\n  template:\n    spec:\n"
           "      restartPolicy: Never\n      containers: [{name: c, image: busybox}]\n")
    k("apply", "-f", "-", input=job)
    out = k("get", "all").stdout
    assert "job.batch/j1" in out
    assert k("get", "jobs").stdout.splitlines()[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
