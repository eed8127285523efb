#!/usr/bin/env python3
"""Stages a namespace with its PVC data handed to your storage system instead of drsync's
built-in mover: a volume hook is called for each PVC pair (as a storage vendor would promote a
replica or fail a consistency group over), reports its progress, and may fail one PVC by name.

    storage_failover.py SOURCE_KUBECONFIG DEST_KUBECONFIG SOURCE_NS DEST_NS

Exit status: 0 when every PVC pair was handed over and the Stage succeeded, 1 otherwise.
"""

import sys
from typing import Callable

import drsync


def promote_replica(migration: drsync.Migration, pair: drsync.VolumePair,
                    progress: Callable[..., None]) -> None:
    """Your storage system's call goes here; raising fails this PVC pair with the message."""
    print(f"promote {pair.from_namespace}/{pair.from_pvc} -> {pair.to_namespace}/{pair.to_pvc}",
          flush=True)
    progress(bytes_done=0, bytes_total=1, files_done=0, files_total=1)
    progress(bytes_done=1, bytes_total=1, files_done=1, files_total=1)  # replica in sync


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    _, src_kubeconfig, dst_kubeconfig, src_ns, dst_ns = argv
    try:
        src = drsync.Cluster.from_kubeconfig(src_kubeconfig)
        dst = drsync.Cluster.from_kubeconfig(dst_kubeconfig)
        with drsync.Migration(src, src_ns, dst, dst_ns, migrate_data=True) as m:
            m.on_volume(promote_replica)  # runs on worker threads, one call per PVC pair
            report = m.stage()
        for v in report.volumes:
            print(f"volume {v.pvc}: {'ok' if v.ok else 'FAILED'}: {v.message}")
        for e in report.errors:
            print(f"error: {e}", file=sys.stderr)
        return 0 if report.ok else 1
    except drsync.DrsyncError as e:  # bad kubeconfig, unreachable cluster, a refused Stage, ...
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
