#!/usr/bin/env python3
"""Shows what a Cutover would do, without doing it: preflight findings, the steps with each
workload's scale before and after, and which side is active now.

    preview_cutover.py SOURCE_KUBECONFIG DEST_KUBECONFIG SOURCE_NAMESPACE DEST_NAMESPACE

Reads only. Exit status: 0 when a Cutover could run, 1 when something would block it.
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
        with drsync.Migration(src, src_ns, dst, dst_ns) as m:
            status = m.status()
            print(f"active side: {status.active_side}; recorded counts: {len(status.ledger)}")
            preflight = m.preflight()
            for f in preflight.findings:
                print(f"preflight {f.severity}: {f.object}: {f.message} (fix: {f.fix})")
            plan = m.plan(drsync.Mode.CUTOVER, preview=True)
            for step in plan.steps:
                print(f"step {step.name} ({step.side}): {step.description}")
                for c in step.changes:
                    print(f"    {c.side} {c.resource}/{c.name}: {c.from_} -> {c.to}")
            return 0 if preflight.ok else 1
    except drsync.DrsyncError as e:  # Fenced / Pending: a Cutover would be refused
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
