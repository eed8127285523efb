"""Secrets stay secret (docs/security.md): every mode with debug logs, JSON output, report files,
dry-run diffs, an exec credential plugin and failing requests, with known marker values in a
bearer token, a client key, an exec plugin's credential and Secret data; none of the markers may
appear in stdout, stderr, the reports, the journal, or an error (CLI, and Python/C through the
library's error text)."""

import base64
import json
import os
import stat
import subprocess
import sys
import uuid

import pytest
import yaml

from test_cli import deploy, ok, pair_args

SECRET_APP = """
apiVersion: v1
kind: Secret
metadata: {name: credentials}
stringData: {password: %(secret)s, "key.pem": %(secret)s-in-a-file}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: busybox:1.36
        env: [{name: PASSWORD, valueFrom: {secretKeyRef: {name: credentials, key: password}}}]
"""


def markers_of(text):
    """A value and the forms it could leak in: itself, base64, and each long line of it."""
    out = {text, base64.b64encode(text.encode()).decode()}
    out |= {line for line in text.splitlines() if len(line) >= 24 and "-----" not in line}
    return out


class Kubeconfigs:
    """Kubeconfigs whose credentials are the markers: the admin's client key (source), an exec
    plugin handing out the admin's client certificate and key (dest), a bearer token that the
    server refuses, and the restricted user's real token used where it has no rights."""

    def __init__(self, clusters, tmp_path):
        self.markers = set()
        self.source = clusters.kubeconfig("source")
        self.source_key = self._user(self.source)["client-key-data"]
        self.markers |= markers_of(self.source_key) | markers_of(_b64(self.source_key))
        self.dest = self._exec_kubeconfig(clusters.kubeconfig("dest"), tmp_path)
        self.bad_token = "drsync-marker-token-" + uuid.uuid4().hex
        self.markers.add(self.bad_token)
        self.refused = self._with_user(self.source, tmp_path / "refused.kubeconfig",
                                       {"token": self.bad_token})
        restricted = clusters.kubeconfig("source-restricted")
        self.markers.add(self._user(restricted)["token"])
        self.restricted = restricted

    @staticmethod
    def _load(path):
        with open(path) as f:
            return yaml.safe_load(f)

    def _user(self, path):
        return self._load(path)["users"][0]["user"]

    def _with_user(self, path, out, user):
        doc = self._load(path)
        doc["users"][0]["user"] = user
        out.write_text(yaml.safe_dump(doc))
        return str(out)

    def _exec_kubeconfig(self, path, tmp_path):
        user = self._user(path)
        cert, key = _b64(user["client-certificate-data"]), _b64(user["client-key-data"])
        self.markers |= markers_of(key) | markers_of(user["client-key-data"])
        credential = {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                      "status": {"clientCertificateData": cert, "clientKeyData": key}}
        plugin = tmp_path / "credential-plugin"
        plugin.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(credential)}\nEOF\n")
        plugin.chmod(stat.S_IRWXU)
        return self._with_user(path, tmp_path / "dest-exec.kubeconfig", {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1", "command": str(plugin),
            "interactiveMode": "Never"}})


def _b64(data):
    return base64.b64decode(data).decode()


def args(k, ns, source=None, dest=None):
    return ["--source-kubeconfig", source or k.source, "--dest-kubeconfig", dest or k.dest,
            "--source-namespace", ns]


def assert_no_marker(markers, what, text):
    for m in markers:
        assert m not in text, f"a secret marker ({m[:6]}...) leaked into {what}"


