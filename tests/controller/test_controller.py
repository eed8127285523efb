"""drsync-controller against the real test clusters (docs/controller.md): DR-Syncer's
NamespaceMappings in each replication mode, sync-now, paused, status, metrics, leader election,
Failover objects, and clear statuses for bad input."""

import base64
import signal
import time

from conftest import wait_for

GUESTBOOK_DEPLOYMENTS = {"frontend", "redis-leader", "redis-follower"}


def mapping(name, src, dst, mode, **spec):
    body = {"replicationMode": mode, "clusterMappingRef": {"name": "pair"},
            "sourceNamespace": src, "destinationNamespace": dst}
    body.update(spec)
    return {"apiVersion": "dr-syncer.io/v1alpha1", "kind": "NamespaceMapping",
            "metadata": {"name": name}, "spec": body}


def status(kube, ns, kind, name):
    obj = kube.get("dest", ns, f"{kind}/{name}") or {}
    return obj.get("status", {})


def dest_deployments(kube, ns):
    lst = kube.get("dest", ns, "deployments") or {"items": []}
    return {d["metadata"]["name"]: d for d in lst["items"]}


def configmap(kube, cluster, ns, name, value):
    kube.apply(cluster, ns, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                             "data": {"v": value}})


def cm_value(kube, ns, name):
    cm = kube.get("dest", ns, f"configmap/{name}")
    return cm and cm.get("data", {}).get("v")


def test_continuous_mapping_fills_the_destination_and_reports(kube, home, app, controllers):
    src, dst = app()
    c = controllers(home)
    kube.apply("dest", home, mapping("web", src, dst, "Continuous", resourceTypes=["*"]))
    deps = wait_for("the guestbook's Deployments in the destination",
                    lambda: (d := dest_deployments(kube, dst)) and set(d) == GUESTBOOK_DEPLOYMENTS and d, 60)
    for d in deps.values():  # created stopped, the original scale recorded
        assert d["spec"]["replicas"] == 0
    st = wait_for("status Running with a last sync time",
                  lambda: (s := status(kube, home, "namespacemapping", "web")).get("lastSyncTime") and s)
    assert st["phase"] == "Running"
    assert st["conditions"][0]["type"] == "Synced" and st["conditions"][0]["status"] == "True"
    assert st["syncStats"]["totalResources"] >= 6 and st["syncStats"]["failedSyncs"] == 0

    configmap(kube, "source", src, "live", "one")  # a change after the full sync: by watch
    wait_for("the new ConfigMap in the destination", lambda: cm_value(kube, dst, "live") == "one", 20)
    kube("source", "-n", src, "delete", "deployment", "redis-follower")
    assert "redis-follower" in dest_deployments(kube, dst)  # no prune unless asked

    assert c.metric("drsync_controller_leader") == 1
    assert c.metric("drsync_mapping_syncs_total", mapping=f"{home}/web", result="success") >= 1
    assert c.metric("drsync_mapping_changes_total", mapping=f"{home}/web", action="create") >= 1
    assert c.http(c.health_port, "/healthz") == (200, "ok\n")
    assert c.http(c.metrics_port, "/nothing")[0] == 404
    assert c.stop() == 0  # SIGTERM: a clean stop
    assert "stopped" in c.text()


