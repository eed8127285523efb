#!/usr/bin/env python3
"""Fault soak of libdrsync (issue #16, docs/reliability.md): Stage, re-Stage, Cutover, Failback of
a fixture app, again and again, through Toxiproxy in front of both real API servers.

usage: tests/soak/soak.py --clusters DIR [--cycles N] [--fault-rate F] [--seed S] [--json FILE]

DIR is a running pair of test clusters (tests/cluster/up; hold /tmp/drsync-clusters.lock). Needs
DRSYNC_LIBRARY (libdrsync.so) and bindings/python on PYTHONPATH.

Toxiproxy (scripts/build-toxiproxy) listens on 127.0.0.1 in front of each apiserver; the library
uses kubeconfig copies naming the proxies (the serving certificates have 127.0.0.1 among their
SANs, so TLS still verifies). A fault thread turns on a random toxic for 0.3-1.5 s on a
random side, so that faults are on about F of the time (default 0.1): latency + jitter, a
bandwidth limit, connection resets (reset_peer, downstream: the request reached the server, its
answer is cut), answers cut after a few bytes (limit_data), stalled connections (timeout), and
the server going away and coming back (the proxy disabled). Two faults come from the API servers
themselves: `throttled` (the library's identity, a ServiceAccount, is put in a priority level
of API Priority and Fairness with no seats: every request gets the server's own 429) and
`webhook_500` (a validating webhook that cannot be reached, failurePolicy Fail, on the cycle's
namespaces: every write gets the server's own 500). A poller reads both sides' replicas
directly (kubectl with the admin identity, not through the proxies) all along, for split brain.

Cycle 0 runs without faults: its final state is the uninterrupted reference. Every cycle after it
runs with faults; a mode that fails is re-run at once without faults and must then succeed. After
each mode the recorded counts (ledgers) must be the originals, never lost or 0; after each cycle
the final state of both sides must equal the reference, with no object duplicated. Exit 0 only
when every check held.
"""

import argparse
import base64
import http.client
import json
import os
import random
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import drsync

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
APP = os.path.join(ROOT, "tests", "fixtures", "apps", "guestbook")
MODES = ("stage", "stage", "cutover", "failback")
OPTIONS = dict(wait_timeout_seconds=120, gone_timeout_seconds=60)
# The library's deadlines in the soak (the defaults are 10 s / 30 s / 60 s): a stalled connection
# costs one attempt timeout, so the soak keeps them short to stay within its time budget.
TIMEOUTS = dict(connect=3.0, attempt=5.0, call=20.0)
SIDES = ("source", "dest")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Toxiproxy:
    """toxiproxy-server on 127.0.0.1, driven through its HTTP API."""

    def __init__(self, binary, workdir):
        self.port = free_port()
        self.log = open(os.path.join(workdir, "toxiproxy.log"), "w")
        self.proc = subprocess.Popen([binary, "-host", "127.0.0.1", "-port", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.call("GET", "/version")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("toxiproxy did not start (see toxiproxy.log)")

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                     method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read()
        return json.loads(text) if text.strip().startswith((b"{", b"[")) else None

    def proxy(self, name, upstream):
        listen = f"127.0.0.1:{free_port()}"
        self.call("POST", "/proxies", {"name": name, "listen": listen, "upstream": upstream,
                                       "enabled": True})
        return listen

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# name, weight, toxic (None: the server goes away), what it stands for
FAULTS = [
    ("latency", 3, {"type": "latency", "stream": "downstream",
                    "attributes": {"latency": 300, "jitter": 250}}),
    ("bandwidth", 2, {"type": "bandwidth", "stream": "downstream",
                      "attributes": {"rate": 16}}),
    ("reset_after_request", 3, {"type": "reset_peer", "stream": "downstream",
                                "attributes": {"timeout": 0}}),
    ("cut_answer", 2, {"type": "limit_data", "stream": "downstream",
                       "attributes": {"bytes": 700}}),
    ("stall", 2, {"type": "timeout", "stream": "downstream", "attributes": {"timeout": 0}}),
    ("server_down", 2, None),
    ("throttled", 3, "server"),
    ("webhook_500", 3, "server"),
]

# The library's identity in the soak: a ServiceAccount bound to cluster-admin, so API Priority and
# Fairness can single it out (the admin certificate's group, system:masters, is always exempt).
# While `throttled` is on, its FlowSchema points at a priority level of a single seat (Kubernetes
# keeps one even at nominalConcurrencyShares 0) that rejects what does not fit, and a second
# ServiceAccount of the same FlowSchema (drsync-soak-load) keeps that seat busy with LISTs, as
# other clients of a small priority level would: the library's requests get the server's 429.
SOAK_SA = ("kube-system", "drsync-soak")
SERVER_OBJECTS = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: drsync-soak, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: drsync-soak}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: drsync-soak, namespace: kube-system}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: drsync-soak-load, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: drsync-soak-load}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: drsync-soak-load, namespace: kube-system}]
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: {name: drsync-soak-no-seats}
spec:
  type: Limited
  limited:
    nominalConcurrencyShares: 0
    lendablePercent: 0
    borrowingLimitPercent: 0
    limitResponse: {type: Reject}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: drsync-soak}
