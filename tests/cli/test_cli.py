"""End-to-end tests of the drsync command line on the two real test clusters (docs/cli.md)."""

import json
import os
import re
import time

import pytest

SECRET_VALUE = "s3cr3t-never-printed"

APP = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: credentials}
stringData: {password: %(secret)s}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {tier: front}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {tier: back}}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: busybox:1.36}]
""" % {"secret": SECRET_VALUE}

# A Deployment whose Pods can never be scheduled: a Cutover waiting for it times out.
STUCK = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                          "manifests", "stuck-deployment.yaml")).read()


def deploy(clusters, ns, manifests=APP):
    clusters.kubectl("source", "create", "namespace", ns)
    clusters.kubectl("source", "-n", ns, "apply", "-f", "-", stdin=manifests)


def pair_args(clusters, ns, dest_ns=None, source="source", dest="dest"):
    args = ["--source-kubeconfig", clusters.kubeconfig(source), "--dest-kubeconfig",
            clusters.kubeconfig(dest), "--source-namespace", ns]
    if dest_ns:
        args += ["--dest-namespace", dest_ns]
    return args


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    return p


def assert_no_secret(*procs):
    for p in procs:
        assert SECRET_VALUE not in p.stdout and SECRET_VALUE not in p.stderr


# ---- version ------------------------------------------------------------------------------------

def test_version(clusters):
    p = ok(clusters.drsync("--version"))
    assert re.fullmatch(r"Version: \S+, GitCommit: \S+, BuildTime: \S+\n", p.stdout), p.stdout


def test_version_json(clusters):
    p = ok(clusters.drsync("--version-json"))
    doc = json.loads(p.stdout)
    assert {"version", "git_commit", "build_time"} <= set(doc)
    assert re.fullmatch(r"\d+\.\d+\.\d+", doc["version"])


# ---- usage errors: exit 2, nothing contacted ----------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ([], "--mode is required"),
    (["--mode=Bogus"], "invalid mode"),
    (["--mode", "Stage", "--no-such-flag"], "unknown flag --no-such-flag"),
    (["--mode=Stage", "--source-kubeconfig", "x", "--dest-kubeconfig", "y"],
     "--source-namespace is required"),
    (["--mode=Stage", "--include-custom-resources", "true"], "unexpected argument"),
    (["--mode=Stage", "--wait-timeout", "soon"], "invalid duration"),
    (["--mode=Stage", "--output", "yaml"], "invalid --output"),
    (["--mode=Stage", "--report", "report.txt"], ".json or .md"),
    (["--mode=Stage", "--log-level", "loud"], "invalid --log-level"),
    (["--mode=Stage", "--image-map", "docker.io"], "expected OLD=NEW"),
    (["--mode=Stage", "--source-unavailable", "--source-namespace", "a", "--source-kubeconfig",
      "x", "--dest-kubeconfig", "y"], "only applies to --mode=Cutover"),
])
def test_usage_errors_exit_2(clusters, args, message):
    p = clusters.drsync(*args)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr


@pytest.mark.parametrize("flag,message", [
    ("--use-standby-pvcs", "no standby PVCs"),
    ("--pv-migrate-flags=--strategies mnt2", "--strategies has no meaning for drsync's mover"),
    ("--data-verify=some", "must be none, sample or full")])
def test_pvc_data_flags_without_meaning_exit_2(clusters, namespaces, flag, message):
    ns = namespaces("pvc")
    p = clusters.drsync("--mode=Cutover", *pair_args(clusters, ns), flag)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr
    assert not clusters.namespace_exists("dest", ns)


def test_migrate_pvc_data_false_is_accepted(clusters, namespaces):
    ns = namespaces("pvcfalse")
    deploy(clusters, ns)
    ok(clusters.drsync("--mode=Stage", *pair_args(clusters, ns), "--migrate-pvc-data=false"))


# ---- the three modes ----------------------------------------------------------------------------

def test_stage_cutover_failback(clusters, namespaces, tmp_path):
    ns, dest_ns = namespaces("modes"), namespaces("modes-dr")
    deploy(clusters, ns)
    args = pair_args(clusters, ns, dest_ns)

    st = ok(clusters.drsync("status", *args))
    assert "active side:       source" in st.stdout and "pending operation: none" in st.stdout

    # Stage: everything copied, workloads stopped with their original count recorded.
    stage = ok(clusters.drsync("--mode=Stage", *args, "--report", str(tmp_path / "stage.json")))
    for name, count in (("web", 2), ("api", 1)):
        assert clusters.replicas("dest", dest_ns, name) == 0
        assert clusters.jsonpath("dest", dest_ns, "deployment/" + name,
                                 ".metadata.annotations.drsync\\.io/original-replicas") == str(count)
        assert clusters.replicas("source", ns, name) == count
    assert clusters.kubectl("dest", "-n", dest_ns, "get", "configmap/settings", "secret/credentials",
                            "service/web").returncode == 0
    report = json.loads((tmp_path / "stage.json").read_text())
    assert report["exitCode"] == 0 and report["results"][0]["report"]["mode"] == "Stage"
    assert report["results"][0]["report"]["ok"] is True

    # Cutover: destination at the original counts and ready, source at 0.
    cutover = ok(clusters.drsync("--mode=Cutover", *args, "--wait-timeout", "2m",
                                 "--report", str(tmp_path / "cutover.md")))
    assert clusters.replicas("dest", dest_ns, "web") == 2 and clusters.ready("dest", dest_ns, "web") == 2
    assert clusters.replicas("dest", dest_ns, "api") == 1 and clusters.ready("dest", dest_ns, "api") == 1
    assert clusters.replicas("source", ns, "web") == 0 and clusters.replicas("source", ns, "api") == 0
    md = (tmp_path / "cutover.md").read_text()
    assert md.startswith("# drsync Cutover report") and "**succeeded**" in md

    st = ok(clusters.drsync("status", *args))
    assert "active side:       destination" in st.stdout
    assert "deployments.apps/web: 2" in st.stdout

    # Stage onto the active destination: refused (3), nothing changed.
    refused, doc = clusters.drsync_json("--mode=Stage", *args)
    assert refused.returncode == 3, refused.stderr
    assert doc["exitCode"] == 3 and doc["results"][0]["result"] == "refused"
    assert "active side" in doc["results"][0]["error"]
    assert clusters.replicas("dest", dest_ns, "web") == 2

    # Failback: source back at its counts, destination at 0.
    failback = ok(clusters.drsync("--mode=Failback", *args, "--wait-timeout=2m",
                                  "--log-level=debug"))
    assert clusters.replicas("source", ns, "web") == 2 and clusters.ready("source", ns, "web") == 2
    assert clusters.replicas("source", ns, "api") == 1
    assert clusters.replicas("dest", dest_ns, "web") == 0 and clusters.replicas("dest", dest_ns, "api") == 0
    assert_no_secret(stage, cutover, failback, st, refused)


def test_subset_and_transforms(clusters, namespaces, tmp_path):
    ns = namespaces("subset")
    deploy(clusters, ns)
    modifiers = tmp_path / "modifiers.yaml"
    modifiers.write_text("""version: v1
