"""docs/controller.md names every flag and metric family the binary has (the tables in
controller/controller_flags.cpp and controller/metrics.cpp are the one source)."""

import os
import re
import subprocess

from conftest import REPO


def doc():
    with open(os.path.join(REPO, "docs", "controller.md")) as f:
        return f.read()


def test_every_flag_is_documented(binary):
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
    flags = re.findall(r"^\s+(--[a-z-]+)", help_text, re.M)
    assert len(flags) > 10
    missing = [f for f in flags if f"`{f}`" not in doc()]
    assert not missing, f"docs/controller.md does not name {missing}"


def test_every_metric_family_is_documented(binary):
    out = subprocess.run([binary, "--list-metrics"], capture_output=True, text=True, check=True).stdout
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert "drsync_controller_leader" in names
    missing = [n for n in names if f"`{n}`" not in doc()]
    assert not missing, f"docs/controller.md does not name {missing}"


def test_usage_errors_exit_2(binary):
    p = subprocess.run([binary, "--lease-duration", "5s", "--renew-deadline", "10s"], capture_output=True, text=True)
    assert p.returncode == 2 and "--renew-deadline" in p.stderr
    p = subprocess.run([binary, "--no-such-flag"], capture_output=True, text=True)
    assert p.returncode == 2 and "unknown flag --no-such-flag" in p.stderr
