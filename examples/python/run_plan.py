#!/usr/bin/env python3
"""Runs a mode for every namespace pair of a DR plan file (kind: DRPlan, the CLI's --plan
format), several pairs at a time, and prints the plan report.

    run_plan.py PLAN_FILE Stage|Cutover|Failback [PARALLELISM]

A Cutover stops every source before it starts any destination, then waits for all of them.
Exit status: 0 when every pair succeeded, 1 otherwise (a failed pair never stops the others).
"""

import sys

import drsync


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    parallelism = int(argv[3]) if len(argv) == 4 else 8
    try:
        with drsync.Plan.load(argv[1]) as plan:
            src, dst = plan.open_clusters()
            report = plan.run(argv[2], src, dst, parallelism=parallelism)
    except drsync.DrsyncError as e:  # a malformed plan, a kubeconfig that does not load
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    for pair in report.pairs:
        print(f"{pair.source} -> {pair.destination}: {'ok' if pair.ok else 'FAILED'} "
              f"({pair.seconds:.1f} s){': ' + pair.error if pair.error else ''}")
    if report.ready_seconds:
        print(f"every destination was ready after {report.ready_seconds:.1f} s")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
