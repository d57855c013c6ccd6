"""The hotline desk: keyword or question plus filters, a table of measures,
and the selected clause with a 标准答复 to read out."""
from __future__ import annotations

import logging

import gradio as gr
import pandas as pd

from ...domain.dates import parse_month
from ...domain.records import Hit, Record
from ...present.html import clause_html
from ...present.markdown import md_escape
from ...present.replies import csv_text, list_reply, standard_reply
from ...search import deskquery
from ...search.filters import Filters
from ...text import departments
from ...text.normalize import clean
from ...text.sentences import strip_id
from ..ratelimit import wait_text
from .context import WebContext

log = logging.getLogger(__name__)

MAX_UNITS = 20
DESK_LIMIT = 30
DESK_COLUMNS = ["编号", "标题", "内容摘要", "责任单位", "完成时限", "相关度"]
PROMPT = "请输入关键词，或选择责任单位、完成时限、所属部分等筛选条件。"


def _month(value, name: str) -> str | None:
    if value in (None, "", "不限"):
        return None
    try:
        return parse_month(str(value))
    except ValueError:
        raise gr.Error(f"{name}格式应为YYYY-MM，例如2024-06") from None


def _snippet(r: Record, n: int = 32) -> str:
    body = strip_id(r.body or r.text)
    return body if len(body) <= n else body[:n] + "…"


def csv_link(records: list[Record]) -> str:
    """A download link for the listed records (a data: URL, so nothing is
    written on the server and no file route is opened)."""
    if not records:
        return ""
    from urllib.parse import quote

    href = "data:text/csv;charset=utf-8," + quote(csv_text(records))
    return (f'<a class="desk-csv" download="伊吾县政策查询结果.csv" href="{href}">'
            f'⬇ 下载本次结果（CSV，{len(records)}条）</a>')


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(columns=DESK_COLUMNS)


