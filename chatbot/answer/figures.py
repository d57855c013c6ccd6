"""Figures a question asks for that the best clauses lack: an amount, a rate,
a number of days or a date, a list of documents to bring, an office's address
or hours, a phone number. The plan covers the topic, not the answer, and
quoting the clause would not answer it."""
from __future__ import annotations

import re

from ..domain.records import Hit
from ..search.asks import FEE_STANDARD

# A question asking for a money amount or a rate that the best clause does not
# contain is one the plan does not answer ("失业保险金每个月能领多少钱").
# Only asking forms count: "电费比国家电价贵" names a price without asking one
# (nor does "公开收费标准吗": asks.FEE_STANDARD).
_MONEY_NOUNS = r"价格|电价|水价|气价|价钱|租金|工资|补助|补贴|奖金|奖励|费用|标准|津贴|利息|罚款|基数|额度|限额|数额|上限|下限"
ASKS_MONEY = re.compile(r"多少钱|多少元|多少万|几块钱|交多少|缴多少|贷多少|领多少|补多少|赔多少|给多少|发多少|奖多少|涨多少"
                        r"|(?:" + _MONEY_NOUNS + r")"
                        r"(?:是|有|大概|一般|具体|能拿|能领|能给|给)?(?:多少|几)"
                        r"|多少(?:补贴|补助|奖励|奖金|津贴|工资|利息|罚款)"
                        r"|什么价|啥价|" + FEE_STANDARD + r"|贴息|安家费|(?:按|是)(?:什么|啥|哪个)(?:标准|价)收"
                        r"|多少(?:钱|元|万)?(?:以下|以上|以内)")
# "几个点" is a rate only after a verb of change ("降几个点"); "开几个点" are outlets.
ASKS_RATE = re.compile(r"比例|税率|费率|利率|征收率|报销比|百分之几|百分之多少|[降涨提高低返扣抽]几个点|起征点")
# "免费" answers "多少钱" as well as a figure does.
MONEY = re.compile(r"\d+(?:\.\d+)?\s*(?:元|万元|亿元)|[一二三四五六七八九十百千万两]+(?:元|万元|亿元)|[%％]|免费|零收费|免收"
                   r"|不收取|免服务费|免交|减免")
RATE = re.compile(r"[%％]|百分之")
# A rate written out ("按照每日利率万分之五支付逾期利息") answers "能要多少逾期利息",
# but only in a sentence about the rate asked for: the same clause's
# "1年期贷款市场报价利率" gives no figure for "LPR具体是多少".
WRITTEN_RATE = re.compile(r"[%％‰]|[百千万]分之[零〇一二三四五六七八九十百\d.]")
_RATE_NOUN = re.compile(r"([\u4e00-\u9fff]{2})(?:利息|利率)")
# "社保缴费基数是多少": the sum named, asked for (not 标准, which is also a level of service).
_NAMED_SUM = re.compile(r"(" + _MONEY_NOUNS.replace("|标准", "") + r")(?:是|有|大概|一般|具体|能拿|能领|能给|给)?(?:多少|几)")


_SUM_NAMED = re.compile(r"多少(?:钱的)?(" + _MONEY_NOUNS.replace("|标准", "") + r")")


# Likewise a duration or a calendar date: "最快几天能拿到执照" asks for a figure.
ASKS_DURATION = re.compile(r"几天|多少天|几个工作日|多少个工作日|几个小时|最快几|多长时间能|几号|几月几|哪天截止|截止日期")
DURATION = re.compile(r"\d+\s*(?:个)?(?:工作日|天|日|小时|分钟|号)")

# The same asks in English ("How much is the minimum wage?").
_EN = re.IGNORECASE
EN_ASKS_MONEY = re.compile(r"\bhow much\b|\bhow many yuan\b|\bwhat(?:'s| is| are) the (?:price|fee|cost|salary|wage)s?\b", _EN)
EN_ASKS_RATE = re.compile(r"\bwhat (?:percentage|percent)\b|\b(?:tax|interest|reimbursement) rates?\b", _EN)
EN_ASKS_DURATION = re.compile(r"\bhow many (?:working )?days\b|\bwhat (?:date|day)\b|\bdeadline for applying\b", _EN)

