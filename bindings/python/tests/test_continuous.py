"""ContinuousSync and schedule_next from Python, against the real test clusters."""

from __future__ import annotations

import datetime
import time
from typing import Callable, List

import pytest

import drsync
from conftest import Kubectl


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_schedule_next() -> None:
    after = datetime.datetime(2024, 2, 28, 23, 59, 30, tzinfo=datetime.timezone.utc)
    assert drsync.schedule_next("*/15 * * * *", after) == datetime.datetime(
        2024, 2, 29, 0, 0, tzinfo=datetime.timezone.utc)
    assert drsync.schedule_next("0 0 29 FEB *", after.replace(month=3, day=1)).year == 2028
    # day of month OR day of week when both are restricted; 7 is Sunday.
    assert drsync.schedule_next("0 0 13 * 7", datetime.datetime(2024, 1, 1)).day == 7
    with pytest.raises(drsync.InvalidArgument) as e:
        drsync.schedule_next("61 * * * *")
    assert "minute" in e.value.message


def test_continuous_sync_follows_the_source_and_stops_cleanly(
        source, dest, namespaces, kubectl_source: Kubectl, kubectl_dest: Kubectl) -> None:
    ns = namespaces("cont")
    events: List[drsync.ContinuousEvent] = []
    with drsync.ContinuousSync(source, ns, dest, ns + "-dr", include_types=["configmaps"],
                               cluster_resources=False, prune=True,
                               resync_interval=600) as cs:
        cs.on_event(events.append)
        cs.start()
        assert wait_for(lambda: cs.stats()["state"] == "syncing")
        kubectl_source("-n", ns, "create", "configmap", "live", "--from-literal=v=1")
        assert wait_for(lambda: kubectl_dest.exists("-n", ns + "-dr", "configmap", "live")), \
            (cs.stats(), events)
        kubectl_source("-n", ns, "delete", "configmap", "live")
        assert wait_for(lambda: not kubectl_dest.exists("-n", ns + "-dr", "configmap", "live"))
        stats = cs.stats()
        assert stats["created"] >= 1 and stats["pruned"] == 1 and stats["resyncs"] == 1
        assert stats["lagP50Ms"] > 0 and stats["lastFullSync"]
        cs.cancel()
        assert cs.join(30) == "cancelled"
    kinds = [e.kind for e in events]
    assert kinds[0] == "resynced"
    applied = [(e.object, e.action) for e in events if e.kind == "applied"]
    assert ("configmaps/live", "create") in applied and ("configmaps/live", "prune") in applied


def test_continuous_sync_stop_when_fenced(source, dest, namespaces,
                                          kubectl_dest: Kubectl) -> None:
    ns = namespaces("contf")
    kubectl_dest("create", "namespace", ns + "-dr")
    # The role a Cutover's unfence step records.
    kubectl_dest("-n", ns + "-dr", "create", "configmap", "drsync-state", "--from-literal=role=active")
    with drsync.ContinuousSync(source, ns, dest, ns + "-dr", include_types=["configmaps"],
                               stop_when_fenced=True) as cs:
        assert cs.run() == "fenced"
        assert "active side" in cs.stats()["suspendedReason"]


def test_continuous_sync_callback_exception_stops_the_run(source, dest, namespaces) -> None:
    ns = namespaces("contx")

    class Stop(Exception):
        pass

    def boom(e: drsync.ContinuousEvent) -> None:
        raise Stop(e.kind)

    with drsync.ContinuousSync(source, ns, dest, ns + "-dr", include_types=["configmaps"]) as cs:
        cs.on_event(boom)
        with pytest.raises(Stop):
            cs.run()
