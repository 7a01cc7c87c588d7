"""Refresh docs/screenshots/*.png: the storefront at phone width (390×844), in Vietnamese
and English — home, a search without accents (`com chay` → Cơm cháy) and a product page —
taken by the browser test that walks Emily's journey (Playwright driving Debian's chromium
against a live server with the demo data).

    .venv/bin/python tools/screenshots.py

Needs `apt-get install -y chromium fonts-noto-core`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "screenshots"


def main() -> int:
    if shutil.which("chromium") is None:
        print("chromium is missing: apt-get install -y chromium fonts-noto-core", file=sys.stderr)
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"SCREENSHOT_DIR": str(TARGET)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/browser/test_storefront_browser.py", "-k", "tourist_finds_com_chay"]
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    if result.returncode == 0:
        for png in sorted(TARGET.glob("*.png")):
            print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KB")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
