"""What the web page and its API do, as plain functions (tested without a
browser). Gradio wiring lives in :mod:`chatbot.ui.app`."""
from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import gradio as gr
import pandas as pd

from .. import answer as answer_mod
from .. import feedback, ratelimit
from ..models import Answer, Hit, Record
from ..retrieve import Filters, get_engine
from ..settings import get_settings
from ..textnorm import clean, has_content, truncate
from .render import answer_markdown, citation_labels, clause_html, md_escape, safe_markdown, standard_reply

log = logging.getLogger(__name__)

MAX_HISTORY = 10  # previous answers passed to a follow-up
MAX_TURNS = 50  # turns kept on the page per session
MAX_UNITS = 20
MAX_K = 300  # enough for every record of the plan
DESK_LIMIT = 30
_MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")

EMPTY_TEXT = "请输入您要咨询的问题，例如：“刻章要钱吗？”"
NO_CONTENT_TEXT = "没有识别到有效的问题文字，请用文字描述您要咨询的事项，例如：“企业注销要多久？”"
ERROR_TEXT = "抱歉，系统暂时无法回答这个问题，请稍后再试，或拨打12345政务服务便民热线咨询。"


def library():
    return get_engine().library


# -- questions -------------------------------------------------------------------
def prepare_question(raw) -> tuple[str, list[str]]:
    """Clean a question and cut it to the configured length.
    Returns (question, notices shown to the user)."""
    limit = get_settings().max_question_chars
    q = clean(raw if isinstance(raw, str) else ("" if raw is None else str(raw)))
    q, cut = truncate(q, limit)
    notices = [f"问题过长，已截取前{limit}个字进行回答。"] if cut else []
    return q.strip(), notices


def input_answer(question: str, text: str, notice: str | None = None) -> Answer:
    return Answer(question, text, [], [], True, "input", notice=notice)


def _join_notice(notices: list[str], ans: Answer) -> Answer:
    if notices:
        ans.notice = "；".join(notices + ([ans.notice] if ans.notice else []))
    return ans


def safe_stream(question: str, history: list[Answer] | None) -> Iterator[tuple[str, Answer | None]]:
    """stream_answer that never raises: a failure ends with an apology."""
    try:
        final = None
        for text, ans in answer_mod.stream_answer(question, history):
            if ans is not None:
                final = ans
            yield text, ans
        if final is None:
            raise RuntimeError("stream_answer ended without an Answer")
    except Exception:
        log.exception("answer failed for %r", question[:80])
        yield ERROR_TEXT, Answer(question, ERROR_TEXT, [], [], True, "error")


def safe_answer(question: str, history: list[Answer] | None) -> Answer:
    final = None
    for _, ans in safe_stream(question, history):
        if ans is not None:
            final = ans
    return final


# -- chat tab ----------------------------------------------------------------------
@dataclass
class Turn:
    question: str  # as asked (after clean-up), shown escaped
    answer: Answer
    shown: str  # the answer's Markdown as displayed
    # stable across the conversation window sliding: the key of this answer's vote
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


def messages_of(turns: list[Turn], pending: tuple[str, str] | None = None) -> list[dict]:
    msgs: list[dict] = []
    for t in turns:
        msgs.append({"role": "user", "content": md_escape(t.question)})
        msgs.append({"role": "assistant", "content": t.shown})
    if pending:
        msgs.append({"role": "user", "content": md_escape(pending[0])})
        msgs.append({"role": "assistant", "content": pending[1]})
    return msgs


def chip_choices(turns: list[Turn]) -> list[tuple[str, str]]:
    """All clauses cited in this conversation, newest answer first."""
    seen: dict[str, str] = {}
    lib = library()
    for t in reversed(turns):
        for label, ref in citation_labels(t.answer.citations, lib).items():
            seen.setdefault(ref, label)
    return [(label, ref) for ref, label in seen.items()]


