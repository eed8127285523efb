"""drsync-controller as a Pod on the destination cluster's real node (docs/controller.md): the
image scripts/build-controller-image makes from the built binary, the shipped manifests of
deploy/ (RBAC, the two-replica Deployment with leader election), in-cluster configuration."""

import json
import os
import subprocess

import pytest

from conftest import REPO, placement, real_nodes, setup_home, wait_for

NS = "dr-syncer"  # the shipped manifests' namespace


def load_image(info, binary, tmp_path):
    archive = str(tmp_path / "controller.tar")
    subprocess.run([os.path.join(REPO, "scripts", "build-controller-image"), binary, archive], check=True,
                   capture_output=True, timeout=300)
    sock = os.path.join(info["nodes"]["dest"]["dir"], "containerd.sock")
    subprocess.run(["ctr", "-a", sock, "-n", "k8s.io", "images", "import", archive], check=True,
                   capture_output=True, timeout=300)


def shipped_deployment(kube, info):
    """deploy/controller.yaml as JSON, placed on the real node (its label and taint)."""
    p = kube("dest", "create", "--dry-run=client", "-o", "json", "-f", os.path.join(REPO, "deploy", "controller.yaml"))
    items, text, pos = [], p.stdout, 0
    while text[pos:].strip():  # one JSON document per object
        doc, pos = json.JSONDecoder().raw_decode(text, pos + len(text[pos:]) - len(text[pos:].lstrip()))
        items.append(doc)
    for item in items:
        if item["kind"] == "Deployment":
            item["spec"]["template"]["spec"].update(placement(info))
    return {"apiVersion": "v1", "kind": "List", "items": items}


@pytest.fixture
def shipped(kube):
    """Removes what the test applies from deploy/ afterwards, waiting until the namespace is gone
    (the next run applies the same names)."""
    kube("dest", "wait", "--for=delete", f"namespace/{NS}", "--timeout=120s", check=False)
    yield
    kube("dest", "delete", "-f", os.path.join(REPO, "deploy", "controller.yaml"), "--ignore-not-found", "--wait=false",
         check=False)
    kube("dest", "delete", "-f", os.path.join(REPO, "deploy", "rbac.yaml"), "--ignore-not-found", "--wait=false",
         check=False)


def test_runs_as_a_pod_with_in_cluster_config_and_the_shipped_rbac(kube, binary, app, tmp_path, shipped):
    info = real_nodes(kube)
    load_image(info, binary, tmp_path)
    kube("dest", "apply", "-f", os.path.join(REPO, "deploy", "rbac.yaml"))
    setup_home(kube, NS)
    src, dst = app()
    kube.apply("dest", NS, {"apiVersion": "dr-syncer.io/v1alpha1", "kind": "NamespaceMapping",
                            "metadata": {"name": "guestbook"},
                            "spec": {"replicationMode": "Continuous", "clusterMappingRef": {"name": "pair"},
                                     "sourceNamespace": src, "destinationNamespace": dst}})
    kube("dest", "apply", "-f", "-", stdin=json.dumps(shipped_deployment(kube, info)))

    def pods_ready():
        lst = kube.get("dest", NS, "pods") or {"items": []}
        ready = [p["metadata"]["name"] for p in lst["items"]
                 if any(c["type"] == "Ready" and c["status"] == "True" for c in p.get("status", {}).get("conditions", []))]
        return len(ready) == 2 and ready
    names = wait_for("both controller Pods Ready (readiness probe /readyz)", pods_ready, 120, 1)
    lease = wait_for("a Lease held by one of the Pods",
                     lambda: (l := kube.get("dest", NS, "lease/drsync-controller")) and l["spec"].get("holderIdentity") and l)
    assert lease["spec"]["holderIdentity"] in names
    wait_for("the guestbook in the destination",
             lambda: {d["metadata"]["name"] for d in (kube.get("dest", dst, "deployments") or {"items": []})["items"]}
             == {"frontend", "redis-leader", "redis-follower"}, 120, 1)
    st = wait_for("the mapping's status", lambda: (kube.get("dest", NS, "namespacemapping/guestbook") or {})
                  .get("status", {}).get("lastSyncTime"))
    assert st
    leader = lease["spec"]["holderIdentity"]
    logs = kube("dest", "-n", NS, "logs", leader).stdout
    assert "acquired the Lease" in logs and "Continuous sync of src/" in logs

    # A graceful stop of the leader releases the Lease: another replica (the second one, or the
    # Deployment's replacement, whichever tries first) leads well within the lease duration.
    kube("dest", "-n", NS, "delete", "pod", leader, "--wait=false")
    holder = lambda: (kube.get("dest", NS, "lease/drsync-controller") or {}).get("spec", {}).get("holderIdentity")
    successor = wait_for("another replica to take the Lease", lambda: (h := holder()) not in (None, leader) and h, 20)
    wait_for("the new leader to sync",
             lambda: "Continuous sync of src/" in kube("dest", "-n", NS, "logs", successor, check=False).stdout, 30)
