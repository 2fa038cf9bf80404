"""Warn about system libraries the portal uses but pip cannot install."""

from __future__ import annotations

import sys

try:
    import weasyprint  # noqa: F401
except OSError:
    print(
        "Warning: the diary's PDF needs Pango, which is missing. On Debian or Ubuntu:\n"
        "  sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0\n"
        "Everything else works without it.",
        file=sys.stderr,
    )
