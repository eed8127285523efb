"""Sanitized builds only: preloads the sanitizer runtime into every Python interpreter of a test.

ctest's "e2e: python" puts this directory first on PYTHONPATH and the runtime's path (then
libstdc++'s) in DRSYNC_SANITIZER_PRELOAD (tests/CMakeLists.txt). python3 is not instrumented, so loading the
instrumented libdrsync.so with ctypes needs the sanitizer runtime first in the process
(LD_PRELOAD). Python imports this module at startup, before the test code: without the runtime it
re-executes the same command line with LD_PRELOAD set; with it, it takes LD_PRELOAD out of the
environment again. So every interpreter, including those the tests start themselves
(sys.executable -c ...), gets the runtime, and nothing else does: `python3` may be a shell script
(pyenv's shim) and bash crashes with ThreadSanitizer's runtime preloaded.
"""
import os
import sys

_runtime = os.environ.get("DRSYNC_SANITIZER_PRELOAD", "")
if _runtime:
    if os.environ.get("LD_PRELOAD") == _runtime:
        del os.environ["LD_PRELOAD"]  # loaded: the programs this one starts do not get it
    else:
        os.environ["LD_PRELOAD"] = _runtime
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, sys.orig_argv)
