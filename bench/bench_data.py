#!/usr/bin/env python3
"""PVC data mover benchmark against the test clusters' real nodes (docs/BENCHMARKS.md).

  PYTHONPATH=bindings/python DRSYNC_LIBRARY=build/libdrsync.so \\
    bench/bench_data.py --clusters DIR [--big-mib 1024] [--small-files 20000]

DIR is a tests/cluster/up directory with real nodes (source.kubeconfig, dest.kubeconfig, env,
real-nodes.json). On the source's real node an application holds two PVCs: "big" with one file
of --big-mib MiB (incompressible) and "small" with --small-files files of 1-8 KiB in 200 folders.
In one run it measures:

  baseline   plain `rsync -a` of each volume's host folder into an empty local folder (the
             physical limit of this machine: same disks, no network, no encryption, no Pods)
  first      Stage with migrateData, one PVC at a time (parallelism 1): each PVC's copy time from
             the report, i.e. sshd Pod + Service + rsync Job start, rsync over SSH, clean-up
  re-copy    1% of each volume changed (1% of the big file's blocks rewritten in place, 1% of the
             small files rewritten), Stage again
  unchanged  Stage once more with nothing changed: the fixed cost of a copy (Pods and Service
             started and removed, ssh, rsync's file list), to tell it from the transfer itself

and prints Markdown tables of seconds, MiB/s and ratios (mover throughput / baseline
throughput; re-copy time / first copy time).
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import drsync

MIB = 1024 * 1024


def kubectl(env, kubeconfig, *args, stdin=None, check=True):
    p = subprocess.run([env["KUBECTL"], "--kubeconfig", kubeconfig, *args], input=stdin,
                       capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise SystemExit(f"kubectl {' '.join(args)}: {p.stderr.strip()}")
    return p.stdout


def read_env(d):
    env = {}
    with open(os.path.join(d, "env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            if k:
                env[k] = v
    return env


def app(info, ns):
    label, taint = info["label"], info["taint"]
    pod = {"nodeSelector": {label["key"]: label["value"]},
           "tolerations": [{"key": taint["key"], "operator": "Equal", "value": taint["value"],
                            "effect": taint["effect"]}],
           "terminationGracePeriodSeconds": 1,
           "containers": [{"name": "app", "image": info["tools_image"],
                           "imagePullPolicy": "Never", "command": ["sleep", "1000000"],
                           "volumeMounts": [{"name": v, "mountPath": f"/{v}"}
                                            for v in ("big", "small")]}],
           "volumes": [{"name": v, "persistentVolumeClaim": {"claimName": v}}
                       for v in ("big", "small")]}
    claims = [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": v},
               "spec": {"accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "4Gi"}}}} for v in ("big", "small")]
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "app"}},
                       "template": {"metadata": {"labels": {"app": "app"}}, "spec": pod}}}
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": claims + [deploy]})


def volume_paths(env, kc, ns):
    deadline = time.time() + 180
    while time.time() < deadline:
        paths = {}
        for pvc in ("big", "small"):
            claim = json.loads(kubectl(env, kc, "-n", ns, "get", "pvc", pvc, "-o", "json"))
            pv = claim.get("spec", {}).get("volumeName")
            if pv and claim.get("status", {}).get("phase") == "Bound":
                paths[pvc] = json.loads(kubectl(env, kc, "get", "pv", pv, "-o", "json"))[
                    "spec"]["hostPath"]["path"]
        ready = json.loads(kubectl(env, kc, "-n", ns, "get", "deployment", "app", "-o", "json"))
        if len(paths) == 2 and ready.get("status", {}).get("readyReplicas") == 1:
            return paths
        time.sleep(0.5)
    raise SystemExit(f"the application in {ns} did not start on the real node")


def write_big(path, mib):
    with open(os.path.join(path, "big.bin"), "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(MIB))


def write_small(path, count):
    rng = random.Random(1)
    for i in range(count):
        d = os.path.join(path, f"d{i % 200:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i:05d}"), "wb") as f:
            f.write(os.urandom(rng.randint(1024, 8192)))


def change_one_percent(paths, mib, count):
    rng = random.Random(2)
    with open(os.path.join(paths["big"], "big.bin"), "r+b") as f:
        for block in rng.sample(range(mib), max(1, mib // 100)):
            f.seek(block * MIB)
            f.write(os.urandom(MIB))
    for i in rng.sample(range(count), max(1, count // 100)):
        with open(os.path.join(paths["small"], f"d{i % 200:03d}", f"f{i:05d}"), "wb") as f:
            f.write(os.urandom(rng.randint(1024, 8192)))


def du_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_size
    return total


def drop_caches():
    """Cold page cache for every measurement, when allowed (root)."""
    subprocess.run(["sync"], check=False)
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError:
        pass


def baseline(src):
    with tempfile.TemporaryDirectory(dir=os.path.dirname(src.rstrip("/"))) as to:
        drop_caches()
        t0 = time.monotonic()
        subprocess.run(["rsync", "-a", src.rstrip("/") + "/", to + "/"], check=True)
        return time.monotonic() - t0


def stage(source, dest, ns, info):
    mover = {"image": info["tools_image"], "parallelism": 1, "timeoutSeconds": 3600,
             "nodeSelector": {info["label"]["key"]: info["label"]["value"]},
             "tolerations": [{"key": info["taint"]["key"], "operator": "Equal",
                              "value": info["taint"]["value"], "effect": info["taint"]["effect"]}]}
    with drsync.Migration(source, ns, dest, ns + "-dr", migrate_data=True, data_mover=mover,
                          wait_timeout_seconds=300) as m:
        drop_caches()
        t0 = time.monotonic()
        report = m.stage()
        total = time.monotonic() - t0
    if not report.ok:
        raise SystemExit(f"Stage failed: {report.errors}")
    return total, {v.pvc: v for v in report.volumes}


def row(name, seconds, size, base=None):
    mibs = size / MIB / seconds
    ratio = f"{base / seconds:.2f}x" if base else "1.00x"
    return f"| {name} | {seconds:.2f} | {mibs:.0f} | {ratio} |"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clusters", required=True)
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--small-files", type=int, default=20000)
    ap.add_argument("--keep", action="store_true", help="keep the namespaces")
    a = ap.parse_args()
    env = read_env(a.clusters)
    with open(os.path.join(a.clusters, "real-nodes.json")) as f:
        info = json.load(f)
    if not info.get("available"):
        raise SystemExit(f"real nodes unavailable: {info.get('reason')}")
    skc = os.path.join(a.clusters, "source.kubeconfig")
    dkc = os.path.join(a.clusters, "dest.kubeconfig")
    ns = f"bench-data-{os.getpid()}"
    kubectl(env, skc, "create", "namespace", ns)
    try:
        kubectl(env, skc, "-n", ns, "apply", "-f", "-", stdin=app(info, ns))
        paths = volume_paths(env, skc, ns)
        write_big(paths["big"], a.big_mib)
        write_small(paths["small"], a.small_files)
        sizes = {pvc: du_bytes(p) for pvc, p in paths.items()}
        base = {pvc: baseline(p) for pvc, p in paths.items()}
        source = drsync.Cluster.from_kubeconfig(skc)
        dest = drsync.Cluster.from_kubeconfig(dkc)
        first_total, first = stage(source, dest, ns, info)
        change_one_percent(paths, a.big_mib, a.small_files)
        again_total, again = stage(source, dest, ns, info)
        _, idle = stage(source, dest, ns, info)
        print(f"load average: {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores\n")
        print("| copy | seconds | MiB/s | vs local rsync -a |")
        print("| --- | ---: | ---: | ---: |")
        fixed = {pvc: idle[pvc].duration_ms / 1000 for pvc in idle}
        labels = {"big": f"one {a.big_mib} MiB file",
                  "small": f"{a.small_files:,} small files ({sizes['small'] / MIB:.0f} MiB)"}
        for pvc in ("big", "small"):
            print(row(f"{labels[pvc]}: local `rsync -a` (baseline)", base[pvc], sizes[pvc]))
            seconds = first[pvc].duration_ms / 1000
            print(row(f"{labels[pvc]}: mover, first copy", seconds, sizes[pvc], base[pvc]))
            print(row(f"{labels[pvc]}: mover, first copy minus its fixed cost",
                      max(0.01, seconds - fixed[pvc]), sizes[pvc], base[pvc]))
        print("\n| re-copy after 1% changed | first copy s | re-copy s | re-copy / first | "
              "bytes sent / total | nothing changed s (fixed cost) |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for pvc in ("big", "small"):
            f, g = first[pvc].duration_ms / 1000, again[pvc].duration_ms / 1000
            print(f"| {labels[pvc]} | {f:.2f} | {g:.2f} | {g / f:.2f} | "
                  f"{again[pvc].bytes_sent / max(1, again[pvc].bytes_total):.3f} | "
                  f"{idle[pvc].duration_ms / 1000:.2f} |")
        print(f"\nwhole Stage (sync + record + both PVCs): first {first_total:.2f} s, "
              f"again {again_total:.2f} s")
    finally:
        if not a.keep:
            kubectl(env, skc, "delete", "namespace", ns, "--wait=false", check=False)
            kubectl(env, dkc, "delete", "namespace", ns + "-dr", "--wait=false", check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