def test_no_secret_marker_leaks_from_any_mode(clusters, namespaces, tmp_path):
    k = Kubeconfigs(clusters, tmp_path)
    ns = namespaces("markers")
    secret = "drsync-marker-secret-" + uuid.uuid4().hex
    k.markers |= markers_of(secret) | markers_of(secret + "-in-a-file")
    deploy(clusters, ns, SECRET_APP % {"secret": secret})
    common = ["--log-level=debug", "--wait-timeout", "120s"]
    seen = []  # (what, text)

    def run(*argv, expect=0):
        if argv[0] == "status":
            p = clusters.drsync(*argv, "--log-level=debug", "--output", "json")
            assert p.returncode == expect, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}"
            seen.append(("status", p.stdout + p.stderr))
            return
        if "--dry-run" not in argv:  # first: what it would do, with its diffs, as JSON
            pj = clusters.drsync(*argv, *common, "--output", "json", "--dry-run")
            seen.append((f"JSON dry run of {argv}", pj.stdout + pj.stderr))
        report = tmp_path / f"report-{len(seen)}.md"
        p = clusters.drsync(*argv, *common, "--report", str(report))
        assert p.returncode == expect, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}"
        seen.extend([(f"stdout of {argv}", p.stdout), (f"stderr of {argv}", p.stderr)])
        if report.exists():
            seen.append((f"report of {argv}", report.read_text()))

    run("--mode=Stage", *args(k, ns))
    # The Secret changes: the dry runs show a diff of it, which must not show its data.
    new_secret = "drsync-marker-changed-" + uuid.uuid4().hex
    k.markers |= markers_of(new_secret)
    clusters.kubectl("source", "-n", ns, "patch", "secret", "credentials", "-p",
                     json.dumps({"stringData": {"password": new_secret}}))
    run("--mode=Stage", *args(k, ns), "--dry-run")
    run("--mode=Stage", *args(k, ns))
    run("--mode=Cutover", *args(k, ns))
    run("status", *args(k, ns))
    run("--mode=Failback", *args(k, ns))
    # Failing requests: a token the server refuses (401), a real token without rights (403).
    run("--mode=Stage", *args(k, ns, source=k.refused), expect=1)
    run("--mode=Stage", *args(k, ns, source=k.restricted), expect=1)
    for cluster, namespace in (("source", ns), ("dest", ns)):
        cms = clusters.kubectl(cluster, "-n", namespace, "get", "configmaps", "-o", "json")
        seen.append((f"ConfigMaps (journal, state) in {cluster}/{namespace}", cms.stdout))
    for what, text in seen:
        assert_no_marker(k.markers, what, text)
    # The markers were really in play: the Secret was listed, diffed and copied (its masked diff
    # is in the dry run), and the refused token was refused.
    assert any("secrets/credentials" in t for _, t in seen)
    assert any("JSON dry run" in w and "credentials" in t and "password" in t for w, t in seen)
    dest_secret = clusters.kubectl("dest", "-n", ns, "get", "secret", "credentials", "-o", "json")
    assert base64.b64encode(new_secret.encode()).decode() in dest_secret.stdout
    assert any("401" in t or "Unauthorized" in t or "unauthorized" in t for _, t in seen)
    assert any("403" in t or "forbidden" in t.lower() for _, t in seen)


PYTHON_ERRORS = """
import sys, drsync
cluster = drsync.Cluster.from_kubeconfig(sys.argv[1])
try:
    with drsync.Migration(cluster, sys.argv[2], cluster, sys.argv[2] + "-dr") as m:
        m.stage()
except drsync.DrsyncError as e:
    print(type(e).__name__, str(e), repr(e), getattr(e, "reason", ""))
    sys.exit(0)
sys.exit("no error")
"""


def test_no_secret_marker_in_python_or_c_errors(clusters, namespaces, tmp_path):
    k = Kubeconfigs(clusters, tmp_path)
    ns = namespaces("pymarkers")
    env = {**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..", "..",
                                                     "bindings", "python")}
    env.setdefault("DRSYNC_LIBRARY", os.path.join(os.path.dirname(clusters.cli), "..",
                                                  "libdrsync.so"))
    p = subprocess.run([sys.executable, "-c", PYTHON_ERRORS, k.refused, ns], capture_output=True,
                       text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Unauthorized" in p.stdout, p.stdout  # drsync_error_last's text, through Python
    assert_no_marker(k.markers, "a Python/C error", p.stdout + p.stderr)
