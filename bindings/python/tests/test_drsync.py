"""The drsync Python package against two real clusters (tests/cluster/up): the scenarios of the
C++ e2e tests, shorter."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import textwrap

import pytest

import drsync
from conftest import Kubectl, deploy

FAST = dict(wait_timeout_seconds=120, gone_timeout_seconds=60)


class Boom(Exception):
    pass


# ---- library, clusters, errors -----------------------------------------------------------------

def test_library_and_clusters(source: drsync.Cluster, dest: drsync.Cluster,
                              cluster_env: dict) -> None:
    assert drsync.abi_version() == drsync.ABI_VERSION == 1
    assert drsync.version() == "0.1.0"
    assert source.server == cluster_env["SOURCE_SERVER"]
    assert dest.server == cluster_env["DEST_SERVER"]


def test_bad_kubeconfig_raises_config_error(tmp_path) -> None:
    with pytest.raises(drsync.ConfigError) as e:
        drsync.Cluster.from_kubeconfig(tmp_path / "missing.kubeconfig")
    assert e.value.code == -3 and e.value.name == "config"
    assert "missing.kubeconfig" in e.value.message
    (tmp_path / "bad").write_text("apiVersion: v1\nkind: Config\nclusters: [[[\n")
    with pytest.raises(drsync.ConfigError):
        drsync.Cluster.from_kubeconfig(tmp_path / "bad")
    with pytest.raises(drsync.ConfigError):
        drsync.Cluster.from_kubeconfig(tmp_path / "missing", context="nope")
    if "KUBERNETES_SERVICE_HOST" not in os.environ:  # not inside a Pod
        with pytest.raises(drsync.ConfigError, match="KUBERNETES_SERVICE_HOST"):
            drsync.Cluster.in_cluster()


def test_timeouts_are_options_and_a_dead_server_fails_within_them(tmp_path,
                                                                  clusters_dir: str) -> None:
    with drsync.Cluster.from_kubeconfig(os.path.join(clusters_dir, "source.kubeconfig"),
                                        connect_timeout=2, attempt_timeout=1,
                                        call_timeout=3) as c:
        assert c.server.startswith("https://")
        with pytest.raises(ValueError):
            c.set_timeouts(call=-1)
    # A server that accepts connections and never answers (a listening socket nobody serves).
    import socket
    import time
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        port = hung.getsockname()[1]
        text = open(os.path.join(clusters_dir, "source.kubeconfig")).read()
        import re
        (tmp_path / "hung").write_text(
            re.sub(r"(server:\s*)https://\S+", rf"\1https://127.0.0.1:{port}", text))
        with drsync.Cluster.from_kubeconfig(tmp_path / "hung", attempt_timeout=0.5,
                                            call_timeout=1.5) as c:
            t0 = time.monotonic()
            with pytest.raises((drsync.Timeout, drsync.TLSError)) as e:
                drsync.NamespaceSync(c, "default", c, "other").plan()
            assert time.monotonic() - t0 < 5
    assert "deadline" in str(e.value) or "timed out" in str(e.value).lower()


def test_wrong_ca_raises_tls_error(tmp_path, clusters_dir: str, cluster_env: dict,
                                   dest: drsync.Cluster) -> None:
    # The source's credentials and CA, pointed at the destination's API server: the
    # destination's serving certificate is signed by another CA.
    text = open(os.path.join(clusters_dir, "source.kubeconfig")).read()
    (tmp_path / "mixed").write_text(text.replace(cluster_env["SOURCE_SERVER"],
                                                 cluster_env["DEST_SERVER"]))
    with drsync.Cluster.from_kubeconfig(tmp_path / "mixed") as wrong:
        with pytest.raises(drsync.TLSError) as e:
            drsync.NamespaceSync(wrong, "default", dest, "default").plan()
    assert e.value.code == -17
    assert "BEGIN" not in str(e.value)  # no key material in messages


def test_forbidden_carries_http_status_and_reason(clusters_dir: str) -> None:
    src = drsync.Cluster.from_kubeconfig(os.path.join(clusters_dir, "source-restricted.kubeconfig"))
    dst = drsync.Cluster.from_kubeconfig(os.path.join(clusters_dir, "dest-restricted.kubeconfig"))
    with pytest.raises(drsync.Forbidden) as e:
        drsync.NamespaceSync(src, "kube-system", dst, "kube-system-dr").plan()
    assert e.value.http_status == 403
    assert e.value.reason == "Forbidden"
    assert isinstance(e.value, drsync.DrsyncError)


def test_invalid_options_and_arguments(source: drsync.Cluster, dest: drsync.Cluster) -> None:
    with pytest.raises(drsync.InvalidArgument, match="bogusOption"):
        drsync.Migration(source, "a", dest, "b", bogus_option=1)
    with pytest.raises(drsync.InvalidArgument, match="prune"):
        drsync.NamespaceSync(source, "a", dest, "b", prune="yes")
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError too
        drsync.NamespaceSync(source, "", dest, "b")
    m = drsync.Migration(source, "a", dest, "b", **FAST)
    with pytest.raises(drsync.InvalidArgument, match="unknown step"):
        m.step("teleport", drsync.Side.SOURCE)
    m.close()
    m.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        m.stage()
    assert drsync.options_document({"include_types": ["configmaps"], "copy_crds": True,
                                    "wait_timeout_seconds": 5, "dry_run": None}) == \
        '{"includeTypes": ["configmaps"], "copyCRDs": true, "waitTimeoutSeconds": 5}'


def test_plan_document(source: drsync.Cluster, dest: drsync.Cluster, clusters_dir: str) -> None:
    plan = drsync.Plan.parse(textwrap.dedent("""\
        apiVersion: drsync.io/v1
        kind: DRPlan
        metadata: {name: nightly}
        source: {kubeconfig: source.kubeconfig}
        destination: {kubeconfig: dest.kubeconfig, context: ""}
        defaults: {prune: true}
        namespaces:
        - {source: shop}
        - {source: web, destination: web-dr, options: {includeTypes: [configmaps]}}
        """), base_dir=clusters_dir)
    with plan:
        assert plan.name == "nightly"
        assert len(plan) == 2
        assert plan.pairs == [("shop", "shop"), ("web", "web-dr")]
        assert plan.kubeconfig("source") == os.path.join(clusters_dir, "source.kubeconfig")
        src, dst = plan.open_clusters()
        assert src.server == source.server and dst.server == dest.server
        with plan.migration(1, src, dst) as m:
            assert m.status().active_side == "source"
        with pytest.raises(drsync.InvalidArgument, match="out of range"):
            plan.sync(2, src, dst)
    with pytest.raises(drsync.InvalidArgument):
        drsync.Plan.parse("apiVersion: drsync.io/v1\nkind: Nope\n")


# ---- sync --------------------------------------------------------------------------------------

def test_sync_plan_then_run(source, dest, namespaces, kubectl_source: Kubectl,
                            kubectl_dest: Kubectl) -> None:
    ns = namespaces("sync")
    dns = ns + "-dr"
    kubectl_source("-n", ns, "create", "configmap", "settings", "--from-literal=a=1")
    deploy(kubectl_source, ns, "web", 2)

    s = drsync.NamespaceSync(source, ns, dest, dns, prune=True)
    events = []
    s.on_progress(events.append)
    plan = s.plan()
    assert plan.ok, plan.errors
    assert plan.dry_run
    assert plan.count("create") >= 2
    created = {(o["resource"], o["name"]) for o in plan.objects if o["action"] == "create"}
    assert ("configmaps", "settings") in created and ("deployments.apps", "web") in created
    assert not kubectl_dest.exists("namespace", dns)  # a plan writes nothing

    result = s.run()
    assert result.ok, result.errors
    # The "default" ServiceAccount the plan would create appears with the namespace: updated.
    assert result.count("create") + result.count("update") == plan.count("create")
    assert result.raw["counts"]["create"] == result.count("create")
    assert kubectl_dest("-n", dns, "get", "configmap", "settings", "-o",
                        "jsonpath={.data.a}") == "1"
    assert kubectl_dest.replicas(dns, "web") == 0  # created stopped
    assert kubectl_source.replicas(ns, "web") == 2
    assert {e.step for e in events} >= {"discover", "list", "apply"}

    again = s.run()
    assert again.ok and again.count("create") == 0 and again.count("update") == 0
    assert again.count("unchanged") == plan.count("create")

    only = drsync.NamespaceSync(source, ns, dest, dns, include_types=["configmaps"]).plan()
    assert {o["resource"] for o in only.objects} == {"configmaps"}


def test_sync_progress_exception_cancels(source, dest, namespaces, kubectl_dest) -> None:
    ns = namespaces("sync-cancel")
    s = drsync.NamespaceSync(source, ns, dest, ns + "-dr")

    @s.on_progress
    def explode(p: drsync.Progress) -> None:
        if p.step == "list":
            raise Boom("stop at list")

    with pytest.raises(Boom, match="stop at list"):
        s.run()
    assert not kubectl_dest.exists("namespace", ns + "-dr")
    s.on_progress(None)
    assert s.run().ok  # usable again after the cancel


# ---- migration ---------------------------------------------------------------------------------

def test_stage_cutover_failback_exact_replicas(source, dest, namespaces,
                                               kubectl_source: Kubectl,
                                               kubectl_dest: Kubectl) -> None:
    ns = namespaces("mig")
    dns = ns + "-dr"
    deploy(kubectl_source, ns, "web", 3)
    deploy(kubectl_source, ns, "api", 2)
    steps = []
    with drsync.Migration(source, ns, dest, dns, **FAST) as m:
        m.on_step(lambda mode, step, before, mig: steps.append((mode, step, before)))

        staged = m.stage()
        assert staged.ok, staged.errors
        assert staged.mode == "Stage"
        assert [s.name for s in staged.steps] == ["sync", "record"]
        assert staged.sync_counts is not None and staged.sync_counts["create"] >= 2
        assert (kubectl_source.replicas(ns, "web"), kubectl_source.replicas(ns, "api")) == (3, 2)
        assert (kubectl_dest.replicas(dns, "web"), kubectl_dest.replicas(dns, "api")) == (0, 0)
        assert m.ledger("destination") == {"deployments.apps/web": "3",
                                           "deployments.apps/api": "2"}
        assert ("stage", "sync", True) in steps and ("stage", "record", False) in steps

        cut = m.cutover()
        assert cut.ok, cut.errors
        assert cut.source_fenced
        assert "# drsync Cutover report" in cut.markdown
        assert (kubectl_dest.replicas(dns, "web"), kubectl_dest.replicas(dns, "api")) == (3, 2)
        assert (kubectl_source.replicas(ns, "web"), kubectl_source.replicas(ns, "api")) == (0, 0)
        assert {(c.side, c.name, c.to) for c in cut.changes} >= {
            ("source", "web", "0"), ("destination", "web", "3"), ("destination", "api", "2")}
        assert m.status().active_side == "destination"
        assert m.ledger(drsync.Side.SOURCE) == {"deployments.apps/web": "3",
                                                "deployments.apps/api": "2"}

        with pytest.raises(drsync.Fenced) as fenced:  # Stage onto the active destination
            m.stage()
        assert fenced.value.code == -19
        assert kubectl_dest.replicas(dns, "web") == 3

        back = m.failback()
        assert back.ok, back.errors
        assert (kubectl_source.replicas(ns, "web"), kubectl_source.replicas(ns, "api")) == (3, 2)
        assert (kubectl_dest.replicas(dns, "web"), kubectl_dest.replicas(dns, "api")) == (0, 0)
        assert m.status().active_side == "source"
        assert m.report().mode == "Failback"


def test_progress_exception_cancels_mode_cleanly(source, dest, namespaces,
                                                 kubectl_source: Kubectl,
                                                 kubectl_dest: Kubectl) -> None:
    ns = namespaces("cancel")
    dns = ns + "-dr"
    deploy(kubectl_source, ns, "web", 2)
    m = drsync.Migration(source, ns, dest, dns, **FAST)
    assert m.stage().ok

    seen = []

    def progress(p: drsync.Progress) -> None:
        seen.append(p.step)
        if p.step == "scale_down":
            raise Boom("operator pressed stop")

    m.on_progress(progress)
    with pytest.raises(Boom, match="operator pressed stop"):
        m.cutover()
    assert "scale_down" in seen
    # Nothing half-applied on the destination; the journal knows a Cutover is pending.
    assert kubectl_dest.replicas(dns, "web") == 0
    status = m.status()
    assert status.pending_mode == "Cutover"
    assert "fence" in status.pending_steps_done
    with pytest.raises(drsync.Pending) as pending:  # another mode is refused meanwhile
        drsync.Migration(source, ns, dest, dns, **FAST).failback()
    assert pending.value.code == -20

    # A step hook that raises cancels too, and the exception propagates unchanged.
    m.on_progress(None)

    def hook(mode: str, step: str, before: bool, mig: drsync.Migration) -> None:
        if step == "unfence" and before:
            raise KeyError("storage failover failed")

    m.on_step(hook)
    with pytest.raises(KeyError, match="storage failover"):
        m.cutover()
    assert kubectl_dest.replicas(dns, "web") == 0

    # Without the callbacks, re-running the Cutover resumes and finishes with exact counts.
    m.on_step(None)
    cut = m.cutover()
    assert cut.ok, cut.errors
    assert kubectl_dest.replicas(dns, "web") == 2
    assert kubectl_source.replicas(ns, "web") == 0
    assert m.status().pending_mode == ""
    back = m.failback()
    assert back.ok, back.errors
    assert kubectl_source.replicas(ns, "web") == 2
    assert kubectl_dest.replicas(dns, "web") == 0
    m.close()


def test_step_hook_runs_embedder_steps_and_data_hook(source, dest, namespaces,
                                                      kubectl_source: Kubectl,
                                                      kubectl_dest: Kubectl) -> None:
    ns = namespaces("hook")
    dns = ns + "-dr"
    deploy(kubectl_source, ns, "web", 1)
    m = drsync.Migration(source, ns, dest, dns, migrate_data=True, **FAST)
    moved = []
    m.on_data(lambda mig, src, dst: moved.append((src, dst)))
    replicas_at_unfence = []

    @m.on_step
    def between(mode: str, step: str, before: bool, mig: drsync.Migration) -> None:
        # An embedder's own step between two of drsync's: here it checks the source is down
        # before the destination is unfenced, through the migration it was given.
        if mode == "cutover" and step == "unfence" and before:
            assert mig is m
            replicas_at_unfence.append(kubectl_source.replicas(ns, "web"))
            mig.wait_gone(drsync.Side.SOURCE)  # idempotent step, callable from the hook

    assert m.stage().ok
    cut = m.cutover()
    assert cut.ok, cut.errors
    # Stage copies the data while the source runs, Cutover the last of it once it stopped.
    assert moved == [(drsync.Side.SOURCE, drsync.Side.DESTINATION)] * 2
    assert replicas_at_unfence == [0]
    assert cut.step("migrate_data").status == "ok"
    assert kubectl_dest.replicas(dns, "web") == 1

    # Individual steps through the Python API: fail back by hand.
    for step, side in [("record", "destination"), ("fence", "destination"),
                       ("scale_down", "destination"), ("wait_gone", "destination"),
                       ("unfence", "source"), ("scale_up", "source"), ("wait_ready", "source")]:
        m.step(step, side)
    assert kubectl_source.replicas(ns, "web") == 1
    assert kubectl_dest.replicas(dns, "web") == 0
    m.verify("source")
    m.close()


def test_a_failing_data_hook_stops_the_cutover_before_the_destination_starts(
        source, dest, namespaces, kubectl_source: Kubectl, kubectl_dest: Kubectl) -> None:
    ns = namespaces("hookfail")
    deploy(kubectl_source, ns, "web", 1)
    with drsync.Migration(source, ns, dest, ns + "-dr", migrate_data=True, **FAST) as m:
        def refuse(*_: object) -> None:
            raise RuntimeError("the storage array refused the failover")
        m.on_data(refuse)
        # A callback's exception reaches the caller as itself, once drsync stopped the mode.
        with pytest.raises(RuntimeError, match="storage array refused"):
            m.stage()
        m.on_data(None)  # the built-in mover: no PVCs here, nothing to copy
        assert m.stage().ok  # completes the interrupted Stage
        m.on_data(refuse)
        with pytest.raises(RuntimeError, match="storage array refused"):
            m.cutover()
        assert kubectl_source.replicas(ns, "web") == 0  # fenced; the destination not yet up
        assert kubectl_dest.replicas(ns + "-dr", "web") == 0
        m.on_data(None)
        assert m.cutover().ok  # resumes


def test_plan_previews_modes_from_the_library(source, dest, namespaces,
                                              kubectl_source: Kubectl, kubectl_dest) -> None:
    assert drsync.step_names()[:3] == ("sync", "record", "fence")
    assert "migrate_data" in drsync.step_names() and len(drsync.step_names()) == 11
    assert drsync.step_names()[-1] == "check_services"
    assert all(drsync.step_index(n) == i for i, n in enumerate(drsync.step_names()))
    with pytest.raises(drsync.InvalidArgument, match="scale_up"):
        drsync.step_index("scale_sideways")
    ns = namespaces("plan")
    dns = ns + "-dr"
    deploy(kubectl_source, ns, "web", 2)
    with drsync.Migration(source, ns, dest, dns, **FAST) as m:
        stage = m.plan("stage", preview=True)
        assert stage.step_names == ["sync", "record"]
        assert stage.steps[0].sync_plan is not None
        assert stage.steps[0].sync_plan.counts["create"] >= 1
        assert not kubectl_dest.exists("namespace", dns)  # a plan writes nothing
        assert m.stage().ok
        cut = m.plan(drsync.Mode.CUTOVER, preview=True)
        assert cut.step_names == ["sync", "record", "fence", "scale_down", "wait_gone",
                                  "unfence", "scale_up", "wait_ready", "check_services",
                                  "verify"]
        down = next(s for s in cut.steps if s.name == "scale_down")
        assert down.side == "source" and down.description == "scale down the source"
        assert [(c.name, c.from_, c.to) for c in down.changes] == [("web", "2", "0")]
        up = next(s for s in cut.steps if s.name == "scale_up")
        assert [(c.name, c.from_, c.to) for c in up.changes] == [("web", "0", "2")]
        assert kubectl_source.replicas(ns, "web") == 2
        assert m.cutover().ok
        with pytest.raises(drsync.Fenced):
            m.plan("stage")
        assert m.plan("cutover").nothing_to_do
        with pytest.raises(ValueError):
            m.plan("rollback")


def test_activate_a_copy_another_tool_made(dest, namespaces, kubectl_dest: Kubectl) -> None:
    dns = namespaces("px") + "-dr"  # deleted afterwards
    kubectl_dest("create", "namespace", dns)
    deploy(kubectl_dest, dns, "web", 0)
    deploy(kubectl_dest, dns, "bare", 0)
    kubectl_dest("-n", dns, "annotate", "deployment", "web",
                 "stork.openstorage.org/migrationReplicas=2")
    assert dns in drsync.Migration.stopped_namespaces(dest)
    with drsync.Migration.single(dest, dns, **FAST) as m:
        failed = m.activate()  # "bare" has no record anywhere: never a silent no-op
        assert not failed.ok
        assert "deployments.apps/bare" in failed.errors[0]
        assert kubectl_dest.replicas(dns, "web") == 2
    with drsync.Migration.single(dest, dns, scale_overrides={"bare": 1}, **FAST) as m:
        assert m.activate().ok
        assert (kubectl_dest.replicas(dns, "web"), kubectl_dest.replicas(dns, "bare")) == (2, 1)
        assert m.deactivate().ok
        assert (kubectl_dest.replicas(dns, "web"), kubectl_dest.replicas(dns, "bare")) == (0, 0)
        assert m.plan("activate").step_names == ["record", "unfence", "scale_up", "wait_ready",
                                                 "check_services", "verify"]


def test_handles_are_freed_at_shutdown(clusters_dir: str) -> None:
    # Objects left to the interpreter's shutdown (module globals, cycles) must not crash.
    code = textwrap.dedent(f"""
        import drsync
        c = drsync.Cluster.from_kubeconfig({os.path.join(clusters_dir, 'source.kubeconfig')!r})
        m = drsync.Migration(c, "a", c, "b")
        m.on_progress(lambda p: None)
        m.self_ref = m  # a cycle
        s = drsync.NamespaceSync(c, "a", c, "b")
        print("ok")
        """)
    p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60, env=dict(os.environ))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok" and p.stderr == ""
    gc.collect()


def test_preflight_names_a_missing_storage_class(source, dest, namespaces,
                                                 kubectl_source: Kubectl) -> None:
    ns = namespaces("pre")
    kubectl_source("-n", ns, "apply", "-f", "-", stdin="""
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: no-such-class
  resources: {requests: {storage: 1Gi}}