spec:
  matchingPrecedence: 500
  priorityLevelConfiguration: {name: global-default}
  distinguisherMethod: {type: ByUser}
  rules:
  - subjects:
    - {kind: ServiceAccount, serviceAccount: {name: drsync-soak, namespace: kube-system}}
    - {kind: ServiceAccount, serviceAccount: {name: drsync-soak-load, namespace: kube-system}}
    resourceRules:
    - {verbs: ["*"], apiGroups: ["*"], resources: ["*"], namespaces: ["*"], clusterScope: true}
    nonResourceRules: [{verbs: ["*"], nonResourceURLs: ["*"]}]
"""

# A webhook nobody answers (port 1 of loopback refuses at once) on the namespaces of a cycle.
FAILING_WEBHOOK = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {{name: drsync-soak-fail}}
webhooks:
- name: fail.soak.drsync.io
  clientConfig: {{url: "https://127.0.0.1:1/fail"}}
  failurePolicy: Fail
  timeoutSeconds: 1
  sideEffects: None
  admissionReviewVersions: [v1]
  namespaceSelector:
    matchExpressions:
    - {{key: kubernetes.io/metadata.name, operator: In, values: [{namespaces}]}}
  rules:
  - operations: [CREATE, UPDATE, DELETE]
    apiGroups: ["*"]
    apiVersions: ["*"]
    resources: ["*/*"]
    scope: Namespaced
"""


class Faults(threading.Thread):
    """Turns a random fault on for 0.3-1.5 s, often enough to be on ~rate of the time."""

    def __init__(self, toxi, rate, rng, server):
        super().__init__(daemon=True)
        self.toxi, self.rate, self.rng, self.server = toxi, rate, rng, server
        self.enabled = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.stopping = False
        self.counts = {name: 0 for name, _, _ in FAULTS}
        self.fault_seconds = 0.0
        self.on_seconds = 0.0
        self.error = None

    def pause(self):
        self.enabled.clear()
        self.idle.wait()
        self.toxi.call("POST", "/reset")

    def resume(self):
        self.enabled.set()

    def run(self):
        try:
            self.loop()
        except Exception as e:  # noqa: BLE001 - the soak fails on it (Soak.run)
            self.error = f"the fault thread stopped: {type(e).__name__}: {e}"
            log(self.error)

    def loop(self):
        names = [f for f in FAULTS for _ in range(f[1])]
        while not self.stopping:
            if not self.enabled.wait(0.2):
                continue
            window = self.rng.uniform(0.3, 1.5)
            # Faults on for `window`, then off for window * (1 - rate) / rate on average.
            gap = self.rng.expovariate(self.rate / (window * (1 - self.rate)))
            t0 = time.monotonic()
            while time.monotonic() - t0 < gap and self.enabled.is_set() and not self.stopping:
                time.sleep(0.05)
            self.on_seconds += time.monotonic() - t0
            if not self.enabled.is_set() or self.stopping:
                continue
            self.idle.clear()
            try:
                self.inject(self.rng.choice(names), self.rng.choice(SIDES), window)
            finally:
                self.idle.set()

    def inject(self, fault, side, window):
        name, _, toxic = fault
        if toxic == "server":
            self.server.on(name, side)
        elif toxic is None:
            self.toxi.call("POST", f"/proxies/{side}", {"enabled": False})
        else:
            self.toxi.call("POST", f"/proxies/{side}/toxics", dict(toxic, name="soak"))
        self.counts[name] += 1
        t0 = time.monotonic()
        while time.monotonic() - t0 < window and self.enabled.is_set():
            time.sleep(0.05)
        if toxic == "server":
            self.server.off(name, side)
        elif toxic is None:
            self.toxi.call("POST", f"/proxies/{side}", {"enabled": True})
        else:
            self.toxi.call("DELETE", f"/proxies/{side}/toxics/soak")
        elapsed = time.monotonic() - t0
        self.fault_seconds += elapsed
        self.on_seconds += elapsed


