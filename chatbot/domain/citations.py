"""The one citation grammar: how a record is cited (第5.3条, 第6条, 保障措施三,
demo:第3条), how a citation is read back from text (an LLM's answer), and
which references a question names ("第5.3条", "第十条", "保障措施第三条",
"S3", "demo:3", "二十二之四")."""
from __future__ import annotations

import re
from typing import Protocol

from .numerals import CN_NUM, cn_to_int, int_to_cn


class Citable(Protocol):
    """What a label is made from (a ``records.Record``)."""

    kind: str
    id: str
    ref: str
    doc_id: str
    doc_title: str

_DOC = r"(?:(?<![A-Za-z0-9_-])(?P<doc>[A-Za-z][A-Za-z0-9_-]{0,31})\s*[:：]\s*)?"

# Most specific first; each yields (doc, ref).
_PATTERNS = [
    # 保障措施第三条 / 保障措施（三） / 保障措施3
    re.compile(r"保障措施\s*(?:里面的|里的|中的|部分的|里|中|的)?\s*(?:第\s*)?[（(]?(?P<s>[" + CN_NUM + r"\d]{1,3})[）)]?\s*(?:条|项|点)?"),
    # S3
    re.compile(_DOC + r"(?<![A-Za-z])[Ss](?P<s>\d)(?!\d)"),
    # 第5.3条 / 5.3条 / 措施22.5 / 条款22.5 / demo:5.3
    re.compile(_DOC + r"(?:第|措施|条款|第\s*)?\s*(?P<n>\d{1,3})\s*[.．]\s*(?P<m>\d{1,2})(?!\d)\s*(?:条|项|款)?"),
    # 第22条 / 第二十二条 / 第22项 / 措施22 / demo:22
    re.compile(_DOC + r"(?:第\s*(?P<n>[" + CN_NUM + r"\d]{1,20})\s*(?:条|项|款|点|个措施)|措施\s*(?P<n2>\d{1,3}|[一二三四五六七八九十百两零]{1,6})(?!\d|[.．]\d|[一二三四五六七八九十百两零]))"),
]
# 第22条第3款 / 第二十二条第三项 / 措施七十六第二款 → 22.3, 76.2
_CLAUSE_ITEM = re.compile(_DOC + r"(?:第\s*(?P<n>[" + CN_NUM + r"\d]{1,20})\s*条|措施\s*(?P<n2>[" + CN_NUM
                          + r"\d]{1,20})\s*条?)\s*第\s*(?P<m>[" + CN_NUM + r"\d]{1,3})\s*(?:款|项|小条|小点|小项|点)")
# 二十二之四 / 22之4 → 22.4 (how some callers read "22.4" aloud); "十之八九" is not one.
_ZHI = re.compile(r"(?<![" + CN_NUM + r"\d.．])(?P<n>[" + CN_NUM + r"]{1,6}|\d{1,3})之"
                  r"(?P<m>十[一二三四五六七八九]?|[一二三四五六七八九]|\d{1,2})(?![" + CN_NUM + r"\d])")
_BARE_DECIMAL = re.compile(r"^\s*" + _DOC + r"(?P<n>\d{1,3})[.．](?P<m>\d{1,2})\s*$")
# "一百三十八条都有哪些措施", "22条是什么": a number and 条 without 第 names a
# measure only at the start and before a question word ("三条措施" does not).
_LEADING = re.compile(r"^\s*(?:请问|查一下|查查|看看|问一下)?\s*(?P<n>[" + CN_NUM + r"]{1,6}|\d{1,3})\s*(?:条|项)"
                      r"(?=[都是讲说呢吗啥什的里中有怎为这那内规]|\s*$)")
# "Article 13", "measure 5.3": an English question's reference.
_EN_REF = re.compile(r"\b(?:article|measure|clause)\s+(?:no\.?\s*)?(?P<n>\d{1,3})(?:\.(?P<m>\d{1,2}))?\b", re.IGNORECASE)
_BARE_INT = re.compile(r"^\s*" + _DOC + r"(?P<n>\d{1,3})\s*$")
_AFTER_REF = set("是讲说呢吗啥什的和与跟及或到至呀吧里中有怎为这那")
_BEFORE_QUANTITY = set("约近超达到至为压缩减少增加")
_DOC_INT = re.compile(r"(?<![A-Za-z0-9_-])(?P<doc>[A-Za-z][A-Za-z0-9_-]{0,31})\s*[:：]\s*(?P<n>\d{1,3})(?![.\d])")