def test_manual_mapping_syncs_on_sync_now_and_paused_stops_it(kube, home, app, controllers):
    src, dst = app()
    controllers(home)
    kube.apply("dest", home, mapping("manual", src, dst, "Manual"))
    wait_for("phase Pending", lambda: status(kube, home, "namespacemapping", "manual").get("phase") == "Pending")
    time.sleep(2)
    assert not dest_deployments(kube, dst), "Manual mode synced without sync-now"

    kube("dest", "-n", home, "annotate", "namespacemapping/manual", "dr-syncer.io/sync-now=true")
    wait_for("a Stage on sync-now", lambda: set(dest_deployments(kube, dst)) == GUESTBOOK_DEPLOYMENTS, 60)
    st = wait_for("phase Completed", lambda: (s := status(kube, home, "namespacemapping", "manual"))
                  .get("phase") == "Completed" and s)
    assert st["lastSyncTime"]
    anns = kube.get("dest", home, "namespacemapping/manual")["metadata"].get("annotations", {})
    assert "dr-syncer.io/sync-now" not in anns  # consumed

    kube("dest", "-n", home, "patch", "namespacemapping/manual", "--type=merge", "-p", '{"spec":{"paused":true}}')
    wait_for("phase Paused", lambda: status(kube, home, "namespacemapping", "manual").get("phase") == "Paused")
    configmap(kube, "source", src, "while-paused", "x")
    kube("dest", "-n", home, "annotate", "namespacemapping/manual", "dr-syncer.io/sync-now=true")
    time.sleep(6)
    assert cm_value(kube, dst, "while-paused") is None, "a paused mapping was synced"

    kube("dest", "-n", home, "patch", "namespacemapping/manual", "--type=merge", "-p", '{"spec":{"paused":false}}')
    wait_for("the pending sync-now after unpausing", lambda: cm_value(kube, dst, "while-paused") == "x", 60)


def test_scheduled_mapping_syncs_at_once_then_every_minute(kube, home, app, controllers):
    src, dst = app()
    controllers(home)
    kube.apply("dest", home, mapping("cron", src, dst, "Scheduled", schedule="* * * * *"))
    st = wait_for("the first Stage of a new mapping",
                  lambda: (s := status(kube, home, "namespacemapping", "cron")).get("phase") == "Completed"
                  and s.get("nextSyncTime") and s, 60)
    first = st["lastSyncTime"]
    assert set(dest_deployments(kube, dst)) == GUESTBOOK_DEPLOYMENTS
    configmap(kube, "source", src, "ticked", "yes")
    wait_for("the Stage of the next minute", lambda: cm_value(kube, dst, "ticked") == "yes", 75, 1)
    assert status(kube, home, "namespacemapping", "cron")["lastSyncTime"] > first


def test_failover_cuts_over_then_fails_back_and_the_sync_stands_aside(kube, home, app, controllers):
    src, dst = app()
    kube("source", "-n", src, "scale", "deployment/frontend", "--replicas=2")
    controllers(home)
    kube.apply("dest", home, mapping("web", src, dst, "Continuous"))
    wait_for("the first full sync", lambda: status(kube, home, "namespacemapping", "web").get("lastSyncTime"), 60)

    kube.apply("dest", home, {"apiVersion": "drsync.io/v1alpha1", "kind": "Failover", "metadata": {"name": "go"},
                              "spec": {"namespaceMapping": "web", "mode": "Cutover", "waitTimeout": "2m"}})
    st = wait_for("the Cutover to end", lambda: (s := status(kube, home, "failover", "go"))
                  .get("phase") in ("Succeeded", "Failed") and s, 180, 1)
    assert st["phase"] == "Succeeded", st.get("message")
    assert st["report"]["ok"] is True and st["completionTime"]
    assert dest_deployments(kube, dst)["frontend"]["spec"]["replicas"] == 2
    assert kube.get("source", src, "deployment/frontend")["spec"]["replicas"] == 0
    wait_for("the continuous sync to stand aside",
             lambda: status(kube, home, "namespacemapping", "web").get("phase") == "Suspended", 30)
    before = kube.get("dest", dst, "deployment/frontend")["metadata"]["resourceVersion"]
    kube("source", "-n", src, "annotate", "deployment/frontend", "edited=after-cutover")
    time.sleep(4)
    assert kube.get("dest", dst, "deployment/frontend")["metadata"]["resourceVersion"] == before

    kube.apply("dest", home, {"apiVersion": "drsync.io/v1alpha1", "kind": "Failover", "metadata": {"name": "back"},
                              "spec": {"namespaceMapping": "web", "mode": "Failback"}})
    st = wait_for("the Failback to end", lambda: (s := status(kube, home, "failover", "back"))
                  .get("phase") in ("Succeeded", "Failed") and s, 180, 1)
    assert st["phase"] == "Succeeded", st.get("message")
    assert kube.get("source", src, "deployment/frontend")["spec"]["replicas"] == 2
    wait_for("the continuous sync to resume",
             lambda: status(kube, home, "namespacemapping", "web").get("phase") == "Running", 60)


