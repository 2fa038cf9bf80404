"""Make sure the browser tests have a Chromium: Debian's /usr/bin/chromium when present,
otherwise the one Playwright downloads (`playwright install chromium`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from_env = os.environ.get("CHROMIUM_PATH")
if from_env or shutil.which("chromium") or os.path.exists("/usr/bin/chromium"):
    sys.exit(0)
print("No system Chromium found: asking Playwright to install its own (needs a connection).")
sys.exit(subprocess.call([sys.executable, "-m", "playwright", "install", "chromium"]))
