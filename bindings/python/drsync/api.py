"""The Pythonic API over the C ABI: Cluster, NamespaceSync, Migration, Plan.

Handles own a C object: ``close()`` frees it (also on ``with`` exit and, as a last resort, in
``__del__``). They are not thread-safe, except Cluster, which may be shared by any number of
threads, syncs and migrations. Callbacks run on the thread that called the operation.
"""

from __future__ import annotations

import datetime
import json
import os
import weakref
from ctypes import byref, c_int
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar, Union

from . import _native
from ._native import (DATA_CB, PROGRESS_CB, STEP_CB, VOLUME_CB, ClusterP, MigrationP, PlanP,
                      ResultP, SyncP, Status, lib)
from .errors import ECANCELLED, EFAILED
from .results import (MigrationReport, MigrationStatus, Mode, PlanReport, PreflightReport,
                      Progress, Side, StepPlan, SyncResult, VolumePair)

__all__ = ["Cluster", "NamespaceSync", "Migration", "Plan", "options_document", "step_names",
           "step_index"]

SideLike = Union[Side, str, int]
ModeLike = Union[Mode, str, int]
PathLike = Union[str, "os.PathLike[str]"]
ProgressCallback = Callable[[Progress], Any]
StepCallback = Callable[[str, str, bool, "Migration"], Any]
DataCallback = Callable[["Migration", Side, Side], Any]
VolumeProgress = Callable[..., None]  # (bytes_done, bytes_total, files_done, files_total)
VolumeCallback = Callable[["Migration", VolumePair, VolumeProgress], Any]
F = TypeVar("F", bound=Callable[..., Any])
H = TypeVar("H", bound="_Handle")


# ---- options -----------------------------------------------------------------------------------

# snake_case names whose camelCase key is not the mechanical conversion.
_SPECIAL_KEYS = {"copy_crds": "copyCRDs"}


def _camel(key: str) -> str:
    if key in _SPECIAL_KEYS:
        return _SPECIAL_KEYS[key]
    head, *rest = key.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"option value {value!r} is not JSON serializable")


def options_document(options: Mapping[str, Any]) -> Optional[str]:
    """The options document (docs/options.md) for keyword options in snake_case:
    ``include_types`` -> ``includeTypes``, ``wait_timeout_seconds`` -> ``waitTimeoutSeconds``,
    ``copy_crds`` -> ``copyCRDs``; camelCase names pass unchanged; ``None`` values are left out
    (the library's default). Unknown keys are rejected by the library (InvalidArgument)."""
    doc: Dict[str, Any] = {}
    for key, value in options.items():
        if value is None:
            continue
        name = _camel(key)
        if name in doc:
            raise TypeError(f"option {name} given twice")
        doc[name] = value
    return json.dumps(doc, default=_json_default) if doc else None


# ---- helpers -----------------------------------------------------------------------------------

def _b(s: Optional[Union[str, "os.PathLike[str]"]]) -> Optional[bytes]:
    if s is None:
        return None
    return os.fsencode(s) if isinstance(s, os.PathLike) else s.encode("utf-8")


def _s(b: Optional[bytes]) -> str:
    return b.decode("utf-8", "replace") if b else ""


class _Handle:
    """Owns one C handle; frees it once."""

    _free_name = ""

    def __init__(self) -> None:
        raise TypeError(f"{type(self).__name__} is created by its factory functions")

    def _adopt(self, ptr: Any) -> None:
        # The free function is kept on the instance, so close() still works while the interpreter
        # shuts down and module globals are already gone.
        self._free = getattr(lib(), self._free_name)
        self._ptr = ptr

    @property
    def closed(self) -> bool:
        return not getattr(self, "_ptr", None)

    def close(self) -> None:
        """Frees the C handle (idempotent)."""
        ptr = getattr(self, "_ptr", None)
        self._ptr = None
        if ptr:
            self._free(ptr)

    def _handle(self) -> Any:
        ptr = getattr(self, "_ptr", None)
        if not ptr:
            raise ValueError(f"{type(self).__name__} is closed")
        return ptr

    def __enter__(self: H) -> H:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer (interpreter shutdown)
            pass