def test_only_the_leader_acts_and_a_successor_takes_over_within_the_lease(kube, home, app, controllers):
    src, dst = app()
    flags = ("--leader-elect", "--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "500ms")
    a = controllers(home, *flags, "--leader-election-identity", "replica-a")
    wait_for("replica-a to lead", lambda: a.metric("drsync_controller_leader") == 1, 20)
    b = controllers(home, *flags, "--leader-election-identity", "replica-b")
    kube.apply("dest", home, mapping("web", src, dst, "Continuous"))
    wait_for("the first full sync", lambda: status(kube, home, "namespacemapping", "web").get("lastSyncTime"), 60)
    lease = kube.get("dest", home, "lease/drsync-controller")
    assert lease["spec"]["holderIdentity"] == "replica-a"
    assert b.metric("drsync_controller_leader") == 0
    assert b.metric("drsync_mapping_syncs_total", mapping=f"{home}/web", result="success") == 0
    assert "waiting for the Lease" in b.text()

    a.stop(signal.SIGKILL)  # no release: the successor waits out the lease
    killed = time.time()
    wait_for("replica-b to lead", lambda: b.metric("drsync_controller_leader") == 1, 15, 0.1)
    took = time.time() - killed
    assert took <= 4 + 1.5, f"handover took {took:.1f}s (lease 4s)"
    assert kube.get("dest", home, "lease/drsync-controller")["spec"]["holderIdentity"] == "replica-b"
    configmap(kube, "source", src, "after-handover", "b")
    wait_for("the successor to sync", lambda: cm_value(kube, dst, "after-handover") == "b", 60)

    assert b.stop() == 0  # a clean stop releases the Lease
    assert not kube.get("dest", home, "lease/drsync-controller")["spec"].get("holderIdentity")


def test_bad_mappings_get_a_status_naming_the_problem_and_secrets_stay_out_of_the_log(kube, home, app, controllers):
    src, dst = app()
    c = controllers(home)
    kube.apply("dest", home, mapping("bad-cron", src, dst, "Scheduled", schedule="61 * * * *"))
    kube.apply("dest", home, {"apiVersion": "dr-syncer.io/v1alpha1", "kind": "NamespaceMapping",
                              "metadata": {"name": "no-cluster"},
                              "spec": {"replicationMode": "Manual", "sourceCluster": "src", "destinationCluster": "gone",
                                       "sourceNamespace": src, "destinationNamespace": dst}})
    kube.apply("dest", home, mapping("extra", src, dst, "Manual", pvcConfig={"syncPersistentVolumes": True}, tempPodKeySecretRef={"name": "k"}))
    st = wait_for("bad-cron Failed", lambda: (s := status(kube, home, "namespacemapping", "bad-cron"))
                  .get("phase") == "Failed" and s)
    assert "spec.schedule" in st["message"]
    st = wait_for("no-cluster Failed", lambda: (s := status(kube, home, "namespacemapping", "no-cluster"))
                  .get("phase") == "Failed" and s)
    assert f"RemoteCluster {home}/gone" in st["message"] and "does not exist" in st["message"]
    st = wait_for("extra Pending", lambda: (s := status(kube, home, "namespacemapping", "extra")).get("phase") and s)
    assert set(st["ignoredFields"]) == {"spec.pvcConfig.syncPersistentVolumes", "spec.tempPodKeySecretRef"}
    assert not dest_deployments(kube, dst)

    secret = kube.get("dest", home, "secret/src-kubeconfig")["data"]["kubeconfig"]
    kubeconfig = base64.b64decode(secret).decode()
    key_line = next(l for l in kubeconfig.splitlines() if "client-key-data" in l)
    log = c.text()
    assert key_line.split(":", 1)[1].strip()[:40] not in log
    assert secret[:40] not in log
