"""Fixtures of the drsync Python tests: the two real test clusters of tests/cluster/up, whose
directory is $DRSYNC_TEST_CLUSTERS (source.kubeconfig, dest.kubeconfig, env with KUBECTL=).
libdrsync comes from $DRSYNC_LIBRARY (ctest sets both)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from typing import Callable, Dict, Iterator, List

import pytest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import drsync  # noqa: E402

# The fixture apps (real manifests) of the repository's tests: tests/fixtures/apps/<app>.
FIXTURES_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests",
                                            "fixtures"))


def _clusters_dir() -> str:
    d = os.environ.get("DRSYNC_TEST_CLUSTERS")
    if not d or not os.path.exists(os.path.join(d, "source.kubeconfig")):
        pytest.skip("DRSYNC_TEST_CLUSTERS is not set to a running test cluster pair "
                    "(tests/cluster/up --dir DIR)")
    return d


@pytest.fixture(scope="session")
def clusters_dir() -> str:
    return _clusters_dir()


@pytest.fixture(scope="session")
def cluster_env(clusters_dir: str) -> Dict[str, str]:
    env: Dict[str, str] = {}
    with open(os.path.join(clusters_dir, "env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


class RealNodes:
    """The real nodes of the test clusters (tests/cluster/up, docs/test-clusters.md "Real
    nodes"), from $DRSYNC_TEST_CLUSTERS/real-nodes.json: containerd + kubelet + kube-proxy where
    containers really run. Only Pods with placement() land there."""

    def __init__(self, info: dict) -> None:
        self.info = info
        self.available: bool = bool(info.get("available"))
        self.reason: str = info.get("reason") or ""
        self.tools_image: str = info.get("tools_image", "drsync.local/tools:1")

    def node(self, cluster: str) -> dict:
        """{"name", "ip", "pod_cidr", "service_cidr", ...} of the real node of "source"/"dest"."""
        return self.info["nodes"][cluster]

    def placement(self) -> dict:
        """Pod spec members that put a Pod on the real node: nodeSelector and tolerations."""
        label, taint = self.info["label"], self.info["taint"]
        return {"nodeSelector": {label["key"]: label["value"]},
                "tolerations": [{"key": taint["key"], "operator": "Equal", "value": taint["value"],
                                 "effect": taint["effect"]}]}


@pytest.fixture(scope="session")
def real_nodes(clusters_dir: str) -> RealNodes:
    """The real nodes, available or not (see require_real_nodes)."""
    try:
        with open(os.path.join(clusters_dir, "real-nodes.json")) as f:
            info = json.load(f)
    except (OSError, ValueError) as e:
        info = {"available": False, "reason": f"real-nodes.json unreadable: {e}"}
    return RealNodes(info)


@pytest.fixture
def require_real_nodes(real_nodes: RealNodes) -> RealNodes:
    """The real nodes; skips the test, with the reason, when the clusters have none."""
    if not real_nodes.available:
        pytest.skip(f"real nodes unavailable: {real_nodes.reason}")
    return real_nodes


class Kubectl:
    """kubectl against one test cluster ("source" or "dest")."""

    def __init__(self, binary: str, kubeconfig: str) -> None:
        self.binary = binary
        self.kubeconfig = kubeconfig

    def __call__(self, *args: str, stdin: str = None, check: bool = True) -> str:
        p = subprocess.run([self.binary, "--kubeconfig", self.kubeconfig, *args], input=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)}: {p.stderr.strip()}")
        return p.stdout

    def json(self, *args: str) -> dict:
        return json.loads(self(*args, "-o", "json"))

    def replicas(self, ns: str, deployment: str) -> int:
        return int(self.json("-n", ns, "get", "deployment", deployment)["spec"]["replicas"])

    def exists(self, *args: str) -> bool:
        return bool(self("get", *args, "--ignore-not-found", "-o", "name").strip())


@pytest.fixture(scope="session")
def kubectl_source(clusters_dir: str, cluster_env: Dict[str, str]) -> Kubectl:
    return Kubectl(cluster_env["KUBECTL"], os.path.join(clusters_dir, "source.kubeconfig"))


@pytest.fixture(scope="session")
def kubectl_dest(clusters_dir: str, cluster_env: Dict[str, str]) -> Kubectl:
    return Kubectl(cluster_env["KUBECTL"], os.path.join(clusters_dir, "dest.kubeconfig"))


@pytest.fixture(scope="session")
def source(clusters_dir: str) -> Iterator[drsync.Cluster]:
    with drsync.Cluster.from_kubeconfig(os.path.join(clusters_dir, "source.kubeconfig")) as c:
        yield c


@pytest.fixture(scope="session")
def dest(clusters_dir: str) -> Iterator[drsync.Cluster]:
    with drsync.Cluster.from_kubeconfig(os.path.join(clusters_dir, "dest.kubeconfig")) as c:
        yield c


@pytest.fixture
def namespaces(kubectl_source: Kubectl, kubectl_dest: Kubectl
               ) -> Iterator[Callable[[str], str]]:
    """new(prefix) -> a fresh namespace on the source; it and "<name>-dr" on the destination
    are deleted afterwards."""
    created: List[str] = []

    def new(prefix: str) -> str:
        name = f"py-{prefix}-{uuid.uuid4().hex[:6]}"
        kubectl_source("create", "namespace", name)
        created.append(name)
        return name

    yield new
    for ns in created:
        kubectl_source("delete", "namespace", ns, "--wait=false", "--ignore-not-found",
                       check=False)
        kubectl_dest("delete", "namespace", ns + "-dr", "--wait=false", "--ignore-not-found",
                     check=False)


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: app, image: registry.k8s.io/pause:3.10}}]
"""


def deploy(kubectl: Kubectl, ns: str, name: str, replicas: int) -> None:
    """Creates a Deployment and waits until all its replicas are ready (kwok)."""
    kubectl("-n", ns, "apply", "-f", "-", stdin=DEPLOYMENT.format(name=name, replicas=replicas))
    deadline = time.time() + 120
    while time.time() < deadline:
        status = kubectl.json("-n", ns, "get", "deployment", name).get("status", {})
        if status.get("readyReplicas", 0) == replicas:
            return
        time.sleep(0.2)
    raise AssertionError(f"deployment {ns}/{name} not ready")
