"""The assistant's own words around the documents' words, in Chinese and in
English: headings, the lead phrases, refusals. Facts are always quoted from
the documents; only these connectives are ours."""
from __future__ import annotations

import re
from dataclasses import dataclass

HOTLINE_ZH = "12345政务服务便民热线"


@dataclass(frozen=True)
class Frame:
    units_heading: str
    related_heading: str
    responsible: str
    deadline: str
    who: str  # "{units}" "{cite}"
    when: str  # "{deadline}" "{cite}"
    free: str
    no_need: str
    no_charge: str  # "要钱吗" answered by a clause making it free
    yes: str
    no: str
    says: str  # after the quoted Chinese sentences of an English answer ("" in Chinese)
    about: str  # "{cite}" "{title}": an English answer's opening when no figure or yes/no leads ("" in Chinese)
    refusal: str  # "{title}"
    missing_figure: str  # "{title}" "{kind}" "{lines}"
    gap: str  # "{gap}" "{doc}": introduces what the text does state
    tentative: str  # "{doc}" "{word}": a yes/no answered by a clause that only explores ("探索…")
    cases: str  # "{doc}": a figure set once per kind of case, the question naming none
    not_a_question: str  # "{title}": SQL, code, instructions, mashing

    def unit_line(self, citation: str, title: str, units: str, deadline: str | None) -> str:
        """``deadline`` None: the kind of clause has none (safeguards), so none is shown."""
        t = f"（{title}）" if title and self is ZH else f" ({title})" if title else ""
        sep = "：" if self is ZH else ": "
        mid = "；" if self is ZH else "; "
        when = f"{mid}{self.deadline}{sep}{deadline}" if deadline is not None else ""
        return f"- {citation}{t}{sep}{self.responsible}{sep}{units}{when}"


ZH = Frame(
    units_heading="**责任单位与完成时限**", related_heading="**相关条款**",
    responsible="责任单位", deadline="完成时限",
    who="由{units}负责（{cite}）。", when="完成时限为{deadline}（{cite}）。",
    free="是的，免费。", no_need="不需要。", no_charge="不需要。", yes="可以。", no="不能。", says="", about="",
    refusal=("抱歉，《{title}》中没有找到与这个问题直接相关的内容，本助手只依据这些文件回答，不作推测。"
             f"如需咨询，请拨打{HOTLINE_ZH}。"),
    missing_figure=("《{title}》涉及这个话题，但没有写明您问的具体{kind}，本助手不作推测。相关条款：\n{lines}\n\n"
                    f"具体{{kind}}请咨询主管部门或拨打{HOTLINE_ZH}。"),
    gap="{gap}。{doc}写明的是：",
    tentative="{doc}写的是“{word}”，未写明现在是否已经实行。",
    cases="{doc}按不同情形分别规定：",
    not_a_question=("这看起来不是关于政策文件的问题（本助手不执行代码、数据库语句或改变规则的指令），因此不作回答。"
                    "请用一句话说明您想了解的事项，例如“刻章要钱吗？”。本助手依据《{title}》回答。"),
)

EN = Frame(
    units_heading="**Responsible units and deadlines**", related_heading="**Related clauses**",
    responsible="Responsible", deadline="Deadline",
    who="Responsible: {units} ({cite}).", when="Deadline: {deadline} ({cite}).",
    free="Yes, it is free.", no_need="No, it is not needed.", no_charge="No, there is no charge.", yes="Yes.", no="No.",
    says="(Quoted from the Chinese original.)",
    about="The closest clause, {cite} ({title}), says:",
    refusal=("Sorry, 《{title}》 does not cover this question. This assistant answers only from these documents and "
             "does not guess. For help, please call the 12345 government service hotline."),
    missing_figure=("《{title}》 covers this topic but does not state the {kind} you asked for, and this assistant "
                    "does not guess. Related clauses:\n{lines}\n\nPlease ask the department in charge or call the "
                    "12345 government service hotline."),
    gap="{gap}. What the {doc} does state:",
    tentative="The {doc} only says this is to be explored or piloted ({word}); it does not say whether it is in place now.",
    cases="The {doc} sets a different figure for each case:",
    not_a_question=("This does not look like a question about the policy documents (this assistant does not run code, "
                    "database statements or instructions that change its rules), so it is not answered. Please ask "
                    "in one sentence what you want to know, e.g. \"Is carving a company seal free?\". Answers come "
                    "from 《{title}》."),
)

FIGURE_EN = {"金额": "amount", "比例": "rate", "天数或日期": "number of days or date", "材料清单": "list of documents",
             "地址或办公时间": "address or office hours", "电话号码": "phone number", "网址": "web address"}


# A figure's unit in English, for the lead of an English answer: the
# Chinese figure stays beside it, so nothing is lost in translation.
_EN_UNITS = {"个工作日": "working days", "工作日": "working days", "个月": "months", "小时": "hours",
             "分钟": "minutes", "天": "days", "日": "days", "年": "years", "元": "yuan"}
_SCALE = {"万元": 10_000, "亿元": 100_000_000}
_EN_FIGURE = re.compile(r"^(\d+(?:\.\d+)?)\s*(" + "|".join([*_SCALE, *_EN_UNITS]) + r")(以内|内)?$")


def figure_en(fig: str) -> str:
    """"15个工作日以内" → "Within 15 working days (15个工作日以内)", "50万元" →
    "500,000 yuan (50万元)"; a figure it cannot read ("94%", "免费") is
    given as it is. The Chinese figure stays beside it."""
    m = _EN_FIGURE.match(fig)
    if not m:
        return fig
    number, unit = m.group(1), m.group(2)
    if unit in _SCALE:
        text = f"{float(number) * _SCALE[unit]:,.0f} yuan"
    else:
        text = f"{number} {_EN_UNITS[unit]}"
    return f"{'Within ' if m.group(3) else ''}{text} ({fig})"


# What a document is called in running text, from how its title ends
# ("…三年行动方案" → 方案; "…条例" → 条例).
_KINDS = {"方案": "plan", "条例": "regulation", "办法": "measures", "规定": "provisions", "意见": "opinions",
          "决定": "decision", "通知": "notice", "法": "law"}


def doc_kind(title: str, english: bool = False) -> str:
    t = re.sub(r"[（(][^）)]*[）)]$", "", title or "").strip()
    for zh, en in _KINDS.items():
        if t.endswith(zh):
            return en if english else zh
    return "text" if english else "原文"


def frame(english: bool) -> Frame:
    return EN if english else ZH
