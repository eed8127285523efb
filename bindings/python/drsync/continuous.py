"""ContinuousSync (keep a namespace pair in sync until cancelled) and cron schedules
(docs/continuous.md), over the C ABI's drsync_continuous_sync_* and drsync_schedule_next."""

from __future__ import annotations

import datetime
import json
import threading
from ctypes import byref, c_int64
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Union

from ._native import CONTINUOUS_CB, ContinuousP, ResultP, lib
from .api import Cluster, _WithCallbacks, _b, _s, options_document
from .errors import EFENCED

__all__ = ["ContinuousEvent", "ContinuousSync", "schedule_next"]

Seconds = Union[float, int, datetime.timedelta]


@dataclass(frozen=True)
class ContinuousEvent:
    """One event: ``kind`` is "applied" (``object``, ``action``, ``lag_ms``), "resynced" (a full
    sync ended; ``message`` sums it up), "suspended" (the destination is the active side;
    ``message`` says why), "resumed" (after a Failback) or "error"."""

    kind: str
    object: str
    action: str
    message: str
    lag_ms: float


def _ms(value: Seconds) -> int:
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)
    return max(1, int(round(seconds * 1000)))


class ContinuousSync(_WithCallbacks):
    """Keeps ``dest_namespace`` of ``dest`` in sync with ``source_namespace`` of ``source`` until
    cancelled: a full sync, then the source's watches (each change planned and applied as a full
    sync would), a full resync with drift repair every ``resync_interval`` (seconds or a
    timedelta; default 1 h). It never writes into an active DR site: after a Cutover it is
    suspended (an event says why) until a Failback, or, with ``stop_when_fenced``, ``run()``
    returns "fenced".

    Sync options are keyword arguments as for NamespaceSync (``include_types``, ``prune``, ...).

    ``run()`` blocks (call ``cancel()`` from another thread or a callback); ``start()`` runs it
    on a background thread, and leaving a ``with`` block cancels, joins and frees it::

        with drsync.ContinuousSync(src, "shop", dst, "shop-dr", prune=True) as cs:
            cs.on_event(lambda e: print(e.kind, e.object, e.action, e.lag_ms))
            cs.start()
            ...
    """

    _free_name = "drsync_continuous_sync_free"

    def __init__(self, source: Cluster, source_namespace: str, dest: Cluster,
                 dest_namespace: str, *, resync_interval: Optional[Seconds] = None,
                 debounce: Optional[Seconds] = None, max_delay: Optional[Seconds] = None,
                 state_poll: Optional[Seconds] = None, repair_drift: bool = True,
                 stop_when_fenced: bool = False, **options: Any) -> None:
        settings: Dict[str, Any] = {"repairDrift": bool(repair_drift),
                                    "stopWhenFenced": bool(stop_when_fenced)}
        for key, value in (("resyncIntervalMs", resync_interval), ("debounceMs", debounce),
                           ("maxDelayMs", max_delay), ("statePollMs", state_poll)):
            if value is not None:
                settings[key] = _ms(value)
        out = ContinuousP()
        lib().drsync_continuous_sync_new(byref(out), source._handle(), _b(source_namespace),
                                         dest._handle(), _b(dest_namespace),
                                         _b(options_document(options)),
                                         _b(json.dumps(settings)))
        self._adopt(out)
        self._init_callbacks()
        self._on_event: Optional[Callable[[ContinuousEvent], Any]] = None
        self._thread: Optional[threading.Thread] = None
        self._outcome: Optional[str] = None
        self._error: Optional[BaseException] = None

    def on_event(self, callback: Optional[Callable[[ContinuousEvent], Any]]
                 ) -> Optional[Callable[[ContinuousEvent], Any]]:
        """Calls ``callback(ContinuousEvent)`` on the thread running ``run()``; raising from it
        stops the sync and the exception propagates from ``run()``. None removes it. Not while
        it runs. Returns the callback (usable as a decorator)."""
        self._on_event = callback

        def body(me: Any, e: Any, payload: Any) -> None:
            cb = me._on_event if me is not None else None
            if cb is not None:
                c = e.contents
                cb(ContinuousEvent(_s(c.kind), _s(c.object), _s(c.action), _s(c.message),
                                   float(c.lag_ms)))

        cfunc = CONTINUOUS_CB(self._trampoline(body)) if callback is not None else CONTINUOUS_CB()
        lib().drsync_continuous_sync_set_callback(self._handle(), cfunc, None)
        self._cfuncs["event"] = cfunc
        return callback

    def run(self) -> str:
        """Blocks until cancelled ("cancelled") or, with ``stop_when_fenced``, until the
        destination became the active side ("fenced"; ``stats()["suspendedReason"]`` says why).
        A failure of the first full sync raises its error."""
        status = self._call(lib().drsync_continuous_sync_run, self._handle())
        self._reraise()
        if status.code == EFENCED:
            return "fenced"
        if status.code < 0:
            raise status.error()
        return "cancelled"

    def start(self) -> "ContinuousSync":
        """Runs ``run()`` on a background thread; ``join()`` returns its outcome."""
        if self._thread is not None:
            raise RuntimeError("ContinuousSync already started")

        def target() -> None:
            try:
                self._outcome = self.run()
            except BaseException as e:  # noqa: BLE001 - re-raised by join()
                self._error = e

        self._thread = threading.Thread(target=target, name="drsync-continuous", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: Optional[float] = None) -> Optional[str]:
        """Waits for the background run: its outcome, or None on timeout; re-raises its error."""
        if self._thread is None:
            return self._outcome
        self._thread.join(timeout)
        if self._thread.is_alive():
            return None
        if self._error is not None:
            err, self._error = self._error, None
            raise err
        return self._outcome

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def cancel(self) -> None:
        """From any thread: ``run()`` returns soon after."""
        lib().drsync_continuous_sync_cancel(self._handle())

    def stats(self) -> Dict[str, Any]:
        """Counters (events, changes, created, updated, pruned, unchanged, skipped, errors,
        resyncs, watchRestarts, relists), lag in ms (lagLastMs, lagP50Ms, lagP99Ms, lagMaxMs),
        lastFullSync, lastError, state ("starting", "syncing", "suspended", "stopped"),
        suspendedReason. From any thread."""
        out = ResultP()
        L = lib()
        L.drsync_continuous_sync_stats(byref(out), self._handle())
        try:
            stats: Dict[str, Any] = json.loads(_s(L.drsync_result_json(out)))
            return stats
        finally:
            L.drsync_result_free(out)

    def close(self) -> None:
        """Cancels a background run, waits for it, and frees the handle (idempotent)."""
        if getattr(self, "_ptr", None) and self._thread is not None:
            self.cancel()
            self._thread.join()
        super().close()


def schedule_next(cron: str, after: Union[datetime.datetime, float, int, None] = None
                  ) -> datetime.datetime:
    """The first minute after ``after`` (a datetime, naive = UTC, or seconds since the epoch;
    default now) that the 5-field cron expression matches, in UTC. Raises InvalidArgument
    naming the bad field."""
    if after is None:
        after = datetime.datetime.now(datetime.timezone.utc)
    if isinstance(after, datetime.datetime):
        if after.tzinfo is None:
            after = after.replace(tzinfo=datetime.timezone.utc)
        seconds = int(after.timestamp())
    else:
        seconds = int(after)
    out = c_int64()
    lib().drsync_schedule_next(byref(out), _b(cron), seconds)
    return datetime.datetime.fromtimestamp(out.value, datetime.timezone.utc)
