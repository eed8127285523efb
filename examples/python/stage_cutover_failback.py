#!/usr/bin/env python3
"""Stages a namespace into a DR cluster, cuts over to it and fails back, with the drsync package.

    stage_cutover_failback.py SOURCE_KUBECONFIG DEST_KUBECONFIG SOURCE_NAMESPACE DEST_NAMESPACE

libdrsync is found through $DRSYNC_LIBRARY, next to the package, or the system loader.
"""

import sys

import drsync


def show(p: drsync.Progress) -> None:
    if p.total:
        print(f"  {p.step} {p.done}/{p.total} {p.object}", file=sys.stderr)


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    _, src_kubeconfig, dst_kubeconfig, src_ns, dst_ns = argv
    try:
        src = drsync.Cluster.from_kubeconfig(src_kubeconfig)
        dst = drsync.Cluster.from_kubeconfig(dst_kubeconfig)
        with drsync.Migration(src, src_ns, dst, dst_ns, wait_timeout_seconds=120) as m:
            m.on_progress(show)
            for mode in (m.stage, m.cutover, m.failback):
                report = mode()  # a failed mode returns its report with ok == False
                print(report.markdown)
                if not report.ok:
                    return 1
        return 0
    except drsync.DrsyncError as e:  # refused (Fenced, Pending, ...) or could not run
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