def _result_data(out: Any) -> Optional[Tuple[Dict[str, Any], str]]:
    """(parsed JSON, markdown) of a drsync_result, freeing it."""
    if not out:
        return None
    L = lib()
    try:
        return json.loads(_s(L.drsync_result_json(out))), _s(L.drsync_result_markdown(out))
    finally:
        L.drsync_result_free(out)


class _WithCallbacks(_Handle):
    """A handle whose operations call Python callbacks. A callback that raises makes the C
    callback return non-zero, which cancels the operation; the exception is re-raised once the
    C call has returned."""

    def _init_callbacks(self) -> None:
        self._cfuncs: Dict[str, Any] = {}  # CFUNCTYPE objects, kept alive while installed
        self._callback_error: Optional[BaseException] = None
        self._depth = 0  # nested calls (a step hook calling a step)

    def _trampoline(self, body: Callable[..., None]) -> Callable[..., int]:
        ref = weakref.ref(self)

        def call(*args: Any) -> int:
            me = ref()
            try:
                body(me, *args)
                return 0
            except BaseException as e:  # noqa: BLE001 - stored, then re-raised by the caller
                if me is not None and me._callback_error is None:
                    me._callback_error = e
                return 1
        return call

    def _call(self, fn: Callable[..., Status], *args: Any) -> Status:
        if self._depth == 0:
            self._callback_error = None
        self._depth += 1
        try:
            status = fn(*args)
        finally:
            self._depth -= 1
        return status

    def _reraise(self) -> None:
        err = self._callback_error
        if err is not None and self._depth == 0:
            self._callback_error = None
            raise err

    def _call_result(self, fn: Callable[..., Status], *args: Any
                     ) -> Tuple[Status, Optional[Tuple[Dict[str, Any], str]]]:
        out = ResultP()
        status = self._call(fn, byref(out), *args)
        data = _result_data(out)
        self._reraise()
        return status, data

    def _progress_cfunc(self) -> Any:
        def body(me: Any, p: Any, payload: Any) -> None:
            cb = me._progress if me is not None else None
            if cb is not None:
                c = p.contents
                cb(Progress(_s(c.step), _s(c.object), int(c.done), int(c.total),
                            int(c.files_done), int(c.files_total)))
        return PROGRESS_CB(self._trampoline(body))


# ---- Cluster -----------------------------------------------------------------------------------

class Cluster(_Handle):
    """One Kubernetes API server. Thread-safe; syncs and migrations keep their own reference,
    so a Cluster may be closed once they are created."""

    _free_name = "drsync_cluster_free"

    @classmethod
    def _wrap(cls, ptr: Any) -> "Cluster":
        c = cls.__new__(cls)
        c._adopt(ptr)
        return c

    @classmethod
    def from_kubeconfig(cls, path: Optional[PathLike] = None, context: Optional[str] = None, *,
                        connect_timeout: Optional[float] = None,
                        attempt_timeout: Optional[float] = None,
                        call_timeout: Optional[float] = None) -> "Cluster":
        """kubectl's loading rules: ``path`` (None: $KUBECONFIG, else ~/.kube/config) and
        ``context`` (None: the current context). The timeouts, in seconds, are those of
        ``set_timeouts``. Raises ConfigError, TLSError, ..."""
        out = ClusterP()
        lib().drsync_cluster_open(byref(out), _b(path), _b(context))
        c = cls._wrap(out)
        c.set_timeouts(connect=connect_timeout, attempt=attempt_timeout, call=call_timeout)
        return c

    def set_timeouts(self, connect: Optional[float] = None, attempt: Optional[float] = None,
                     call: Optional[float] = None) -> None:
        """The deadlines of every request, in seconds (None keeps one): ``connect`` (TCP + TLS,
        default 10), ``attempt`` (one attempt, default 30) and ``call`` (the whole call with its
        retries, default 60; a call that runs out raises drsync.Timeout naming the request). Set
        them before creating syncs and migrations: those keep the deadlines they started with."""
        def ms(value: Optional[float]) -> int:
            if value is None:
                return 0
            if value <= 0:
                raise ValueError(f"a timeout must be positive, got {value!r}")
            return max(1, round(value * 1000))
        if connect is None and attempt is None and call is None:
            return
        lib().drsync_cluster_set_timeouts(self._handle(), ms(connect), ms(attempt), ms(call))

    @classmethod
    def in_cluster(cls) -> "Cluster":
        """Inside a Pod: the service-account token, CA and namespace."""
        out = ClusterP()
        lib().drsync_cluster_open_in_cluster(byref(out))
        return cls._wrap(out)

    @property
    def server(self) -> str:
        """The API server URL."""
        return _s(lib().drsync_cluster_server(self._handle()))

    def __repr__(self) -> str:
        return f"Cluster({'closed' if self.closed else self.server})"


