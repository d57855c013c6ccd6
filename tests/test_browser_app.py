"""The web app as people use it (issue 17), in headless Chromium at a
laptop's 1366×768 and a phone's 390×844: nothing wider than the phone, a new
answer's start in view, chips of the latest answer only, plain-text copy, one
send per double click, the conversation kept over a reload, Chinese labels,
the desk's names, deadlines and references, and the build banner."""
from __future__ import annotations

import threading

import pytest

from _chromium import browser  # noqa: F401  (the fixture)
from eval.screenshots import LAPTOP, PHONE, ask, filter_desk_by_unit, open_tab  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


SIZES = {"laptop": LAPTOP, "phone": PHONE}
# Rows of the desk table (Gradio's table draws cells "cell-<row>-<col>").
ROWS_JS = ("() => { const ROWS = () => [...document.querySelectorAll('#desk-table [data-testid^=\"cell-\"]')]"
           ".filter(e => /^cell-\\d+-0$/.test(e.dataset.testid)).length; return ")
# Gradio's own strings that its Chinese locale leaves in English.
ENGLISH = ("Copy message", "Copy table data", "Fullscreen", "Copy", "Like", "Dislike", "Table actions",
           "More tabs", "chatbot conversation", "Dataframe", "Open cell menu", "Scroll down")


@pytest.fixture(scope="module")
def roomy(services):
    """The session's services with limits no test run reaches: these tests
    ask some thirty questions from one loopback address in a few minutes."""
    from conftest import with_settings

    return with_settings(services, rate_answers_burst=1000, rate_answers_per_minute=6000,
                         rate_searches_burst=1000, rate_searches_per_minute=6000,
                         rate_chars_burst=10 ** 6, rate_chars_per_minute=10 ** 7)


def _page(browser, url, size):
    from _webapp import Watched

    return Watched(browser, url, SIZES[size])


@pytest.fixture(params=list(SIZES))
def page(request, browser, roomy, tmp_path):
    from _webapp import live_url

    w = _page(browser, live_url(roomy), request.param)
    w.page.size = request.param
    yield w.page
    w.close(tmp_path / f"last-{request.param}.png")


def _wait(cond, timeout=10.0):
    from _webapp import wait_until

    return wait_until(cond, timeout)


def _widest(page) -> int:
    return page.evaluate("""() => Math.max(document.documentElement.scrollWidth,
        ...[...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null)
            .map(e => Math.ceil(e.getBoundingClientRect().right)))""")


def test_no_tab_wider_than_a_phone(browser, roomy, tmp_path):
    from _webapp import live_url

    w = _page(browser, live_url(roomy), "phone")
    pg = w.page
    try:
        ask(pg, "税务局负责哪些任务")
        widths = {"智能问答": _widest(pg)}
        for tab in ("政策查询台", "政策全文", "概览"):
            open_tab(pg, tab)
            if tab == "政策查询台":
                pg.fill("#desk-query textarea", "简易注销")
                pg.click("#desk-go")
                pg.wait_for_function("() => document.querySelector('#desk-status').innerText.includes('共')")
            if tab == "政策全文":
                pg.locator("#outline details.section > summary").first.click()
            pg.wait_for_timeout(500)
            widths[tab] = _widest(pg)
        assert all(x <= 392 for x in widths.values()), widths
    finally:
        w.close()


def _visible_in_chat(page, selector_js: str) -> bool:
    return page.evaluate(f"""() => {{
        const el = {selector_js};
        const box = document.querySelector('#chat .bubble-wrap') || document.querySelector('#chat');
        const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
        return r.top >= b.top - 2 && r.top < b.bottom - 20 && r.top >= 0 && r.top < window.innerHeight; }}""")


def test_a_new_answer_starts_in_view_after_scrolling_up(page):
    ask(page, "税务局负责哪些任务")  # a long answer
    last_user = "[...document.querySelectorAll('#chat [data-testid=\"user\"]')].at(-1)"
    assert _visible_in_chat(page, last_user)  # its start, not its tail
    # the reader scrolls up to the answer's start, then asks again
    page.evaluate("() => { const b = document.querySelector('#chat .bubble-wrap'); b.scrollTop = 0; }")
    ask(page, "简易注销公示要多少天？")
    assert page.locator('#chat [data-testid="user"]').count() == 2
    assert _visible_in_chat(page, last_user)
    first_bot = "[...document.querySelectorAll('#chat [data-testid=\"bot\"]')].at(-1)"
    assert _visible_in_chat(page, first_bot)


def test_chips_belong_to_the_latest_answer(page):
    ask(page, "税务局负责哪些任务")
    many = page.locator("#cite-chips label").count()
    assert many > 5
    ask(page, "简易注销公示要多少天？")
    chips = page.locator("#cite-chips label").all_inner_texts()
    assert "第5.3条" in [c.strip() for c in chips] and len(chips) < many