class Kubectl:
    def __init__(self, binary, kubeconfig):
        self.binary, self.kubeconfig = binary, kubeconfig

    def __call__(self, *args, stdin=None):
        r = subprocess.run([self.binary, "--kubeconfig", self.kubeconfig, *args], input=stdin,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def items(self, ns, kinds):
        return json.loads(self("get", kinds, "-n", ns, "-o", "json"))["items"]


class SeatLoad:
    """Threads that keep the soak priority level's seat busy (LISTs of every ConfigMap, as the
    drsync-soak-load ServiceAccount) and count the 429s they get themselves."""

    def __init__(self, kubeconfig, token, threads=4):
        text = open(kubeconfig).read()
        self.host, self.port = re.search(r"server:\s*https://([^\s:/]+):(\d+)", text).groups()
        ca = base64.b64decode(re.search(r"certificate-authority-data:\s*(\S+)", text).group(1))
        self.context = ssl.create_default_context(cadata=ca.decode())
        self.token, self.count = token, threads
        self.stop_event = threading.Event()
        self.threads = []
        self.rejected = 0
        self.lock = threading.Lock()

    def start(self):
        self.stop_event.clear()
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(self.count)]
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(10)

    def loop(self):
        conn = None
        while not self.stop_event.is_set():
            try:
                conn = conn or http.client.HTTPSConnection(self.host, int(self.port),
                                                           context=self.context, timeout=5)
                conn.request("GET", "/api/v1/configmaps",
                             headers={"Authorization": f"Bearer {self.token}"})
                r = conn.getresponse()
                r.read()
                if r.status == 429:
                    with self.lock:
                        self.rejected += 1
            except (OSError, http.client.HTTPException):
                conn = None


class ServerFaults:
    """The API servers' own 429s and 500s, turned on and off with the admin kubectl."""

    def __init__(self, kubectl):
        self.kubectl = kubectl
        self.namespaces = {}  # side -> the cycle's namespace there
        self.load = {}  # side -> SeatLoad

    def setup(self, side):
        """The soak's ServiceAccount, its FlowSchema and the seatless priority level; returns a
        token of the ServiceAccount for the library."""
        k = self.kubectl[side]
        k("apply", "-f", "-", stdin=SERVER_OBJECTS)
        load_token = k("create", "token", "drsync-soak-load", "-n", SOAK_SA[0],
                       "--duration=12h").strip()
        self.load[side] = SeatLoad(k.kubeconfig, load_token)
        return k("create", "token", SOAK_SA[1], "-n", SOAK_SA[0], "--duration=12h").strip()

    def on(self, name, side):
        k = self.kubectl[side]
        if name == "throttled":
            k("patch", "flowschema", "drsync-soak", "--type=merge", "-p",
              '{"spec": {"priorityLevelConfiguration": {"name": "drsync-soak-no-seats"}}}')
            self.load[side].start()
        else:
            k("apply", "-f", "-", stdin=FAILING_WEBHOOK.format(namespaces=self.namespaces[side]))

    def off(self, name, side):
        """Turns the fault off, insisting: a fault left on would fail every later mode."""
        k = self.kubectl[side]
        for attempt in range(10):
            try:
                if name == "throttled":
                    self.load[side].stop()
                    k("patch", "flowschema", "drsync-soak", "--type=merge", "-p",
                      '{"spec": {"priorityLevelConfiguration": {"name": "global-default"}}}')
                else:
                    k("delete", "validatingwebhookconfiguration", "drsync-soak-fail",
                      "--ignore-not-found")
                return
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                log(f"  turning {name} off on {side} failed ({e}), again")
                time.sleep(0.5 * (attempt + 1))
        raise RuntimeError(f"{name} could not be turned off on {side}")

    def answers(self, side):
        """How many 429 and 500 answers the API server gave so far (its own metrics)."""
        counts = {"429": 0, "500": 0}
        for line in self.kubectl[side]("get", "--raw", "/metrics").splitlines():
            if line.startswith("apiserver_request_total{"):
                m = re.search(r'code="(\d+)"', line)
                if m and m.group(1) in counts:
                    counts[m.group(1)] += int(float(line.rsplit(" ", 1)[1]))
        return counts


