"""ctypes binding of capi/drsync.h: library loading and ONE declaration table for every C
function (name, argtypes, restype, errcheck), in the manner of clang's cindex.py.

The library is loaded on first use (``lib()``), from, in this order:

1. ``$DRSYNC_LIBRARY`` (a full path; nothing else is tried when it is set),
2. ``libdrsync.so*`` next to this package,
3. the system loader: ``ctypes.util.find_library("drsync")``, then ``libdrsync.so.0``.

Its ``drsync_abi_version()`` must equal ``ABI_VERSION``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int, c_int64, c_size_t,
                    c_uint64, c_void_p)
from typing import Any, Callable, List, Optional, Sequence, Tuple

from .errors import LibraryError, error_class, DrsyncError

#: The C ABI this package was written for (DRSYNC_ABI_VERSION of capi/drsync.h).
ABI_VERSION = 1
#: The SONAME major of that ABI (libdrsync.so.N, N = ABI_VERSION - 1).
SONAME = f"libdrsync.so.{ABI_VERSION - 1}"


# ---- C types ---------------------------------------------------------------------------------

class _Opaque(Structure):
    pass


class drsync_cluster(_Opaque):
    pass


class drsync_sync(_Opaque):
    pass


class drsync_migration(_Opaque):
    pass


class drsync_result(_Opaque):
    pass


class drsync_plan(_Opaque):
    pass


class drsync_volume_task(_Opaque):
    pass


class drsync_continuous_sync(_Opaque):
    pass


ClusterP = POINTER(drsync_cluster)
SyncP = POINTER(drsync_sync)
MigrationP = POINTER(drsync_migration)
ResultP = POINTER(drsync_result)
PlanP = POINTER(drsync_plan)
ContinuousP = POINTER(drsync_continuous_sync)


class drsync_error(Structure):
    _fields_ = [("code", c_int), ("http_status", c_int), ("reason", c_char_p),
                ("message", c_char_p)]


class drsync_progress(Structure):
    _fields_ = [("step", c_char_p), ("object", c_char_p), ("done", c_size_t),
                ("total", c_size_t), ("files_done", c_size_t), ("files_total", c_size_t)]


drsync_side = c_int  # enum drsync_side
drsync_mode = c_int  # enum drsync_mode
drsync_step = c_int  # enum drsync_step
PROGRESS_CB = CFUNCTYPE(c_int, POINTER(drsync_progress), c_void_p)
STEP_CB = CFUNCTYPE(c_int, c_char_p, c_char_p, c_int, MigrationP, c_void_p)
DATA_CB = CFUNCTYPE(c_int, MigrationP, drsync_side, drsync_side, c_void_p)


class drsync_volume_pair(Structure):
    _fields_ = [("from_side", drsync_side), ("to_side", drsync_side),
                ("from_cluster", ClusterP), ("from_namespace", c_char_p), ("from_pvc", c_char_p),
                ("to_cluster", ClusterP), ("to_namespace", c_char_p), ("to_pvc", c_char_p)]


class drsync_continuous_event(Structure):
    _fields_ = [("kind", c_char_p), ("object", c_char_p), ("action", c_char_p),
                ("message", c_char_p), ("lag_ms", c_double)]


CONTINUOUS_CB = CFUNCTYPE(c_int, POINTER(drsync_continuous_event), c_void_p)

VolumeTaskP = POINTER(drsync_volume_task)
VOLUME_CB = CFUNCTYPE(c_int, MigrationP, POINTER(drsync_volume_pair), VolumeTaskP, c_void_p)


# ---- error checking --------------------------------------------------------------------------

def _text(b: Optional[bytes]) -> str:
    return b.decode("utf-8", "replace") if b else ""


class Status:
    """A return code together with the thread's last error, read right after the call."""

    __slots__ = ("code", "http_status", "reason", "message")

    def __init__(self, code: int) -> None:
        self.code = code
        self.http_status = 0
        self.reason = ""
        self.message = ""
        if code < 0:
            e = _lib.drsync_error_last().contents
            self.http_status = e.http_status
            self.reason = _text(e.reason)
            self.message = _text(e.message) or f"libdrsync error {code}"

    def error(self, report: Any = None) -> DrsyncError:
        cls = error_class(self.code)
        name = _text(_lib.drsync_error_name(self.code))
        return cls(self.message, code=self.code, http_status=self.http_status,
                   reason=self.reason, name=name, report=report)


def _check(code: int, func: Any, args: Tuple[Any, ...]) -> int:
    """errcheck: raise the typed exception for a negative code."""
    if code < 0:
        raise Status(code).error()
    return code


