"""drsync --mode=Stage --continuous / --schedule end to end: JSON lines on stdout, a clean stop on
SIGTERM / SIGINT (exit 0), usage errors."""

import json
import re
import queue
import signal
import subprocess
import threading
import time

import pytest

from test_cli import pair_args


class Lines:
    """drsync running in the background; its stdout lines parsed as JSON, as they come."""

    def __init__(self, clusters, *args):
        self.proc = subprocess.Popen([clusters.cli, *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            event = json.loads(line)
            self.seen.append(event)
            if predicate(event):
                return event
        raise AssertionError(f"no such line within {timeout} s; seen: {self.seen}; "
                             f"stderr: {self.proc.stderr.read() if self.proc.poll() is not None else ''}")

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=60)
        rest = self.proc.stdout.read() if self.proc.stdout else ""
        for line in list(self.lines.queue) + rest.splitlines():
            if line.strip():
                self.seen.append(json.loads(line))
        return code


def test_continuous_json_lines_and_clean_stop(clusters, namespaces):
    ns = namespaces("cont")
    clusters.kubectl("source", "create", "namespace", ns)
    clusters.kubectl("source", "-n", ns, "create", "configmap", "first", "--from-literal=v=1")
    run = Lines(clusters, "--mode=Stage", "--continuous", *pair_args(clusters, ns, ns + "-dr"),
                "--resource-types", "configmaps", "--exclude-cluster-resources", "--prune",
                "--resync-interval", "2s", "--log-level=debug", "--output", "json")
    try:
        first = run.wait_for(lambda e: e["event"] == "resynced", 60)
        assert first["sourceNamespace"] == ns and first["destNamespace"] == ns + "-dr"
        assert "1 created" in first["message"]
        clusters.kubectl("source", "-n", ns, "create", "configmap", "live", "--from-literal=v=2")
        applied = run.wait_for(lambda e: e["event"] == "applied" and e["object"] ==
                               "configmaps/live", 30)
        assert applied["action"] == "create" and float(applied["lagMs"]) > 0
        assert clusters.jsonpath("dest", ns + "-dr", "configmap/live", ".data.v") == "2"
        # The next full resync (--resync-interval 2s), one summary line.
        run.wait_for(lambda e: e["event"] == "resynced" and "0 created" in e["message"], 30)
    finally:
        code = run.stop(signal.SIGTERM)
    assert code == 0, run.proc.stderr.read()
    stopped = [e for e in run.seen if e["event"] == "stopped"]
    assert len(stopped) == 1 and stopped[0]["stats"]["created"] >= 1
    assert stopped[0]["stats"]["state"] == "stopped"


def test_continuous_text_lines(clusters, namespaces):
    ns = namespaces("contt")
    clusters.kubectl("source", "create", "namespace", ns)
    p = subprocess.Popen([clusters.cli, "--mode=Stage", "--continuous",
                          *pair_args(clusters, ns, ns + "-dr"), "--resource-types", "configmaps",
                          "--exclude-cluster-resources"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=60) == 0
    assert " resynced " in line and f"{ns} -> {ns}-dr: full sync:" in line
    assert "stopped" in p.stdout.read()


@pytest.mark.parametrize("args, message", [
    (["--mode=Cutover", "--continuous"], "run --mode=Stage"),
    (["--mode=Stage", "--continuous", "--dry-run"], "run --mode=Stage (without --dry-run)"),
    (["--mode=Stage", "--schedule", "61 * * * *"], "invalid --schedule: cron minute field"),
    (["--mode=Stage", "--schedule", "* * *"], "expected 5 fields"),
    (["--mode=Stage", "--continuous", "--schedule", "* * * * *"], "do not go together"),
    (["--mode=Stage", "--resync-interval", "1h"], "--resync-interval is for --continuous"),
    (["--mode=Stage", "--continuous", "--resync-interval", "soon"], "invalid duration"),
])
def test_continuous_usage_errors_exit_2(clusters, args, message):
    p = clusters.drsync(*args)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr


def test_schedule_runs_a_stage_at_the_next_minute(clusters, namespaces):
    """A real `* * * * *` schedule: the first tick comes within a minute."""
    ns = namespaces("sched")
    clusters.kubectl("source", "create", "namespace", ns)
    clusters.kubectl("source", "-n", ns, "create", "configmap", "tick", "--from-literal=v=1")
    run = Lines(clusters, "--mode=Stage", "--schedule", "* * * * *",
                *pair_args(clusters, ns, ns + "-dr"), "--resource-types", "configmaps",
                "--exclude-cluster-resources", "--output", "json")
    try:
        stage = run.wait_for(lambda e: e["event"] == "stage", 90)
        assert stage["result"] == "succeeded", stage
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", stage["tick"]), stage
        assert clusters.jsonpath("dest", ns + "-dr", "configmap/tick", ".data.v") == "1"
    finally:
        code = run.stop(signal.SIGINT)
    assert code == 0
