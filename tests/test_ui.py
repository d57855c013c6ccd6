"""The web layer without a browser: rendering, chat/desk handlers, the API
functions, and the named endpoints through gradio_client on a live app."""
from __future__ import annotations

import logging
import re
from dataclasses import replace

import gradio as gr
import pytest

from chatbot.app import feedback
from chatbot.app.web import overview
from chatbot.app.web.context import ERROR_TEXT, NO_CONTENT_TEXT
from chatbot.app.web.desk import DESK_COLUMNS
from chatbot.domain.records import Answer, Hit
from chatbot.present.html import clause_html, esc, outline_html
from chatbot.present.markdown import answer_markdown, md_escape
from chatbot.present.replies import describe_warning, standard_reply

from conftest import handlers


def _final(gen):
    out = None
    for out in gen:
        pass
    return out[:4]  # the fifth output is the conversation saved in the browser


# -- rendering --------------------------------------------------------------------
def test_escaping_helpers():
    assert esc('<script>alert("x")</script>') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    m = md_escape("[第5.3条](javascript:alert(1)) <b>x</b> **y**")
    assert "<b>" not in m and "\\[" in m and "\\(" in m and "\\*\\*" in m


def test_answer_markdown_links_citations_and_neutralises_fakes(engine):
    lib = engine.library
    ans = Answer("q", "公示时间压缩至20天（第5.3条）。另见 [第6条](http://evil.example) <img src=x onerror=alert(1)>",
                 ["5.3", "999"], [], False, "extractive")
    md = answer_markdown(ans, lib, ["问题过长，已截取前500个字进行回答。"])
    assert "[第5.3条](#cite-5.3)" in md
    assert not re.search(r"(?<!\\)\]\(http", md) and "\\[第6条\\]" in md  # the fake link is plain text
    assert "<img" not in md and "&lt;img" in md
    assert "999" not in md.split("📎")[1]  # unknown refs get no chip
    assert md.startswith("> ⚠️ 问题过长")


def test_clause_html_shows_everything_escaped(engine):
    rec = engine.library.get("107")
    html = clause_html(rec)
    for part in (rec.citation, "责任单位", "完成时限", "20235年12月", "解析提示"):
        assert part in html
    out = clause_html(replace(rec, text="<script>x</script>", warnings=["<b>w</b>"]))
    assert "<script>" not in out and "&lt;script&gt;" in out and "<b>w" not in out


def test_standard_reply(engine):
    r = standard_reply(engine.library.get("5.3"))
    assert r.startswith("您好，根据《伊吾县实施营商环境优化提升三年行动方案（2023-2025年）》第5.3条")
    assert "将简易注销登记公示时间由45天压缩至20天" in r and "5.3将" not in r
    assert "责任单位为市场监督管理局，完成时限为2023年6月。" in r
    odd = standard_reply(engine.library.get("107"))
    assert "20235年12月" in odd and "无法识别" in odd
    assert "保障措施一" in standard_reply(engine.library.get("S1"))
    assert standard_reply(None) == ""


def test_outline_has_every_record_and_flags_defects(engine):
    lib = engine.library
    html = outline_html(lib)
    for r in lib.records:
        assert f'data-ref="{r.ref}"' in html
    assert html.count("<details") == html.count("</details>")
    assert "原文缺少第1条" in html
    assert "原文缺少（一）部分的标题" in html
    assert "不得20超过年" in html and "20235年12月" in html
    assert all(describe_warning(w) != w.message for w in lib.warnings)  # all shown in Chinese


# -- chat ------------------------------------------------------------------------------
def test_chat_answers_with_citation_chips(web, engine):
    msg, messages, turns, chips = _final(web.chat.respond("简易注销公示要多少天？", []))
    assert msg == "" and len(turns) == 1 and len(messages) == 2
    assert messages[1]["role"] == "assistant" and "#cite-" in messages[1]["content"]
    refs = [ref for _, ref in chips.choices]
    assert turns[0].answer.citations and turns[0].answer.citations[0] in refs
    panel = web.chat.show_clause(refs[0])
    assert "clause-panel" in panel and engine.library.get(refs[0]).citation in panel


def test_chat_streams_and_passes_history(web, engine, assistant, monkeypatch):
    seen = []

    def fake_stream(question, history=None):
        seen.append(list(history or []))
        yield "第一", None
        yield "第一段", None
        a = Answer(question, "答复（第5.3条）", ["5.3"], [Hit(engine.library.get("5.3"), 0.9)], False, "fake",
                   subject=["5.3"])
        yield a.text, a

    monkeypatch.setattr(assistant, "stream", fake_stream)
    steps = list(web.chat.respond("简易注销公示多久", []))
    assert len(steps) == 4  # placeholder, two partials, final
    assert steps[1][1][-1]["content"].endswith("▌")
    turns = steps[-1][2]
    _final(web.chat.respond("它由哪个部门负责？", turns))
    assert [a.question for a in seen[1]] == ["简易注销公示多久"]  # follow-up got the first Answer