resourceModifierRules:
- conditions: {groupResource: configmaps}
  mergePatches:
  - patchData: '{"data": {"color": "green"}}'
""")
    args = pair_args(clusters, ns)
    ok(clusters.drsync("--mode=Stage", *args, "--image-map", "docker.io=mirror.example.com",
                       "--resource-modifiers", str(modifiers)))
    assert clusters.jsonpath("dest", ns, "configmap/settings", ".data.color") == "green"
    image = clusters.jsonpath("dest", ns, "deployment/web", ".spec.template.spec.containers[0].image")
    assert image.startswith("mirror.example.com/"), image
    # Cutover only the workloads labelled tier=front.
    ok(clusters.drsync("--mode=Cutover", *args, "--selector", "tier=front", "--wait-timeout", "2m"))
    assert clusters.replicas("dest", ns, "web") == 2 and clusters.replicas("source", ns, "web") == 0
    assert clusters.replicas("dest", ns, "api") == 0 and clusters.replicas("source", ns, "api") == 1


# ---- --dry-run ----------------------------------------------------------------------------------

def resource_versions(clusters, cluster, ns):
    p = clusters.kubectl(cluster, "-n", ns, "get", "deployments,configmaps,secrets,services",
                         "-o", "jsonpath={range .items[*]}{.kind}/{.metadata.name}="
                         "{.metadata.resourceVersion} {end}")
    return p.stdout


def test_dry_run_writes_nothing(clusters, namespaces, tmp_path):
    ns = namespaces("dry")
    deploy(clusters, ns)
    args = pair_args(clusters, ns)

    p = ok(clusters.drsync("--mode=Stage", *args, "--dry-run", "--log-level=debug",
                           "--report", str(tmp_path / "plan.md")))
    assert not clusters.namespace_exists("dest", ns)
    assert re.search(r"create\s+deployments\.apps/web", p.stdout), p.stdout
    assert "+++ desired/deployments.apps/web" in p.stdout or "desired" in p.stdout
    assert "secrets/credentials" in p.stdout
    assert (tmp_path / "plan.md").exists()
    _, doc = clusters.drsync_json("--mode=Stage", *args, "--dry-run")
    assert doc["dryRun"] is True and doc["results"][0]["syncPlan"]["counts"]["create"] >= 5
    assert_no_secret(p)
    assert SECRET_VALUE not in json.dumps(doc)

    # After a real Stage, Cutover and Failback dry runs change nothing on either side.
    ok(clusters.drsync("--mode=Stage", *args))
    before = (resource_versions(clusters, "source", ns), resource_versions(clusters, "dest", ns))
    cut = ok(clusters.drsync("--mode=Cutover", *args, "--dry-run"))
    assert re.search(r"deployments\.apps/web: 2 -> 0", cut.stdout), cut.stdout
    assert re.search(r"deployments\.apps/web: 0 -> 2", cut.stdout), cut.stdout
    ok(clusters.drsync("--mode=Failback", *args, "--dry-run"))
    after = (resource_versions(clusters, "source", ns), resource_versions(clusters, "dest", ns))
    assert before == after
    assert clusters.replicas("dest", ns, "web") == 0 and clusters.replicas("source", ns, "web") == 2


# ---- failure classes ----------------------------------------------------------------------------

def test_bad_kubeconfig_exit_1(clusters, namespaces, tmp_path):
    ns = namespaces("badkc")
    p = clusters.drsync("--mode=Stage", "--source-kubeconfig", str(tmp_path / "missing"),
                        "--dest-kubeconfig", clusters.kubeconfig("dest"), "--source-namespace", ns)
    assert p.returncode == 1, p.stderr
    assert "missing" in p.stderr and "next:" in p.stderr
    garbage = tmp_path / "garbage.kubeconfig"
    garbage.write_text("apiVersion: v1\nkind: Config\nclusters: [[[\n")
    p = clusters.drsync("--mode=Stage", "--source-kubeconfig", str(garbage),
                        "--dest-kubeconfig", clusters.kubeconfig("dest"), "--source-namespace", ns)
    assert p.returncode == 1, p.stderr
    p = clusters.drsync("--mode=Stage", *pair_args(clusters, ns), "--source-context", "no-such")
    assert p.returncode == 1, p.stderr
    assert not clusters.namespace_exists("dest", ns)


def unreachable_kubeconfig(clusters, tmp_path):
    text = open(clusters.kubeconfig("source")).read()
    text = re.sub(r"server: https://[0-9.]+:\d+", "server: https://127.0.0.1:1", text)
    path = tmp_path / "unreachable.kubeconfig"
    path.write_text(text)
    return str(path)


def test_unreachable_server_exit_1(clusters, namespaces, tmp_path):
    ns = namespaces("unreach")
    args = ["--source-kubeconfig", unreachable_kubeconfig(clusters, tmp_path), "--dest-kubeconfig",
            clusters.kubeconfig("dest"), "--source-namespace", ns]
    p = clusters.drsync("--mode=Stage", *args)
    assert p.returncode == 1, p.stderr
    # A Cutover never slides into "source down" mode without being told.
    p = clusters.drsync("--mode=Cutover", *args)
    assert p.returncode == 1, p.stderr
    assert "--source-unavailable" in p.stderr
    assert not clusters.namespace_exists("dest", ns) or clusters.kubectl(
        "dest", "-n", ns, "get", "configmap", "drsync-state", check=False).returncode != 0


def test_forbidden_exit_1(clusters, namespaces):
    ns = namespaces("forbid")
    deploy(clusters, ns)  # the restricted user has no Role in this namespace
    p = clusters.drsync("--mode=Stage", *pair_args(clusters, ns, source="source-restricted"))
    assert p.returncode == 1, p.stdout + p.stderr
    assert re.search(r"forbidden|RBAC", p.stdout + p.stderr, re.IGNORECASE)
    p = clusters.drsync("--mode=Stage", *pair_args(clusters, ns, dest="dest-restricted"))
    assert p.returncode == 1, p.stdout + p.stderr


# ---- DR plan files ------------------------------------------------------------------------------

def test_plan_with_two_pairs(clusters, namespaces, tmp_path):
    a, a_dr, b = namespaces("plan-a"), namespaces("plan-a-dr"), namespaces("plan-b")
    deploy(clusters, a)
    deploy(clusters, b)
    rel_source = os.path.relpath(clusters.kubeconfig("source"), tmp_path)
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""apiVersion: drsync.io/v1
kind: DRPlan
metadata: {{name: two-pairs}}
source: {{kubeconfig: {rel_source}}}
destination: {{kubeconfig: no-such-file.kubeconfig}}
defaults: {{waitTimeoutSeconds: 120, workloadSelector: "tier=front"}}
namespaces:
- {{source: {a}, destination: {a_dr}}}
- {{source: {b}, options: {{workloadSelector: ""}}}}
""")
    # The plan's destination kubeconfig does not exist: the flag overrides it.
    override = ["--dest-kubeconfig", clusters.kubeconfig("dest")]
    p, doc = clusters.drsync_json("--mode=Stage", "--plan", str(plan), *override)
    assert p.returncode == 0, p.stderr
    assert doc["plan"] == "two-pairs" and [r["result"] for r in doc["results"]] == ["succeeded"] * 2
    assert clusters.replicas("dest", a_dr, "web") == 0 and clusters.replicas("dest", b, "api") == 0

    bad = clusters.drsync("--mode=Cutover", "--plan", str(plan), *override, "--parallel", "0")
    assert bad.returncode == 2 and "--parallel" in bad.stderr
    # The pairs run together (drsync::run_plan): one at a time here, in phases.
    p, doc = clusters.drsync_json("--mode=Cutover", "--plan", str(plan), *override,
                                  "--parallel", "1")
    assert p.returncode == 0, p.stderr
    assert "Cutover of 2 namespace pairs, 1 at a time" in p.stderr
    assert f"Cutover {b}: scale_up" in p.stderr
    # Pair a: only tier=front (the plan's default); pair b: its override selects everything.
    assert clusters.replicas("dest", a_dr, "web") == 2 and clusters.replicas("dest", a_dr, "api") == 0
    assert clusters.replicas("dest", b, "web") == 2 and clusters.replicas("dest", b, "api") == 1
    assert clusters.replicas("source", b, "api") == 0

    # Without the override, the plan's missing kubeconfig is an error (1), not a usage error.
    p = clusters.drsync("--mode=Failback", "--plan", str(plan))
    assert p.returncode == 1, p.stderr
    # status for one pair of the plan.
    p = ok(clusters.drsync("status", "--plan", str(plan), *override, "--source-namespace", b))
    assert "active side:       destination" in p.stdout and a not in p.stdout