def chips_update(turns: list[Turn], current: str | None):
    choices = chip_choices(turns)
    refs = [r for _, r in choices]
    return gr.Radio(choices=choices, value=current if current in refs else None)


def chat_respond(message, turns: list[Turn] | None, current_chip: str | None = None,
                 request: gr.Request | None = None):
    """Generator for the chat: yields (textbox, chatbot messages, turns, chips)."""
    turns = list(turns or [])
    q, notices = prepare_question(message)
    if not q:
        gr.Info(EMPTY_TEXT, title="提示")
        yield "", messages_of(turns), turns, chips_update(turns, current_chip)
        return
    wait = ratelimit.check("answer", request)
    if wait:  # the question stays in the box, to send again
        gr.Warning(ratelimit.wait_text(wait), title="请稍候")
        yield message, messages_of(turns), turns, chips_update(turns, current_chip)
        return
    lib = library()
    if not has_content(q):
        ans = input_answer(q, NO_CONTENT_TEXT)
        turns.append(Turn(q, ans, answer_markdown(ans, lib, notices)))
        yield "", messages_of(turns[-MAX_TURNS:]), turns[-MAX_TURNS:], chips_update(turns, current_chip)
        return
    history = [t.answer for t in turns if t.answer.answerer not in ("input", "error")][-MAX_HISTORY:]
    head = "".join(f"> ⚠️ {n}\n\n" for n in notices)
    yield "", messages_of(turns, (q, head + "正在查找相关条款…")), turns, chips_update(turns, current_chip)
    final = None
    for text, ans in safe_stream(q, history):
        if ans is None:
            yield "", messages_of(turns, (q, head + safe_markdown(text) + " ▌")), turns, gr.skip()
        else:
            final = ans
    turns.append(Turn(q, final, answer_markdown(final, lib, notices)))
    turns = turns[-MAX_TURNS:]
    yield "", messages_of(turns), turns, chips_update(turns, current_chip)


def chat_clear():
    return "", [], [], gr.Radio(choices=[], value=None), clause_html(None)


def show_clause(ref: str | None) -> str:
    if not ref:
        return clause_html(None)
    return clause_html(library().get(str(ref)), placeholder=f"未找到条款“{ref}”。")