@pytest.mark.parametrize("bad", ["", "   \n\t", None, "\x00\x01"])
def test_chat_empty_question_adds_nothing(web, engine, bad):
    msg, messages, turns, _ = _final(web.chat.respond(bad, []))
    assert messages == [] and turns == []


def test_chat_no_content_and_long_question(web, engine, settings):
    _, messages, turns, _ = _final(web.chat.respond("😀😀🎉？！", []))
    assert turns[0].answer.answerer == "input" and NO_CONTENT_TEXT in messages[1]["content"]
    _, messages, turns, _ = _final(web.chat.respond("企业开办" * 3000, []))
    assert len(turns[0].question) == settings.max_question_chars
    assert "问题过长" in messages[1]["content"]


def test_chat_user_text_is_inert(web, engine):
    _, messages, _, _ = _final(web.chat.respond('<script>alert(1)</script>[第5.3条](javascript:alert(1))', []))
    user = messages[0]["content"]
    assert "<script>" not in user and "](javascript" not in user


def test_chat_survives_answer_failure(web, engine, assistant, monkeypatch, caplog):
    def boom(question, history=None):
        raise RuntimeError("engine down")
        yield  # pragma: no cover

    monkeypatch.setattr(assistant, "stream", boom)
    with caplog.at_level(logging.ERROR):
        _, messages, turns, _ = _final(web.chat.respond("刻章要钱吗", []))
    assert messages[1]["content"].startswith(ERROR_TEXT[:10]) and turns[0].answer.answerer == "error"
    assert any("answer failed" in r.getMessage() for r in caplog.records)


def test_chat_clear(web):
    msg, chat, turns, chips, panel, saved = web.chat.clear()
    assert chat == [] and turns == [] and chips.choices == [] and "clause-panel" in panel


def test_like_stores_feedback(services, tmp_path):
    store = feedback.SqliteFeedbackStore(tmp_path / "fb.sqlite3")
    web = handlers(replace(services, feedback=store))
    turns = _final(web.chat.respond("简易注销公示要多少天？", []))[2]
    web.chat.like(turns, gr.LikeData(None, {"index": 1, "value": "x", "liked": True}))
    web.chat.like(turns, gr.LikeData(None, {"index": 1, "value": "x", "liked": False}))
    web.chat.like(turns, gr.LikeData(None, {"index": 0, "value": "x", "liked": True}))  # user message: ignored
    web.chat.like(turns, gr.LikeData(None, {"index": 9, "value": "x", "liked": True}))  # unknown: ignored
    rows = store.recent()
    # one answer, one vote: 👍 then 👎 leaves the 👎
    assert [r["rating"] for r in rows] == ["down"]
    assert rows[0]["question"] == "简易注销公示要多少天？" and rows[0]["citations"] == turns[0].answer.citations


def test_votes_are_per_answer_and_can_be_withdrawn(services, tmp_path):
    store = feedback.SqliteFeedbackStore(tmp_path / "fb.sqlite3")
    web = handlers(replace(services, feedback=store))
    _, _, turns, _ = _final(web.chat.respond("简易注销公示要多少天？", []))
    _, _, turns, _ = _final(web.chat.respond("刻章要钱吗", turns))

    def vote(index, liked, session="s1"):
        req = type("Req", (), {"session_hash": session})()
        web.chat.like(turns, gr.LikeData(None, {"index": index, "value": "x", "liked": liked}), req)

    vote(1, True)
    vote(3, False)
    vote(3, True)
    assert sorted((r["question"], r["rating"]) for r in store.recent()) == [
        ("刻章要钱吗", "up"), ("简易注销公示要多少天？", "up")]
    vote(1, "")  # the 👍 clicked off again
    assert [(r["question"], r["rating"]) for r in store.recent()] == [("刻章要钱吗", "up")]
    vote(3, True, session="s2")  # another browser showing the same answer id: its own vote
    assert store.count("up") == 2


def test_like_with_broken_store_keeps_answer(services, caplog):
    class Broken(feedback.SqliteFeedbackStore):
        def add(self, *a, **k):
            import sqlite3

            raise sqlite3.OperationalError("database or disk is full")

    web = handlers(replace(services, feedback=Broken("/nonexistent/x.sqlite3")))
    msg, messages, turns, _ = _final(web.chat.respond("简易注销公示要多少天？", []))
    with caplog.at_level(logging.ERROR, logger="chatbot.app.feedback"), pytest.warns(UserWarning, match="反馈暂时未能保存"):
        web.chat.like(turns, gr.LikeData(None, {"index": 1, "value": "x", "liked": True}))  # no exception
    assert any("feedback not stored" in r.getMessage() for r in caplog.records)
    assert turns[0].answer.text and messages[1]["content"]


