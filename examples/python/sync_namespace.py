#!/usr/bin/env python3
"""Copies a namespace into another cluster, showing the plan first, with the drsync package.

    sync_namespace.py SOURCE_KUBECONFIG DEST_KUBECONFIG SOURCE_NAMESPACE DEST_NAMESPACE

Workloads arrive stopped (their scale recorded); a second run writes only what changed.
Exit status: 0 when everything was copied, 1 otherwise.
"""

import sys

import drsync


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    _, src_kubeconfig, dst_kubeconfig, src_ns, dst_ns = argv
    try:
        src = drsync.Cluster.from_kubeconfig(src_kubeconfig)
        dst = drsync.Cluster.from_kubeconfig(dst_kubeconfig)
        with drsync.NamespaceSync(src, src_ns, dst, dst_ns, prune=True) as sync:
            plan = sync.plan()  # reads only: what run() would do, with a diff per object
            for obj in plan.objects:
                print(f"plan: {obj['action']:9} {obj['resource']}/{obj['name']}")
            result = sync.run()
            print("counts:", " ".join(f"{k}={v}" for k, v in sorted(result.counts.items())))
            for line in result.errors + result.not_copied:
                print(f"  not copied: {line}", file=sys.stderr)
            return 0 if result.ok and not result.not_copied else 1
    except drsync.DrsyncError as e:  # bad kubeconfig, unreachable cluster, 403, ...
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