def chat_like(turns: list[Turn] | None, data: gr.LikeData, request: gr.Request | None = None) -> None:
    """👍/👎 on an answer: stored, one vote per answer (changing the vote
    replaces it, clicking it off withdraws it); a storage failure is logged
    and the page carries on (the person already has the answer)."""
    turns = turns or []
    idx = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
    if not isinstance(idx, int) or idx % 2 != 1 or idx // 2 >= len(turns):
        log.warning("like on unknown message %r", data.index)
        return
    t = turns[idx // 2]
    session = getattr(request, "session_hash", None)
    key = f"chat:{session or '-'}:{t.id}"
    if data.liked not in (True, False):  # the thumb clicked off (Gradio sends "")
        feedback.withdraw_safely(key)
        return
    wait = ratelimit.check("vote", request)
    if wait:
        gr.Warning(ratelimit.wait_text(wait), title="请稍候")
        return
    ok = feedback.record_safely(t.question, t.answer.text, t.answer.citations,
                                "up" if data.liked else "down", t.answer.answerer, session, key=key)
    if ok:
        gr.Info("感谢您的反馈！", title="提示")
    else:
        gr.Warning("反馈暂时未能保存，感谢您的理解。", title="提示")


# -- filters -------------------------------------------------------------------------
def _month(value, name: str) -> str | None:
    if value in (None, "", "不限"):
        return None
    v = str(value).strip()
    if not _MONTH.match(v):
        raise gr.Error(f"{name}格式应为YYYY-MM，例如2024-06")
    return v


def make_filters(units=None, deadline_after=None, deadline_before=None, section=None, doc=None) -> Filters:
    eng = get_engine()
    if isinstance(units, str):
        units = [units]
    units = [clean(str(u))[:60] for u in (units or []) if u and clean(str(u))][:MAX_UNITS]
    sec = None
    if section not in (None, "", "all", "全部"):
        try:
            sec = int(section)
        except (TypeError, ValueError):
            raise gr.Error("section 应为 0–17 的整数（0 = 保障措施）") from None
        if not 0 <= sec <= 99:
            raise gr.Error("section 应为 0–17 的整数（0 = 保障措施）")
    d = None
    if doc not in (None, "", "all", "全部"):
        d = str(doc)
        if eng.library.doc(d) is None:
            raise gr.Error(f"未知文档：{d[:40]}")
    return Filters(units=units, deadline_after=_month(deadline_after, "完成时限起"),
                   deadline_before=_month(deadline_before, "完成时限止"), section=sec, doc=d)


def find(query, filters: Filters, k: int) -> list[Hit]:
    """Search, or with an empty query but filters set, every matching record."""
    q, _ = prepare_question(query)
    eng = get_engine()
    if q and has_content(q):
        return eng.search(q, k=k, filters=filters)
    if filters.empty():
        return []
    return [Hit(r, 0.0, via="filter") for r in eng.filter_records(filters)]


# -- API ------------------------------------------------------------------------------
def _list(x) -> list:
    return x if isinstance(x, list) else []


def answers_from_dicts(items) -> list[Answer]:
    """Previous ask() results sent back by an API client, as Answers."""
    lib = library()
    out: list[Answer] = []
    for d in (items or [])[-MAX_HISTORY:]:
        if not isinstance(d, dict):
            continue
        cites = [str(c) for c in _list(d.get("citations"))[:50] if isinstance(c, (str, int)) and lib.get(str(c))]
        hit_ids = [str(h.get("id")) for h in _list(d.get("hits"))[:50] if isinstance(h, dict)]
        hits = [Hit(lib.get(i), float(1.0), via="ref") for i in dict.fromkeys(cites + hit_ids) if lib.get(i)]
        subject = [str(s) for s in _list(d.get("subject"))[:50] if isinstance(s, (str, int)) and lib.get(str(s))]
        out.append(Answer(clean(str(d.get("question") or ""))[:2000], str(d.get("answer") or "")[:20000],
                          cites, hits, bool(d.get("refused")), str(d.get("answerer") or "api"),
                          subject=subject))
    return out


def _limit(kind: str, request) -> None:
    wait = ratelimit.check(kind, request)
    if wait:
        raise gr.Error(ratelimit.wait_text(wait))


def api_ask(question: str, history: list[dict] | None = None, request: gr.Request | None = None) -> dict:
    """Answer a question about the plan. Returns the answer as a dict: answer (Markdown), citations, refused, notice, hits.
    Pass earlier results as `history` (oldest first) for follow-up questions."""
    q, notices = prepare_question(question)
    if not q:
        return input_answer("", EMPTY_TEXT).to_dict()
    if not has_content(q):
        return input_answer(q, NO_CONTENT_TEXT, "；".join(notices) or None).to_dict()
    _limit("answer", request)
    hist = answers_from_dicts(history) if isinstance(history, list) else []
    return _join_notice(notices, safe_answer(q, hist)).to_dict()


def api_search(query: str = "", units: list[str] | None = None, deadline_after: str | None = None,
               deadline_before: str | None = None, section: int | None = None, doc: str | None = None,
               k: int | None = None, request: gr.Request | None = None) -> list[dict]:
    """Search the plan's measures. With an empty query but filters set, lists every matching measure.
    units: responsible departments (loose names like 税务局 work); deadlines as YYYY-MM; section 1–17, 0 = 保障措施;
    k: how many (default 10 for a search, all matches for filters only)."""
    _limit("search", request)
    try:
        k = max(1, min(int(k), MAX_K)) if k is not None else None
    except (TypeError, ValueError):
        k = None
    if k is None:  # a search: the best 10; filters only: every match
        q, _ = prepare_question(query)
        k = 10 if q and has_content(q) else MAX_K
    filters = make_filters(units, deadline_after, deadline_before, section, doc)
    try:
        return [h.to_dict() for h in find(query, filters, k)[:k]]
    except gr.Error:
        raise
    except Exception:
        log.exception("search failed for %r", str(query)[:80])
        raise gr.Error("检索暂时不可用，请稍后再试") from None


def api_feedback(question: str, answer: str, citations: list[str] | None = None, rating: str = "up",
                 request: gr.Request | None = None) -> dict:
    """Record a 👍 ("up") or 👎 ("down") on an answer. Returns {"stored": bool}.
    To change or withdraw a vote later, use /vote with an id of your own."""
    _limit("vote", request)
    return _store_vote(question, answer, citations, rating, None)


def api_vote(vote_id: str, question: str, answer: str, citations: list[str] | None = None,
             rating: str = "up", request: gr.Request | None = None) -> dict:
    """Like /feedback, keyed by the client's own id for the answer (at most 120 characters):
    voting again with the same id replaces the vote; rating "none" withdraws it.
    Returns {"stored": bool} or, for "none", {"stored": false, "withdrawn": bool}."""
    vid = clean(vote_id)[:120] if isinstance(vote_id, str) else ""
    if not vid.strip():
        raise gr.Error("vote_id 不能为空")
    key = f"api:{vid}"
    _limit("vote", request)
    if str(rating).strip().lower() in ("none", "withdraw"):
        return {"stored": False, "withdrawn": feedback.withdraw_safely(key)}
    return _store_vote(question, answer, citations, rating, key)


def _store_vote(question, answer, citations, rating, key: str | None) -> dict:
    try:
        rating = feedback.normalize_rating(rating)
    except ValueError:
        raise gr.Error("rating 应为 up 或 down") from None
    cites = [str(c) for c in (citations or []) if isinstance(c, (str, int))] if isinstance(citations, list) else []
    q = clean(question if isinstance(question, str) else "")
    ok = feedback.record_safely(q, answer if isinstance(answer, str) else "", cites, rating, "api", key=key)
    return {"stored": ok}


# -- hotline desk -------------------------------------------------------------------
DESK_COLUMNS = ["编号", "标题", "内容摘要", "责任单位", "完成时限", "相关度"]


def _snippet(r: Record, n: int = 48) -> str:
    body = re.sub(r"^\s*\d+\s*[.．]\s*\d+\s*", "", r.body or r.text)
    return body if len(body) <= n else body[:n] + "…"


def desk_search(query, units, after, before, section, doc=None, request: gr.Request | None = None):
    """→ (table, status Markdown, {编号: ref})"""
    wait = ratelimit.check("search", request)
    if wait:  # keep the table the person is reading
        return gr.skip(), f"⚠️ {ratelimit.wait_text(wait)}", gr.skip()
    try:
        filters = make_filters(units, after, before, section, doc)
    except gr.Error as e:
        return pd.DataFrame(columns=DESK_COLUMNS), f"⚠️ {md_escape(e.message)}", {}
    q, notices = prepare_question(query)
    if not (q and has_content(q)) and filters.empty():
        return pd.DataFrame(columns=DESK_COLUMNS), "请输入关键词，或选择责任单位、完成时限、所属部分等筛选条件。", {}
    try:
        hits = find(q, filters, DESK_LIMIT)
    except Exception:
        log.exception("desk search failed")
        return pd.DataFrame(columns=DESK_COLUMNS), "⚠️ 检索暂时不可用，请稍后再试。", {}
    rows, refs = [], {}
    for h in hits:
        r = h.record
        rows.append([r.citation, r.title, _snippet(r), "、".join(r.units), r.deadline_raw or "未规定",
                     "—" if h.via == "filter" else ("精确" if h.via == "ref" else f"{h.score:.2f}")])
        refs[r.citation] = r.ref
    mode = "关键词检索" if q and has_content(q) else "按筛选条件列出"
    status = f"{mode}：共 {len(rows)} 条" + ("（仅显示最相关的前30条）" if len(rows) >= DESK_LIMIT and mode == "关键词检索" else "")
    if notices:
        status = "⚠️ " + "；".join(notices) + "\n\n" + status
    if not rows:
        status = f"{mode}：没有找到匹配的措施，请放宽筛选条件。"
    status += "。点击表格中的一行查看条款全文和标准答复。" if rows else ""
    return pd.DataFrame(rows, columns=DESK_COLUMNS), status, refs


def desk_select(refs: dict | None, evt: gr.SelectData):
    """A row of the desk table was clicked → (clause HTML, 标准答复)."""
    refs = refs or {}
    label = None
    if isinstance(evt.row_value, (list, tuple)) and evt.row_value:
        label = str(evt.row_value[0])
    elif isinstance(evt.index, (list, tuple)) and evt.index and isinstance(evt.value, str):
        label = evt.value if evt.index[1] == 0 else None
    ref = refs.get(label) if label else None
    rec = library().get(ref) if ref else None
    if rec is None:
        return clause_html(None, "请点击表格中的一行。"), ""
    return clause_html(rec), standard_reply(rec)


def desk_reset():
    return ("", [], "不限", "不限", "all", "all", pd.DataFrame(columns=DESK_COLUMNS),
            "请输入关键词，或选择筛选条件。", {}, clause_html(None, "请点击表格中的一行。"), "")


# -- choices for the filters ------------------------------------------------------
def month_choices() -> list[str]:
    months = {f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)}
    months |= {r.deadline for r in library().records if r.deadline}
    return ["不限"] + sorted(months)


