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
