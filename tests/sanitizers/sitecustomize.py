"""Sanitized builds only: preloads the sanitizer runtime into every Python interpreter of a test.

ctest's "e2e: python" and cli.e2e put this directory first on PYTHONPATH and the runtime's path (then
libstdc++'s) in DRSYNC_SANITIZER_PRELOAD (tests/CMakeLists.txt). python3 is not instrumented, so loading the
instrumented libdrsync.so with ctypes needs the sanitizer runtime first in the process
(LD_PRELOAD). Python imports this module at startup, before the test code: without the runtime it
re-executes the same command line with LD_PRELOAD set; with it, it takes LD_PRELOAD out of the
environment again; interpreters the tests start themselves (sys.executable ...) get it through
subprocess, whatever environment the test gives them. So every interpreter gets the runtime and
nothing else does: `python3` may be a shell script
(pyenv's shim) and bash crashes with ThreadSanitizer's runtime preloaded.
"""
import os
import sys

_runtime = os.environ.get("DRSYNC_SANITIZER_PRELOAD", "")


def _preload_into_python_children() -> None:
    """Interpreters started with sys.executable get the runtime even with an environment of their
    own (a test may replace PYTHONPATH, and this module with it)."""
    import subprocess  # pylint: disable=import-outside-toplevel

    popen_init = subprocess.Popen.__init__
    executable = os.path.realpath(sys.executable)

    def init(self, args, *rest, **kwargs):
        program = args if isinstance(args, (str, bytes, os.PathLike)) else args[0]
        if os.path.realpath(os.fsdecode(program)) == executable:
            env = kwargs.get("env")
            kwargs["env"] = {**(os.environ if env is None else env), "LD_PRELOAD": _runtime}
        popen_init(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = init


if _runtime:
    if os.environ.get("LD_PRELOAD") == _runtime:
        del os.environ["LD_PRELOAD"]  # loaded: the programs this one starts do not get it
        _preload_into_python_children()
    else:
        os.environ["LD_PRELOAD"] = _runtime
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, sys.orig_argv)
