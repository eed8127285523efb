"""cancel() of NamespaceSync, Migration and Plan from another thread (drsync_X_cancel): the
operation stops at its next check, raises Cancelled with the partial report, and a cancel with
nothing running is a no-op that reaches no later operation."""

from __future__ import annotations

import os
import textwrap
import threading
import time
from typing import Any, Callable, Dict, List

import pytest

import drsync
from conftest import FIXTURES_DIR, Kubectl

FAST = dict(wait_timeout_seconds=120, gone_timeout_seconds=60)

# A Deployment whose Pods never get ready: no node has the label its nodeSelector asks for.
with open(os.path.join(FIXTURES_DIR, "manifests", "stuck-deployment.yaml")) as f:
    STUCK = f.read()


def run_in_thread(fn: Callable[[], Any]) -> Dict[str, Any]:
    """Starts fn on a thread; the dict gets "result" or "error", and "thread"."""
    out: Dict[str, Any] = {}

    def body() -> None:
        try:
            out["result"] = fn()
        except BaseException as e:  # noqa: BLE001 - inspected by the test
            out["error"] = e
    out["thread"] = threading.Thread(target=body, daemon=True)
    out["thread"].start()
    return out


def cancel_when_waiting(op: Any, seen: threading.Event, out: Dict[str, Any]) -> float:
    """Once `seen` is set (the operation waits for Pods), cancels `op`; returns the time of the
    cancel after checking that the operation stops within 3 s of it."""
    assert seen.wait(90), f"the operation never reached wait_ready: {out}"
    time.sleep(0.3)
    cancelled_at = time.monotonic()
    assert op.cancel() is True
    out["thread"].join(10)
    assert not out["thread"].is_alive(), "the operation did not stop after cancel()"
    assert time.monotonic() - cancelled_at < 3.0
    return cancelled_at


def test_cancel_with_nothing_running_is_a_no_op(source, dest, namespaces,
                                                kubectl_source: Kubectl) -> None:
    ns = namespaces("cancel-idle")
    kubectl_source("-n", ns, "create", "configmap", "settings", "--from-literal=a=1")
    with drsync.NamespaceSync(source, ns, dest, ns + "-dr") as s:
        assert s.cancel() is False
        result = s.run()  # the earlier cancel does not reach it
        assert result.ok and result.count("create") >= 1
    s2 = drsync.NamespaceSync(source, ns, dest, ns + "-dr")
    s2.close()
    with pytest.raises(ValueError, match="closed"):
        s2.cancel()


def test_migration_cancel_stops_a_cutover_waiting_for_pods(source, dest, namespaces,
                                                           kubectl_source: Kubectl,
                                                           kubectl_dest: Kubectl) -> None:
    ns = namespaces("cancel-mig")
    dns = ns + "-dr"
    kubectl_source("-n", ns, "apply", "-f", "-", stdin=STUCK)
    with drsync.Migration(source, ns, dest, dns, **FAST) as m:
        assert m.stage().ok
        assert m.cancel() is False
        waiting = threading.Event()
        m.on_progress(lambda p: waiting.set() if p.step == "wait_ready" else None)
        out = run_in_thread(m.cutover)
        cancel_when_waiting(m, waiting, out)
        err = out.get("error")
        assert isinstance(err, drsync.Cancelled), out
        assert err.report is not None and not err.report.ok
        assert "cancelled" in str(err)
        assert m.status().pending_mode == "Cutover"  # the journal keeps it; a re-run resumes
        assert kubectl_dest.replicas(dns, "stuck") == 1  # it had started the destination
        m.on_progress(None)
        assert m.cancel() is False


def plan_document(pairs: List[str]) -> str:
    items = "\n".join(f"- {{source: {ns}, destination: {ns}-dr}}" for ns in pairs)
    return textwrap.dedent("""\
        apiVersion: drsync.io/v1
        kind: DRPlan
        metadata: {name: cancel}
        source: {kubeconfig: source.kubeconfig}
        destination: {kubeconfig: dest.kubeconfig}
        defaults: {waitTimeoutSeconds: 120, goneTimeoutSeconds: 60}
        namespaces:
        """) + items + "\n"


def test_plan_cancel_stops_every_pair(source, dest, namespaces, clusters_dir: str,
                                      kubectl_source: Kubectl) -> None:
    pairs = [namespaces("cancel-plan"), namespaces("cancel-plan")]
    for ns in pairs:
        kubectl_source("-n", ns, "apply", "-f", "-", stdin=STUCK)
    with drsync.Plan.parse(plan_document(pairs), base_dir=clusters_dir) as plan:
        assert plan.run("stage", source, dest).ok
        assert plan.cancel() is False
        out = run_in_thread(lambda: plan.run("cutover", source, dest, parallelism=2))
        waiting = threading.Event()

        def watch() -> None:  # both pairs are waiting once their destinations are scaled up
            for ns in pairs:
                while int(Kubectl.json(kubectl_source, "-n", ns, "get", "deployment", "stuck")
                          ["spec"]["replicas"]) != 0:
                    time.sleep(0.1)
            waiting.set()
        threading.Thread(target=watch, daemon=True).start()
        cancel_when_waiting(plan, waiting, out)
        err = out.get("error")
        assert isinstance(err, drsync.Cancelled), out
        report = err.report
        assert isinstance(report, drsync.PlanReport) and report.cancelled and not report.ok
        assert len(report.pairs) == 2 and not any(p.ok for p in report.pairs)
