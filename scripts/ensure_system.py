"""Make sure the system programs and libraries that pip cannot install are there.

    ensure_system.py test   # before `make test`: Chromium (browser tests) and Pango (diary PDF)
    ensure_system.py run    # before `make run`: Pango (without it only the diary PDF is missing)

When something is missing and this runs as root on a machine with apt (a fresh Debian or Ubuntu
machine, a CI container), it installs Debian's packages itself. Otherwise it says in one line
what to install and, for the tests, stops. It never downloads a browser of its own.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    name: str
    packages: tuple[str, ...]
    present: Callable[[], bool]


def chromium_present() -> bool:
    return bool(os.environ.get("CHROMIUM_PATH") or shutil.which("chromium"))


def pango_present() -> bool:
    return all(ctypes.util.find_library(name) for name in ("pango-1.0", "pangoft2-1.0"))


def needs(purpose: str) -> list[Need]:
    pango = Need("Pango (for the diary's PDF)", ("libpango-1.0-0", "libpangoft2-1.0-0"), pango_present)
    if purpose == "run":
        return [pango]
    return [Need("Chromium (for the browser tests)", ("chromium",), chromium_present), pango]


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(packages: list[str]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"Installing {' '.join(packages)} with apt-get", flush=True)
    steps = [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]]
    return all(subprocess.call(step, env=env, stdout=subprocess.DEVNULL) == 0 for step in steps)  # noqa: S603


def ensure(purpose: str) -> int:
    missing = [need for need in needs(purpose) if not need.present()]
    if not missing:
        return 0
    packages = [p for need in missing for p in need.packages]
    if can_install() and install(packages):
        missing = [need for need in missing if not need.present()]
        if not missing:
            return 0
    names = " and ".join(need.name for need in missing)
    command = "sudo apt-get install " + " ".join(p for need in missing for p in need.packages)
    if purpose == "run":  # the portal runs without it; only the diary's PDF cannot be made
        print(f"Warning: {names} is missing; on Debian or Ubuntu: {command}", file=sys.stderr)
        return 0
    print(f"Missing {names}. On Debian or Ubuntu: {command} (or set CHROMIUM_PATH to a Chromium)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(ensure(sys.argv[1] if len(sys.argv) > 1 else "test"))