# ---- NamespaceSync -----------------------------------------------------------------------------

class NamespaceSync(_WithCallbacks):
    """A copy of one namespace into a (possibly renamed) namespace of another cluster.

    Options are keyword arguments in snake_case (``include_types=["deployments"]``,
    ``prune=True``, ``dry_run=True``, ``image_map={"docker.io": "mirror.local"}``, ...), see
    docs/options.md. Keys that only concern migrations are accepted and ignored."""

    _free_name = "drsync_sync_free"

    def __init__(self, source: Cluster, source_namespace: str, dest: Cluster,
                 dest_namespace: str, **options: Any) -> None:
        out = SyncP()
        lib().drsync_sync_new(byref(out), source._handle(), _b(source_namespace),
                              dest._handle(), _b(dest_namespace), _b(options_document(options)))
        self._setup(out)

    def _setup(self, ptr: Any) -> None:
        self._adopt(ptr)
        self._init_callbacks()
        self._progress: Optional[ProgressCallback] = None

    @classmethod
    def _wrap(cls, ptr: Any) -> "NamespaceSync":
        s = cls.__new__(cls)
        s._setup(ptr)
        return s

    def _op(self, fn: Callable[..., Status]) -> SyncResult:
        status, data = self._call_result(fn, self._handle())
        if status.code in (0, EFAILED) and data is not None:
            return SyncResult.from_json(data[0])
        raise status.error()

    def plan(self) -> SyncResult:
        """Every action run() would take, with a diff per object; writes nothing."""
        return self._op(lib().drsync_sync_plan)

    def run(self) -> SyncResult:
        """Applies the plan; a partial failure is returned with ``ok == False``."""
        return self._op(lib().drsync_sync_run)

    def on_progress(self, callback: Optional[F]) -> Optional[F]:
        """Calls ``callback(Progress)`` during plan()/run() (on the calling thread); raising from
        it cancels the operation and the exception propagates. None removes it. Returns the
        callback, so it can be used as a decorator."""
        self._progress = callback
        cfunc = self._progress_cfunc() if callback is not None else PROGRESS_CB()
        lib().drsync_sync_set_progress(self._handle(), cfunc, None)
        self._cfuncs["progress"] = cfunc
        return callback

    def cancel(self) -> bool:
        """Cancels the plan() or run() running on another thread: it stops at its next check
        and raises Cancelled. True when one was running, False when none was (nothing is kept
        for the next one). Safe from any thread."""
        return bool(lib().drsync_sync_cancel(self._handle()))


# ---- Migration ---------------------------------------------------------------------------------

