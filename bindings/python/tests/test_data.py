"""PVC data with Stage, Cutover and Failback on the real nodes (docs/data.md): the built-in
mover (rsync over SSH, Pod to Pod) copies a dataset with every kind of file, re-copies only what
changed, copies the last writes of a stopped application before the destination starts, brings
the destination's changes back, and leaves nothing behind."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import time

import pytest

import drsync

FAST = dict(wait_timeout_seconds=120, gone_timeout_seconds=60)
MIB = 1024 * 1024


def app_manifests(nodes) -> str:
    """A Deployment with a PVC and a StatefulSet with a volumeClaimTemplate, on the real node.
    On SIGTERM the Deployment writes /data/last-words (its last write while being stopped)."""
    pod = {"terminationGracePeriodSeconds": 5, **nodes.placement()}
    container = {"name": "app", "image": nodes.tools_image, "imagePullPolicy": "Never",
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    app_cmd = ("trap 'date > /data/last-words; sync; exit 0' TERM; "
               "while true; do sleep 0.2; done")
    docs = [
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "app"}},
                  "template": {"metadata": {"labels": {"app": "app"}}, "spec": {
                      **pod, "containers": [{**container, "command": ["sh", "-c", app_cmd]}],
                      "volumes": [{"name": "data",
                                   "persistentVolumeClaim": {"claimName": "data"}}]}}}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
         "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                  "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
                      **pod, "containers": [{**container, "command": ["sleep", "100000"]}]}},
                  "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                      "accessModes": ["ReadWriteOnce"],
                      "resources": {"requests": {"storage": "1Gi"}}}}]}},
    ]
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": docs})


def wait_ready(kubectl, ns: str) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        d = kubectl.json("-n", ns, "get", "deployment", "app").get("status", {})
        s = kubectl.json("-n", ns, "get", "statefulset", "db").get("status", {})
        if d.get("readyReplicas") == 1 and s.get("readyReplicas") == 1:
            return
        time.sleep(0.3)
    raise AssertionError(f"app in {ns} not ready")


def volume_path(kubectl, ns: str, pvc: str) -> str:
    """The host folder of a PVC (the hostPath provisioner's PV, mounted for real by the kubelet of
    the real node, which shares this machine's file system)."""
    deadline = time.time() + 60
    while time.time() < deadline:
        claim = kubectl.json("-n", ns, "get", "pvc", pvc)
        pv = claim.get("spec", {}).get("volumeName")
        if pv and claim.get("status", {}).get("phase") == "Bound":
            return kubectl.json("get", "pv", pv)["spec"]["hostPath"]["path"]
        time.sleep(0.3)
    raise AssertionError(f"PVC {ns}/{pvc} not bound")


def write_dataset(root: str) -> None:
    """~1,000 small files in nested folders, a 256 MiB file, a sparse file, symlinks,
    hardlinks, modes, numeric owners, an empty folder."""
    for i in range(1000):
        d = os.path.join(root, "tree", f"d{i % 10}", f"e{i % 7}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i}.txt"), "w") as f:
            f.write(f"file {i}\n" * (i % 50 + 1))
    with open(os.path.join(root, "big.bin"), "wb") as f:
        block = hashlib.sha256(b"drsync").digest() * (MIB // 32)
        for i in range(256):
            f.write(block[i:] + block[:i])
    with open(os.path.join(root, "sparse.img"), "wb") as f:
        f.truncate(64 * MIB)
        f.seek(32 * MIB)
        f.write(b"middle")
    os.symlink("tree/d1/e1/f1.txt", os.path.join(root, "link-rel"))
    os.symlink("/nonexistent/target", os.path.join(root, "link-dangling"))
    os.link(os.path.join(root, "tree/d2/e2/f2.txt"), os.path.join(root, "hard"))
    os.chmod(os.path.join(root, "tree/d3/e3/f3.txt"), 0o640)
    os.chmod(os.path.join(root, "tree/d4"), 0o711)
    os.chown(os.path.join(root, "tree/d5/e5/f5.txt"), 1234, 5678)
    os.makedirs(os.path.join(root, "empty"))


def tree(root: str) -> dict:
    """Everything rsync -aH must keep: type, mode, owner, size, content, link target, which
    files are hard links of each other, and which files are sparse."""
    out, inodes = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if rel.startswith(".drsync-partial"):
                continue
            st = os.lstat(p)
            entry = [stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid]
            if stat.S_ISLNK(st.st_mode):
                entry.append(os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    entry += [st.st_size, hashlib.sha256(f.read()).hexdigest(),
                              st.st_blocks * 512 < st.st_size // 2]
                inodes.setdefault(st.st_ino, []).append(rel)
            out[rel] = entry
    out["<hardlinks>"] = sorted(sorted(v) for v in inodes.values() if len(v) > 1)
    return out


# Run by busybox in a Pod: one line per entry of /data, the fields tree() compares.
TREE_SCRIPT = r"""cd /data && find . -mindepth 1 ! -path './.drsync-partial*' | sort |
while read -r p; do
  if [ -L "$p" ]; then echo "L|$p|$(stat -c '%a|%u|%g' "$p")|$(readlink "$p")"
  elif [ -f "$p" ]; then
    echo "F|$p|$(stat -c '%a|%u|%g|%s|%b|%i' "$p")|$(sha256sum < "$p" | cut -d' ' -f1)"
  else echo "D|$p|$(stat -c '%a|%u|%g' "$p")"; fi
done"""


def tree_in_pod(kubectl, ns: str, pvc: str, nodes) -> dict:
    """tree() of a PVC as a Pod in its cluster sees it: the PVC mounted in a Pod on the real node
    that lists every entry with busybox's stat, readlink and sha256sum."""
    name = f"verify-{pvc}"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {
        **nodes.placement(), "restartPolicy": "Never",
        "containers": [{"name": "verify", "image": nodes.tools_image,
                        "imagePullPolicy": "Never", "command": ["sh", "-c", TREE_SCRIPT],
                        "volumeMounts": [{"name": "data", "mountPath": "/data",
                                          "readOnly": True}]}],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": pvc}}]}}
    kubectl("-n", ns, "apply", "-f", "-", stdin=json.dumps(pod))
    deadline = time.time() + 120
    while kubectl.json("-n", ns, "get", "pod", name)["status"].get("phase") != "Succeeded":
        assert time.time() < deadline, kubectl("-n", ns, "describe", "pod", name)
        time.sleep(0.5)
    out, inodes = {}, {}
    for line in kubectl("-n", ns, "logs", name).splitlines():
        kind, path, *f = line.split("|")
        rel = os.path.relpath(path, ".")
        mode, uid, gid = int(f[0], 8), int(f[1]), int(f[2])
        if kind == "L":
            out[rel] = [stat.S_IFLNK, mode, uid, gid, f[3]]
        elif kind == "F":
            size, blocks, inode, digest = int(f[3]), int(f[4]), f[5], f[6]
            out[rel] = [stat.S_IFREG, mode, uid, gid, size, digest, blocks * 512 < size // 2]
            inodes.setdefault(inode, []).append(rel)
        else:
            out[rel] = [stat.S_IFDIR, mode, uid, gid]
    out["<hardlinks>"] = sorted(sorted(v) for v in inodes.values() if len(v) > 1)
    kubectl("-n", ns, "delete", "pod", name, "--wait=false")
    return out


def mover_options(nodes, **extra) -> dict:
    return {"image": nodes.tools_image, "timeoutSeconds": 300,
            "nodeSelector": nodes.placement()["nodeSelector"],
            "tolerations": nodes.placement()["tolerations"], **extra}


def leftovers(kubectl, ns: str) -> list:
    out = []
    for kind in ("jobs", "pods", "services", "secrets"):
        items = kubectl.json("-n", ns, "get", kind, "-l", "drsync.io/mover")["items"]
        out += [f"{kind}/{i['metadata']['name']}" for i in items]
    return out


@pytest.fixture
def bare_app(require_real_nodes, namespaces, kubectl_source):
    """The application running on the real node, its two volumes empty: (namespace, paths)."""
    ns = namespaces("data")
    kubectl_source("-n", ns, "apply", "-f", "-", stdin=app_manifests(require_real_nodes))
    wait_ready(kubectl_source, ns)
    return ns, {pvc: volume_path(kubectl_source, ns, pvc) for pvc in ("data", "data-db-0")}


@pytest.fixture
def app(bare_app):
    """The application with the dataset of write_dataset in both volumes."""
    for p in bare_app[1].values():
        write_dataset(p)
    return bare_app


def test_stage_copies_every_kind_of_file_then_only_what_changed(
        require_real_nodes, app, source, dest, kubectl_source, kubectl_dest) -> None:
    ns, src = app
    dns = ns + "-dr"
    progress = []
    with drsync.Migration(source, ns, dest, dns, migrate_data=True,
                          data_mover=mover_options(require_real_nodes, verify="full"),
                          **FAST) as m:
        m.on_progress(lambda p: progress.append(p) if p.step == "migrate_data" else None)
        staged = m.stage()
        assert staged.ok, (staged.errors, [v.message for v in staged.volumes])
        assert [s.name for s in staged.steps] == ["sync", "record", "migrate_data"]
        first = {v.pvc: v for v in staged.volumes}
        assert set(first) == {"data", "data-db-0"}
        for v in first.values():
            # 1,000 small files, big.bin, sparse.img; "hard" is a link, not sent again
            assert v.ok and v.rsync_exit == 0 and v.files_transferred == 1002, v
            assert v.verify.startswith("full: ") and v.verify.endswith(", 0 differ"), v.verify
        dst = {pvc: volume_path(kubectl_dest, dns, pvc) for pvc in src}
        for pvc in src:
            # As the destination's Pods will see it (the PVC mounted in a Pod there).
            assert tree_in_pod(kubectl_dest, dns, pvc, require_real_nodes) == tree(src[pvc]), pvc
        assert any(p.total > 0 and p.files_total > 0 for p in progress)

        # Three files changed, one deleted, one added: exactly those move.
        root = src["data"]
        for i in (11, 22, 33):
            with open(os.path.join(root, f"tree/d{i % 10}/e{i % 7}/f{i}.txt"), "a") as f:
                f.write("changed\n")
        os.remove(os.path.join(root, "tree/d4/e2/f44.txt"))
        with open(os.path.join(root, "tree/new.txt"), "w") as f:
            f.write("new\n")
        again = m.stage()
        assert again.ok, again.errors
        second = {v.pvc: v for v in again.volumes}
        assert second["data"].files_transferred == 4, second["data"]
        assert second["data-db-0"].files_transferred == 0
        assert second["data"].bytes_sent < second["data"].bytes_total // 100
        assert tree(dst["data"]) == tree(root)
    assert leftovers(kubectl_source, ns) == [] and leftovers(kubectl_dest, dns) == []


def test_excluded_paths_stay_behind_and_a_sample_is_verified(
        require_real_nodes, bare_app, source, dest, kubectl_dest) -> None:
    ns, src = bare_app
    dns = ns + "-dr"
    root = src["data"]
    for i in range(200):
        d = os.path.join(root, "keep" if i % 2 else "cache", f"d{i % 5}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i}"), "w") as f:
            f.write(f"{i}\n" * (i + 1))
    mover = mover_options(require_real_nodes, verify="sample", exclude=["/cache/", "*.tmp"])
    with open(os.path.join(root, "keep", "scratch.tmp"), "w") as f:
        f.write("temporary\n")
    with drsync.Migration(source, ns, dest, dns, migrate_data=True, data_mover=mover,
                          **FAST) as m:
        staged = m.stage()
    assert staged.ok, (staged.errors, [v.message for v in staged.volumes])
    v = {v.pvc: v for v in staged.volumes}["data"]
    # 100 files under keep/ are copied; cache/ (100 files) and scratch.tmp stay behind.
    assert v.files_transferred == 100, v
    compared = int(v.verify.split(": ")[1].split(" ")[0])
    assert v.verify.startswith("sample: ") and v.verify.endswith(", 0 differ"), v.verify
    assert 1 <= compared < 100, v.verify  # every 20th file, not all of them
    seen = tree_in_pod(kubectl_dest, dns, "data", require_real_nodes)
    assert not any(p.startswith("cache") or p.endswith(".tmp") for p in seen), sorted(seen)
    want = {p: e for p, e in tree(root).items()
            if not p.startswith("cache") and not p.endswith(".tmp")}
    assert seen == want


def test_cutover_copies_the_last_writes_and_failback_brings_changes_back(
        require_real_nodes, app, source, dest, kubectl_source, kubectl_dest) -> None:
    ns, src = app
    dns = ns + "-dr"
    options = dict(data_mover=mover_options(require_real_nodes), **FAST)
    with drsync.Migration(source, ns, dest, dns, **options) as m:
        assert m.stage().ok
    dst = {pvc: volume_path(kubectl_dest, dns, pvc) for pvc in src}
    seen_before_start = []
    with drsync.Migration(source, ns, dest, dns, migrate_data=True, **options) as m:
        def hook(mode, step, before, mig):
            if step == "scale_up" and before:
                seen_before_start.append(os.path.exists(os.path.join(dst["data"], "last-words")))
        m.on_step(hook)
        cut = m.cutover()
        assert cut.ok, (cut.errors, [v.message for v in cut.volumes])
    # The application's write while it was stopped was in the destination before it started.
    assert seen_before_start == [True]
    assert tree(dst["data"]) == tree(src["data"])

    with open(os.path.join(dst["data"], "written-in-dr.txt"), "w") as f:
        f.write("changed in the DR site\n")
    with drsync.Migration(source, ns, dest, dns, reverse_migrate_data=True, **options) as m:
        back = m.failback()
        assert back.ok, (back.errors, [v.message for v in back.volumes])
        names = [s.name for s in back.steps]
        assert names.index("wait_gone") < names.index("migrate_data") < names.index("scale_up")
    with open(os.path.join(src["data"], "written-in-dr.txt")) as f:
        assert f.read() == "changed in the DR site\n"
    assert leftovers(kubectl_source, ns) == [] and leftovers(kubectl_dest, dns) == []


def test_a_mover_image_that_does_not_exist_is_a_clear_error(
        require_real_nodes, app, source, dest, kubectl_source, kubectl_dest) -> None:
    ns, src = app
    dns = ns + "-dr"
    before = tree(src["data"])
    opts = mover_options(require_real_nodes, timeoutSeconds=60)
    opts["image"] = "drsync.local/no-such-image:1"
    with drsync.Migration(source, ns, dest, dns, migrate_data=True, data_mover=opts,
                          **FAST) as m:
        staged = m.stage()
    assert not staged.ok
    assert staged.step("migrate_data").status == "failed"
    failed = {v.pvc: v.message for v in staged.volumes}
    assert "cannot start" in failed["data"] or "not ready" in failed["data"], failed
    assert "no-such-image" in failed["data"] or "Err" in failed["data"], failed
    assert "data:" in staged.errors[0]
    assert tree(src["data"]) == before
    assert leftovers(kubectl_source, ns) == [] and leftovers(kubectl_dest, dns) == []


@pytest.mark.parametrize("change,cause", [
    ({"nodeSelector": {"drsync.io/no-such-node": "true"}, "timeoutSeconds": 5}, "not scheduled"),
    ({"address": "127.0.0.1:1"}, "ssh failed"),
])
def test_an_unschedulable_or_unreachable_mover_is_a_clear_error(
        require_real_nodes, app, source, dest, kubectl_source, kubectl_dest, change,
        cause) -> None:
    ns, src = app
    dns = ns + "-dr"
    before = tree(src["data"])
    opts = {**mover_options(require_real_nodes), **change}
    with drsync.Migration(source, ns, dest, dns, migrate_data=True, data_mover=opts, **FAST) as m:
        staged = m.stage()
    assert not staged.ok
    failed = {v.pvc: v.message for v in staged.volumes}
    assert set(failed) == {"data", "data-db-0"}
    for pvc, message in failed.items():
        assert cause in message, f"{pvc}: {message}"
    assert f"data: " in staged.errors[0] and cause in staged.errors[0]
    assert tree(src["data"]) == before
    assert leftovers(kubectl_source, ns) == [] and leftovers(kubectl_dest, dns) == []


KILLED_STAGE = """
import sys, drsync
src = drsync.Cluster.from_kubeconfig(sys.argv[1])
dst = drsync.Cluster.from_kubeconfig(sys.argv[2])
with drsync.Migration(src, sys.argv[3], dst, sys.argv[3] + "-dr", migrate_data=True,
                      data_mover=json.loads(sys.argv[4])) as m:
    m.stage()
""".replace("import sys, drsync", "import json, sys, drsync")


def test_a_run_killed_during_the_copy_completes_when_run_again(
        require_real_nodes, app, source, dest, clusters_dir, kubectl_source,
        kubectl_dest) -> None:
    import subprocess
    import sys
    ns, src = app
    dns = ns + "-dr"
    slow = mover_options(require_real_nodes, bandwidthLimitKiB=8192)  # 256 MiB: ~30 s
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_STAGE, os.path.join(clusters_dir, "source.kubeconfig"),
         os.path.join(clusters_dir, "dest.kubeconfig"), ns, json.dumps(slow)],
        env={**os.environ})
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not any(
                p["status"].get("phase") == "Running" for p in kubectl_source.json(
                    "-n", ns, "get", "pods", "-l", "drsync.io/mover")["items"]):
            assert child.poll() is None, "the Stage ended before its copy started"
            time.sleep(0.2)
        time.sleep(2)  # rsync is sending
    finally:
        child.kill()
        child.wait()
    assert leftovers(kubectl_source, ns) != []  # what the killed run left
    with drsync.Migration(source, ns, dest, dns, migrate_data=True,
                          data_mover=mover_options(require_real_nodes), **FAST) as m:
        again = m.stage()
    assert again.ok, (again.errors, [v.message for v in again.volumes])
    dst = {pvc: volume_path(kubectl_dest, dns, pvc) for pvc in src}
    for pvc in src:
        assert tree(dst[pvc]) == tree(src[pvc]), pvc
    assert leftovers(kubectl_source, ns) == [] and leftovers(kubectl_dest, dns) == []


@pytest.fixture
def full_volume():
    """A 16 MiB tmpfs for a hostPath PV: a destination volume that fills up."""
    import subprocess
    path = f"/tmp/drsync-full-{os.getpid()}-{time.time_ns()}"
    os.makedirs(path)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", path], check=True)
    yield path
    subprocess.run(["umount", "-l", path], check=False)
    os.rmdir(path)


def test_a_full_destination_volume_is_a_clear_error(
        require_real_nodes, app, full_volume, source, dest, kubectl_source,
        kubectl_dest) -> None:
    ns, src = app
    dns = ns + "-dr"
    before = tree(src["data"])
    # The destination PVC "data" exists already, bound to the 16 MiB volume (Stage keeps it).
    claim = kubectl_source.json("-n", ns, "get", "pvc", "data")
    pv = f"{dns}-full"
    kubectl_dest("create", "namespace", dns)
    kubectl_dest("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv},
         "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                  "storageClassName": claim["spec"].get("storageClassName", ""),
                  "hostPath": {"path": full_volume},
                  "claimRef": {"namespace": dns, "name": "data"}}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
         "metadata": {"name": "data", "namespace": dns},
         "spec": {"accessModes": ["ReadWriteOnce"], "volumeName": pv,
                  "storageClassName": claim["spec"].get("storageClassName", ""),
                  "resources": {"requests": {"storage": "1Gi"}}}}]}))
    try:
        with drsync.Migration(source, ns, dest, dns, migrate_data=True,
                              data_mover=mover_options(require_real_nodes), **FAST) as m:
            staged = m.stage()
        assert not staged.ok
        volumes = {v.pvc: v for v in staged.volumes}
        assert volumes["data-db-0"].ok, volumes["data-db-0"]
        assert not volumes["data"].ok
        assert volumes["data"].message.startswith("the destination volume is full"), volumes["data"]
        assert "data: the destination volume is full" in staged.errors[0], staged.errors
        assert tree(src["data"]) == before
        assert leftovers(kubectl_source, ns) == [] and leftovers(kubectl_dest, dns) == []
    finally:
        kubectl_dest("delete", "namespace", dns, "--wait=true")
        kubectl_dest("delete", "pv", pv, "--wait=true")


