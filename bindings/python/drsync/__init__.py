"""drsync: Kubernetes disaster recovery between two clusters (Python binding of libdrsync).

A pure-Python ctypes binding of the C ABI (capi/drsync.h, docs/c-api.md)::

    import drsync

    src = drsync.Cluster.from_kubeconfig("prod.kubeconfig")
    dst = drsync.Cluster.from_kubeconfig("dr.kubeconfig")
    with drsync.Migration(src, "shop", dst, "shop-dr", wait_timeout_seconds=120) as m:
        m.on_progress(lambda p: print(p.step, p.done, p.total))
        print(m.stage().ok, m.cutover().markdown)

libdrsync is found through $DRSYNC_LIBRARY, next to this package, or the system loader.
"""

from .api import (Cluster, Migration, NamespaceSync, Plan, abi_version, library_path,
                  options_document, step_index, step_names, version)
from .continuous import ContinuousEvent, ContinuousSync, schedule_next
from .errors import (AlreadyExists, BadRequest, Cancelled, ConfigError, Conflict, DrsyncError,
                     Fenced, Forbidden, Gone, InternalError, Invalid, InvalidArgument,
                     LibraryError, MethodNotAllowed, NetworkError, NotFound, OutOfMemory,
                     Pending, ServerError, Timeout, TLSError, TooManyRequests, Unauthorized,
                     Unavailable)
from .results import (Change, CheckResult, Finding, MigrationReport, MigrationStatus, Mode,
                      PlannedStep, PlanPairReport, PlanReport, PreflightReport, Progress, Side,
                      Step, StepPlan, SyncResult, VolumeCopy, VolumePair, WorkloadState)
from ._native import ABI_VERSION

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION", "Cluster", "ContinuousEvent", "ContinuousSync", "Migration", "NamespaceSync",
    "Plan", "abi_version", "library_path", "options_document", "schedule_next", "step_index",
    "step_names", "version",
    "Change", "CheckResult", "Finding", "MigrationReport", "MigrationStatus", "Mode", "PlannedStep",
    "PlanPairReport", "PlanReport", "PreflightReport", "Progress", "Side",
    "Step", "StepPlan", "SyncResult", "VolumeCopy", "VolumePair", "WorkloadState",
    "DrsyncError", "AlreadyExists", "BadRequest", "Cancelled", "ConfigError", "Conflict", "Fenced",
    "Forbidden", "Gone", "InternalError", "Invalid", "InvalidArgument", "LibraryError",
    "MethodNotAllowed", "NetworkError", "NotFound", "OutOfMemory", "Pending", "ServerError",
    "Timeout", "TLSError", "TooManyRequests", "Unauthorized", "Unavailable",
]
