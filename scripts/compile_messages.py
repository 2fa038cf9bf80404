"""Compile locale/*/LC_MESSAGES/*.po to .mo with polib (no system gettext needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    count = 0
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    print(f"compiled {count} message catalogues")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main())