def test_a_volume_hook_copies_each_pvc_pair_instead_of_the_mover(
        bare_app, source, dest, kubectl_source, kubectl_dest) -> None:
    ns, _ = bare_app
    dns = ns + "-dr"
    calls, progress = [], []

    class Abort(BaseException):
        """Not an Exception: cancels the mode (as a kill would) instead of failing one PVC."""

    def promote(mig, pair, report):
        calls.append(pair)
        report(bytes_done=512, bytes_total=1024, files_done=1, files_total=2)
        if pair.from_pvc == "data-db-0" and len(calls) == 2:
            raise RuntimeError("replica not promoted")
        if pair.from_pvc == "data-db-0" and len(calls) == 4:
            raise Abort()
        report(1024, 1024, 2, 2)

    with drsync.Migration(source, ns, dest, dns, migrate_data=True, data_mover={"parallelism": 1},
                          **FAST) as m:
        m.on_volume(promote)
        m.on_progress(lambda p: progress.append(p) if p.step == "migrate_data" else None)
        staged = m.stage()
        assert not staged.ok
        volumes = {v.pvc: v for v in staged.volumes}
        assert volumes["data"].ok and volumes["data"].message == "copied by the volume hook"
        assert volumes["data"].bytes_total == 1024 and volumes["data"].files_total == 2
        assert not volumes["data-db-0"].ok
        assert volumes["data-db-0"].message == "RuntimeError: replica not promoted"
        assert "data-db-0: RuntimeError: replica not promoted" in staged.errors[0]
        assert sorted(c.from_pvc for c in calls) == ["data", "data-db-0"]
        pair = next(c for c in calls if c.from_pvc == "data")
        assert (pair.from_side, pair.to_side) == (drsync.Side.SOURCE, drsync.Side.DESTINATION)
        assert (pair.from_namespace, pair.to_namespace, pair.to_pvc) == (ns, dns, "data")
        assert (pair.from_server, pair.to_server) == (source.server, dest.server)
        # The latest progress of each PVC reaches the callback (at least its last report).
        assert any(p.object == "data" and p.total == 1024 and p.files_total == 2
                   for p in progress), progress

        # A failed Stage is finished: the next one hands every pair over again. A cancelled one
        # (a kill) resumes: only the pairs not done yet.
        with pytest.raises(Abort):
            m.stage()
        assert [c.from_pvc for c in calls[2:]] == ["data", "data-db-0"]
        again = m.stage()
        assert again.ok, again.errors
        assert [c.from_pvc for c in calls[4:]] == ["data-db-0"]
        assert any("data: copied before this run was interrupted" in w for w in again.warnings)
    assert leftovers(kubectl_source, ns) == [] and leftovers(kubectl_dest, dns) == []


def test_storage_failover_example_hands_each_pvc_pair_to_the_hook(bare_app, clusters_dir,
                                                                  kubectl_dest) -> None:
    """examples/python/storage_failover.py, run as a user would."""
    ns, _ = bare_app
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    path = os.path.join(repo, "examples", "python", "storage_failover.py")
    assert sum(1 for line in open(path)) < 60
    env = dict(os.environ, PYTHONPATH=os.path.join(repo, "bindings", "python"))
    p = subprocess.run([sys.executable, path, os.path.join(clusters_dir, "source.kubeconfig"),
                        os.path.join(clusters_dir, "dest.kubeconfig"), ns, ns + "-dr"],
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    for pvc in ("data", "data-db-0"):
        assert f"promote {ns}/{pvc} -> {ns}-dr/{pvc}" in p.stdout
        assert f"volume {pvc}: ok: copied by the volume hook" in p.stdout
    assert kubectl_dest.exists("-n", ns + "-dr", "pvc", "data")