def find_refs(question: str) -> list[str]:
    """References the question names, as ids ("5.3", "22", "S3", "demo:3"),
    in order of appearance. Decimals like "2.5天" inside a sentence are not
    references unless marked (第/条/措施); a bare "22.5" or "22" alone is."""
    q = question.strip()
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(pos: int, end: int, ref: str) -> None:
        if any(a <= pos < b for a, b in taken):
            return
        taken.append((pos, end))
        found.append((pos, ref))

    for m in _PATTERNS[0].finditer(q):
        n = cn_to_int(m.group("s"))
        if n:
            add(m.start(), m.end(), f"S{n}")
    for m in _PATTERNS[1].finditer(q):
        add(m.start(), m.end(), _with_doc(m.group("doc"), f"S{m.group('s')}"))
    for m in _PATTERNS[2].finditer(q):
        text = m.group(0)
        marked = bool(m.group("doc")) or text.lstrip().startswith(("第", "措施", "条款")) or text.rstrip().endswith(("条", "项", "款"))
        after = q[m.end():m.end() + 1]
        before = q[max(0, m.start() - 1):m.start()]
        # "2.5天", "4.5小时", "5.3平方米" are quantities; "68.3是啥", "5.3和5.4"
        # name measures: only a few words may follow a measure number.
        quantity = (bool(after) and ("\u4e00" <= after <= "\u9fff" or after.isalnum())
                    and after not in _AFTER_REF) or before in _BEFORE_QUANTITY
        if marked or _BARE_DECIMAL.match(q) or not quantity:
            add(m.start(), m.end(), _with_doc(m.group("doc"), f"{int(m.group('n'))}.{int(m.group('m'))}"))
    for m in _CLAUSE_ITEM.finditer(q):
        n, k = cn_to_int(m.group("n") or m.group("n2")), cn_to_int(m.group("m"))
        if n and k:
            add(m.start(), m.end(), _with_doc(m.group("doc"), f"{n}.{k}"))
    for m in _ZHI.finditer(q):
        after = q[m.end():m.end() + 1]
        n, k = cn_to_int(m.group("n")), cn_to_int(m.group("m"))
        if n and k and (not after or after in _AFTER_REF or after in "条项款，,。？?！! "):
            add(m.start(), m.end(), f"{n}.{k}")
    for m in _PATTERNS[3].finditer(q):
        raw = m.group("n") or m.group("n2")
        n = cn_to_int(raw)
        if n:
            add(m.start(), m.end(), _with_doc(m.group("doc"), str(n)))
    for m in _EN_REF.finditer(q):
        add(m.start(), m.end(), f"{int(m.group('n'))}.{int(m.group('m'))}" if m.group("m") else str(int(m.group("n"))))
    for m in _DOC_INT.finditer(q):
        add(m.start(), m.end(), f"{m.group('doc')}:{int(m.group('n'))}")
    if not found and (m := _LEADING.match(q)) and (n := cn_to_int(m.group("n"))):
        found.append((0, str(n)))
    if not found and (m := _BARE_INT.match(q)):
        found.append((0, _with_doc(m.group("doc"), str(int(m.group("n"))))))
    found.sort()
    out: list[str] = []
    for _, r in found:
        if r not in out:
            out.append(r)
    return out


def _with_doc(doc: str | None, ref: str) -> str:
    return f"{doc}:{ref}" if doc else ref


def label(record: Citable, with_doc: bool | None = None) -> str:
    """第5.3条 / 第6条 / 保障措施三; another document's records get its id in
    front ("demo:第3条") unless ``with_doc`` says otherwise."""
    if record.kind == "article":  # a regulation's article names its document
        return f"《{record.doc_title}》第{int_to_cn(int(record.id))}条"
    if record.kind == "safeguard":
        text = f"保障措施{int_to_cn(int(record.id[1:]))}"
    else:
        text = f"第{record.id}条"
    if with_doc is None:
        with_doc = ":" in record.ref
    return f"{record.doc_id}:{text}" if with_doc else text


def measure_label(measure_no: int) -> str:
    """A whole measure, heading its sub-measures: 第22条."""
    return f"第{measure_no}条"


# A citation inside running text, as label() writes it (an optional
# "demo:" before it): what an LLM's answer is checked against.
_ITEM = (r"(?:《[^《》]{2,40}》第[一二三四五六七八九十百零]+条|(?:[A-Za-z][A-Za-z0-9_-]{0,31}\s*[:：]\s*)?"
         r"(?:第\s*\d{1,3}(?:\s*[.．]\s*\d{1,2})?\s*条|保障措施\s*[一二三四五六七八九十]+|[Ss]\d))")
CITATION = re.compile(r"[（(]\s*(" + _ITEM + r"(?:\s*[、，,；;和及]\s*" + _ITEM + r")*)\s*[）)]")
CITATION_ITEM = re.compile(_ITEM)


def parse_label(text: str) -> str:
    """A label read back as a ref: 第5.3条 → 5.3, 保障措施三 → S3,
    demo:第3条 → demo:3 (unknown shapes come back as written)."""
    text = re.sub(r"\s", "", text).replace("．", ".").replace("：", ":")
    doc, _, text = text.rpartition(":")
    if m := re.fullmatch(r"第(\d{1,3}(?:\.\d{1,2})?)条", text):
        ref = m.group(1)
    elif m := re.fullmatch(r"保障措施([一二三四五六七八九十]+)", text):
        ref = f"S{cn_to_int(m.group(1))}"
    elif m := re.fullmatch(r"[Ss](\d)", text):
        ref = f"S{m.group(1)}"
    else:
        ref = text
    return f"{doc}:{ref}" if doc else ref