# Facts a policy plan never holds: the documents to bring, where an office is
# and when it opens, its phone number (unless the clause gives one: 12345, 12388).
# "缺什么材料能不能一次性告诉我" complains about being sent back (第54条), it asks for no list.
ASKS_MATERIALS = re.compile(r"(?<![缺差少])(?:哪些|什么|啥|几样)(?:材料|资料)|材料清单|(?:要|需要|得)带(?:什么|啥)")
# A best clause that says no papers are needed ("刷脸办电", "一照办电") answers it;
# only the best one: "免于提交实体证照" two clauses down does not list what to bring.
MATERIALS = re.compile(r"材料清单|提交以下|刷脸|一照办|无需提交|不再提交")
ASKS_PLACE = re.compile(r"在哪条街|(?:具体|办公|详细)地址|地址在哪|(?:几点|什么时候|啥时候)(?:上班|下班|开门|关门)"
                        r"|办公时间|上班时间|(?:周末|周六|周日|星期天|节假日)(?:上不上班|上班|开门|办公)")
PLACE = re.compile(r"\d{1,2}[:：]\d{2}|\d+号楼|路\d+号")
ASKS_PHONE = re.compile(r"(?:电话|热线)(?:号码)?(?:是)?(?:多少|几号)|联系电话|\bphone number\b", re.IGNORECASE)
PHONE = re.compile(r"\d{5,}")
ASKS_URL = re.compile(r"网址|网站(?:是|叫)?(?:多少|什么|啥|哪个)|链接(?:是|在)?(?:多少|什么|啥|哪)|\bwebsite\b|\burl\b", re.IGNORECASE)
URL = re.compile(r"https?://|www\.|\.(?:cn|com|gov|org)\b", re.IGNORECASE)

FIGURES = ((ASKS_RATE, RATE, "比例"), (ASKS_MONEY, MONEY, "金额"), (ASKS_DURATION, DURATION, "天数或日期"),
           (ASKS_MATERIALS, MATERIALS, "材料清单"), (ASKS_PLACE, PLACE, "地址或办公时间"), (ASKS_PHONE, PHONE, "电话号码"),
           (ASKS_URL, URL, "网址"),
           (EN_ASKS_RATE, RATE, "比例"), (EN_ASKS_MONEY, MONEY, "金额"), (EN_ASKS_DURATION, DURATION, "天数或日期"))


# A question that ends by asking yes or no ("…按付款的比例给我们结，合理吗",
# "逾期利率特别低，有没有最低标准") asks about what its first part tells, not for
# the figure named there.
_CLAUSES = re.compile(r"[，,。；;：:]")
_OPEN = re.compile(r"哪|什么|啥|多少|(?<!好)几(?!乎)|怎么|怎样|如何|吗|么|[？?]")  # "好几笔" counts, it asks nothing
_YESNO_TAIL = re.compile(r"(?:吗|么|嘛|不|没有)[？?！!。\s]*$|^(?:有没有|是不是|能不能|可不可以|行不行|算不算|合不合)")


def asked_part(question: str) -> str:
    """The part of the question that asks: its last clause when that clause
    is a yes/no question, else the whole question."""
    parts = [p for p in _CLAUSES.split(question.strip()) if p.strip()]
    # …unless the first part asks too ("要准备哪些材料，有没有清单").
    if len(parts) > 1 and _YESNO_TAIL.search(parts[-1].strip()) and not _OPEN.search("".join(parts[:-1])):
        return parts[-1]
    return question


