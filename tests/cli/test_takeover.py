"""drsync activate / deactivate on DR copies that Stork or DR-Syncer made (docs/cli.md,
docs/annotations.md "Which record wins")."""

import json
import os
import shutil
import uuid


def deployment(name, replicas, annotations=None, labels=None):
    meta = {"name": name, "labels": dict(labels or {})}
    if annotations:
        meta["annotations"] = annotations
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": name, "image": "nginx:1.27"}]}},
        },
    }


def apply(clusters, ns, *objects, cluster="dest"):
    clusters.kubectl(cluster, "create", "namespace", ns, check=False)
    doc = json.dumps({"apiVersion": "v1", "kind": "List", "items": list(objects)})
    clusters.kubectl(cluster, "-n", ns, "apply", "-f", "-", stdin=doc)


def stork_copy(run):
    """Workloads at 0 the way Stork leaves them: one per Stork key."""
    return [
        deployment("web", 0, {"stork.libopenstorage.org/migrationReplicas": "3"}, {"run": run}),
        deployment("api", 0, {"stork.openstorage.org/migrationReplicas": "2"}, {"run": run}),
    ]


def drsyncer_copy(run):
    """Workloads at 0 the way DR-Syncer leaves them: its annotation and its scale-override label."""
    return [
        deployment("front", 0, {"dr-syncer.io/original-replicas": "2"}, {"run": run}),
        deployment("worker", 0, None, {"run": run, "dr-syncer.io/scale-override": "4"}),
    ]


def test_activate_stork_and_drsyncer_copies(clusters, namespaces):
    run = uuid.uuid4().hex[:8]
    stork, drs = namespaces("stork"), namespaces("drsyncer")
    apply(clusters, stork, *stork_copy(run))
    apply(clusters, drs, *drsyncer_copy(run))
    p = clusters.drsync("activate", "--kubeconfig", clusters.kubeconfig("dest"), "-n", stork,
                        "--namespace=" + drs, "--wait-timeout=2m")
    assert p.returncode == 0, p.stderr
    assert clusters.replicas("dest", stork, "web") == 3
    assert clusters.replicas("dest", stork, "api") == 2
    assert clusters.replicas("dest", drs, "front") == 2
    assert clusters.replicas("dest", drs, "worker") == 4
    assert f"Activate {stork}: succeeded" in p.stdout


def test_unrecorded_workload_fails_by_name_unless_told(clusters, namespaces):
    ns = namespaces("unrecorded")
    apply(clusters, ns, deployment("web", 0, {"stork.openstorage.org/migrationReplicas": "2"}),
          deployment("orphan", 0))
    kubeconfig = clusters.kubeconfig("dest")
    p = clusters.drsync("activate", "--kubeconfig", kubeconfig, "-n", ns, "--wait-timeout=2m")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "orphan" in p.stderr
    assert "stork.openstorage.org/migrationReplicas" in p.stderr  # the keys it looked for
    assert clusters.replicas("dest", ns, "web") == 2  # the others still started
    assert clusters.replicas("dest", ns, "orphan") == 0

    p = clusters.drsync("activate", "--kubeconfig", kubeconfig, "-n", ns,
                        "--leave-unrecorded-stopped", "--wait-timeout=2m", "--force")
    assert p.returncode == 0, p.stderr
    assert clusters.replicas("dest", ns, "orphan") == 0

    p = clusters.drsync("activate", "--kubeconfig", kubeconfig, "-n", ns,
                        "--scale-override", "orphan=1", "--wait-timeout=2m", "--force")
    assert p.returncode == 0, p.stderr
    assert clusters.replicas("dest", ns, "orphan") == 1


