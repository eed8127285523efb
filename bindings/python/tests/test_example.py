"""The Python examples (examples/python/*.py, each under 60 lines), run as a user would run them
against the real clusters: stage_cutover_failback.py moves the guestbook fixture app there and
back, sync_namespace.py copies it, preview_cutover.py shows a Cutover without doing it,
run_plan.py stages and cuts over the pairs of a DR plan file
together, continuous_sync.py follows a source namespace until its time is up."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import FIXTURES_DIR, Kubectl

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLE = os.path.join(REPO, "examples", "python", "stage_cutover_failback.py")
GUESTBOOK = os.path.join(FIXTURES_DIR, "apps", "guestbook")


def example(name: str, *args: str) -> subprocess.CompletedProcess:
    """Runs examples/python/NAME with ARGS, the package from this source tree."""
    path = os.path.join(REPO, "examples", "python", name)
    assert sum(1 for line in open(path)) < 60
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(REPO, "bindings", "python")
    return subprocess.run([sys.executable, path, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=600)


def kubeconfigs(clusters_dir: str) -> list:
    return [os.path.join(clusters_dir, f"{side}.kubeconfig") for side in ("source", "dest")]


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


def test_sync_example_copies_stopped_then_writes_nothing(clusters_dir, namespaces,
                                                         kubectl_source, kubectl_dest) -> None:
    ns = namespaces("ex-sync")
    kubectl_source("-n", ns, "apply", "-f", GUESTBOOK)
    first = example("sync_namespace.py", *kubeconfigs(clusters_dir), ns, ns + "-dr")
    assert first.returncode == 0, first.stderr
    assert "plan: create    deployments.apps/frontend" in first.stdout
    assert "create=0" not in first.stdout and "error=0" in first.stdout
    assert deployment_replicas(kubectl_dest, ns + "-dr") == {
        "frontend": 0, "redis-follower": 0, "redis-leader": 0}
    again = example("sync_namespace.py", *kubeconfigs(clusters_dir), ns, ns + "-dr")
    assert again.returncode == 0, again.stderr
    assert "create=0" in again.stdout and "update=0" in again.stdout
    assert "plan: create" not in again.stdout

    missing = example("sync_namespace.py", "/nonexistent.kubeconfig",
                      kubeconfigs(clusters_dir)[1], ns, ns + "-dr")
    assert missing.returncode == 1 and "error: ConfigError" in missing.stderr


def test_preview_example_changes_nothing(clusters_dir, namespaces, kubectl_source,
                                         kubectl_dest) -> None:
    ns = namespaces("ex-preview")
    kubectl_source("-n", ns, "apply", "-f", GUESTBOOK)
    assert example("sync_namespace.py", *kubeconfigs(clusters_dir), ns, ns + "-dr").returncode == 0
    before = deployment_replicas(kubectl_source, ns)
    p = example("preview_cutover.py", *kubeconfigs(clusters_dir), ns, ns + "-dr")
    assert p.returncode == 0, p.stderr
    assert "active side: source" in p.stdout
    assert "step scale_down (source)" in p.stdout and "step scale_up (destination)" in p.stdout
    assert f"destination deployments.apps/frontend: 0 -> {before['frontend']}" in p.stdout
    assert deployment_replicas(kubectl_source, ns) == before  # reads only
    assert deployment_replicas(kubectl_dest, ns + "-dr")["frontend"] == 0


def test_plan_example_stages_and_cuts_over_every_pair(clusters_dir, namespaces, kubectl_source,
                                                     kubectl_dest, tmp_path) -> None:
    first, second = namespaces("ex-plan-a"), namespaces("ex-plan-b")
    for ns in (first, second):
        kubectl_source("-n", ns, "apply", "-f", GUESTBOOK)
    src, dst = kubeconfigs(clusters_dir)
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""apiVersion: drsync.io/v1
kind: DRPlan
source: {{kubeconfig: {src}}}
destination: {{kubeconfig: {dst}}}
defaults: {{waitTimeoutSeconds: 120}}
namespaces:
- {{source: {first}, destination: {first}-dr}}
- {{source: {second}, destination: {second}-dr}}
""")
    stopped = {"frontend": 0, "redis-follower": 0, "redis-leader": 0}
    staged = example("run_plan.py", str(plan), "Stage", "2")
    assert staged.returncode == 0, staged.stdout + staged.stderr
    for ns in (first, second):
        assert f"{ns} -> {ns}-dr: ok" in staged.stdout
        assert deployment_replicas(kubectl_dest, ns + "-dr") == stopped
    cut = example("run_plan.py", str(plan), "Cutover", "1")
    assert cut.returncode == 0, cut.stdout + cut.stderr
    assert "every destination was ready after" in cut.stdout
    for ns in (first, second):
        assert deployment_replicas(kubectl_dest, ns + "-dr") == {
            "frontend": 3, "redis-follower": 2, "redis-leader": 1}
        assert deployment_replicas(kubectl_source, ns) == stopped
    again = example("run_plan.py", str(plan), "Stage")  # the destinations are active now
    assert again.returncode == 1 and "FAILED" in again.stdout and "active side" in again.stdout
    plan.write_text("apiVersion: drsync.io/v1\nkind: DRPlan\nnamespaces: [oops\n")
    bad = example("run_plan.py", str(plan), "Stage")
    assert bad.returncode == 1 and "error: " in bad.stderr


def test_continuous_example_follows_the_source_then_stops(clusters_dir, namespaces,
                                                          kubectl_source, kubectl_dest) -> None:
    ns = namespaces("ex-cont")
    kubectl_source("-n", ns, "create", "configmap", "early", "--from-literal=v=1")
    path = os.path.join(REPO, "examples", "python", "continuous_sync.py")
    assert sum(1 for line in open(path)) < 60
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "bindings", "python"))
    p = subprocess.Popen([sys.executable, path, *kubeconfigs(clusters_dir), ns, ns + "-dr", "15"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while not kubectl_dest.exists("-n", ns + "-dr", "configmap", "early"):
            assert time.time() < deadline and p.poll() is None, p.communicate(timeout=10)
            time.sleep(0.2)
        kubectl_source("-n", ns, "create", "configmap", "late", "--from-literal=v=2")
        while not kubectl_dest.exists("-n", ns + "-dr", "configmap", "late"):
            assert time.time() < deadline and p.poll() is None, p.communicate(timeout=10)
            time.sleep(0.2)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert "resynced:" in out and "applied: configmaps/late create" in out
    assert "cancelled: created=" in out and "errors=0" in out