def test_invalid_plan_exit_2(clusters, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("apiVersion: drsync.io/v1\nkind: DRPlan\nsource: {}\ndestination: {}\n"
                    "namespaces:\n- {source: a, options: {prunne: true}}\n")
    p = clusters.drsync("--mode=Stage", "--plan", str(plan))
    assert p.returncode == 2, p.stderr
    assert "namespaces[0].options.prunne" in p.stderr
    plan.write_text("apiVersion: drsync.io/v1\nkind: DRPlan\nsource: {}\ndestination: {}\n"
                    "namespaces:\n- {source: a, options: {migrateData: true,"
                    " dataMover: {verify: sometimes}}}\n")
    p = clusters.drsync("--mode=Cutover", "--plan", str(plan))
    assert p.returncode == 2, p.stderr
    assert "namespaces[0].options.dataMover.verify" in p.stderr


# ---- an interrupted Cutover, status, resume -----------------------------------------------------

def test_status_after_interrupted_cutover(clusters, namespaces):
    ns = namespaces("resume")
    deploy(clusters, ns, STUCK)
    args = pair_args(clusters, ns)
    ok(clusters.drsync("--mode=Stage", *args))

    # The destination cannot become ready within 1 s: the Cutover stops after scale_up.
    p = clusters.drsync("--mode=Cutover", *args, "--wait-timeout", "1s")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "not ready" in p.stderr and "re-run" in p.stderr

    st = ok(clusters.drsync("status", *args))
    assert "pending operation: Cutover" in st.stdout, st.stdout
    assert "scale_up" in st.stdout
    _, doc = clusters.drsync_json("status", *args)
    status = doc["results"][0]["status"]
    assert status["pendingMode"] == "Cutover" and "unfence" in status["pendingStepsDone"]
    assert status["ledger"] == {"deployments.apps/stuck": "1"}

    # Another mode is refused while the Cutover is half-done.
    p = clusters.drsync("--mode=Failback", *args)
    assert p.returncode == 3, p.stdout + p.stderr
    assert "Cutover" in p.stderr

    # Fix the workload at the source and re-run: the Cutover completes.
    clusters.kubectl("source", "-n", ns, "patch", "deployment/stuck", "--type=json",
                     "-p", '[{"op": "remove", "path": "/spec/template/spec/nodeSelector"}]')
    ok(clusters.drsync("--mode=Cutover", *args, "--wait-timeout", "2m"))
    assert clusters.ready("dest", ns, "stuck") == 1 and clusters.replicas("source", ns, "stuck") == 0
    st = ok(clusters.drsync("status", *args))
    assert "pending operation: none" in st.stdout and "active side:       destination" in st.stdout


# ---- preflight, cluster-scoped dependencies -------------------------------------------------------

PVC = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: no-such-class
  resources: {requests: {storage: 1Gi}}
"""


def test_preflight_subcommand_and_dry_run(clusters, namespaces):
    ns = namespaces("pre")
    deploy(clusters, ns, PVC)
    p = clusters.drsync("preflight", *pair_args(clusters, ns))
    assert p.returncode == 1, p.stdout + p.stderr
    assert "persistentvolumeclaims/data" in p.stdout and "no-such-class" in p.stdout
    assert "--storage-class-map" in p.stdout
    p, doc = clusters.drsync_json("preflight", *pair_args(clusters, ns),
                                  "--storage-class-map", "no-such-class=standard")
    assert p.returncode == 0, p.stdout + p.stderr
    assert doc["results"][0]["preflight"]["ok"] is True
    p = clusters.drsync("--mode=Stage", "--dry-run", *pair_args(clusters, ns))
    assert p.returncode == 1, p.stdout + p.stderr
    assert "preflight error" in p.stdout
    assert not clusters.namespace_exists("dest", ns)
    p = clusters.drsync("--mode=Stage", *pair_args(clusters, ns))
    assert p.returncode == 1, p.stdout + p.stderr
    assert not clusters.kubectl("dest", "-n", ns, "get", "pvc", "data", check=False).returncode == 0


def test_exclude_cluster_resources(clusters, namespaces):
    ns = namespaces("crb")
    name = f"drsync-cli-{ns}"
    deploy(clusters, ns, f"""
apiVersion: v1
kind: ServiceAccount
metadata: {{name: app}}
""")
    clusters.kubectl("source", "apply", "-f", "-", stdin=f"""
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: {name}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}
subjects: [{{kind: ServiceAccount, name: app, namespace: {ns}}}]
""")
    a, b = namespaces("crb-a"), namespaces("crb-b")
    try:
        ok(clusters.drsync("--mode=Stage", "--exclude-cluster-resources",
                           *pair_args(clusters, ns, a)))
        assert clusters.kubectl("dest", "get", "clusterrolebinding", f"{name}-{a}",
                                check=False).returncode != 0
        ok(clusters.drsync("--mode=Stage", *pair_args(clusters, ns, b)))
        out = clusters.kubectl("dest", "get", "clusterrolebinding", f"{name}-{b}", "-o",
                               "jsonpath={.subjects[0].namespace} {.roleRef.name}").stdout
        assert out == f"{b} view"
    finally:
        clusters.kubectl("source", "delete", "clusterrolebinding", name, check=False)
        clusters.kubectl("dest", "delete", "clusterrolebinding", f"{name}-{b}", check=False)


def test_service_checks_from_a_plan(clusters, namespaces, tmp_path):
    ns = namespaces("checks")
    deploy(clusters, ns)
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"""apiVersion: drsync.io/v1
kind: DRPlan
source: {{kubeconfig: {clusters.kubeconfig("source")}}}
destination: {{kubeconfig: {clusters.kubeconfig("dest")}}}
defaults:
  waitTimeoutSeconds: 120
  rollbackOnFailure: true
  serviceChecks:
    checks: [{{name: closed, address: "127.0.0.1:1", timeoutSeconds: 1}}]
