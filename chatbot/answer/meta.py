"""Questions about a document itself, answered from the library's metadata:
how many measures and parts it has, its period and full title, its
safeguards, which departments carry the most measures, its latest deadline.
"""
from __future__ import annotations

import re
from collections import Counter

from ..corpus.document import Corpus
from ..domain.citations import label
from ..domain.records import Answer, Hit
from .gaps import period

DOC = r"(?:这个|这份|该|本|整个|整份)?(?:营商环境)?(?:方案|文件|行动方案|三年行动|政策文件)"
ASKS = {  # in this order: "几个部分" is parts, not a count
    "parts": re.compile(r"(?:几|多少)(?:个)?(?:部分|大块|大方面|方面|领域|板块|大类)|分成几|分为几|哪几个部分|哪几块"),
    "count": re.compile(r"(?:多少|几)(?:条|项)|(?:多少|几)个(?:具体)?(?:措施|任务|举措)|措施(?:有)?(?:多少|几)"),
    "period": re.compile(r"哪几年|哪一年到|期限|时间跨度|实施期|管到哪|管的是哪|哪年到哪年|有效期|管几年|多少年"),
    "title": re.compile(r"全称|叫什么|名称|名字"),
    "latest": re.compile(r"最晚|最迟|最后期限|最后(?:一个|一批)?完成|最终完成"),
    "units": re.compile(r"哪个部门.*最多|哪些部门.*最多|(?:任务|措施)最多|最多的部门|部门.*(?:多少|几)个"),
    "issuer": re.compile(r"谁(?:发布|制定|出台|印发)|哪个(?:部门|单位)(?:发布|制定|出台|印发)|发文单位"),
}
SAFEGUARDS = re.compile(r"保障措施(?:一共|总共)?都?(?:有|包括|包含|是)?(?:几条|多少条|哪些|什么|啥|几项|哪几)")
DOC_RE = re.compile(DOC)


# What a question about the document may say besides the document and the ask;
# any other topic word ("几个产教融合型企业") makes it a question about a measure.
META_WORDS = set("""
方案 文件 行动 行动方案 三年 营商环境 营商 环境 优化 提升 政策 措施 具体措施 任务 举措 条 项 个 部分 大块 方面 领域 板块 大类
期限 实施期 时间跨度 有效期 年 哪年 全称 名称 名字 叫 部门 单位 责任单位 最多 最晚 最迟 最后 完成 发布 制定 出台 印发 发文
保障措施 一共 总共 共 具体 主要 内容 包括 包含 分成 分为 几 多少 哪几 哪些 哪个 什么 啥 承担 负责 涉及 管 分 大 块 期间 到 从
几年 保障 哪些方面 最 多 几大 几大块 这份 整份 整个 全部 所有 都
""".split())


def detect(text: str) -> str | None:
    """Which fact about the document a question asks, or None."""
    from ..text.lexicon import tokens

    if SAFEGUARDS.search(text):
        return "safeguards"
    if not DOC_RE.search(text) or any(t not in META_WORDS and not t.isdigit() for t in tokens(text)):
        return None
    for kind, pattern in ASKS.items():
        if pattern.search(text):
            return kind
    return None


def answer(question: str, kind: str, doc: Corpus) -> Answer:
    title = f"《{doc.title}》"
    measures = sorted({r.measure_no for r in doc.records if r.measure_no is not None})
    safeguards = [r for r in doc.records if r.kind == "safeguard"]
    sections = [s for s in doc.sections if s.no is not None]
    cites: list[str] = []
    if kind == "count":
        text = (f"{title}共有{len(measures)}条编号措施（编号{measures[0]}–{measures[-1]}），细分为"
                f"{len(doc.records) - len(safeguards)}个子项，另有{len(safeguards)}条保障措施。")
        if measures and measures[0] > 1:
            text += f"原文缺少第{'、'.join(str(n) for n in range(1, measures[0]))}条。"
    elif kind == "parts":
        names = "；".join(s.label + (s.title or "") for s in sections)
        text = f"{title}的主要任务分为{len(sections)}个部分：{names}。另有保障措施{len(safeguards)}条。"
    elif kind == "period":
        span = period(doc.title)
        text = (f"{title}的实施期为{span[0]}—{span[1]}年，各项措施的完成时限都在这一期间内。" if span
                else f"{title}原文未写明实施期。")
    elif kind == "title":
        text = f"这份文件的全称是{title}。"
    elif kind == "latest":
        dated = [r for r in doc.records if r.deadline]
        last = max(r.deadline for r in dated)
        latest = [r for r in dated if r.deadline == last]
        cites = [r.ref for r in latest]
        text = (f"{title}中最晚的完成时限是{latest[0].deadline_raw}，共{len(latest)}条措施"
                f"（如{'、'.join(label(r) for r in latest[:3])}）。")
    elif kind == "units":
        counts = Counter(u for r in doc.records for u in r.units)
        top = counts.most_common(5)
        text = (f"{title}中承担措施最多的是{top[0][0]}（{top[0][1]}条）；其后是"
                + "、".join(f"{u}（{n}条）" for u, n in top[1:]) + f"。共涉及{len(counts)}个责任单位。")
    elif kind == "issuer":
        text = f"{title}原文未写明发布或印发单位。"
    else:  # safeguards
        cites = [r.ref for r in safeguards]
        lines = "\n".join(f"- {label(r)} {r.title}" for r in safeguards)
        text = f"{title}共有{len(safeguards)}条保障措施：\n{lines}"
    hits = [Hit(r, 1.0, via="meta") for r in doc.records if r.ref in cites]
    return Answer(question, text, cites, hits, False, "meta", subject=cites)