def section_choices() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [("全部", "all")]
    seen = set()
    for c in library().corpora:
        for s in c.sections:
            no = s.no or 0
            if no in seen:
                continue
            seen.add(no)
            out.append((s.display if no else "保障措施", str(no)))
    return out


def doc_choices() -> list[tuple[str, str]]:
    return [("全部", "all")] + [(c.title, c.doc_id) for c in library().corpora]


# -- overview ------------------------------------------------------------------------
def units_frame(top: int | None = None) -> pd.DataFrame:
    counts: dict[str, int] = {}
    for r in library().records:
        for u in r.units:
            counts[u] = counts.get(u, 0) + 1
    df = pd.DataFrame(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["责任单位", "措施数"])
    return df.head(top) if top else df


def deadlines_frame(start: str = "2023-01", end: str = "2025-12") -> pd.DataFrame:
    counts: dict[str, int] = {}
    for r in library().records:
        if r.deadline:
            counts[r.deadline] = counts.get(r.deadline, 0) + 1
    months = [f"{y}-{m:02d}" for y in range(int(start[:4]), int(end[:4]) + 1) for m in range(1, 13)]
    months = [m for m in months if start <= m <= end]
    months += sorted(m for m in counts if m not in months)
    months.sort()
    rows, total = [], 0
    for m in months:
        n = counts.get(m, 0)
        total += n
        rows.append([m, n, total])
    return pd.DataFrame(rows, columns=["月份", "到期措施数", "累计到期"])


def overview_markdown() -> str:
    lib = library()
    recs = lib.records
    n_units = len({u for r in recs for u in r.units})
    no_deadline = sum(1 for r in recs if not r.deadline)
    years: dict[str, int] = {}
    for r in recs:
        if r.deadline:
            years[r.deadline[:4]] = years.get(r.deadline[:4], 0) + 1
    by_year = "，".join(f"{y}年 {n} 条" for y, n in sorted(years.items()))
    docs = "、".join(f"《{md_escape(c.title)}》" for c in lib.corpora)
    return (f"**{docs}** 共 **{len(recs)}** 条具体措施（含子项），涉及 **{n_units}** 个责任单位。"
            f"按完成时限：{by_year}；另有 {no_deadline} 条未规定或无法识别完成时限。"
            f"解析时发现原文问题 {len(lib.warnings)} 处（见“政策全文”页）。")