# A part of a question asking yes or no ("普通牧民能报名不", "有补贴吗"), and one
# asking for something open ("怎么申请", "找哪个部门", "能领几个月").
_YES_NO = re.compile(r"(?:吗|么|嘛|不|没|没有)[？?！!。\s]*$|^(?:有没有|是不是|能不能|可不可以|行不行|算不算)|能否|可否|是否")
_OPEN_ASK = re.compile(r"哪|什么|啥|多少|(?<!好)几(?!乎)|怎么|怎样|如何|一样|相同|区别")
_PARTS = re.compile(r"[，,。；;：:？?！!\s]+")


def asks_more(question: str, kind: str) -> bool:
    """Whether the question also asks yes or no about something other than
    the figure of ``kind`` ("普通牧民能报名不 一个月给多少补助"): then that part is
    answered and the missing figure said first, rather than both declined.
    An open part ("怎么申请", "能领几个月") asks for more the text may lack too;
    so does a yes/no about a list or an address ("有没有清单")."""
    if kind not in ("金额", "比例", "天数或日期"):  # "有没有清单" asks for the list itself
        return False
    asks = [a for a, _, k in FIGURES if k == kind]
    parts = [p for p in _PARTS.split(question) if p.strip()]
    figure = [p for p in parts if any(a.search(p) for a in asks)]
    other = [p for p in parts if p not in figure and (_YES_NO.search(p) or _OPEN_ASK.search(p))]
    return bool(figure) and bool(other) and all(_YES_NO.search(p) and not _OPEN_ASK.search(p) for p in other)


def missing_phrase(question: str, kind: str) -> str:
    """"补助的具体金额": the sum the question names, when it names one."""
    m = (_NAMED_SUM.search(question) or _SUM_NAMED.search(question)) if kind == "金额" else None
    return f"{m.group(1)}的具体{kind}" if m else f"具体{kind}"


def missing_figure(question: str, clause: str, best: str | None = None) -> str | None:
    """The kind of figure ("比例", "金额", "天数或日期", "材料清单", …) the
    question asks for when the best clauses (``clause``) contain none of that
    kind; a list of documents must be in the best clause itself (``best``)."""
    question = asked_part(question)
    for asks, has, kind in FIGURES:
        where = best if kind == "材料清单" and best is not None else clause
        if asks.search(question) and not has.search(where):
            if kind in ("比例", "金额") and rate_stated(question, where):
                continue
            return kind
        if kind == "金额" and asks.search(question) and not sum_stated(question, where):
            return kind
    return None


def sum_stated(question: str, clause: str) -> bool:
    """Whether the sum the question names ("缴费基数是多少") has an amount in a
    sentence naming it, when the clauses name it at all: another sentence's
    "免费" or "500元" is not that sum."""
    m = _NAMED_SUM.search(question)
    if not m:
        return True
    naming = [x for x in re.split(r"[。；;]", clause) if m.group(1) in x]
    return not naming or any(MONEY.search(x) for x in naming)


def rate_stated(question: str, clause: str) -> bool:
    """A written-out rate in a sentence that names the rate the question asks
    about: its qualifier and 利息 or 利率 ("逾期利率" in "…按照每日利率万分之五
    支付逾期利息"; "报价利率" is not)."""
    kinds = set(_RATE_NOUN.findall(question))
    if not kinds and re.search(r"\binterest\b", question, re.IGNORECASE):
        kinds = {"利息"}  # an English question: any interest rate written out
    return bool(kinds) and any(WRITTEN_RATE.search(s) and ("利息" in s or "利率" in s) and any(k in s for k in kinds)
                               for s in re.split(r"[。；;]", clause))


def amount_gap(question: str, clause: str, best: str | None = None) -> float:
    """1 when the question asks for a figure (money, rate, days, date) of a
    kind that the best clauses do not contain at all."""
    return 1.0 if missing_figure(question, clause, best) else 0.0


def top_text(hits: list[Hit]) -> str:
    """Where a figure the question asks for would have to be: the top clauses."""
    return " ".join(h.record.text for h in hits[:3])


def best_text(hits: list[Hit]) -> str:
    return hits[0].record.text if hits else ""