# When a named document took or takes effect, and which version is in force
# ("修订前的款项支付条例是哪天施行的", "现在施行的是哪一版"): read from the
# document's own closing article ("本条例自2025年6月1日起施行"), not its topic.
EFFECTIVE = re.compile(r"(?:哪天|哪一天|哪年|哪一年|什么时候|啥时候|何时|几号|哪个月|几月)(?:开始|正式|起)?(?:施行|实施|生效)"
                       r"|(?:施行|实施|生效)(?:日期|时间|日子|的时间)|(?:施行|实施|生效)(?:于|是在)?(?:哪天|何时|什么时候)"
                       r"|(?:施行|实行|执行|适用)的?是哪(?:一)?(?:版|个版本)|现行(?:的|版|文本|版本)?是哪|哪一?版(?:在|还)?(?:施行|有效|生效|管用)"
                       r"|还(?:有效|管用|在施行|适用|能用|用)吗|是否(?:还)?有效|(?:失效|废止)了(?:吗|没)"
                       r"|\b(?:come|came|comes|enter(?:ed|s)?) into (?:force|effect)\b|\btak(?:e|es|en) effect\b|\btook effect\b"
                       r"|\beffective date\b|\bstill (?:valid|in force|in effect)\b", re.IGNORECASE)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_VALID_EN = re.compile(r"\bstill (?:valid|in force|in effect|applicable)\b", re.IGNORECASE)
_VALID = re.compile(r"还(?:有效|管用|在施行|适用|能用|用)吗|是否(?:还)?有效|(?:失效|废止)了(?:吗|没)")
_IN_FORCE = re.compile(r"本条例自(\d{4}年\d{1,2}月\d{1,2}日)起施行[^。]*。(?:[^。]*同时废止。)?")


def _short(rec) -> str:
    """第三十七条, where the sentence has just named the document."""
    return label(rec).rpartition("》")[2] or label(rec)


def asks_effective(text: str) -> bool:
    return bool(EFFECTIVE.search(text))


def _in_force_article(doc: Corpus):
    for r in reversed(doc.records):
        m = _IN_FORCE.search(r.text)
        if m:
            return r, m
    return None, None


def effective(question: str, doc: Corpus, successor: Corpus | None, predecessor: Corpus | None) -> Answer | None:
    """The date ``doc`` took effect, quoted from its closing article, and
    which version is in force; None when the document has no such article."""
    rec, m = _in_force_article(doc)
    if rec is None:
        return None
    cites, hits = [rec.ref], [rec]
    sentence = m.group(0).replace("本条例", f"《{doc.title}》", 1)
    text = f"{sentence[:-1]}（{_short(rec)}）。"
    repealed = re.search(r"《([^》]+)》同时废止", m.group(0))
    if repealed and repealed.group(1) in question and doc.title not in question:
        # "原来那个个体工商户条例还管用吗": the text it repealed is asked about
        return Answer(question, f"《{repealed.group(1)}》已经废止。{text}", cites,
                      [Hit(rec, 1.0, via="meta")], False, "meta", subject=cites)
    if successor is not None:
        srec, sm = _in_force_article(successor)
        when = f"，自{sm.group(1)}起施行（{label(srec)}）" if srec else ""
        text = f"{text}这一文本已被修订取代，现行的是《{successor.title}》{when}。"
        if _VALID.search(question):
            text = "已不是现行文本。" + text
        if srec:
            cites.append(srec.ref)
            hits.append(srec)
    elif predecessor is not None:
        revised = doc.metadata.get("revised")
        text = (f"现行的是{revised[:4] + '年修订后的' if revised else '修订后的'}文本：{text}"
                f"修订前的《{predecessor.title}》已被取代。")
    elif _VALID.search(question):
        text = "本助手收录的文件中没有取代它的新版本。" + text
    if not _HAN.search(question):  # an English question: the answer in English first, then the text's words
        text = _english(question, rec, m.group(1), successor, predecessor) + "\n\n" + text
    return Answer(question, text, cites, [Hit(r, 1.0, via="meta") for r in hits], False, "meta", subject=cites)


def _iso(date: str) -> str:
    y, mo, d = (int(x) for x in re.findall(r"\d+", date))
    return f"{y}-{mo:02d}-{d:02d}"


def _english(question: str, rec, date: str, successor: Corpus | None, predecessor: Corpus | None) -> str:
    out = f"It took effect on {_iso(date)} ({rec.citation})."
    if successor is not None:
        srec, sm = _in_force_article(successor)
        since = f", in force since {_iso(sm.group(1))}" if srec else ""
        out += f" It has been superseded by the revised text《{successor.title}》{since}."
        if _VALID_EN.search(question):
            out = "No, this is no longer the text in force. " + out
    elif predecessor is not None:
        out += " This is the revised text now in force; the earlier version is superseded."
    return out