namespaces: [{{source: {ns}}}]
""")
    ok(clusters.drsync("--mode=Stage", "--plan", str(plan)))
    p = clusters.drsync("--mode=Cutover", "--plan", str(plan))
    assert p.returncode == 1, p.stderr
    assert "check closed FAILED (127.0.0.1:1, from the host)" in p.stderr
    # The EndpointSlice controller may not have caught up with the second replica yet: one
    # ready endpoint is enough for the check to pass.
    assert re.search(r"check services/web ok \(app=web, from the cluster\): [12] ready endpoints?\n",
                     p.stdout), \
        p.stdout + p.stderr
    assert clusters.replicas("source", ns, "web") == 2 and clusters.replicas("dest", ns, "web") == 0


# ---- PVC data on the real nodes -------------------------------------------------------------------

def real_nodes(clusters):
    with open(os.path.join(clusters.dir, "real-nodes.json")) as f:
        info = json.load(f)
    if not info.get("available"):
        pytest.skip(f"real nodes unavailable: {info.get('reason')}")
    return info


def data_app(info):
    label, taint = info["label"], info["taint"]
    return f"""
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: app}}}}
  template:
    metadata: {{labels: {{app: app}}}}
    spec:
      terminationGracePeriodSeconds: 1
      nodeSelector: {{{label["key"]}: "{label["value"]}"}}
      tolerations: [{{key: {taint["key"]}, operator: Equal, value: "{taint["value"]}",
                     effect: {taint["effect"]}}}]
      containers:
      - name: app
        image: {info["tools_image"]}
        imagePullPolicy: Never
        command: [sh, -c, "echo written-by-the-app > /data/hello.txt; exec sleep 100000"]
        volumeMounts: [{{name: data, mountPath: /data}}]
      volumes: [{{name: data, persistentVolumeClaim: {{claimName: data}}}}]