# -- desk -------------------------------------------------------------------------------
def test_desk_filter_only_lists_all_matches(web, engine):
    df, status, refs = web.desk.search("", ["税务局"], "不限", "不限", "all")[:3]
    assert len(df) >= 10 and list(df.columns) == DESK_COLUMNS
    assert all("国家税务总局伊吾县税务局" in u for u in df["责任单位"])
    assert set(df["相关度"]) == {"—"} and "按筛选条件列出" in status
    assert len(refs) == len(df)


def test_desk_search_with_filters(web, engine):
    df, status, refs = web.desk.search("注销", [], "2023-01", "2023-12", "all")[:3]
    assert len(df) and all(engine.library.get(refs[c]).deadline <= "2023-12" for c in df["编号"])
    df, _, refs = web.desk.search("", [], "不限", "不限", "0")[:3]
    assert set(refs.values()) == {r.ref for r in engine.library.records if r.kind == "safeguard"}


def test_desk_empty_and_bad_filters(web, engine):
    df, status, refs = web.desk.search("  ", [], "不限", "不限", "all")[:3]
    assert len(df) == 0 and "请输入关键词" in status
    df, status, _ = web.desk.search("", [], "June", "不限", "all")[:3]
    assert len(df) == 0 and "YYYY" in status
    # loose months read as the CLI reads them
    loose = web.desk.search("", [], "2024/06", "不限", "all")[0]
    assert list(loose["编号"]) == list(web.desk.search("", [], "2024-06", "不限", "all")[0]["编号"])


def test_desk_select_row(web, engine):
    df, _, refs = web.desk.search("简易注销公示时间", [], "不限", "不限", "all")[:3]
    label = df.iloc[0]["编号"]
    evt = gr.SelectData(None, {"index": [0, 2], "value": "x", "row_value": list(df.iloc[0])})
    html, reply = web.desk.select(refs, evt)
    assert label in html and reply.startswith("您好，根据《") and label in reply
    html, reply = web.desk.select(refs, gr.SelectData(None, {"index": [0, 0], "value": "nope", "row_value": ["nope"]}))
    assert reply == ""


# -- API functions ---------------------------------------------------------------------
def test_api_ask_shape_and_history(web, engine):
    first = web.api.ask("简易注销公示要多少天？")
    assert set(first) >= {"question", "answer", "citations", "refused", "answerer", "notice", "hits"}
    assert all(engine.library.get(c) for c in first["citations"])
    back = web.api.answers_from_dicts([first, "junk", {"citations": ["999", 5.5]}])
    assert len(back) == 2 and back[0].citations == first["citations"] and back[1].citations == []
    follow = web.api.ask("它的完成时限是什么时候？", [first])
    assert follow["answer"]


def test_api_search(web, engine):
    hits = web.api.search("用电报装")
    assert 1 <= len(hits) <= 10 and {"id", "title", "units", "deadline", "score", "text"} <= set(hits[0])
    all_tax = web.api.search("", units=["税务局"])
    assert len(all_tax) == len(engine.filter_records(web.desk.make_filters(["税务局"])))
    assert web.api.search("") == []
    assert len(web.api.search("注销", k=3)) == 3
    with pytest.raises(gr.Error):
        web.api.search("", section="abc")
    with pytest.raises(gr.Error):
        web.api.search("", doc="nope")


def test_overview_frames(engine):
    units = overview.units_frame(engine.library)
    assert units["措施数"].is_monotonic_decreasing and units.iloc[0]["措施数"] > 10
    d = overview.deadlines_frame(engine.library)
    assert d["月份"].iloc[0] == "2023-01" and d["月份"].iloc[-1] == "2025-12"
    assert d["到期措施数"].sum() == sum(1 for r in engine.library.records if r.deadline)
    assert re.search(r"共 \*\*\d+\*\* 条", overview.overview_markdown(engine.library))


# -- live app through gradio_client -------------------------------------------------------
@pytest.fixture(scope="module")
def client(services):
    from gradio_client import Client

    from _webapp import live_url

    return Client(live_url(services), verbose=False)


