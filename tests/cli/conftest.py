"""Shared fixtures of the drsync CLI end-to-end tests (tests/cli).

Needs the two test clusters of tests/cluster/up (their directory in $DRSYNC_TEST_CLUSTERS) and the
built CLI ($DRSYNC_CLI). ctest sets both; by hand:

    tests/cluster/up --dir /tmp/cli-clusters
    DRSYNC_TEST_CLUSTERS=/tmp/cli-clusters DRSYNC_CLI=build/cli/drsync \\
        python3 -m pytest -q -p no:cacheprovider tests/cli
    tests/cluster/down --dir /tmp/cli-clusters
"""

import json
import os
import subprocess
import sys
import uuid

import pytest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree


def _env_file(d):
    env = {}
    with open(os.path.join(d, "env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


class Clusters:
    """The two clusters, kubectl against them, and the drsync binary."""

    def __init__(self, d, cli):
        self.dir = d
        self.cli = cli
        self.kubectl_bin = _env_file(d).get("KUBECTL", "kubectl")

    def kubeconfig(self, name):
        return os.path.join(self.dir, name + ".kubeconfig")

    def kubectl(self, cluster, *args, stdin=None, check=True):
        p = subprocess.run([self.kubectl_bin, "--kubeconfig", self.kubeconfig(cluster), *args],
                           input=stdin, capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {p.stderr}")
        return p

    def jsonpath(self, cluster, ns, obj, path):
        return self.kubectl(cluster, "-n", ns, "get", obj, "-o", "jsonpath={" + path + "}").stdout

    def replicas(self, cluster, ns, deploy):
        return int(self.jsonpath(cluster, ns, "deployment/" + deploy, ".spec.replicas") or 0)

    def ready(self, cluster, ns, deploy):
        return int(self.jsonpath(cluster, ns, "deployment/" + deploy, ".status.readyReplicas") or 0)

    def namespace_exists(self, cluster, ns):
        return self.kubectl(cluster, "get", "namespace", ns, check=False).returncode == 0

    def drsync(self, *args, timeout=300):
        """Runs drsync; returns the CompletedProcess (returncode, stdout, stderr)."""
        return self.run_drsync(*args, timeout=timeout)

    def run_drsync(self, *args, timeout=300, env=None):
        """drsync with another environment (e.g. another $HOME)."""
        return subprocess.run([self.cli, *args], capture_output=True, text=True, timeout=timeout,
                              env=env)

    def drsync_json(self, *args, timeout=300):
        p = self.drsync(*args, "--output", "json", timeout=timeout)
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            raise AssertionError(f"drsync printed no JSON (exit {p.returncode}): {p.stdout}\n{p.stderr}")
        return p, doc


@pytest.fixture(scope="session")
def clusters():
    d = os.environ.get("DRSYNC_TEST_CLUSTERS")
    cli = os.environ.get("DRSYNC_CLI")
    if not d or not os.path.exists(os.path.join(d, "env")):
        pytest.fail("DRSYNC_TEST_CLUSTERS must name a directory of tests/cluster/up")
    if not cli or not os.access(cli, os.X_OK):
        pytest.fail("DRSYNC_CLI must name the built drsync binary")
    return Clusters(d, cli)


@pytest.fixture
def namespaces(clusters):
    """new(prefix) returns a fresh namespace name; all are deleted from both clusters afterwards."""
    made = []

    def new(prefix):
        ns = f"cli-{prefix}-{uuid.uuid4().hex[:8]}"
        made.append(ns)
        return ns

    yield new
    for ns in made:
        for c in ("source", "dest"):
            clusters.kubectl(c, "delete", "namespace", ns, "--wait=false", "--ignore-not-found",
                             check=False)