"""


def host_path(clusters, cluster, ns, pvc):
    deadline = time.time() + 120
    while time.time() < deadline:
        pv = clusters.jsonpath(cluster, ns, "pvc/" + pvc, ".spec.volumeName")
        if pv and clusters.jsonpath(cluster, ns, "pvc/" + pvc, ".status.phase") == "Bound":
            return clusters.kubectl(cluster, "get", "pv", pv,
                                    "-o", "jsonpath={.spec.hostPath.path}").stdout
        time.sleep(0.5)
    raise AssertionError(f"{cluster} PVC {ns}/{pvc} not bound")


def test_migrate_pvc_data_copies_volumes_and_names_a_failure(clusters, namespaces):
    info = real_nodes(clusters)
    ns = namespaces("data")
    deploy(clusters, ns, data_app(info))
    src = host_path(clusters, "source", ns, "data")
    deadline = time.time() + 120
    while clusters.ready("source", ns, "app") < 1 and time.time() < deadline:
        time.sleep(0.5)
    mover = ["--mover-image", info["tools_image"],
             "--mover-node-selector", f"{info['label']['key']}={info['label']['value']}",
             "--mover-toleration",
             f"{info['taint']['key']}={info['taint']['value']}:{info['taint']['effect']}"]
    p = ok(clusters.drsync("--mode=Stage", *pair_args(clusters, ns), "--migrate-pvc-data",
                           "--data-verify", "full", *mover))
    assert re.search(r"volume data copied: 1 of \d+ files sent, .*; verified full: 1 files "
                     r"compared, 0 differ\n", p.stdout), p.stdout
    dst = host_path(clusters, "dest", ns, "data")
    with open(os.path.join(dst, "hello.txt")) as f:
        assert f.read() == "written-by-the-app\n"
    with open(os.path.join(src, "hello.txt")) as f:
        assert f.read() == "written-by-the-app\n"

    # Each bad path: exit 1, the PVC and the cause named, the source untouched, nothing left.
    bad_paths = [
        (["--mover-image", "drsync.local/no-such-image:1"] + mover[2:], "no-such-image"),
        (["--mover-image", info["tools_image"], "--mover-node-selector",
          "drsync.io/no-such-node=true", "--mover-timeout", "8s"], "not scheduled"),
        (mover + ["--mover-address", "127.0.0.1:1"], "ssh failed"),
    ]
    for flags, cause in bad_paths:
        p = clusters.drsync("--mode=Stage", *pair_args(clusters, ns), "--migrate-pvc-data", *flags)
        out = p.stdout + p.stderr
        assert p.returncode == 1, out
        assert "volume data FAILED" in out and cause in out, out  # the PVC is "data"
        with open(os.path.join(src, "hello.txt")) as f:
            assert f.read() == "written-by-the-app\n"
        for cluster in ("source", "dest"):
            left = clusters.kubectl(cluster, "-n", ns, "get", "pods,jobs,services,secrets",
                                    "-l", "drsync.io/mover", "-o", "name").stdout
            assert left == "", (flags, left)


# ---- kubectl plugin, completion, man page, JSON logs ------------------------------------------------

def test_kubectl_plugin_runs_a_mode_with_kubectls_cluster_and_json_logs(clusters, namespaces):
    import subprocess
    ns = namespaces("plugin")
    deploy(clusters, ns)
    env = {**os.environ, "KUBECONFIG": clusters.kubeconfig("source"),
           "PATH": os.path.dirname(clusters.cli) + os.pathsep + os.environ.get("PATH", "")}
    p = subprocess.run([clusters.kubectl_bin, "drsync", "--mode=Stage", "--kubectl-side=source",
                        "--dest-kubeconfig", clusters.kubeconfig("dest"), "--source-namespace", ns,
                        "--log-format=json", "--log-level=debug"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert clusters.namespace_exists("dest", ns)
    logs = [json.loads(line) for line in p.stderr.splitlines() if line.strip()]
    assert logs and all(set(e) == {"time", "level", "msg"} for e in logs), p.stderr
    assert any(e["msg"].startswith("sync: ok") for e in logs), p.stderr
    # A failure is a JSON line too, with its level.
    p = subprocess.run([clusters.kubectl_bin, "drsync", "--mode=Cutover", "--kubectl-side=source",
                        "--dest-kubeconfig", "/nonexistent.kubeconfig", "--source-namespace", ns,
                        "--log-format=json"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 1, p.stdout + p.stderr
    last = json.loads(p.stderr.strip().splitlines()[-1])
    assert last["level"] == "error" and "nonexistent.kubeconfig" in last["msg"]


def complete(clusters, *words):
    import subprocess
    script = subprocess.run([clusters.cli, "completion", "bash"], capture_output=True, text=True,
                            check=True).stdout
    program = (f"{script}\nCOMP_WORDS=({' '.join(repr(w) for w in words)}); "
               f"COMP_CWORD={len(words) - 1}; _drsync; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    return subprocess.run(["bash", "-c", program], capture_output=True, text=True,
                          check=True).stdout.split()


def test_bash_completion_and_man_page(clusters):
    import subprocess
    assert complete(clusters, "drsync", "--mod") == ["--mode"]
    assert complete(clusters, "drsync", "--mode", "=", "C") == ["Cutover"]
    assert complete(clusters, "drsync", "--log-format", "") == ["text", "json"]
    assert complete(clusters, "drsync", "act") == ["activate"]
    assert "--all-namespaces" in complete(clusters, "drsync", "activate", "--all")
    assert "--all-namespaces" not in complete(clusters, "drsync", "--all")
    man = subprocess.run([clusters.cli, "man"], capture_output=True, text=True, check=True).stdout
    assert man.startswith(".TH DRSYNC 1")
    assert "\\-\\-migrate\\-pvc\\-data" in man and "\\-\\-kubectl\\-side" in man
    p = subprocess.run([clusters.cli, "completion", "fish"], capture_output=True, text=True)
    assert p.returncode == 2 and "bash|zsh" in p.stderr
