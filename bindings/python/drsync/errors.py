"""Typed exceptions of the drsync package, one per drsync_error_code of the C ABI.

Every exception carries what ``drsync_error_last()`` reported: ``code`` (the negative
DRSYNC_E* value), ``name`` ("not_found", ...), ``http_status`` (0 when no server answered),
``reason`` (the Kubernetes Status reason, "" if none) and ``message`` (never contains a
credential).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type

__all__ = [
    "DrsyncError", "InvalidArgument", "ConfigError", "NotFound", "AlreadyExists", "Conflict",
    "Invalid", "BadRequest", "Forbidden", "Unauthorized", "MethodNotAllowed", "Gone",
    "TooManyRequests", "Timeout", "ServerError", "NetworkError", "TLSError", "Unavailable",
    "Fenced", "Pending", "Cancelled", "InternalError", "OutOfMemory", "LibraryError",
]


class DrsyncError(Exception):
    """Base class of every error reported by libdrsync."""

    code: int = -1
    name: str = "error"

    def __init__(self, message: str, *, code: Optional[int] = None, http_status: int = 0,
                 reason: str = "", name: Optional[str] = None, report: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if name is not None:
            self.name = name
        self.http_status = http_status
        self.reason = reason
        #: For Cancelled raised by a migration mode: the partial MigrationReport.
        self.report = report

    def __str__(self) -> str:
        extra = []
        if self.http_status:
            extra.append(f"HTTP {self.http_status}")
        if self.reason:
            extra.append(self.reason)
        return self.message + (f" ({', '.join(extra)})" if extra else "")

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.message!r}, code={self.code}, "
                f"http_status={self.http_status}, reason={self.reason!r})")


class InvalidArgument(DrsyncError, ValueError):
    """The caller's input is wrong: options document, plan file, step name, NULL/empty names."""
    code, name = -2, "invalid_argument"


class ConfigError(DrsyncError):
    """The kubeconfig or in-cluster configuration is wrong or unreadable."""
    code, name = -3, "config"


class NotFound(DrsyncError):
    """404 NotFound."""
    code, name = -4, "not_found"


class AlreadyExists(DrsyncError):
    """409 AlreadyExists."""
    code, name = -5, "already_exists"


class Conflict(DrsyncError):
    """409 Conflict (stale resourceVersion)."""
    code, name = -6, "conflict"


class Invalid(DrsyncError):
    """422 Invalid: the API server's validation rejected an object."""
    code, name = -7, "invalid"


class BadRequest(DrsyncError):
    """400 BadRequest."""
    code, name = -8, "bad_request"


class Forbidden(DrsyncError):
    """403 Forbidden."""
    code, name = -9, "forbidden"


class Unauthorized(DrsyncError):
    """401 Unauthorized."""
    code, name = -10, "unauthorized"


class MethodNotAllowed(DrsyncError):
    """405 MethodNotAllowed."""
    code, name = -11, "method_not_allowed"


class Gone(DrsyncError):
    """410 Gone / Expired."""
    code, name = -12, "gone"


class TooManyRequests(DrsyncError):
    """429 TooManyRequests after retries."""
    code, name = -13, "too_many_requests"


class Timeout(DrsyncError):
    """504, or a request or operation timeout (e.g. waitTimeoutSeconds)."""
    code, name = -14, "timeout"


class ServerError(DrsyncError):
    """Another 5xx after retries."""
    code, name = -15, "server_error"


class NetworkError(DrsyncError):
    """Connection refused/reset, DNS, ..."""
    code, name = -16, "network"


class TLSError(DrsyncError):
    """Certificate verification failed, bad client key, ..."""
    code, name = -17, "tls"


class Unavailable(DrsyncError):
    """The cluster cannot be reached at all."""
    code, name = -18, "unavailable"


class Fenced(DrsyncError):
    """Refused: the target side is active (fencing)."""
    code, name = -19, "fenced"


class Pending(DrsyncError):
    """Refused: another operation is half-done; re-run it, or force."""
    code, name = -20, "pending"


class Cancelled(DrsyncError):
    """A callback cancelled the operation."""
    code, name = -21, "cancelled"


class InternalError(DrsyncError):
    """A bug in libdrsync."""
    code, name = -22, "internal"


class OutOfMemory(DrsyncError, MemoryError):
    """libdrsync ran out of memory."""
    code, name = -23, "out_of_memory"


class LibraryError(DrsyncError, ImportError):
    """libdrsync could not be loaded, or its ABI version is not the one this package needs."""
    name: str = "library"


#: DRSYNC_EFAILED: the operation ran and its result reports failures. Not raised: the result
#: (``ok == False``) is returned instead.
EFAILED = -24
ECANCELLED = Cancelled.code
EFENCED = Fenced.code

_BY_CODE: Dict[int, Type[DrsyncError]] = {
    cls.code: cls for cls in (
        InvalidArgument, ConfigError, NotFound, AlreadyExists, Conflict, Invalid, BadRequest,
        Forbidden, Unauthorized, MethodNotAllowed, Gone, TooManyRequests, Timeout, ServerError,
        NetworkError, TLSError, Unavailable, Fenced, Pending, Cancelled, InternalError,
        OutOfMemory)
}


def error_class(code: int) -> Type[DrsyncError]:
    """The exception class for a DRSYNC_E* code (DrsyncError for generic/unknown codes)."""
    return _BY_CODE.get(code, DrsyncError)
