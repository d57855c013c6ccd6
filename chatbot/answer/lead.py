"""The first sentence of an answer, shaped by what the question asks
(``search.asks``): a yes/no word where the quoted sentence settles it, the
figure asked for, the responsible units, the deadline; and which quoted
sentence goes first (the one with the figure, the channel, the exclusion).

Conservative by design: a yes/no word is given only when the sentence says
so in so many words (免费, 无需, 除外); otherwise the quoted sentence itself
leads. A wrong "可以" is worse than none."""
from __future__ import annotations

import re

from ..domain.records import Record
from ..search.asks import Ask
from .frames import ZH, Frame, doc_kind, figure_en
from .amounts import FIGURES  # noqa: F401 - the lead's figures, re-exported
from .gaps import EXCEPT

# A figure right after one of these is the one the clause sets ("由45天压缩至20天").
TARGET = re.compile(r"(?:压缩至|压缩到|缩短至|缩短到|降至|降到|减至|减少至|控制在|不超过|提高到|提高至|提升至|提升到|达到|达|至|到|为|在)\s*$")
FREE = re.compile(r"免费|免服务费|零收费|免收|不收取|免交|不再收取|免除")
NO_NEED = re.compile(r"无需|无须|不需|不再需要|不再提交|免于提交|免予提交|免于|不用|免交|不再要求")
EXCLUDED = EXCEPT  # "（上市股份有限公司除外）", "除重大工程建设项目外"
PROHIBITED = re.compile(r"不得|禁止|不予|不能|严禁|不适用|不属于|除外|不再")
# A plan that is exploring or encouraging something has not settled it.
# …and a part of a sentence whose verb explores or pilots ("探索推动…", "试点…"): it does not say yes.
EXPLORED = re.compile(r"^[^，。；]{0,6}?(?:探索|试点|研究制定|力争|争取)")


def explored(question: str, sentence: str) -> str | None:
    """The exploring part of ``sentence`` that the question is about, when
    the part closest to the question explores or pilots: "先行探索推动…同步过户"."""
    grams = {question[i:i + 2] for i in range(len(question) - 1)}
    parts = [p.strip() for p in re.split(r"[，；。]", sentence) if p.strip()]
    scored = [(sum(p[i:i + 2] in grams for i in range(len(p) - 1)), -i, p) for i, p in enumerate(parts)]
    if not scored:
        return None
    best = max(scored)[2]
    if not EXPLORED.match(best) or max(scored)[0] < 2:
        return None
    return best.replace("“", "‘").replace("”", "’")  # it is quoted inside “…”
TENTATIVE = re.compile(r"探索|试点|鼓励|研究|逐步|争取|力争|推动|积极|适时|有序")
PERMITS = re.compile(r"可以|可|允许|准予|即可|均可")
# A rule of conduct a lawfulness question is settled by ("不得约定以收到第三方付款…",
# "有权拒绝"), not a limit on a figure ("最长不得超过60日").
CONDUCT = re.compile(r"(?:不得|禁止|严禁)(?!超过|低于|少于|高于|多于|长于|短于)|有权拒绝|有权")
CHANNEL = re.compile(r"网上|线上|平台|窗口|热线|12345|12388|APP|app|移动端|掌上|一网通办|小程序|自助|电话|专区|大厅|系统|网站|邮寄|扫码")


def figure_in(sentence: str, kind: str | None) -> str | None:
    """The figure of ``kind`` a sentence sets: the only one, or the one after
    a target word; None when it cannot tell."""
    if kind not in FIGURES:
        return None
    found = list(FIGURES[kind].finditer(sentence))
    if not found:
        return None
    if len(found) == 1:
        return found[0].group(0).strip()
    targeted = [m for m in found if TARGET.search(sentence[max(0, m.start() - 4):m.start()])]
    return targeted[-1].group(0).strip() if len(targeted) == 1 else None