def test_copy_gives_plain_text_with_citations(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ask(page, "简易注销公示要多少天？")
    page.locator('#chat [data-testid="bot"]').last.hover()
    page.locator('#chat button[aria-label="复制回答"]').last.click()
    assert _wait(lambda: page.evaluate("() => !!window.yiwuLastCopy"))
    text = page.evaluate("() => navigator.clipboard.readText()")
    assert "第5.3条" in text and "45天压缩至20天" in text
    assert "](#cite" not in text and "**" not in text and "\\" not in text


def test_a_double_click_sends_once(page):
    page.fill("#question textarea", "刻章要钱吗")
    page.dblclick("#send")
    page.wait_for_selector('#chat [data-testid="bot"] a[href*="#cite-"]', timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator('#chat [data-testid="user"]').count() == 1


def test_conversation_survives_a_reload_until_cleared(page):
    ask(page, "简易注销公示要多少天？")
    page.reload(wait_until="load")
    page.wait_for_selector('#chat [data-testid="bot"] a[href*="#cite-"]', timeout=30_000)
    assert "20天" in page.locator('#chat [data-testid="bot"]').last.inner_text()
    ask(page, "这条的责任单位是谁？")  # a follow-up on the restored turn
    assert "市场监督管理局" in page.locator('#chat [data-testid="bot"]').last.inner_text()
    page.click("#clear")
    assert _wait(lambda: page.locator('#chat [data-testid="bot"]').count() == 0)
    page.reload(wait_until="load")
    page.wait_for_selector("#question textarea")
    page.wait_for_timeout(1500)
    assert page.locator('#chat [data-testid="bot"]').count() == 0


def test_labels_are_chinese_and_unescaped(page):
    ask(page, "第5.3条是什么内容")
    open_tab(page, "政策查询台")
    page.fill("#desk-query textarea", "简易注销")
    page.click("#desk-go")
    page.wait_for_function("() => document.querySelector('#desk-status').innerText.includes('共')")
    open_tab(page, "智能问答")
    labels = page.evaluate("""() => [...document.querySelectorAll('[aria-label],[title]')]
        .flatMap(e => [e.getAttribute('aria-label'), e.getAttribute('title')]).filter(Boolean)""")
    assert not [x for x in labels if x in ENGLISH]
    msgs = [x for x in labels if x.startswith(("问题：", "回答："))]
    assert any("第5.3条" in x for x in msgs)
    assert not [x for x in msgs if "\\" in x or "](#cite" in x or "**" in x]
    assert not [x for x in labels if x.startswith(("user's message", "bot's message"))]


def test_desk_names_deadlines_references_and_reply_in_view(page):
    filter_desk_by_unit(page, "人社局")
    assert "按筛选条件列出" in page.inner_text("#desk-status")
    assert "人力资源和社会保障局" in page.locator('#desk-table [data-testid="cell-0-3"]').inner_text()
    # a list: one combined reply and a CSV
    assert page.input_value("#desk-combined textarea").startswith("您好，根据")
    assert page.locator("#desk-csv a[download]").count() == 1
    page.click('#desk-table [data-testid="cell-0-0"]')
    page.wait_for_function("() => document.querySelector('#desk-reply textarea').value.startsWith('您好')")
    if page.size == "laptop":  # beside the selected row, without scrolling
        box = page.locator("#desk-reply").bounding_box()
        assert box["y"] >= 0 and box["y"] + 60 <= LAPTOP["height"]
    page.click("#desk-reset")
    page.fill("#desk-query textarea", "2024年底前")
    page.click("#desk-go")
    page.wait_for_function("() => document.querySelector('#desk-status').innerText.includes('已从关键词中识别')")
    page.fill("#desk-query textarea", "第5.3条")
    page.click("#desk-go")
    page.wait_for_function("() => document.querySelector('#desk-status').innerText.includes('精确查找')")
    page.wait_for_function(ROWS_JS + "ROWS() === 1; }", timeout=10_000)
    page.click("#desk-similar")
    page.wait_for_function("() => document.querySelector('#desk-status').innerText.includes('关键词检索')")
    page.wait_for_function(ROWS_JS + "ROWS() > 1; }", timeout=10_000)


def test_overview_bars_read_with_values(page):
    open_tab(page, "概览")
    page.wait_for_selector("#plot-units .bar-row")
    first = page.locator("#plot-units .bar-row").first.inner_text()
    assert "市场监督管理局" in first and "54" in first
    assert page.locator("#plot-units details summary").inner_text().startswith("显示其余")


class SlowEmbeddings:
    """A LangChain-style embedder whose build waits for the test to release
    it, so the build is still running however slowly the page loads (a timed
    sleep per chunk raced the page on a loaded CI machine)."""

    name = "slow-fake"

    def __init__(self):
        self.release = threading.Event()

    def embed_documents(self, texts):
        self.release.wait(120)
        return [[float(len(t) % 7 + 1), 1.0, 0.5] for t in texts]

    def embed_query(self, text):
        return [1.0, 1.0, 0.5]


def test_the_page_shows_the_build_and_answers_meanwhile(browser, tmp_path):
    from langchain_core.embeddings import Embeddings

    from _webapp import start
    from chatbot.app.bootstrap import bootstrap
    from chatbot.app.settings import Settings
    from conftest import REAL_CORPUS

    class Slow(SlowEmbeddings, Embeddings):
        pass

    s = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dir=REAL_CORPUS,
                 vector_cache="")
    slow = Slow()
    services = bootstrap(s, embeddings=slow, wait_for_index=False)
    assert services.vectors.building
    demo, url = start(services)
    try:
        w = _page(browser, url, "laptop")
        pg = w.page
        pg.wait_for_selector("#index-status", state="visible", timeout=10_000)
        assert "正在建立" in pg.inner_text("#index-status")
        ask(pg, "刻章要钱吗")
        bot = pg.locator('#chat [data-testid="bot"]').last.inner_text()
        assert "索引正在建立" in bot and "第6条" in bot
        import urllib.request
        import urllib.error
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url + "readyz", timeout=5)
        assert e.value.code == 503
        slow.release.set()
        services.vectors.wait(120)
        pg.wait_for_selector("#index-status", state="hidden", timeout=15_000)
        with urllib.request.urlopen(url + "readyz", timeout=5) as r:
            assert r.status == 200
        w.close()
    finally:
        demo.close()