def _status(code: int, func: Any, args: Tuple[Any, ...]) -> Status:
    """errcheck for calls that may set a result even when they fail (DRSYNC_EFAILED,
    DRSYNC_ECANCELLED): never raises, returns a Status; the caller frees the result first."""
    return Status(code)


# ---- the declaration table -------------------------------------------------------------------

Decl = Tuple[str, Sequence[Any], Any, Optional[Callable[..., Any]]]

FUNCTIONS: List[Decl] = [
    ("drsync_abi_version", [], c_int, None),
    ("drsync_version", [], c_char_p, None),
    ("drsync_error_last", [], POINTER(drsync_error), None),
    ("drsync_error_clear", [], None, None),
    ("drsync_error_name", [c_int], c_char_p, None),

    ("drsync_cluster_open", [POINTER(ClusterP), c_char_p, c_char_p], c_int, _check),
    ("drsync_cluster_open_in_cluster", [POINTER(ClusterP)], c_int, _check),
    ("drsync_cluster_set_timeouts", [ClusterP, c_int64, c_int64, c_int64], c_int, _check),
    ("drsync_cluster_server", [ClusterP], c_char_p, None),
    ("drsync_cluster_free", [ClusterP], None, None),

    ("drsync_result_kind_of", [ResultP], c_int, None),
    ("drsync_result_json", [ResultP], c_char_p, None),
    ("drsync_result_ok", [ResultP], c_int, None),
    ("drsync_result_count", [ResultP, c_char_p], c_int, None),
    ("drsync_result_markdown", [ResultP], c_char_p, None),
    ("drsync_result_free", [ResultP], None, None),

    ("drsync_sync_new", [POINTER(SyncP), ClusterP, c_char_p, ClusterP, c_char_p, c_char_p],
     c_int, _check),
    ("drsync_sync_plan", [POINTER(ResultP), SyncP], c_int, _status),
    ("drsync_sync_run", [POINTER(ResultP), SyncP], c_int, _status),
    ("drsync_sync_set_progress", [SyncP, PROGRESS_CB, c_void_p], c_int, _check),
    ("drsync_sync_cancel", [SyncP], c_int, _check),
    ("drsync_sync_free", [SyncP], None, None),

    ("drsync_migration_new",
     [POINTER(MigrationP), ClusterP, c_char_p, ClusterP, c_char_p, c_char_p], c_int, _check),
    ("drsync_migration_single_new", [POINTER(MigrationP), ClusterP, c_char_p, c_char_p], c_int,
     _check),
    ("drsync_stopped_namespaces", [POINTER(ResultP), ClusterP, c_char_p], c_int, _status),
    ("drsync_migration_activate", [POINTER(ResultP), MigrationP], c_int, _status),
    ("drsync_migration_deactivate", [POINTER(ResultP), MigrationP], c_int, _status),
    ("drsync_migration_stage", [POINTER(ResultP), MigrationP], c_int, _status),
    ("drsync_migration_cutover", [POINTER(ResultP), MigrationP], c_int, _status),
    ("drsync_migration_failback", [POINTER(ResultP), MigrationP], c_int, _status),
    ("drsync_migration_step", [MigrationP, c_char_p, drsync_side], c_int, _status),
    ("drsync_migration_run_step", [MigrationP, drsync_step, drsync_side], c_int, _status),
    ("drsync_migration_plan", [POINTER(ResultP), MigrationP, drsync_mode, c_int], c_int, _status),
    ("drsync_migration_preflight", [POINTER(ResultP), MigrationP], c_int, _status),
    ("drsync_mode_name", [drsync_mode], c_char_p, None),
    ("drsync_step_name", [drsync_step], c_char_p, None),
    ("drsync_step_parse", [POINTER(drsync_step), c_char_p], c_int, _check),
    ("drsync_migration_report", [POINTER(ResultP), MigrationP], c_int, _check),
    ("drsync_migration_status", [POINTER(ResultP), MigrationP], c_int, _status),
    ("drsync_migration_ledger", [POINTER(ResultP), MigrationP, drsync_side], c_int, _status),
    ("drsync_migration_set_progress", [MigrationP, PROGRESS_CB, c_void_p], c_int, _check),
    ("drsync_migration_set_step_hook", [MigrationP, STEP_CB, c_void_p], c_int, _check),
    ("drsync_migration_set_data_hook", [MigrationP, DATA_CB, c_void_p], c_int, _check),
    ("drsync_migration_set_volume_hook", [MigrationP, VOLUME_CB, c_void_p], c_int, _check),
    ("drsync_volume_task_progress", [VolumeTaskP, c_uint64, c_uint64, c_uint64, c_uint64], c_int,
     _check),
    ("drsync_volume_task_fail", [VolumeTaskP, c_char_p], c_int, _check),
    ("drsync_migration_cancel", [MigrationP], c_int, _check),
    ("drsync_migration_free", [MigrationP], None, None),

    ("drsync_plan_load", [POINTER(PlanP), c_char_p], c_int, _check),
    ("drsync_plan_parse", [POINTER(PlanP), c_char_p, c_char_p], c_int, _check),
    ("drsync_plan_name", [PlanP], c_char_p, None),
    ("drsync_plan_kubeconfig", [PlanP, drsync_side], c_char_p, None),
    ("drsync_plan_context", [PlanP, drsync_side], c_char_p, None),
    ("drsync_plan_count", [PlanP], c_size_t, None),
    ("drsync_plan_namespace", [PlanP, c_size_t, drsync_side], c_char_p, None),
    ("drsync_plan_sync_new", [POINTER(SyncP), PlanP, c_size_t, ClusterP, ClusterP], c_int,
     _check),
    ("drsync_plan_migration_new", [POINTER(MigrationP), PlanP, c_size_t, ClusterP, ClusterP],
     c_int, _check),
    ("drsync_plan_run", [POINTER(ResultP), PlanP, ClusterP, ClusterP, drsync_mode, c_size_t],
     c_int, _status),
    ("drsync_plan_cancel", [PlanP], c_int, _check),
    ("drsync_plan_free", [PlanP], None, None),

    ("drsync_continuous_sync_new",
     [POINTER(ContinuousP), ClusterP, c_char_p, ClusterP, c_char_p, c_char_p, c_char_p], c_int,
     _check),
    ("drsync_continuous_sync_set_callback", [ContinuousP, CONTINUOUS_CB, c_void_p], c_int,
     _check),
    ("drsync_continuous_sync_run", [ContinuousP], c_int, _status),
    ("drsync_continuous_sync_cancel", [ContinuousP], c_int, _check),
    ("drsync_continuous_sync_stats", [POINTER(ResultP), ContinuousP], c_int, _check),
    ("drsync_continuous_sync_free", [ContinuousP], None, None),
    ("drsync_schedule_next", [POINTER(c_int64), c_char_p, c_int64], c_int, _check),
]


