#!/usr/bin/env python3
"""Keeps a namespace of another cluster in sync with the drsync package, printing each change,
until SECONDS have passed or Ctrl-C; then prints the counters and lag.

    continuous_sync.py SOURCE_KUBECONFIG DEST_KUBECONFIG SOURCE_NS DEST_NS [SECONDS]

Exit status: 0 after a clean stop, 1 when it could not start or stopped on an error.
"""

import sys
import time

import drsync


def main(argv: list[str]) -> int:
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    src_kubeconfig, dst_kubeconfig, src_ns, dst_ns = argv[1:5]
    seconds = float(argv[5]) if len(argv) == 6 else float("inf")
    try:
        src = drsync.Cluster.from_kubeconfig(src_kubeconfig)
        dst = drsync.Cluster.from_kubeconfig(dst_kubeconfig)
        with drsync.ContinuousSync(src, src_ns, dst, dst_ns, prune=True,
                                   resync_interval=3600) as cs:
            cs.on_event(lambda e: print(f"{e.kind}: {e.object} {e.action} {e.message}".rstrip(),
                                        f"({e.lag_ms:.0f} ms)" if e.kind == "applied" else "",
                                        flush=True))
            cs.start()  # runs on a background thread; leaving the block stops it
            deadline = time.monotonic() + seconds
            try:
                while cs.running and time.monotonic() < deadline:
                    time.sleep(0.2)
            except KeyboardInterrupt:
                pass
            cs.cancel()
            outcome = cs.join()  # "cancelled", or "fenced"; re-raises a failed first sync
            stats = cs.stats()
        print(f"{outcome}: created={stats['created']} updated={stats['updated']} "
              f"pruned={stats['pruned']} errors={stats['errors']} p99={stats['lagP99Ms']:.0f} ms")
        return 0 if outcome == "cancelled" and stats["errors"] == 0 else 1
    except drsync.DrsyncError as e:  # bad kubeconfig, unreachable cluster, 403, ...
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
