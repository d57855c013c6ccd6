"""Replies read aloud or pasted by hotline staff, and the parser's defect
notes in Chinese."""
from __future__ import annotations

import re

from ..domain.records import ParseWarning, Record
from ..text.sentences import strip_id


def standard_reply(rec: Record | None) -> str:
    """A reply a hotline operator can read out as is."""
    if rec is None:
        return ""
    body = (strip_id(rec.body or rec.text) if rec.kind == "sub" else (rec.body or rec.text)).strip().rstrip("。；; ")
    units = "、".join(rec.units) or "相关部门"
    when = f"，完成时限为{rec.deadline_label}" if rec.deadline_raw else ""
    return (f"您好，根据《{rec.doc_title}》{rec.citation}（{rec.title}）：{body}。"
            f"责任单位为{units}{when}。如需进一步了解办理细节，可咨询责任单位或拨打12345政务服务便民热线。")


def list_reply(records: list[Record], what: str = "") -> str:
    """One reply for a list of measures: counted, each with its number,
    title, units and deadline (the clause text is one lookup away)."""
    if not records:
        return ""
    docs = list(dict.fromkeys(r.doc_title for r in records))
    head = "、".join(f"《{d}》" for d in docs)
    items = []
    for i, r in enumerate(records, 1):
        extra = []
        if r.units:
            extra.append("责任单位：" + "、".join(r.units))
        if r.deadline_raw:
            extra.append(f"完成时限：{r.deadline_label}")
        tail = f"，{'；'.join(extra)}" if extra else ""
        items.append(f"{i}. {r.citation}（{r.title}）{tail}")
    scope = f"{what}的" if what else "相关"
    return (f"您好，根据{head}，{scope}措施共{len(records)}条：\n" + "\n".join(items) +
            "\n如需了解某一条的具体内容，请告诉我条款编号；办理细节可咨询责任单位或拨打12345政务服务便民热线。")


def csv_text(records: list[Record]) -> str:
    """The records as CSV with Chinese headers (UTF-8 with a BOM, so Excel
    opens it in Chinese)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["编号", "文档", "标题", "条款内容", "责任单位", "完成时限"])
    for r in records:
        w.writerow([r.citation, r.doc_title, r.title, (r.body or r.text).strip(), "、".join(r.units),
                    r.deadline_label if r.deadline_raw else ""])
    return "\ufeff" + buf.getvalue()


_WARN_RULES = [
    (re.compile(r"section (\S+) heading missing"), lambda m: f"原文缺少第{m.group(1)}部分的标题，其下措施按无标题保留"),
    (re.compile(r"measure (\d+) heading has no number"), lambda m: f"第{m.group(1)}条的标题在原文中没有编号，已根据其子项推断"),
    (re.compile(r"measure (\d+) is absent"), lambda m: f"原文缺少第{m.group(1)}条"),
    (re.compile(r"garbled text kept as written: '(.*)'"), lambda m: f"疑似文字错乱，按原文保留：“{m.group(1)}”"),
    (re.compile(r"deadline cannot be parsed: '(.*)'"), lambda m: f"完成时限无法识别：“{m.group(1)}”"),
    (re.compile(r"unmatched bracket in a header line, kept as written: '(.*)'"),
     lambda m: f"文件头部的括号不配对，按原文保留：“{m.group(1)}”"),
    (re.compile(r"article (\d+) found where article (\d+) was expected"),
     lambda m: f"条文编号不连续：在应为第{m.group(2)}条处出现第{m.group(1)}条"),
    (re.compile(r"chapter (\d+) found where chapter (\d+) was expected"),
     lambda m: f"章的编号不连续：在应为第{m.group(2)}章处出现第{m.group(1)}章"),
    (re.compile(r"text outside any article kept out of the records: '(.*)'"), lambda m: f"条文之外的文字未计入：“{m.group(1)}”"),
]


def describe_warning(w: ParseWarning) -> str:
    for pat, fmt in _WARN_RULES:
        m = pat.search(w.message)
        if m:
            return fmt(m)
    return w.message


def missing_measures(warnings: list[ParseWarning]) -> set[int]:
    out = set()
    for w in warnings:
        m = re.search(r"measure (\d+) is absent", w.message)
        if m:
            out.add(int(m.group(1)))
    return out
