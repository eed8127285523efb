"""The Python example (examples/python/stage_cutover_failback.py, under 60 lines) stages the
guestbook fixture app, cuts it over and fails it back on the real clusters."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import FIXTURES_DIR, Kubectl

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLE = os.path.join(REPO, "examples", "python", "stage_cutover_failback.py")
GUESTBOOK = os.path.join(FIXTURES_DIR, "apps", "guestbook")


def deployment_replicas(kubectl: Kubectl, ns: str) -> dict:
    items = kubectl.json("-n", ns, "get", "deployments")["items"]
    return {d["metadata"]["name"]: d["spec"]["replicas"] for d in items}


def test_example_moves_the_guestbook_app_and_back(clusters_dir, namespaces, kubectl_source,
                                                  kubectl_dest) -> None:
    assert sum(1 for line in open(EXAMPLE)) < 60
    ns = namespaces("example")
    kubectl_source("-n", ns, "apply", "-f", GUESTBOOK)
    deadline = time.time() + 120
    while time.time() < deadline:
        items = kubectl_source.json("-n", ns, "get", "deployments")["items"]
        if items and all(d.get("status", {}).get("readyReplicas", 0) == d["spec"]["replicas"]
                         for d in items):
            break
        time.sleep(0.2)
    original = deployment_replicas(kubectl_source, ns)
    assert original == {"frontend": 3, "redis-follower": 2, "redis-leader": 1}

    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(REPO, "bindings", "python")
    p = subprocess.run([sys.executable, EXAMPLE, os.path.join(clusters_dir, "source.kubeconfig"),
                        os.path.join(clusters_dir, "dest.kubeconfig"), ns, ns + "-dr"],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr
    assert "# drsync Cutover report" in p.stdout
    assert "# drsync Failback report" in p.stdout
    assert deployment_replicas(kubectl_source, ns) == original
    assert deployment_replicas(kubectl_dest, ns + "-dr") == {k: 0 for k in original}