def apf_enabled(kubectl):
    """API Priority and Fairness is on when its mandatory "exempt" FlowSchema exists."""
    try:
        kubectl("get", "flowschema", "exempt", "-o", "name")
        return True
    except RuntimeError:
        return False


class SplitBrainPoller(threading.Thread):
    """Reads spec.replicas of both sides' Deployments, A, B, A again: a workload up on A at the
    first and third read and up on B in between was up on both sides at that instant."""

    def __init__(self, kubectl):
        super().__init__(daemon=True)
        self.kubectl = kubectl
        self.pair = None  # (source ns, dest ns)
        self.stopping = False
        self.polls = 0
        self.split = []

    def replicas(self, side, ns):
        try:
            return {d["metadata"]["name"]: d["spec"].get("replicas", 1)
                    for d in self.kubectl[side].items(ns, "deployments")}
        except (RuntimeError, subprocess.TimeoutExpired):
            return None

    def run(self):
        order = list(SIDES)
        while not self.stopping:
            pair = self.pair
            if pair is None:
                time.sleep(0.2)
                continue
            ns = dict(zip(SIDES, pair))
            a, b = order
            r1, r2, r3 = (self.replicas(a, ns[a]), self.replicas(b, ns[b]),
                          self.replicas(a, ns[a]))
            order.reverse()
            time.sleep(0.3)
            if None in (r1, r2, r3):
                continue
            self.polls += 1
            for name in set(r1) & set(r2) & set(r3):
                if r1[name] > 0 and r2[name] > 0 and r3[name] > 0:
                    self.split.append(f"{name}: {a}={r1[name]},{r3[name]} {b}={r2[name]}")


def proxied_kubeconfig(original, listen, path):
    text = open(original).read()
    new, n = re.subn(r"(server:\s*)https://[^\s]+", rf"\1https://{listen}", text)
    if n != 1:
        raise RuntimeError(f"{original}: expected one server line, found {n}")
    with open(path, "w") as f:
        f.write(new)
    os.chmod(path, 0o600)


def use_token(kubectl_binary, kubeconfig, token):
    """Makes the kubeconfig's current context authenticate with `token` (the soak's
    ServiceAccount) instead of the admin certificate."""
    def config(*args):
        subprocess.run([kubectl_binary, "--kubeconfig", kubeconfig, "config", *args], check=True,
                       capture_output=True, text=True, timeout=30)
    config("set-credentials", "drsync-soak", f"--token={token}")
    config("set-context", "--current", "--user=drsync-soak")


def upstream_of(kubeconfig):
    m = re.search(r"server:\s*https://([^\s/]+)", open(kubeconfig).read())
    return m.group(1)


