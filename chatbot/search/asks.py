"""What a question asks for, so the answer can lead with exactly that:
who is responsible, by when, a figure (how long / how much / how many /
which rate), yes or no (and of which kind), how or through which channel,
what something is, or a comparison. Read from the wording alone, in Chinese
or English; list questions and references are recognised elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE
WHO = re.compile(r"谁负责|谁管|由谁|归谁|找谁|谁来|哪个部门|哪些部门|哪个单位|哪些单位|什么部门|哪家|责任单位|牵头部门|哪个局"
                 r"|\bwho\b|\bwhich (?:department|agency|office|bureau)\b|\bresponsible\b", _I)
WHEN = re.compile(r"什么时候|何时|哪个月|哪一年|哪年|完成时[间限]|时限|截止|期限是|时间表|啥时候|几月|几时|哪天"
                  r"|^\s*when\b|\bby when\b|\bby what date\b|\bdeadline\b|\bwhat date\b", _I)
# Figures, by kind. A duration or a count first: "多长时间" is not money.
# "有时间要求吗", "有没有期限": a yes/no about a time limit asks for the limit.
# "前几年", "十几年", "好几个月", "这几天" tell when or how long something has been, not ask it.
_TOLD = r"(?<![前十好这近那头])"
DURATION = re.compile(r"多长时间|多久|" + _TOLD + r"几天|多少天|几个工作日|多少个工作日|多少小时|几个小时|几小时|" + _TOLD
                      + r"几年|多少年|" + _TOLD + r"几个月|多长"
                      r"|时间(?:上)?(?:要求|限制)|(?:有没有|有无)(?:时限|期限|时间限制)|(?:时限|期限)(?:吗|么)"
                      r"|\bhow long\b|\bhow many (?:working )?(?:days|hours|months|years)\b"
                      r"|\b(?:maximum|max|longest) (?:term|period|time)\b", _I)
# …and a sum of money named by what it is ("生活补助有多少", "奖励能拿多少").
MONEY_NOUNS = r"(?:补助|补贴|奖励|奖金|津贴|资助|工资|薪酬|罚款|利息|押金|保证金|贷款|额度|费用|租金)"
# "收费标准" asks the fees, unless an action is done to them: "国家要求公开收费标准吗"
# asks whether they are published.
FEE_STANDARD = r"(?<!公开)(?<!公示)(?<!公布)(?<!明确)(?<!制定)(?<!规范)收费标准"
MONEY = re.compile(r"多少钱|多少元|多少万|几块钱|" + FEE_STANDARD + r"|费用是多少|什么价|\bhow much\b"
                   r"|" + MONEY_NOUNS + r"[^，,。；;？?]{0,4}多少|多少" + MONEY_NOUNS, _I)
RATE = re.compile(r"比例|百分之|多少[%％]|几成|覆盖率|满意率|率[是达要]?多少|\bwhat (?:percentage|percent|rate|share)\b", _I)
COUNT = re.compile(r"多少个|几个|多少家|几家|多少项|几项|多少次|几次|多少人|多少台|多少座|多少所|多少条|几条|几[级档类种]|多少"
                   r"|\bhow many\b", _I)
# Yes/no, by what would make the answer yes.
COST = re.compile(r"要钱|花钱|收费|收钱|交钱|付费|掏钱|出钱|自费|要不要钱|免费|\b(?:free|fees?|charged?|costs?|pay|paid)\b", _I)
NEED = re.compile(r"需要|需不需要|要不要|用不用|还要|还用|还得|必须|一定要|\b(?:need|needs|required|have to|must)\b", _I)
CAN = re.compile(r"能不能|可不可以|可以|能否|可否|能|允许|行不行|让不让|\b(?:can|could|may|allowed)\b", _I)
YESNO = re.compile(r"[吗么嘛][？?！!。\s]*$|[吗么][，,]|是不是|能不能|可不可以|要不要|用不用|需不需要|有没有|会不会|行不行|是否|可否|能否"
                   r"|该不该|应不应该|算不算|对不对"
                   r"|不[？?]?$|没[？?]?$|^(?:is|are|can|could|do|does|did|will|should|may|must|has|have)\b", _I)
OPEN = re.compile(r"怎么|怎样|如何|咋|哪里|哪儿|在哪|去哪|什么|啥|哪些|哪个|多少|几|为什么"
                  r"|\b(?:how|what|which|where|why)\b", _I)
HOW = re.compile(r"怎么|怎样|如何|咋|哪里|哪儿|在哪|去哪|通过什么|什么(?:渠道|方式|途径|平台|电话|热线|网站|系统)|哪个(?:平台|窗口|APP|app|网站)"
                 r"|查询方式|用什么|流程"
                 r"|\bhow\b|\bwhere\b|\bthrough which\b|\bwhich (?:platform|channel|app|website)\b", _I)
WHAT = re.compile(r"是什么|什么是|啥是|是啥|指什么|什么意思|什么叫|讲什么|说什么|有哪些|都有啥|包括什么|哪些内容"
                  r"|\bwhat is\b|\bwhat are\b|\bwhat does\b", _I)
# Several things asked at once ("小微企业和居民接电分别有啥便利？", two questions in one).
PARTS = re.compile(r"分别|以及|还有|另外|同时|和.{1,12}(?:呢|吗|有什么|都|各)|[？?].{2,}[？?]|吗.{2,}[吗？?]"
                   r"|\band\b.{2,40}\?.*\?|\bboth\b", _I)
# Whether something done to the asker is lawful ("这样合法吗", "有没有规定", "站得住吗"):
# a law answers that, so a regulation's article may join and lead the answer.
LEGAL = re.compile(r"(?:合法|违法|合规|违规)(?:吗|么|不|的吗)|是否(?:合法|违法|合规|违规)|合不合[法规]|算不算违|算违[法规]"
                   r"|有没有规定|有规定吗|站得住|能这样|可以这样|这样行吗|这么做对不对|这样做对吗|有说法吗|有没有说法"
                   r"|依据哪条|(?:能|可以|有权)(?:不能)?拒绝|能不能拒绝|合理吗|合不合理|(?:允许|被允许)(?:吗|么)|允不允许"
                   r"|(?:能|可以)不(?:给|交|缴|出|参加|加入|入会|接受|买|购买)(?:吗|么|不)?|\bis (?:this|that|it) (?:legal|allowed)\b"
                   # a practice described, then "这样可以吗" / "是不是就不让搞": may they do this to me
                   r"|(?:这样|这个|这么)(?:做|搞|弄|干)?(?:可以|行|对)(?:吗|么|不|嘛)|这样(?:做|搞)?(?:可不可以|行不行|对不对)"
                   r"|(?:是不是|是否)(?:就)?不(?:让|准|许)|(?:让不让|准不准|许不许)(?:搞|干|做|开|办)"
                   # "…说只有找他们做报告才能过，这种正常吗": a practice done to the asker
                   r"|(?:这种|这样|这)(?:做法|情况|行为|事)?(?:正常|正规)(?:吗|么|不|嘛)|(?:这种|这样|这)(?:做法|情况|行为|事)?正不正常", _I)
COMPARE = re.compile(r"区别|不同|差别|差异|相比|比较|还是|哪个更|\bdifference\b|\bcompare", _I)


@dataclass(frozen=True)
class Ask:
    kind: str  # "who" | "when" | "figure" | "yesno" | "how" | "what" | "compare" | "other"
    figure: str | None = None  # "duration" | "money" | "rate" | "count" (kind "figure")
    polarity: str | None = None  # "cost" | "need" | "can" | "other" (kind "yesno")
    parts: bool = False  # several things asked at once: the answer may draw on several clauses
    legal: bool = False  # whether something is lawful (LEGAL)


def classify(text: str) -> Ask:
    """The kind of answer ``text`` asks for (normalised question text)."""
    from dataclasses import replace

    ask = replace(_kind(text.strip()), legal=bool(LEGAL.search(text)))
    return replace(ask, parts=bool(PARTS.search(text))) if ask.kind != "compare" else replace(ask, parts=True)


def _kind(t: str) -> Ask:
    if WHO.search(t):
        return Ask("who")
    if WHEN.search(t) and not DURATION.search(t):
        return Ask("when")
    for kind, pattern in (("duration", DURATION), ("money", MONEY), ("rate", RATE)):
        if pattern.search(t):
            return Ask("figure", figure=kind)
    # An open word in the last clause makes it an open question; one earlier
    # ("放几台无人售货机，还用办许可证吗") only tells the story.
    last = re.split(r"[，,。；;：:]", t.rstrip("？?！!。 "))[-1]
    if YESNO.search(t) and not OPEN.search(re.sub(r"能不能|可不可以|要不要|用不用|需不需要|有没有|会不会|行不行|是不是", "", last)):
        polarity = "cost" if COST.search(t) else "need" if NEED.search(t) else "can" if CAN.search(t) else "other"
        return Ask("yesno", polarity=polarity)
    if COMPARE.search(t) and re.search(r"和|与|跟|还是|\band\b|\bor\b|\bvs\b", t, _I):
        return Ask("compare")
    if COUNT.search(t):
        return Ask("figure", figure="count")
    if HOW.search(t):
        return Ask("how")
    if WHAT.search(t):
        return Ask("what")
    return Ask("other")
