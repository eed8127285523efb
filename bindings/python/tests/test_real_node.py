"""The real nodes of the test clusters, through the fixtures later tests use (conftest.py):
a Pod placed with RealNodes.placement() runs a real container on the real node, here on the
destination cluster; the real node is labelled and tainted."""

from __future__ import annotations

import json
import time
import uuid


def test_real_node_runs_a_real_container(require_real_nodes, kubectl_dest):
    nodes = require_real_nodes
    node = nodes.node("dest")
    info = kubectl_dest.json("get", "node", node["name"])
    assert any(t["key"] == "drsync.io/real-node" and t["effect"] == "NoSchedule"
               for t in info["spec"].get("taints", []))
    assert info["metadata"]["labels"].get("drsync.io/real-node") == "true"

    ns = f"py-realnode-{uuid.uuid4().hex[:6]}"
    kubectl_dest("create", "namespace", ns)
    try:
        pod = {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "real", "namespace": ns},
            "spec": {
                "restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
                "containers": [{
                    "name": "c", "image": nodes.tools_image, "imagePullPolicy": "Never",
                    "command": ["sh", "-c", "rsync --version | head -n1 > /dev/termination-log"],
                }],
                **nodes.placement(),
            },
        }
        kubectl_dest("apply", "-f", "-", stdin=json.dumps(pod))
        deadline = time.time() + 90
        status = {}
        while time.time() < deadline:
            status = kubectl_dest.json("-n", ns, "get", "pod", "real").get("status", {})
            if status.get("phase") in ("Succeeded", "Failed"):
                break
            time.sleep(0.3)
        assert status.get("phase") == "Succeeded", status
        msg = status["containerStatuses"][0]["state"]["terminated"].get("message", "")
        assert msg.startswith("rsync  version 3."), msg
        assert kubectl_dest.json("-n", ns, "get", "pod", "real")["spec"]["nodeName"] == node["name"]
    finally:
        kubectl_dest("delete", "namespace", ns, "--wait=false", "--ignore-not-found", check=False)