def first_sentence(ask: Ask, sentences: list[str]) -> int:
    """Which quoted sentence answers the ask most directly (index into
    ``sentences``, 0 when nothing stands out)."""
    tests = {
        "figure": lambda s: FIGURES.get(ask.figure or "", FIGURES["count"]).search(s),
        "how": CHANNEL.search,
        "yesno": lambda s: FREE.search(s) or NO_NEED.search(s) or EXCLUDED.search(s),
    }
    if ask.legal and (i := next((i for i, s in enumerate(sentences) if CONDUCT.search(s)), None)) is not None:
        return i
    test = tests.get(ask.kind)
    if test is None:
        return 0
    return next((i for i, s in enumerate(sentences) if test(s)), 0)


def _overlaps(a: str, b: str) -> bool:
    """Whether two phrases share a two-character run (上市股份有限公司 / 上市的股份有限公司)."""
    grams = {a[i:i + 2] for i in range(len(a) - 1)}
    return sum(b[i:i + 2] in grams for i in range(len(b) - 1)) >= 2


def yes_no(ask: Ask, question: str, sentence: str, evidence: float, f: Frame) -> str | None:
    """"不需要。" / "可以。" / "不能。" when the sentence settles it, else None."""
    for m in EXCLUDED.finditer(sentence):
        excluded = next(g for g in m.groups() if g)
        if _overlaps(excluded, question):
            return f.no
    if ask.polarity == "cost" and FREE.search(sentence):
        return f.free if "免费" in question or "free" in question.lower() else f.no_charge
    if ask.polarity == "need" and NO_NEED.search(sentence):
        return f.no_need
    if (ask.polarity == "can" and evidence >= 0.6 and PERMITS.search(sentence)
            and not PROHIBITED.search(sentence) and not TENTATIVE.search(sentence)):
        return f.yes
    return None


def lead(ask: Ask, question: str, record: Record, sentence: str, evidence: float, f: Frame) -> str | None:
    """The answer's first sentence, or None to let the quoted sentence lead.
    ``evidence``: how much of the question the sentence covers (0–1)."""
    cite = record.citation
    # An article names who acts in its own words ("市场监督管理部门应当…"): no
    # responsible-unit field to lead with, so its sentence leads.
    if ask.kind == "who" and (record.units or record.kind != "article"):
        return f.who.format(units="、".join(record.units) or "原文未写明的单位", cite=cite)
    if ask.kind == "when" and record.deadline_raw:
        return f.when.format(deadline=record.deadline_label, cite=cite)
    if ask.kind == "figure":
        fig = figure_in(sentence, ask.figure)
        if not fig:
            return None
        return f"{fig}。" if f.says == "" else f"{figure_en(fig)}."
    if ask.kind == "yesno":
        settled = yes_no(ask, question, sentence, evidence, f)
        if settled is None and (phrase := explored(question, sentence)):
            # "能不能同步过户" answered by "探索推动…同步过户": not yet a yes
            return f.tentative.format(doc=doc_kind(record.doc_title, f is not ZH), word=phrase)
        return settled
    return None


_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
# "合同里没写逾期利息": the asker's contract agreed nothing, so the default rule applies
NO_DEAL = re.compile(r"(?:合同|协议)[^，。？?]{0,4}(?:没|没有|未)(?:写|约定|定|签|说|谈|提|明确)|没(?:有)?约定|未约定")
DEFAULT_RULE = re.compile(r"^[^，。；]{0,8}?(?:未作约定|未约定|没有约定|约定不明|未明确约定)")


def default_sentence(question: str, picked: list) -> int | None:
    """The quoted sentence stating what holds without an agreement ("未作约定的，按照每日
    利率万分之五…"), when the question says the contract agreed nothing."""
    if not NO_DEAL.search(question):
        return None
    return next((j for j, x in enumerate(picked) if j and DEFAULT_RULE.search(x.sentence)), None)


def year_sentence(question: str, picked: list) -> int | None:
    """The quoted sentence naming the one year the question names, when
    another quoted sentence names a different year."""
    years = set(_YEAR.findall(question))
    if len(years) != 1 or len(picked) < 2:
        return None
    y = years.pop()
    named = [j for j, x in enumerate(picked) if _YEAR.search(x.sentence)]
    hit = [j for j in named if y in _YEAR.findall(picked[j].sentence)]
    return hit[0] if hit and len(named) > len(hit) else None