""")
    with drsync.Migration(source, ns, dest, ns + "-dr", **FAST) as m:
        report = m.preflight()
        assert not report.ok
        [f] = [f for f in report.errors() if f.check == "storage-class"]
        assert f.object == "persistentvolumeclaims/data" and "no-such-class" in f.message
        assert "storageClassMap" in f.fix
        staged = m.stage()
        assert not staged.ok and staged.preflight is not None and not staged.preflight.ok
    with drsync.Migration(source, ns, dest, ns + "-dr",
                          storage_class_map={"no-such-class": "standard"}, **FAST) as m:
        assert m.preflight().ok


def test_service_checks_fail_a_cutover_and_roll_it_back(source, dest, namespaces,
                                                        kubectl_source: Kubectl,
                                                        kubectl_dest: Kubectl) -> None:
    ns = namespaces("chk")
    dns = ns + "-dr"
    deploy(kubectl_source, ns, "web", 1)
    kubectl_source("-n", ns, "apply", "-f", "-", stdin="""
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
""")
    closed = {"name": "closed", "address": "127.0.0.1:1", "timeoutSeconds": 1}
    with drsync.Migration(source, ns, dest, dns, rollback_on_failure=True,
                          service_checks={"checks": [closed]}, **FAST) as m:
        assert m.stage().ok
        cut = m.cutover()
        assert not cut.ok and cut.rolled_back
        by_name = {c.name: c for c in cut.checks}
        assert by_name["services/web"].ok and by_name["services/web"].kind == "endpoints"
        assert not by_name["closed"].ok and by_name["closed"].from_ == "host"
        assert "closed (127.0.0.1:1)" in cut.errors[0]
        assert cut.step("check_services").status == "failed"
        assert kubectl_source.replicas(ns, "web") == 1
        assert kubectl_dest.replicas(dns, "web") == 0
    with pytest.raises(drsync.InvalidArgument, match="give either url or address"):
        drsync.Migration(source, ns, dest, dns, service_checks={"checks": [{"name": "x"}]})


def test_every_c_function_is_declared_by_the_package() -> None:
    """The package exposes everything the C ABI has: every function of capi/drsync.h has a
    declaration in drsync._native's table (and so a typed wrapper that uses it)."""
    from drsync import _native
    header = os.path.join(os.path.dirname(__file__), "..", "..", "..", "capi", "drsync.h")
    with open(header) as f:
        text = f.read()
    in_header = set(re.findall(r"DRSYNC_EXTERN\([^)]*\)\s*(drsync_\w+)\s*\(", text))
    declared = {name for name, *_ in _native.FUNCTIONS}
    assert len(in_header) > 50
    assert in_header - declared == set()
    assert declared - in_header == set()
