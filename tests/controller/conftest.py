"""Fixtures of drsync-controller's end-to-end tests (tests/controller, docs/controller.md).

The controller's own cluster (where the custom resources, the kubeconfig Secrets and the Lease
live) is the destination test cluster; its RemoteClusters are both test clusters. ctest sets
$DRSYNC_TEST_CLUSTERS and $DRSYNC_CONTROLLER; by hand:

    tests/cluster/up --dir /tmp/ctl-clusters
    DRSYNC_TEST_CLUSTERS=/tmp/ctl-clusters DRSYNC_CONTROLLER=build/controller/drsync-controller \\
        python3 -m pytest -q -p no:cacheprovider tests/controller
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

sys.dont_write_bytecode = True

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GUESTBOOK = os.path.join(REPO, "tests", "fixtures", "apps", "guestbook")


def env_file(d):
    env = {}
    with open(os.path.join(d, "env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def wait_for(what, check, timeout=60, interval=0.25):
    """Polls check() until it returns something truthy; fails naming `what` and the last value."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def real_nodes(kube):
    """real-nodes.json of the test clusters; skips the test when they have no real node."""
    with open(os.path.join(kube.dir, "real-nodes.json")) as f:
        info = json.load(f)
    if not info.get("available"):
        pytest.skip(f"real nodes unavailable: {info.get('reason')}")
    return info


def placement(info):
    """A Pod spec's nodeSelector and tolerations for the real node."""
    return {"nodeSelector": {info["label"]["key"]: info["label"]["value"]},
            "tolerations": [{"key": info["taint"]["key"], "operator": "Equal", "value": info["taint"]["value"],
                             "effect": info["taint"]["effect"]}]}


class Kube:
    def __init__(self, d):
        self.dir = d
        self.bin = env_file(d).get("KUBECTL", "kubectl")

    def kubeconfig(self, cluster):
        return os.path.join(self.dir, cluster + ".kubeconfig")

    def __call__(self, cluster, *args, stdin=None, check=True):
        p = subprocess.run([self.bin, "--kubeconfig", self.kubeconfig(cluster), *args], input=stdin,
                           capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {p.stderr}")
        return p

    def get(self, cluster, ns, obj):
        p = self(cluster, "-n", ns, "get", obj, "-o", "json", check=False)
        return json.loads(p.stdout) if p.returncode == 0 else None

    def apply(self, cluster, ns, doc):
        self(cluster, "-n", ns, "apply", "-f", "-", stdin=json.dumps(doc))


class Controller:
    """One drsync-controller process; its log in a file, its ports read from the log."""

    def __init__(self, binary, kube, namespace, log_path, *extra):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [binary, "--kubeconfig", kube.kubeconfig("dest"), "--namespace", namespace,
             "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0",
             "--sync-period", "5s", "--log-level", "debug", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.metrics_port = int(wait_for("the metrics port in the log",
                                         lambda: self._logged(r"serving /metrics on port (\d+)"), 20))
        self.health_port = int(wait_for("the health port in the log",
                                        lambda: self._logged(r"serving /healthz and /readyz on port (\d+)"), 20))

    def _logged(self, pattern):
        if self.proc.poll() is not None:
            raise AssertionError(f"drsync-controller exited with {self.proc.returncode}:\n{self.text()}")
        m = re.search(pattern, self.text())
        return m.group(1) if m else None

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def http(self, port, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def metric(self, name, **labels):
        """The value of one series of /metrics (0 when absent)."""
        _, body = self.http(self.metrics_port, "/metrics")
        want = ",".join(f'{k}="{v}"' for k, v in labels.items())
        for line in body.splitlines():
            series, _, value = line.rpartition(" ")
            if series == (f"{name}{{{want}}}" if want else name):
                return float(value)
        return 0.0

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        self.log.close()
        return self.proc.returncode


@pytest.fixture(scope="session")
def kube():
    d = os.environ.get("DRSYNC_TEST_CLUSTERS")
    if not d or not os.path.exists(os.path.join(d, "env")):
        pytest.fail("DRSYNC_TEST_CLUSTERS must name a directory of tests/cluster/up")
    k = Kube(d)
    k("dest", "apply", "-f", os.path.join(REPO, "deploy", "crds.yaml"))
    k("dest", "wait", "--for=condition=Established", "--timeout=60s", "crd/namespacemappings.dr-syncer.io",
      "crd/failovers.drsync.io", "crd/remoteclusters.dr-syncer.io", "crd/clustermappings.dr-syncer.io")
    return k


@pytest.fixture(scope="session")
def binary():
    b = os.environ.get("DRSYNC_CONTROLLER")
    if not b or not os.access(b, os.X_OK):
        pytest.fail("DRSYNC_CONTROLLER must name the built drsync-controller")
    return b


def setup_home(kube, ns):
    """In namespace `ns` of the destination cluster (created when missing): RemoteClusters `src`
    and `dst` (kubeconfigs in Secrets) and a ClusterMapping `pair`."""
    kube("dest", "create", "namespace", ns, check=False)
    for name, cluster in (("src", "source"), ("dst", "dest")):
        kube("dest", "-n", ns, "create", "secret", "generic", f"{name}-kubeconfig",
             f"--from-file=kubeconfig={kube.kubeconfig(cluster)}")
        kube.apply("dest", ns, {"apiVersion": "dr-syncer.io/v1alpha1", "kind": "RemoteCluster",
                                "metadata": {"name": name},
                                "spec": {"kubeconfigSecretRef": {"name": f"{name}-kubeconfig", "namespace": ns}}})
    kube.apply("dest", ns, {"apiVersion": "dr-syncer.io/v1alpha1", "kind": "ClusterMapping",
                            "metadata": {"name": "pair"}, "spec": {"sourceCluster": "src", "targetCluster": "dst"}})


@pytest.fixture
def home(kube):
    """A fresh controller namespace set up by setup_home; deleted afterwards."""
    ns = f"ctl-{uuid.uuid4().hex[:8]}"
    setup_home(kube, ns)
    yield ns
    kube("dest", "delete", "namespace", ns, "--wait=false", check=False)


@pytest.fixture
def app(kube):
    """new(): a source namespace running the guestbook fixture, and the name of its (renamed)
    destination namespace; both deleted afterwards."""
    made = []

    def new():
        src = f"ctl-app-{uuid.uuid4().hex[:8]}"
        kube("source", "create", "namespace", src)
        kube("source", "-n", src, "apply", "-f", GUESTBOOK)
        made.append(src)
        return src, src + "-dr"

    yield new
    for ns in made:
        kube("source", "delete", "namespace", ns, "--wait=false", check=False)
        kube("dest", "delete", "namespace", ns + "-dr", "--wait=false", check=False)


@pytest.fixture
def controllers(binary, kube, tmp_path):
    """start(namespace, *flags) starts a controller; all are stopped afterwards."""
    running = []

    def start(namespace, *extra):
        c = Controller(binary, kube, namespace, str(tmp_path / f"controller-{len(running)}.log"), *extra)
        running.append(c)
        return c

    yield start
    for c in running:
        c.stop(signal.SIGKILL if c.proc.poll() is None else signal.SIGTERM)
