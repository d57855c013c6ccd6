"""Issue 17's server side: the desk reads deadlines, departments and exact
references from its keyword box and says so; list results get one combined
reply and a CSV with Chinese headers; the chat saved in the browser is
restored through the same checks as an API history; the readiness probe
and the build banner tell the truth about the index."""
from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest

from chatbot.app.web import overview
from chatbot.app.web.chat import SAVED_TURNS, snapshot
from chatbot.app.web.layout import status_banner
from chatbot.app.web.probes import IndexStatus, index_status
from chatbot.present.replies import csv_text, list_reply
from chatbot.search import deskquery


def prop(update, name):
    """A component update's property (Gradio 6 returns components, older a dict)."""
    return update[name] if isinstance(update, dict) else getattr(update, name)


def _final(gen):
    out = None
    for out in gen:
        pass
    return out


@pytest.mark.parametrize("text, units, before, after, keywords", [
    ("2024年底前", [], "2024-12", None, ""),
    ("人社局 2024年底前 就业", ["人力资源和社会保障局"], "2024-12", None, "就业"),
    ("市监局负责的", ["市场监督管理局"], None, None, ""),
    ("2024年6月 用电", [], "2024-06", "2024-06", "用电"),
    ("简易注销", [], None, None, "简易注销"),
])
def test_desk_query_reads_deadlines_and_units(library, text, units, before, after, keywords):
    dq = deskquery.parse(text, library)
    assert (dq.units, dq.before, dq.after, dq.keywords, dq.lookup) == (units, before, after, keywords, False)


@pytest.mark.parametrize("text, ref", [("第5.3条", "5.3"), ("5.3", "5.3"), ("S1", "S1"),
                                       ("优化营商环境条例第十三条", "obe:13"), ("款项支付条例第8条讲什么", "smepay:8")])
def test_desk_query_exact_reference_is_a_lookup(library, text, ref):
    dq = deskquery.parse(text, library)
    assert dq.lookup and dq.refs == [ref]
    assert not deskquery.parse(text + " 简易注销", library).lookup  # a topic too: a search


def test_desk_deadline_in_the_keyword_box_filters_and_is_reported(web, engine):
    df, status, refs, combined, link, similar = web.desk.search("人社局 2024年底前", [], "不限", "不限", "all")
    assert len(df) > 0 and "已从关键词中识别并筛选" in status and "2024年底前" in status
    for c in df["编号"]:
        r = engine.library.get(refs[c])
        assert r.deadline <= "2024-12" and "人力资源和社会保障局" in r.units
    # a list: one combined reply, counted, every row in it
    assert prop(combined, "visible") and f"共{len(df)}条" in prop(combined, "value")
    assert all(c in prop(combined, "value") for c in df["编号"])
    assert "下载本次结果" in link and not prop(similar, "visible")


def test_desk_exact_reference_alone_then_similar(web):
    df, status, refs, combined, _, similar = web.desk.search("第5.3条", [], "不限", "不限", "all")
    assert list(df["编号"]) == ["第5.3条"] and "精确查找" in status and prop(similar, "visible")
    assert not prop(combined, "visible")
    df2, status2, *_ = web.desk.similar("第5.3条", [], "不限", "不限", "all")
    assert len(df2) > 1 and df2.iloc[0]["编号"] == "第5.3条" and "关键词检索" in status2


def test_desk_unit_choices_carry_the_names_people_use(web):
    labels = {label: value for label, value in web.desk.unit_choices()}
    hr = [lbl for lbl in labels if "人社局" in lbl]
    assert hr and labels[hr[0]] == "人力资源和社会保障局"
    assert any("市监局" in lbl and labels[lbl] == "市场监督管理局" for lbl in labels)
    assert set(labels.values()) == set(web.desk.library.known_units)


def test_csv_has_chinese_headers_and_full_clauses(engine):
    recs = [engine.library.get("5.3"), engine.library.get("obe:13")]
    text = csv_text(recs)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["编号", "文档", "标题", "条款内容", "责任单位", "完成时限"]
    assert rows[1][0] == "第5.3条" and "45天压缩至20天" in rows[1][3] and rows[1][4] == "市场监督管理局"
    assert rows[2][4] == "" and rows[2][5] == ""  # a regulation has no units or deadline
    from chatbot.app.web.desk import csv_link

    link = csv_link(recs)
    assert unquote(link.split('href="data:text/csv;charset=utf-8,', 1)[1].split('"', 1)[0]) == text


def test_list_reply_counts_and_names_each_measure(engine):
    recs = [engine.library.get(x) for x in ("5.3", "6")]
    reply = list_reply(recs, "市场监督管理局负责")
    assert reply.startswith("您好，根据《伊吾县") and "共2条" in reply
    assert "1. 第5.3条（实行企业简易注销登记），责任单位：市场监督管理局；完成时限：2023年6月" in reply


def test_chat_saved_in_the_browser_is_restored_and_checked(web):
    out = _final(web.chat.respond("简易注销公示要多少天？", []))
    saved = out[4]
    assert saved == snapshot(out[2]) and saved[0]["citations"] == ["5.3"]
    messages, turns, chips = web.chat.restore(saved)
    assert [t.question for t in turns] == ["简易注销公示要多少天？"]
    assert messages[1]["content"] == out[1][1]["content"]  # re-rendered the same
    # follow-ups carry on from the restored turn
    follow = _final(web.chat.respond("这条的责任单位是谁？", turns))
    assert "市场监督管理局" in follow[2][-1].answer.text
    # forged: nonexistent clauses dropped, junk skipped, no crash
    forged = [{"question": "x", "answer": "<script>alert(1)</script>", "citations": ["999", "5.3"]}, 7, None,
              {"question": ""}, {"question": "y" * 5000, "citations": "5.3"}]
    messages, turns, _ = web.chat.restore(forged)
    assert [t.answer.citations for t in turns] == [["5.3"], []]
    assert "<script>" not in messages[1]["content"]
    assert web.chat.restore("not a list")[1] == []
    many = saved * (SAVED_TURNS + 5)
    assert len(snapshot(web.chat.restore(many)[1])) == SAVED_TURNS


def test_clear_forgets_the_saved_conversation(web):
    assert web.chat.clear()[-1] == []


def test_readiness_and_banner_follow_the_index(services):
    st = index_status(services)
    assert st.state == "ready" and st.ready and st.total == len(services.vectors.rows)
    banner, timer = status_banner(st)
    assert prop(banner, "visible") is False and prop(timer, "active") is False
    banner, timer = status_banner(IndexStatus("building", 512, 3630))
    assert prop(banner, "visible") and "512/3630" in prop(banner, "value") and "14%" in prop(banner, "value") and prop(timer, "active")
    banner, _ = status_banner(IndexStatus("unavailable", detail="x"))
    assert "不可用" in prop(banner, "value")


def test_overview_bars_show_values_and_the_rest_on_demand(library):
    html = overview.bars_html(overview.units_frame(library), "责任单位", "措施数", "各责任单位承担的措施数", top=15)
    assert html.count('class="bar-row"') == len(overview.units_frame(library))
    assert "显示其余" in html and ">54<" in html  # 市场监督管理局's count written out
    q = overview.quarters_frame(library)
    assert q["到期措施数"].sum() == sum(1 for r in library.records if r.deadline)
