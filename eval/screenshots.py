"""Screenshots of each tab for the README, taken in headless Chromium.

    python -m eval.screenshots                 # starts the app on a free loopback port
    python -m eval.screenshots --url http://127.0.0.1:7860/ --out docs

Uses Debian's chromium (/usr/bin/chromium); Playwright's own browser
download is never used. The helpers here are shared with tests/test_browser.py.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("YIWU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 900}
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def launch_browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def new_page(browser, blocked: list[str] | None = None, viewport: dict | None = None):
    """A Chinese-locale page that may only talk to the loopback app; any
    other request is aborted and recorded in `blocked`. A phone-sized
    viewport gets a phone's touch and mobile flags."""
    viewport = viewport or VIEWPORT
    phone = viewport["width"] < 600
    page = browser.new_page(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            return r.continue_()
        if blocked is not None:
            blocked.append(url)
        return r.abort()

    page.route("**/*", route)
    return page


def open_app(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_selector("#question textarea", timeout=60_000)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def ask(page, question: str, timeout: float = 90) -> None:
    """Type a question, send it, wait until the answer has finished streaming."""
    n = page.locator('#chat [data-testid="bot"]').count()
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function(
        """(n) => { const bots = document.querySelectorAll('#chat [data-testid="bot"]');
                    if (bots.length <= n) return false;
                    const t = bots[bots.length - 1].innerText;
                    return !t.includes('▌') && !t.includes('正在查找相关条款'); }""",
        arg=n, timeout=timeout * 1000)


def open_citation(page, index: int = 0) -> str:
    """Click a citation link in the answers; returns its label once the side
    panel shows that clause."""
    links = page.locator('#chat a[href*="#cite-"]')
    link = links.last if index == -1 else links.nth(index)
    label = link.inner_text().strip()
    link.click()
    page.wait_for_function(
        """(label) => { const el = document.querySelector('#clause-panel .clause-cite');
                        return el && el.innerText.trim() === label; }""", arg=label, timeout=15_000)
    return label


def filter_desk_by_unit(page, unit: str) -> None:
    open_tab(page, "政策查询台")
    page.click("#desk-units input")
    page.keyboard.type(unit)
    page.wait_for_selector('#desk-units [data-testid="dropdown-option"]', timeout=10_000)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.click("#desk-status")  # close the option list
    page.wait_for_function("() => document.querySelector('#desk-status').innerText.includes('共')",
                           timeout=30_000)


def capture(url: str, out: Path) -> list[Path]:
    """Each tab at 1366×768 (``<tab>.png``) and on a 390×844 phone (``phone-<tab>.png``)."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            for prefix, viewport in (("", LAPTOP), ("phone-", PHONE)):
                page = new_page(browser, viewport=viewport)
                open_app(page, url)
                ask(page, "简易注销公示要多少天？")
                ask(page, "企业用电报装要多久")
                if not prefix:
                    open_citation(page, -1)
                page.mouse.move(0, 0)
                shots.append(out / f"{prefix}chat.png")
                page.screenshot(path=shots[-1])

                filter_desk_by_unit(page, "人社局")
                page.click('#desk-table [data-testid="cell-1-0"]')
                page.wait_for_function("() => document.querySelector('#desk-reply textarea').value.startsWith('您好')")
                shots.append(out / f"{prefix}desk.png")
                page.screenshot(path=shots[-1], full_page=bool(prefix))

                open_tab(page, "政策全文")
                page.locator("#outline details.section > summary").first.click()
                page.locator("#outline details.section").first.locator("details.measure > summary").first.click()
                shots.append(out / f"{prefix}browse.png")
                page.screenshot(path=shots[-1])

                open_tab(page, "概览")
                page.wait_for_selector("#plot-units .bar-row", timeout=20_000)
                shots.append(out / f"{prefix}overview.png")
                page.screenshot(path=shots[-1], full_page=True)
                page.evaluate("() => localStorage.clear()")
                page.close()
        finally:
            browser.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="a running app; default: start one on a free loopback port")
    p.add_argument("--out", type=Path, default=ROOT / "docs")
    args = p.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    demo = None
    url = args.url
    if not url:
        sys.path.insert(0, str(ROOT))
        from chatbot.app.bootstrap import bootstrap
        from chatbot.app.web import launch

        sys.path.insert(0, str(ROOT / "tests"))
        from _webapp import free_port, wait_ready

        demo, url = launch(bootstrap(), host="127.0.0.1", port=free_port())
        wait_ready(url)
    try:
        for path in capture(url if url.endswith("/") else url + "/", args.out):
            print(path)
    finally:
        if demo is not None:
            demo.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