class DeskHandlers:
    def __init__(self, ctx: WebContext):
        self.ctx = ctx
        self.library = ctx.library

    def make_filters(self, units=None, deadline_after=None, deadline_before=None, section=None, doc=None) -> Filters:
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
            if self.library.doc(d) is None:
                raise gr.Error(f"未知文档：{d[:40]}")
        return Filters(units=units, deadline_after=_month(deadline_after, "完成时限起"),
                       deadline_before=_month(deadline_before, "完成时限止"), section=sec, doc=d)

    def find(self, query, filters: Filters, k: int) -> list[Hit]:
        """Search, or with an empty query but filters set, every matching record."""
        p = self.ctx.prepare(query)
        if not p.empty:
            return self.ctx.retriever.search(p.text, k=k, filters=filters)
        if filters.empty():
            return []
        return [Hit(r, 0.0, via="filter") for r in self.ctx.retriever.filter_records(filters)]

    def search(self, query, units, after, before, section, doc=None, request: gr.Request | None = None,
               similar: bool = False):
        """→ (table, status Markdown, {编号: ref}, combined reply, CSV link, "show similar" button)"""
        wait = self.ctx.wait("search", request)
        if wait:  # keep the table the person is reading
            return gr.skip(), f"⚠️ {wait_text(wait)}", gr.skip(), gr.skip(), gr.skip(), gr.skip()
        out = self._search(query, units, after, before, section, doc, similar is True)
        table, status, refs, records, lookup, keyworded = out
        # One reply for a list (filters only); a keyword search's 30 nearest
        # matches are not an answer to read out together.
        reply = list_reply(records) if len(records) > 1 and not keyworded else ""
        return (table, status, refs, gr.Textbox(value=reply, visible=bool(reply)),
                csv_link(records), gr.Button(visible=lookup))

    def similar(self, query, units, after, before, section, doc=None, request: gr.Request | None = None):
        return self.search(query, units, after, before, section, doc, request, similar=True)

    def _search(self, query, units, after, before, section, doc, similar: bool):
        empty = (_empty_table(), PROMPT, {}, [], False, False)
        try:
            filters = self.make_filters(units, after, before, section, doc)
        except gr.Error as e:
            return _empty_table(), f"⚠️ {md_escape(e.message)}", {}, [], False, False
        p = self.ctx.prepare(query)
        dq = deskquery.parse(p.text, self.library) if not p.empty else deskquery.DeskQuery("")
        # What the keyword box said about units and deadlines narrows the
        # filters chosen above it (a dropdown's bound wins over the box's).
        if dq.units:
            filters.units = list(dict.fromkeys(filters.units + dq.units))
        filters.deadline_after = filters.deadline_after or dq.after
        filters.deadline_before = filters.deadline_before or dq.before
        if p.empty and filters.empty():
            return empty
        chosen = self.library.doc(filters.doc) if filters.doc else None
        if chosen is not None and (filters.units or filters.deadline_after or filters.deadline_before) \
                and not any(r.units or r.deadline for r in chosen.records):
            return (_empty_table(), f"《{md_escape(chosen.title)}》没有责任单位和完成时限（只有方案逐条列明），"
                    "请去掉这两项筛选，或改选方案。", {}, [], False, False)
        lookup = dq.lookup and not similar
        try:
            if lookup:
                hits = [Hit(r, 1.0, via="ref") for r in (self.library.get(ref) for ref in dq.refs) if r]
            else:
                hits = self.find(dq.keywords if not dq.lookup else p.text, filters, DESK_LIMIT)
        except Exception:
            log.exception("desk search failed")
            return _empty_table(), "⚠️ 检索暂时不可用，请稍后再试。", {}, [], False, False
        rows, refs = [], {}
        for h in hits:
            r = h.record
            dated = r.deadline_raw or r.units  # a regulation's article has neither
            rows.append([r.citation, r.title, _snippet(r), "、".join(r.units), r.deadline_label if dated else "—",
                         "—" if h.via == "filter" else ("精确" if h.via == "ref" else f"{h.score:.2f}")])
            refs[r.citation] = r.ref
        keyworded = bool(dq.keywords) or (dq.lookup and similar)
        mode = "精确查找" if lookup else ("关键词检索" if keyworded else "按筛选条件列出")
        status = f"{mode}：共 {len(rows)} 条" + ("（仅显示最相关的前30条）" if len(rows) >= DESK_LIMIT and keyworded else "")
        if notes := dq.notes():
            status += "（已从关键词中识别并筛选：" + md_escape("；".join(notes)) + "）"
        if p.notice:
            status = f"⚠️ {p.notice}\n\n" + status
        if not rows:
            status = f"{mode}：没有找到匹配的措施，请放宽筛选条件。"
        elif lookup:
            status += "。只显示该条；点“显示相似条款”查看相近的措施"
        status += "。点击表格中的一行查看条款全文和标准答复。" if rows else ""
        return pd.DataFrame(rows, columns=DESK_COLUMNS), status, refs, [h.record for h in hits], lookup, keyworded

    def select(self, refs: dict | None, evt: gr.SelectData):
        """A row of the desk table was clicked → (clause HTML, 标准答复)."""
        refs = refs or {}
        label = None
        if isinstance(evt.row_value, (list, tuple)) and evt.row_value:
            label = str(evt.row_value[0])
        elif isinstance(evt.index, (list, tuple)) and evt.index and isinstance(evt.value, str):
            label = evt.value if evt.index[1] == 0 else None
        ref = refs.get(label) if label else None
        rec = self.library.get(ref) if ref else None
        if rec is None:
            return clause_html(None, "请点击表格中的一行。"), ""
        return clause_html(rec), standard_reply(rec)

    def reset(self):
        return ("", [], "不限", "不限", "all", "all", _empty_table(),
                "请输入关键词，或选择筛选条件。", {}, clause_html(None, "请点击表格中的一行。"), "",
                gr.Textbox(value="", visible=False), "", gr.Button(visible=False))

    def unit_choices(self) -> list[tuple[str, str]]:
        """Each department as the plan names it, shown with the names people
        use (人社局, 市监局…) so typing either finds it."""
        known = self.library.known_units
        said: dict[str, list[str]] = {u: [] for u in known}
        for alias, canon in departments.ALIASES.items():
            if canon in said and alias != canon and alias not in canon and len(alias) >= 3:
                said[canon].append(alias)
        return [(f"{u}（{'、'.join(a)}）" if a else u, u) for u, a in said.items()]

    # -- choices for the filters ------------------------------------------------
    def month_choices(self) -> list[str]:
        months = {r.deadline for r in self.library.records if r.deadline}
        if months:  # every month of the span the deadlines cover
            lo, hi = int(min(months)[:4]), int(max(months)[:4])
            months |= {f"{y}-{m:02d}" for y in range(lo, hi + 1) for m in range(1, 13)}
        return ["不限"] + sorted(months)

    def section_choices(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [("全部", "all")]
        seen = set()
        for s in self.library.default.sections:  # a section number means the default document's
            no = s.no or 0
            if no not in seen:
                seen.add(no)
                out.append((s.display if no else "保障措施", str(no)))
        return out

    def doc_choices(self) -> list[tuple[str, str]]:
        return [("全部", "all")] + [(c.title, c.doc_id) for c in self.library.corpora]