@pytest.mark.slow
def test_named_endpoints_via_gradio_client(client, engine, services):
    api = client.view_api(print_info=False, return_format="dict")
    assert {"/ask", "/search", "/feedback", "/vote"} <= set(api["named_endpoints"])
    assert not any(k.startswith(("/chat", "/ui_")) for k in api["named_endpoints"])  # UI events stay private
    r = client.predict("简易注销公示要多少天？", api_name="/ask")
    assert isinstance(r, dict) and r["answer"] and all(engine.library.get(c) for c in r["citations"])
    r2 = client.predict(question="它的责任单位是谁？", history=[r], api_name="/ask")
    assert r2["answer"]
    hits = client.predict("", units=["市场监督管理局"], deadline_before="2023-12", api_name="/search")
    assert hits and all(x["deadline"] <= "2023-12" and "市场监督管理局" in x["units"] for x in hits)
    before = services.feedback.count()
    assert client.predict("q", "a", ["5.3"], "down", api_name="/feedback") == {"stored": True}
    assert services.feedback.count() == before + 1
    # a client's own vote id: the second vote replaces the first, "none" withdraws it
    for rating in ("up", "down"):
        assert client.predict("vote-7", "q", "a", ["5.3"], rating, api_name="/vote") == {"stored": True}
    assert services.feedback.count() == before + 2
    assert services.feedback.recent(1)[0]["rating"] == "down"
    assert client.predict("vote-7", "q", "a", [], "none", api_name="/vote") == {"stored": False, "withdrawn": True}
    assert services.feedback.count() == before + 1
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="vote_id"):
        client.predict("  ", "q", "a", [], "up", api_name="/vote")


# -- several documents ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_docs():
    """The plan plus the demo fixture document, BM25 only (no index build)."""
    from chatbot.app.bootstrap import bootstrap
    from chatbot.app.settings import Settings
    from conftest import FIXTURES

    return bootstrap(Settings(corpus_dir=FIXTURES / "demo"), dense=False)


def test_outline_and_desk_with_two_documents(two_docs):
    lib = two_docs.library
    web = handlers(two_docs)
    assert len(lib.corpora) == 2
    html = outline_html(lib)
    for c in lib.corpora:
        assert f"《{c.title}》" in html
    demo = next(r for r in lib.records if r.doc_id == "demo")
    assert f'data-ref="{demo.ref}"' in html and demo.ref.startswith("demo:")

    web = handlers(two_docs)
    assert [v for _, v in web.desk.doc_choices()] == ["all", "yiwu", "demo"]
    df, status, refs = web.desk.search("", [], "不限", "不限", "all", "demo")[:3]
    assert len(df) == sum(1 for r in lib.records if r.doc_id == "demo")
    assert all(ref.startswith("demo:") for ref in refs.values())
    label = df.iloc[0]["编号"]
    assert label.startswith("demo:")
    html, reply = web.desk.select(refs, gr.SelectData(None, {"index": [0, 0], "value": label, "row_value": list(df.iloc[0])}))
    assert "伊吾县便民服务提升试点方案" in reply and "clause-panel" in html
    hits = web.api.search("供暖", doc="demo")
    assert hits and all(x["doc_id"] == "demo" for x in hits)


@pytest.mark.slow
def test_app_py_starts_and_prints_address(engine, settings, tmp_path):
    """`python app.py` on a free port: prints the address, serves the page."""
    import os
    import shutil
    import subprocess
    import sys
    import urllib.request

    from _webapp import free_port, wait_ready

    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    shutil.copytree(settings.index_dir, tmp_path / "index")  # a private copy of the built index
    port = free_port()
    env = dict(os.environ, YIWU_INDEX_DIR=str(tmp_path / "index"), YIWU_DATA_DIR=str(tmp_path / "data"),
               YIWU_PORT=str(port))
    proc = subprocess.Popen([sys.executable, str(root / "app.py")], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        # the holding page answers long before Gradio is imported
        import time
        import urllib.error

        first = None
        deadline = time.monotonic() + 20
        while first is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    first = r.read().decode("utf-8")
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        assert first is not None and "正在启动" in first
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line and "已启动" in line
        wait_ready(f"http://127.0.0.1:{port}/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            html = r.read().decode("utf-8")
            assert "伊吾县营商环境政策问答助手" in html and "正在启动，请稍候" not in html  # the app took over
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_hostile_corpus_text_is_escaped_everywhere():
    """A policy file carrying markup renders as text in the outline and the panel."""
    from chatbot.corpus.formats.plan import parse_text
    from chatbot.corpus.library import Library

    src = ("伊吾县<script>alert(1)</script>测试方案\n\n"
           "（一）<b>推进</b>服务（牵头单位：<i>民政局</i>）\n\n"
           "1.<img src=x onerror=alert(2)>开通热线\n"
           "设立热线<a href='javascript:alert(3)'>点我</a>。（责任单位：<u>民政局</u>；完成时限：2024年10月）\n")
    lib = Library([parse_text(src, "evil")], "evil")
    assert lib.records, "the fixture must parse"
    pages = [outline_html(lib)] + [clause_html(r) for r in lib.records]
    for html in pages:
        for tag in ("<script", "<img", "<b>推进", "<i>民政局", "<u>民政局", "<a href"):
            assert tag not in html, (tag, html[:300])
    assert "&lt;img src=x" in pages[0]