# ---- loading ---------------------------------------------------------------------------------

_lib: Any = None
_lib_path: Optional[str] = None
_lock = threading.Lock()


def candidates() -> List[str]:
    """Where the library is looked for, in order."""
    env = os.environ.get("DRSYNC_LIBRARY")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    # Prefer the exact SONAME next to the package, then any other copy there.
    local = sorted(glob.glob(os.path.join(here, "libdrsync.so*")),
                   key=lambda p: (os.path.basename(p) != SONAME, p))
    system = [n for n in (ctypes.util.find_library("drsync"), SONAME) if n]
    return local + system


def _register(cdll: Any) -> None:
    missing = []
    for name, argtypes, restype, errcheck in FUNCTIONS:
        try:
            f = getattr(cdll, name)
        except AttributeError:
            missing.append(name)
            continue
        f.argtypes = list(argtypes)
        f.restype = restype
        if errcheck is not None:
            f.errcheck = errcheck
    if missing:
        raise LibraryError(f"libdrsync lacks {', '.join(missing)}: it is older than this "
                           f"package (ABI {ABI_VERSION})")


def lib() -> Any:
    """The loaded, checked library (loaded on first call)."""
    global _lib, _lib_path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        cdll = None
        for path in candidates():
            try:
                cdll = ctypes.CDLL(path)
                break
            except OSError as e:
                tried.append(f"{path}: {e}")
        if cdll is None:
            raise LibraryError("cannot load libdrsync (set DRSYNC_LIBRARY to its full path); "
                               "tried: " + "; ".join(tried))
        try:
            abi = cdll.drsync_abi_version
        except AttributeError:
            raise LibraryError(f"{path} is not libdrsync (no drsync_abi_version)") from None
        abi.restype = c_int
        abi.argtypes = []
        found = abi()
        if found != ABI_VERSION:
            raise LibraryError(f"{path} has C ABI version {found}, but this drsync package needs "
                               f"ABI {ABI_VERSION} ({SONAME}); install the matching libdrsync "
                               "or package, or point DRSYNC_LIBRARY at it")
        _register(cdll)
        _lib, _lib_path = cdll, path
        return _lib


def library_path() -> str:
    """The path (or name) the library was loaded from."""
    lib()
    assert _lib_path is not None
    return _lib_path