def state_of(kubectl, ns):
    """The state compared with the reference: per kind the names (duplicates would show as a
    longer list), the Deployments' replicas, the drsync annotations of the workloads."""
    out = {}
    for kind in ("deployments", "services", "configmaps", "serviceaccounts"):
        names = sorted(o["metadata"]["name"] for o in kubectl.items(ns, kind)
                       if not o["metadata"]["name"].startswith("drsync-journal"))
        out[kind] = names
    out["replicas"] = {d["metadata"]["name"]: d["spec"].get("replicas", 1)
                       for d in kubectl.items(ns, "deployments")}
    return out


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        d = os.path.abspath(args.clusters)
        env = dict(line.split("=", 1) for line in open(os.path.join(d, "env")).read().split("\n")
                   if "=" in line)
        self.work = os.path.join(d, "soak")
        os.makedirs(self.work, exist_ok=True)
        self.kubectl = {s: Kubectl(env["KUBECTL"], os.path.join(d, f"{s}.kubeconfig"))
                        for s in SIDES}
        binary = subprocess.run([os.path.join(ROOT, "scripts", "build-toxiproxy")],
                                capture_output=True, text=True, check=True).stdout.split()[-1]
        self.toxi = Toxiproxy(binary, self.work)
        self.server = ServerFaults(self.kubectl)
        if not all(apf_enabled(self.kubectl[s]) for s in SIDES):
            raise RuntimeError("API Priority and Fairness is off in the test clusters: the "
                               "soak needs it for the servers' own 429s")
        self.clusters = {}
        for s in SIDES:
            original = self.kubectl[s].kubeconfig
            listen = self.toxi.proxy(s, upstream_of(original))
            path = os.path.join(self.work, f"{s}.kubeconfig")
            proxied_kubeconfig(original, listen, path)
            use_token(self.kubectl[s].binary, path, self.server.setup(s))
            self.clusters[s] = drsync.Cluster.from_kubeconfig(path, **{
                f"{k}_timeout": v for k, v in TIMEOUTS.items()})
        for s in SIDES:  # each server fault once, before any cycle: a mistake in one fails here
            self.server.namespaces = {s: "drsync-soak-check"}
            for name in ("throttled", "webhook_500"):
                self.server.on(name, s)
                self.server.off(name, s)
        self.answers_before = {s: self.server.answers(s) for s in SIDES}
        for s in SIDES:
            self.server.load[s].rejected = 0
        self.faults = Faults(self.toxi, args.fault_rate, self.rng, self.server)
        self.poller = SplitBrainPoller(self.kubectl)
        self.reference = None
        self.reference_ledgers = None
        self.results = []
        self.problems = []
        self.max_mode_seconds = 0.0

    def app(self, cycle):
        ns = f"soak-{cycle}-{uuid.uuid4().hex[:5]}"
        k = self.kubectl["source"]
        k("create", "namespace", ns)
        k("apply", "-n", ns, "-f", APP)
        k("wait", "-n", ns, "--for=condition=Available", "deployment", "--all", "--timeout=120s")
        originals = {d["metadata"]["name"]: str(d["spec"]["replicas"])
                     for d in k.items(ns, "deployments")}
        return ns, originals

    def run_mode(self, m, mode, cycle, faulty):
        outcome = {"cycle": cycle, "mode": mode, "faults": faulty}
        t0 = time.monotonic()
        try:
            report = getattr(m, mode)()
            outcome["ok"] = report.ok
            if not report.ok:
                outcome["error"] = "; ".join(report.errors)[:500]
        except drsync.DrsyncError as e:
            outcome.update(ok=False, error=f"{type(e).__name__}: {e}"[:500])
        outcome["seconds"] = round(time.monotonic() - t0, 2)
        self.max_mode_seconds = max(self.max_mode_seconds, outcome["seconds"])
        if outcome["ok"] or not faulty:
            return outcome
        log(f"  {mode} failed under faults ({outcome['seconds']} s): {outcome['error']}")
        self.faults.pause()
        rerun = self.run_mode(m, mode, cycle, False)
        outcome["rerun_ok"] = rerun["ok"]
        if not rerun["ok"]:
            outcome["rerun_error"] = rerun.get("error")
        self.faults.resume()
        return outcome

    def ledgers(self, m, step, cycle):
        """Both sides' recorded counts after a mode: equal to the reference cycle's after the
        same mode, and never a 0 or a count the originals do not have."""
        got = {}
        for side in ("source", "destination"):
            for attempt in range(5):
                try:
                    got[side] = m.ledger(side)
                    break
                except drsync.DrsyncError:
                    time.sleep(1 + attempt)
            else:
                self.problems.append(f"cycle {cycle} step {step}: {side} ledger unreadable")
                return
        if self.reference_ledgers is not None and got != self.reference_ledgers[step]:
            self.problems.append(f"cycle {cycle} step {step} ({MODES[step]}): ledgers {got}, "
                                 f"uninterrupted {self.reference_ledgers[step]}")
        return got

    def cycle(self, cycle):
        faulty = cycle > 0
        ns, originals = self.app(cycle)
        dns = ns + "-dr"
        self.poller.pair = (ns, dns)
        self.server.namespaces = {"source": ns, "dest": dns}
        if faulty:
            self.faults.resume()
        m = drsync.Migration(self.clusters["source"], ns, self.clusters["dest"], dns, **OPTIONS)
        ledgers = []
        try:
            for step, mode in enumerate(MODES):
                outcome = self.run_mode(m, mode, cycle, faulty)
                self.results.append(outcome)
                if not outcome["ok"] and not outcome.get("rerun_ok"):
                    self.problems.append(f"cycle {cycle} {mode}: {outcome.get('rerun_error') or outcome.get('error')}")
                    return ns, dns
                ledgers.append(self.ledgers(m, step, cycle))
        finally:
            self.faults.pause()
            m.close()
        final = {s: state_of(self.kubectl[s], n) for s, n in zip(SIDES, (ns, dns))}
        if self.reference is None:
            self.reference, self.reference_ledgers = final, ledgers
            log(f"  reference state: {json.dumps(final, sort_keys=True)}")
            log(f"  reference ledgers: {json.dumps(ledgers, sort_keys=True)}")
            want = {f"deployments.apps/{n}": c for n, c in originals.items()}
            if ledgers[0].get("destination") != want:
                self.problems.append(f"reference Stage recorded {ledgers[0]}, want {want}")
        elif final != self.reference:
            self.problems.append(f"cycle {cycle}: final state {final} differs from the "
                                 f"uninterrupted one {self.reference}")
        return ns, dns

    def run(self):
        self.faults.start()
        self.poller.start()
        t0 = time.monotonic()
        try:
            for cycle in range(self.args.cycles + 1):
                c0 = time.monotonic()
                if self.faults.error:
                    break
                ns, dns = self.cycle(cycle)
                self.poller.pair = None
                for side, n in zip(SIDES, (ns, dns)):
                    self.kubectl[side]("delete", "namespace", n, "--wait=false",
                                       "--ignore-not-found")
                log(f"cycle {cycle}{' (reference, no faults)' if cycle == 0 else ''}: "
                    f"{time.monotonic() - c0:.1f} s, problems so far {len(self.problems)}")
        finally:
            self.faults.stopping = self.poller.stopping = True
            self.faults.join(10)
            self.poller.join(30)
            self.toxi.stop()
        self.problems += [f"split brain: {s}" for s in self.poller.split]
        if self.faults.error:
            self.problems.append(self.faults.error)
        return self.summary(time.monotonic() - t0)

    def server_answers(self):
        """The 429 and 500 answers of each API server during the soak (its metrics)."""
        out = {}
        for side in SIDES:
            now = self.server.answers(side)
            out[side] = {code: now[code] - self.answers_before[side][code] for code in now}
            # The 429s the seat load got itself are not the library's.
            out[side]["429_to_the_seat_load"] = self.server.load[side].rejected
            out[side]["429"] -= self.server.load[side].rejected
        return out

    def summary(self, seconds):
        faulty = [r for r in self.results if r["faults"]]
        failed = [r for r in faulty if not r["ok"]]
        return {
            "cycles": self.args.cycles, "seed": self.args.seed,
            "fault_rate": self.args.fault_rate, "seconds": round(seconds, 1),
            "timeouts": TIMEOUTS,
            "modes_run_with_faults": len(faulty),
            "ok_despite_faults": len(faulty) - len(failed),
            "failed_then_ok_on_rerun": sum(1 for r in failed if r.get("rerun_ok")),
            "failed_rerun": sum(1 for r in failed if not r.get("rerun_ok")),
            "faults_injected": self.faults.counts,
            "server_answers": self.server_answers(),
            "fault_time_share": round(self.faults.fault_seconds / max(self.faults.on_seconds, 1e-9), 3),
            "max_mode_seconds": self.max_mode_seconds,
            "split_brain_polls": self.poller.polls,
            "errors_seen": sorted({re.sub(r"\d+", "N", r["error"])[:160] for r in failed}),
            "problems": self.problems,
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clusters", required=True, help="the test clusters' directory")
    ap.add_argument("--cycles", type=int, default=3, help="cycles with faults (after cycle 0)")
    ap.add_argument("--fault-rate", type=float, default=0.1, help="share of time with a fault")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--json", help="write the summary there too")
    args = ap.parse_args()
    if not 0 < args.fault_rate < 1:
        ap.error("--fault-rate must be between 0 and 1")
    summary = Soak(args).run()
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    if summary["problems"]:
        print(f"soak: FAILED: {len(summary['problems'])} problems", file=sys.stderr)
        return 1
    print(f"soak: {args.cycles} cycles with faults, every check held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
