"""`make run`: the development web server and one background worker, started and stopped
together. Ctrl-C, `kill` of make or of this script, or either process ending stops both, and on
Linux a `kill -9` of make or of this script stops them too (the kernel sends them SIGTERM), so
no worker is left running on its own. The worker never runs under the autoreloader.

Usage: run.py HOST:PORT (the environment carries the settings)."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time
from pathlib import Path

MANAGE = str(Path(__file__).resolve().parent.parent / "manage.py")
PR_SET_PDEATHSIG = 1


def stop_when_parent_dies() -> None:
    """Ask the kernel for SIGTERM when our parent process dies (Linux; elsewhere nothing)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def main(address: str) -> int:
    stop_when_parent_dies()
    python = sys.executable
    # Our own interpreter and manage.py; the address comes from the Makefile.
    worker = subprocess.Popen(  # noqa: S603
        [python, MANAGE, "db_worker", "--interval", "1", "--no-reload"], preexec_fn=stop_when_parent_dies
    )
    server = subprocess.Popen([python, MANAGE, "runserver", address], preexec_fn=stop_when_parent_dies)  # noqa: S603
    children = [worker, server]

    def stop(signum=None, frame=None) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0 if signum in (None, signal.SIGINT, signal.SIGTERM) else 1)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    ended = "worker" if worker.poll() is not None else "web server"
    print(f"The {ended} stopped; stopping the other.", file=sys.stderr)
    stop()
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