class Migration(_WithCallbacks):
    """Stage, Cutover and Failback of a namespace between a source and a destination cluster,
    from idempotent steps (crash-safe through a journal in the destination namespace).

    Options are keyword arguments in snake_case (``wait_timeout_seconds=120``, ``force=True``,
    ``workloads=["web"]``, ``rollback_on_failure=True``, ...), see docs/options.md."""

    _free_name = "drsync_migration_free"

    def __init__(self, source: Cluster, source_namespace: str, dest: Cluster,
                 dest_namespace: str, **options: Any) -> None:
        out = MigrationP()
        lib().drsync_migration_new(byref(out), source._handle(), _b(source_namespace),
                                   dest._handle(), _b(dest_namespace),
                                   _b(options_document(options)))
        self._setup(out)

    def _setup(self, ptr: Any) -> None:
        self._adopt(ptr)
        self._init_callbacks()
        self._progress: Optional[ProgressCallback] = None
        self._step: Optional[StepCallback] = None
        self._data: Optional[DataCallback] = None
        self._volume: Optional[VolumeCallback] = None

    @classmethod
    def _wrap(cls, ptr: Any) -> "Migration":
        m = cls.__new__(cls)
        m._setup(ptr)
        return m

    @classmethod
    def single(cls, cluster: Cluster, namespace: str, **options: Any) -> "Migration":
        """A migration of one namespace of one cluster, with no source: for ``activate()`` and
        ``deactivate()``, e.g. on a DR copy Stork or DR-Syncer made."""
        out = MigrationP()
        lib().drsync_migration_single_new(byref(out), cluster._handle(), _b(namespace),
                                          _b(options_document(options)))
        return cls._wrap(out)

    @staticmethod
    def stopped_namespaces(cluster: Cluster, **options: Any) -> List[str]:
        """The namespaces of ``cluster`` with stopped workloads (what activate --all-namespaces
        acts on); ``workloads`` / ``workload_selector`` narrow the workloads considered."""
        out = ResultP()
        status = lib().drsync_stopped_namespaces(byref(out), cluster._handle(),
                                                 _b(options_document(options)))
        data = _result_data(out)
        if status.code < 0 or data is None:
            raise status.error()
        return [str(n) for n in data[0]]

    # -- modes --

    def _mode(self, fn: Callable[..., Status]) -> MigrationReport:
        status, data = self._call_result(fn, self._handle())
        report = MigrationReport.from_json(*data) if data is not None else None
        if status.code in (0, EFAILED) and report is not None:
            return report
        raise status.error(report=report)

    def stage(self) -> MigrationReport:
        """Copies the source namespace into the destination, workloads stopped, originals
        recorded. Raises Fenced when the destination is active (unless force=True)."""
        return self._mode(lib().drsync_migration_stage)

    def cutover(self) -> MigrationReport:
        """Moves the application to the destination: sync, record, fence and scale down the
        source, unfence and scale up the destination, wait until ready, verify. A failure is
        returned as a report with ``ok == False``; re-running resumes."""
        return self._mode(lib().drsync_migration_cutover)

    def failback(self) -> MigrationReport:
        """Moves the application back to the source."""
        return self._mode(lib().drsync_migration_failback)

    def activate(self) -> MigrationReport:
        """One cluster (``Migration.single``): starts every stopped workload at its recorded count
        (drsync's, Stork's or DR-Syncer's record) and marks the namespace active. A stopped
        workload with no record fails the run unless ``scale_overrides`` gives its count or
        ``leave_unrecorded_stopped=True``."""
        return self._mode(lib().drsync_migration_activate)

    def deactivate(self) -> MigrationReport:
        """One cluster: stops every workload, recording its count, and marks the namespace
        passive."""
        return self._mode(lib().drsync_migration_deactivate)

    def report(self) -> MigrationReport:
        """The report of the last mode run (with the changes of steps run since)."""
        out = ResultP()
        lib().drsync_migration_report(byref(out), self._handle())
        data = _result_data(out)
        assert data is not None
        return MigrationReport.from_json(*data)

    def status(self) -> MigrationStatus:
        """Which side is active, a pending operation, the destination's ledger."""
        status, data = self._call_result(lib().drsync_migration_status, self._handle())
        if status.code < 0 or data is None:
            raise status.error()
        return MigrationStatus.from_json(data[0])

    def plan(self, mode: ModeLike, preview: bool = False) -> StepPlan:
        """The steps ``mode`` would run, after the refusal checks the mode runs (raises Fenced,
        Pending, Unavailable as the mode would). Reads only. With ``preview``, each step also
        says what it would change (the sync plan, each workload's scale before and after)."""
        status, data = self._call_result(lib().drsync_migration_plan, self._handle(),
                                         int(Mode.of(mode)), 1 if preview else 0)
        if status.code < 0 or data is None:
            raise status.error()
        return StepPlan.from_json(data[0])

    def preflight(self) -> PreflightReport:
        """What in the destination would block (errors) or degrade (warnings) a recovery, each
        finding with its object and fix. Reads only. Stage and Cutover run it first and stop on
        an error unless ``force``."""
        status, data = self._call_result(lib().drsync_migration_preflight, self._handle())
        if status.code < 0 or data is None:
            raise status.error()
        return PreflightReport.from_json(data[0])

    def ledger(self, side: SideLike) -> Dict[str, str]:
        """The original scales recorded on one side's workloads: {"deployments.apps/web": "2"}."""
        status, data = self._call_result(lib().drsync_migration_ledger, self._handle(),
                                         int(Side.of(side)))
        if status.code < 0 or data is None:
            raise status.error()
        return {str(k): str(v) for k, v in data[0].items()}

    # -- steps (each idempotent) --

    def step(self, name: str, side: SideLike) -> None:
        """Runs one step: "sync" and "migrate_data" copy *into* ``side`` from the other side;
        "verify" takes the active side; the others act on ``side``."""
        status = self._call(lib().drsync_migration_step, self._handle(), _b(name),
                            int(Side.of(side)))
        self._reraise()
        if status.code < 0:
            raise status.error()

    def sync(self, into: SideLike = Side.DESTINATION) -> None:
        self.step("sync", into)

    def record(self, side: SideLike) -> None:
        self.step("record", side)

    def fence(self, side: SideLike) -> None:
        self.step("fence", side)

    def unfence(self, side: SideLike) -> None:
        self.step("unfence", side)

    def scale_down(self, side: SideLike) -> None:
        self.step("scale_down", side)

    def scale_up(self, side: SideLike) -> None:
        self.step("scale_up", side)

    def wait_gone(self, side: SideLike) -> None:
        self.step("wait_gone", side)

    def wait_ready(self, side: SideLike) -> None:
        self.step("wait_ready", side)

    def migrate_data(self, into: SideLike = Side.DESTINATION) -> None:
        self.step("migrate_data", into)

    def verify(self, active: SideLike) -> None:
        self.step("verify", active)

    # -- callbacks --

    def on_progress(self, callback: Optional[F]) -> Optional[F]:
        """Calls ``callback(Progress)`` during modes and steps, on the calling thread; raising
        from it cancels the operation (the journal keeps what was done; re-running the mode
        resumes) and the exception propagates. None removes it."""
        self._progress = callback
        cfunc = self._progress_cfunc() if callback is not None else PROGRESS_CB()
        lib().drsync_migration_set_progress(self._handle(), cfunc, None)
        self._cfuncs["progress"] = cfunc
        return callback

    def on_step(self, callback: Optional[F]) -> Optional[F]:
        """Calls ``callback(mode, step, before, migration)`` before and after every step of a
        mode ("cutover", "scale_down", True, self): run your own storage failover or DNS switch
        between two steps; it may call this migration's step methods. Raising cancels."""
        self._step = callback
        if callback is None:
            cfunc = STEP_CB()
        else:
            def body(me: Any, mode: bytes, step: bytes, before: int, m: Any, payload: Any) -> None:
                if me is not None and me._step is not None:
                    me._step(_s(mode), _s(step), bool(before), me)
            cfunc = STEP_CB(self._trampoline(body))
        lib().drsync_migration_set_step_hook(self._handle(), cfunc, None)
        self._cfuncs["step"] = cfunc
        return callback

    def on_data(self, callback: Optional[F]) -> Optional[F]:
        """The PVC data mover of the migrate_data step (options migrate_data /
        reverse_migrate_data): ``callback(migration, from_side, to_side)``. Raising cancels."""
        self._data = callback
        if callback is None:
            cfunc = DATA_CB()
        else:
            def body(me: Any, m: Any, src: int, dst: int, payload: Any) -> None:
                if me is not None and me._data is not None:
                    me._data(me, Side(src), Side(dst))
            cfunc = DATA_CB(self._trampoline(body))
        lib().drsync_migration_set_data_hook(self._handle(), cfunc, None)
        self._cfuncs["data"] = cfunc
        return callback


    def on_volume(self, callback: Optional[F]) -> Optional[F]:
        """Per PVC pair, instead of the built-in mover (when no ``on_data`` hook is set):
        ``callback(migration, pair, progress)`` with a ``VolumePair``; ``progress(bytes_done,
        bytes_total, files_done, files_total)`` reports how far it got. Returning means copied;
        an ``Exception`` fails that PVC with its message, as a failed rsync would (the mode then
        fails naming it). Runs on worker threads, ``parallelism`` pairs at a time."""
        self._volume = callback
        cfunc = VOLUME_CB() if callback is None else VOLUME_CB(self._volume_trampoline())
        lib().drsync_migration_set_volume_hook(self._handle(), cfunc, None)
        self._cfuncs["volume"] = cfunc
        return callback

    def _volume_trampoline(self) -> Callable[..., int]:
        ref = weakref.ref(self)

        def call(_m: Any, pair_p: Any, task: Any, _payload: Any) -> int:
            me = ref()
            if me is None or me._volume is None:
                return ECANCELLED
            p = pair_p.contents
            pair = VolumePair(Side(p.from_side), Side(p.to_side),
                              _s(lib().drsync_cluster_server(p.from_cluster)), _s(p.from_namespace),
                              _s(p.from_pvc), _s(lib().drsync_cluster_server(p.to_cluster)),
                              _s(p.to_namespace), _s(p.to_pvc))

            def progress(bytes_done: int = 0, bytes_total: int = 0, files_done: int = 0,
                         files_total: int = 0) -> None:
                lib().drsync_volume_task_progress(task, bytes_done, bytes_total, files_done,
                                                  files_total)
            try:
                me._volume(me, pair, progress)
                return 0
            except Exception as e:  # noqa: BLE001 - this PVC failed; the others go on
                lib().drsync_volume_task_fail(task, _b(f"{type(e).__name__}: {e}"))
                return 1
            except BaseException as e:  # KeyboardInterrupt, SystemExit: cancel, re-raised
                if me._callback_error is None:
                    me._callback_error = e
                return ECANCELLED
        return call

    def cancel(self) -> bool:
        """Cancels the mode, step or preflight running on another thread: it stops at its next
        check (within a second of a wait) and raises Cancelled, whose ``report`` is the partial
        report (re-running the mode resumes). True when one was running, False when none was
        (nothing is kept for the next one). Safe from any thread."""
        return bool(lib().drsync_migration_cancel(self._handle()))


