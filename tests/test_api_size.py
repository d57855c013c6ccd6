"""/ask replies stay small: ids, titles, scores and snippets, whole clause
texts only on request (a list question used to return 250–440 KB)."""
from __future__ import annotations

import json

import pytest

from chatbot.domain.records import MAX_HITS, SNIPPET

LISTS = ["2024年底前要完成的措施有哪些", "税务局负责哪些事项？", "县发改委牵头的措施都有哪些，全部列出来",
         "2023年12月前要完成哪些"]


def size(d: dict) -> int:
    return len(json.dumps(d, ensure_ascii=False).encode("utf-8"))


@pytest.mark.parametrize("q", LISTS)
def test_list_reply_is_at_most_60_kb(web, q):
    r = web.api.ask(q)
    assert size(r) <= 60 * 1024, size(r)
    assert len(r["hits"]) <= MAX_HITS
    assert all(len(h["text"]) <= SNIPPET + 1 for h in r["hits"])
    assert r["citations"]  # the citations themselves are complete, only hits are cut


def test_full_text_on_request(web, library):
    short, full = web.api.ask("刻章要钱吗"), web.api.ask("刻章要钱吗", full_text=True)
    assert short["citations"] == full["citations"] == ["6"]
    whole = library.get("6").text
    assert any(h["text"] == whole for h in full["hits"]) and len(whole) > SNIPPET
    assert all(h["text"] != whole for h in short["hits"] if h["id"] == "6")
