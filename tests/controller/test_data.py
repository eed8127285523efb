"""drsync-controller copies PVC data with DR-Syncer's pvcConfig.syncData (docs/controller.md): the
built-in mover on the real nodes, configured by dataSyncConfig and drsync's own options document
(spec.drsyncOptions). A file written into the source volume is in the destination volume after
a sync-now."""

import json
import os
import time

from conftest import placement, real_nodes, wait_for


def volume_path(kube, cluster, ns, pvc):
    """The host folder of a PVC (the test clusters' hostPath provisioner)."""
    def bound():
        claim = kube.get(cluster, ns, f"pvc/{pvc}") or {}
        pv = claim.get("spec", {}).get("volumeName")
        return pv if pv and claim.get("status", {}).get("phase") == "Bound" else None
    pv = wait_for(f"PVC {ns}/{pvc} bound", bound, 60)
    return json.loads(kube(cluster, "get", f"pv/{pv}", "-o", "json").stdout)["spec"]["hostPath"]["path"]


def test_sync_now_copies_the_pvc_data_with_the_built_in_mover(kube, home, app, controllers):
    info = real_nodes(kube)
    src, dst = app()
    app_doc = [
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "files"},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "files"}},
                  "template": {"metadata": {"labels": {"app": "files"}}, "spec": {
                      **placement(info), "terminationGracePeriodSeconds": 1,
                      "containers": [{"name": "app", "image": info["tools_image"], "imagePullPolicy": "Never",
                                      "command": ["sleep", "100000"],
                                      "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                      "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}}}},
    ]
    kube("source", "-n", src, "apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": app_doc}))
    wait_for("the app on the real node", lambda: (kube.get("source", src, "deployment/files") or {})
             .get("status", {}).get("readyReplicas") == 1, 120, 0.5)
    root = volume_path(kube, "source", src, "data")
    os.makedirs(os.path.join(root, "nested", "deeper"), exist_ok=True)
    with open(os.path.join(root, "nested", "deeper", "hello.txt"), "w") as f:
        f.write("written in the source volume\n")
    with open(os.path.join(root, "skip.tmp"), "w") as f:
        f.write("excluded\n")

    controllers(home)
    mover = {"image": info["tools_image"], **placement(info)}
    kube.apply("dest", home, {"apiVersion": "dr-syncer.io/v1alpha1", "kind": "NamespaceMapping",
                              "metadata": {"name": "files", "annotations": {"dr-syncer.io/sync-now": "true"}},
                              "spec": {"replicationMode": "Manual", "clusterMappingRef": {"name": "pair"},
                                       "sourceNamespace": src, "destinationNamespace": dst,
                                       "pvcConfig": {"syncData": True, "dataSyncConfig": {
                                           "excludePaths": ["*.tmp"], "timeout": "4m", "verificationMode": "full"}},
                                       "drsyncOptions": {"dataMover": mover}}})
    st = wait_for("the Stage with data to end",
                  lambda: (s := (kube.get("dest", home, "namespacemapping/files") or {}).get("status", {}))
                  .get("phase") in ("Completed", "Failed") and s, 240, 1)
    assert st["phase"] == "Completed", st.get("message")
    assert st["dataSync"]["volumes"] == 1 and st["dataSync"]["bytesSent"] > 0
    copy = volume_path(kube, "dest", dst, "data")
    with open(os.path.join(copy, "nested", "deeper", "hello.txt")) as f:
        assert f.read() == "written in the source volume\n"
    assert not os.path.exists(os.path.join(copy, "skip.tmp"))  # dataSyncConfig.excludePaths
    leftovers = [i["metadata"]["name"] for kind in ("pods", "jobs", "services", "secrets")
                 for c, ns in (("source", src), ("dest", dst))
                 for i in (kube.get(c, ns, kind) or {"items": []})["items"]
                 if "drsync.io/mover" in i["metadata"].get("labels", {})]
    assert not leftovers


def test_a_bad_drsync_options_document_is_a_failed_status(kube, home, app, controllers):
    src, dst = app()
    controllers(home)
    kube.apply("dest", home, {"apiVersion": "dr-syncer.io/v1alpha1", "kind": "NamespaceMapping",
                              "metadata": {"name": "typo"},
                              "spec": {"replicationMode": "Manual", "clusterMappingRef": {"name": "pair"},
                                       "sourceNamespace": src, "drsyncOptions": {"dataMover": {"imagee": "x"}}}})
    st = wait_for("phase Failed", lambda: (s := (kube.get("dest", home, "namespacemapping/typo") or {})
                                          .get("status", {})).get("phase") == "Failed" and s)
    assert "spec.drsyncOptions" in st["message"] and "imagee" in st["message"]
    time.sleep(1)
    assert not (kube.get("dest", dst, "deployments") or {"items": []})["items"]