# ---- Plan --------------------------------------------------------------------------------------

class Plan(_Handle):
    """A DR plan file (apiVersion: drsync.io/v1, kind: DRPlan): two clusters and namespace pairs
    with their options, the CLI's --plan format."""

    _free_name = "drsync_plan_free"

    @classmethod
    def _wrap(cls, ptr: Any) -> "Plan":
        p = cls.__new__(cls)
        p._adopt(ptr)
        return p

    @classmethod
    def load(cls, path: PathLike) -> "Plan":
        out = PlanP()
        lib().drsync_plan_load(byref(out), _b(path))
        return cls._wrap(out)

    @classmethod
    def parse(cls, document: str, base_dir: Optional[PathLike] = None) -> "Plan":
        """From text; relative paths in it resolve against ``base_dir`` (default ".")."""
        out = PlanP()
        lib().drsync_plan_parse(byref(out), _b(document), _b(base_dir))
        return cls._wrap(out)

    @property
    def name(self) -> str:
        return _s(lib().drsync_plan_name(self._handle()))

    def kubeconfig(self, side: SideLike) -> str:
        """The kubeconfig path of one side ("" for kubectl's default loading rules)."""
        return _s(lib().drsync_plan_kubeconfig(self._handle(), int(Side.of(side))))

    def context(self, side: SideLike) -> str:
        return _s(lib().drsync_plan_context(self._handle(), int(Side.of(side))))

    def __len__(self) -> int:
        return int(lib().drsync_plan_count(self._handle()))

    @property
    def pairs(self) -> List[Tuple[str, str]]:
        """(source namespace, destination namespace) of every pair."""
        L, h = lib(), self._handle()
        return [(_s(L.drsync_plan_namespace(h, i, 0)), _s(L.drsync_plan_namespace(h, i, 1)))
                for i in range(len(self))]

    def open_clusters(self) -> Tuple[Cluster, Cluster]:
        """The plan's source and destination clusters."""
        return (Cluster.from_kubeconfig(self.kubeconfig(Side.SOURCE) or None,
                                        self.context(Side.SOURCE) or None),
                Cluster.from_kubeconfig(self.kubeconfig(Side.DESTINATION) or None,
                                        self.context(Side.DESTINATION) or None))

    def sync(self, index: int, source: Cluster, dest: Cluster) -> NamespaceSync:
        """A NamespaceSync for pair ``index`` with the plan's options for it."""
        out = SyncP()
        lib().drsync_plan_sync_new(byref(out), self._handle(), index, source._handle(),
                                   dest._handle())
        return NamespaceSync._wrap(out)

    def migration(self, index: int, source: Cluster, dest: Cluster) -> Migration:
        """A Migration for pair ``index`` with the plan's options for it."""
        out = MigrationP()
        lib().drsync_plan_migration_new(byref(out), self._handle(), index, source._handle(),
                                        dest._handle())
        return Migration._wrap(out)


    def run(self, mode: ModeLike, source: Cluster, dest: Cluster,
            parallelism: int = 8) -> PlanReport:
        """Runs ``mode`` for every pair, ``parallelism`` at a time, each through its own
        Migration (own journal and fencing). Cutover, Failback and Activate run in phases across
        the pairs: every pair stops its old side, then every pair starts its new side, then every
        pair waits for it (docs/plans.md). Returns the report, ``ok == False`` when some pair
        failed or was refused; raises when nothing could run (a closed cluster, a bad mode), and
        Cancelled (its ``report``: the plan report) after ``cancel()``."""
        out = ResultP()
        status = lib().drsync_plan_run(byref(out), self._handle(), source._handle(),
                                       dest._handle(), int(Mode.of(mode)), max(0, parallelism))
        data = _result_data(out)
        report = PlanReport.from_json(*data) if data is not None else None
        if status.code in (0, EFAILED) and report is not None:
            return report
        raise status.error(report=report)

    def cancel(self) -> bool:
        """Cancels the run() running on another thread: every pair stops at its next check
        and run() raises Cancelled, whose ``report`` is the plan report (each pair's journal
        keeps what it did). True when one was running, False when none was. Safe from any
        thread."""
        return bool(lib().drsync_plan_cancel(self._handle()))


def version() -> str:
    """The loaded libdrsync's version ("0.1.0")."""
    return _s(lib().drsync_version())


def step_names() -> Tuple[str, ...]:
    """The names of the steps modes are made of, in the library's order ("sync", "record", ...)."""
    names: List[str] = []
    while (name := lib().drsync_step_name(len(names))) is not None:
        names.append(_s(name))
    return tuple(names)


def step_index(name: str) -> int:
    """The enum drsync_step value of a step name ("scale_up" -> 5); raises InvalidArgument,
    listing the names, for another."""
    out = c_int()
    lib().drsync_step_parse(byref(out), _b(name))
    return int(out.value)


def abi_version() -> int:
    """The loaded libdrsync's C ABI version."""
    return int(lib().drsync_abi_version())


def library_path() -> str:
    """Where libdrsync was loaded from."""
    return _native.library_path()
