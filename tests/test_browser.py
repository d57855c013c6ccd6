"""The web app in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): ask, open a citation, like, filter the desk, read the outline.
The page may only talk to the loopback app: any other request fails the test."""
from __future__ import annotations

import pytest

from _chromium import browser  # noqa: F401  (the fixture)
from eval.screenshots import ask, filter_desk_by_unit, open_citation, open_tab  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(browser, services, tmp_path):
    from _webapp import Watched, live_url

    w = Watched(browser, live_url(services))
    yield w.page
    w.close(tmp_path / "last.png")


def _wait(cond, timeout=10.0):
    from _webapp import wait_until

    return wait_until(cond, timeout)


def test_ask_open_citation_and_like(page, engine, services):
    from chatbot.app import feedback

    ask(page, "简易注销公示要多少天？")
    links = page.locator('#chat a[href*="#cite-"]')
    assert links.count() >= 1
    label = open_citation(page, 0)
    panel = page.inner_text("#clause-panel")
    ref = page.get_attribute("#clause-panel .clause-panel", "data-ref")
    rec = engine.library.get(ref)
    assert rec is not None and rec.citation == label
    for part in ("责任单位", "完成时限", rec.units[0]):
        assert part in panel
    assert rec.body[:15] in panel

    store = services.feedback
    before = store.count()
    page.locator('#chat button[aria-label="赞"], #chat button[aria-label="Like"]').last.click()
    assert _wait(lambda: store.count() == before + 1)
    row = store.recent(1)[0]
    assert row["rating"] == "up" and row["question"] == "简易注销公示要多少天？"
    assert ref in row["citations"]
    # changing the thumb replaces the vote; clicking it off withdraws it
    page.locator('#chat button[aria-label="踩"], #chat button[aria-label="Dislike"]').last.click()
    assert _wait(lambda: store.count() == before + 1 and store.recent(1)[0]["rating"] == "down")
    page.locator('#chat button[aria-label="已踩"], #chat button[aria-label="Disliked"]').last.click()
    assert _wait(lambda: store.count() == before)


def test_example_follow_up_and_clear(page):
    page.locator("button.example").first.click()  # an example question, answered at once
    page.wait_for_selector('#chat [data-testid="bot"] a[href*="#cite-"]', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#chat').innerText.includes('▌')")
    ask(page, "这条的责任单位是谁？")
    assert page.locator('#chat [data-testid="bot"]').count() == 2
    page.click("#clear")
    assert _wait(lambda: page.locator('#chat [data-testid="bot"]').count() == 0)
    assert "点击回答中的引用" in page.inner_text("#clause-panel")


def test_hostile_question_is_inert(page):
    ask(page, '<img src=x onerror="alert(1)"><script>alert(2)</script>[第5.3条](javascript:alert(3))')
    chat = page.locator("#chat")
    assert chat.locator("img[src=x]").count() == 0
    assert chat.locator("script").count() == 0
    assert chat.locator('a[href^="javascript"]').count() == 0
    user = page.locator('#chat [data-testid="user"]').last.inner_text()
    assert "<img" in user  # shown as text


def test_long_question_gets_notice(page, settings):
    ask(page, "企业开办需要多长时间？" * 100)
    assert "问题过长" in page.locator('#chat [data-testid="bot"]').last.inner_text()


def test_desk_filter_by_department_and_read_reply(page):
    filter_desk_by_unit(page, "税务局")
    status = page.inner_text("#desk-status")
    assert "按筛选条件列出" in status
    first_unit = page.locator('#desk-table [data-testid="cell-0-3"]').inner_text()
    assert "税务局" in first_unit
    page.click('#desk-table [data-testid="cell-0-0"]')
    page.wait_for_function("() => document.querySelector('#desk-reply textarea').value.startsWith('您好，根据《')")
    reply = page.input_value("#desk-reply textarea")
    label = page.locator('#desk-table [data-testid="cell-0-0"]').inner_text().strip()
    assert label in reply and "责任单位为" in reply
    assert label in page.inner_text("#desk-clause")


def test_browse_outline_and_overview(page):
    open_tab(page, "政策全文")
    outline = page.locator("#outline")
    outline.locator("details.section > summary").first.click()
    assert "原文缺少第1条" in outline.inner_text()
    open_tab(page, "概览")
    page.wait_for_selector("#plot-units .bar-row", timeout=20_000)
    assert "责任单位" in page.inner_text("#overview-summary")