def test_all_namespaces_activates_exactly_the_stopped_ones(clusters, namespaces):
    run = uuid.uuid4().hex[:8]
    stopped, running = namespaces("stopped"), namespaces("running")
    apply(clusters, stopped, *stork_copy(run))
    apply(clusters, running, deployment("live", 1, None, {"run": run}))
    p, doc = clusters.drsync_json("activate", "--kubeconfig", clusters.kubeconfig("dest"), "-A",
                                  "--selector", "run=" + run, "--wait-timeout=2m")
    assert p.returncode == 0, p.stderr
    acted = sorted(r["sourceNamespace"] for r in doc["results"])
    assert acted == [stopped]
    assert clusters.replicas("dest", stopped, "web") == 3
    assert clusters.replicas("dest", running, "live") == 1

    # Nothing stopped any more: an activation that would start nothing is not a success.
    p = clusters.drsync("activate", "--kubeconfig", clusters.kubeconfig("dest"), "-A",
                        "--selector", "run=" + run)
    assert p.returncode == 1
    assert "no namespace" in p.stderr and "stopped workloads" in p.stderr


def test_deactivate_then_activate_is_exact_and_home_paths_work(clusters, namespaces, tmp_path):
    ns = namespaces("roundtrip")
    apply(clusters, ns, deployment("web", 3), deployment("api", 1), deployment("idle", 0))
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    shutil.copy(clusters.kubeconfig("dest"), home / ".kube" / "dr")
    env = dict(os.environ, HOME=str(home))

    def drsync(*args):
        return clusters.run_drsync(*args, env=env)

    p = drsync("deactivate", "--kubeconfig=~/.kube/dr", "-n", ns)
    assert p.returncode == 0, p.stderr
    assert [clusters.replicas("dest", ns, d) for d in ("web", "api", "idle")] == [0, 0, 0]
    p = drsync("activate", "--kubeconfig=~/.kube/dr", "-n", ns, "--wait-timeout=2m")
    assert p.returncode == 0, p.stderr
    # Exact: each back at its own count, and the one that was at 0 stays at 0.
    assert [clusters.replicas("dest", ns, d) for d in ("web", "api", "idle")] == [3, 1, 0]


def configmap(name, data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def test_take_over_a_copy_another_tool_made(clusters, namespaces):
    """Stage skips what drsync did not create, --unmanaged=adopt takes it over, and from then on
    prune removes only what drsync owns."""
    ns = namespaces("adopt")
    apply(clusters, ns, configmap("settings", {"color": "blue"}), configmap("extra-src", {"a": "1"}),
          deployment("web", 2), cluster="source")
    # What DR-Syncer left in the destination: an older copy, stopped, and an object of its own.
    apply(clusters, ns, configmap("settings", {"color": "red"}),
          deployment("web", 0, {"dr-syncer.io/original-replicas": "2"}),
          configmap("dr-only", {"kept": "yes"}))
    flags = ["--source-kubeconfig", clusters.kubeconfig("source"),
             "--dest-kubeconfig", clusters.kubeconfig("dest"), "--source-namespace", ns]

    p = clusters.drsync("--mode=Stage", *flags)
    assert p.returncode == 0, p.stderr
    assert clusters.jsonpath("dest", ns, "configmap/settings", ".data.color") == "red"  # skipped

    p = clusters.drsync("--mode=Stage", *flags, "--unmanaged=adopt")
    assert p.returncode == 0, p.stderr
    assert clusters.jsonpath("dest", ns, "configmap/settings", ".data.color") == "blue"
    assert clusters.jsonpath("dest", ns, "configmap/settings",
                             ".metadata.labels.app\\.kubernetes\\.io/managed-by") == "drsync"
    assert clusters.replicas("dest", ns, "web") == 0

    clusters.kubectl("source", "-n", ns, "delete", "configmap", "settings")
    p = clusters.drsync("--mode=Stage", *flags, "--prune")
    assert p.returncode == 0, p.stderr
    assert clusters.kubectl("dest", "-n", ns, "get", "configmap/settings",
                            check=False).returncode != 0  # adopted, so drsync's to prune
    assert clusters.jsonpath("dest", ns, "configmap/dr-only", ".data.kept") == "yes"  # never ours

    p = clusters.drsync("--mode=Cutover", *flags, "--wait-timeout=2m")
    assert p.returncode == 0, p.stderr
    assert clusters.replicas("dest", ns, "web") == 2
