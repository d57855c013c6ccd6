"""What the browser tests share: Debian's /usr/bin/chromium driven by
Playwright (skipped when either is missing) and one browser per module.
Import ``browser`` from here to use the fixture."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.screenshots import CHROMIUM, launch_browser  # noqa: E402

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()
