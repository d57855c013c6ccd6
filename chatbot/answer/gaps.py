"""Half-answered questions: the question's scope differs from the text's, and
the answer must say what the text does not state before what it does.

Read from the question and the clauses the answer quotes:
- a year outside the document's period ("2026年…", the plan runs 2023–2025);
- a place other than the document's own ("哈密市区…", the plan is 伊吾县's);
- a word of a kind the clause names another of (普通注销 where it says 简易注销,
  本科 where it says 硕士: the glossary's contrast sets);
- an explicit exclusion of what the clause covers ("不是简易注销的话…");
- the kind of party another document applies to, where the quoted one applies
  to another ("我是个体户…按中小企业那个条例": its 第三条 covers 中小企业);
- a figure the question asks about that the clause does not state ("提到80%了吗" where
  it says 75%; not one the asker narrates, "货交了4个月还没结");
- what the quoted sentence itself excepts ("重大工程…多少个工作日" where it says
  "除重大工程建设项目外…60个工作日内").
Each gives a phrase such as "方案未写明普通注销的情况（写的是简易注销）"."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..corpus.library import Library
from ..domain.records import Record
from ..search.query import Query
from ..text.glossary import Glossary
from .amounts import FIGURES

_YEAR = re.compile(r"(?<!\d)(20\d{2})(?:\s*年)?(?!\d)")
_PERIOD = re.compile(r"(20\d{2})\s*[-—–至到]\s*(20\d{2})")
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个工作日|工作日|天|小时|元|万元|年|个月)")
# "哈密的公司来…", "哈密大医院": where the asker or a thing comes from, not the
# place the question is about.
_ORIGIN = re.compile(r"的?(?:公司|企业|人|户口|户籍|医院|大医院|老板|客户|供应商|朋友|亲戚|厂)|来|过来|到伊|大")
# "也跟伊吾一样…吗", "还是只有伊吾这样": the document's own place as the comparison,
# not the place asked about
_LIKE = (r"(?:跟|和|与|同|像|比|只有)\s*{0}[县市区州]?\s*(?:一样|那样|这样|似的|相同|差不多)?"
         r"|{0}[县市区州]?\s*(?:一样|那样|这样|似的)")
# "公司注册在伊州区", "我在巴里坤开公司": where the asker's business is seated.
# When the document's own place is also named ("伊吾那个…政策"), only a place
# named as the seat is asked about: "人在乌鲁木齐…伊吾的事" is about Yiwu's.
_SEAT = (r"(?:注册(?:地)?(?:在|于|是)|落户(?:在|于)?|设在|开在|位于)\s*{0}"
         r"|在\s*{0}[^，,。？?！!\s]{{0,4}}?(?:开|办|注册|设立|成立)")
# "听说伊吾只要20天，我们巴里坤县是不是也一样": the other place is what is asked,
# though the document's own is named too.
_ALSO = (r"{0}[县市区州]?\s*(?:这边|那边|这里|那里)?\s*(?:是不是|是否|能不能|可不可以|会不会|有没有)?\s*也")
# "除重大工程建设项目外…60个工作日内": the quoted sentence's own exception.
EXCEPT = re.compile(r"除(?:了)?([^，。；、“”]{2,15}?)(?:以外|之外|外)|[（(]([^（()）]{2,20})除外[）)]|([\u4e00-\u9fff]{2,12})除外")
_EXCLUDE = re.compile(r"(?:不是|并非|非|除了|不属于|不走)\s*([\u4e00-\u9fff]{2,8}?)(?:的话|的|以外|之外|）|\)|，|,|$)")


# What may follow a figure the question asks about, up to the end of its clause.
_ASKED_TAIL = re.compile(r"\s*(?:了|吗|么|嘛|呢|啊|呀|吧|没有?|对吗|对不对|是吗|是不是|以上|以内|之内|左右)*\s*(?:[，,。？?！!；;]|$)")


def _unit(s: str) -> str:
    """"60天" and "60日", "15个工作日" and "15工作日" are one figure."""
    return s.replace("个工作日", "工作日").replace("天", "日")


@dataclass(frozen=True)
class Gap:
    missing: str  # what the text does not state ("普通注销", "2026年", "哈密市")
    stated: str | None = None  # what it states instead ("简易注销"), when known
    scope: str | None = None  # the document's own period or place, for the phrase
    doc: str | None = None  # the document whose scope it is ("《保障中小企业款项支付条例》"), when not the plan
    basis: Record | None = None  # the article stating that scope (smepay:3), cited with the answer
    bare: bool = False  # ``missing`` is said as it is ("具体金额"), not as a case ("…的情况")

    def phrase_en(self, doc_kind: str = "plan") -> str:
        if self.bare:
            return f"The {doc_kind} does not state the {self.missing}"
        if self.doc:
            return f"{self.doc} applies to {self.stated} ({self.basis.citation}); it does not state the case of {self.missing}"
        if self.stated and not self.scope:
            return f"The {doc_kind} does not state the case of {self.missing} (it covers {self.stated})"
        return f"The {doc_kind} does not state the case of {self.missing}"

    def _basis_label(self) -> str:
        """"第三条": the document is named just before."""
        return self.basis.citation.replace(self.doc or "", "") if self.basis else ""

    def phrase(self, doc_kind: str = "方案") -> str:
        if self.bare:
            return f"{doc_kind}未写明{self.missing}"
        if self.doc:
            return f"{self.doc}适用于{self.stated}（{self._basis_label()}），未写明{self.missing}的情况"
        if self.scope:
            return f"{doc_kind}{self.scope}，未写明{self.missing}的情况"
        if self.stated:
            return f"{doc_kind}未写明{self.missing}的情况（写的是{self.stated}）"
        return f"{doc_kind}未写明{self.missing}的情况"


def _covers(phrase: str, question: str) -> bool:
    """Whether the question names most of ``phrase`` (重大工程建设项目 / 重大工程项目):
    half its two-character runs, and at least two."""
    grams = [phrase[i:i + 2] for i in range(len(phrase) - 1)]
    shared = sum(g in question for g in grams)
    # …including its opening, which tells it apart ("工程建设项目" does not name 重大工程建设项目)
    return shared >= 2 and shared * 2 >= len(grams) and grams[0] in question


def period(title: str) -> tuple[int, int] | None:
    m = _PERIOD.search(title or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


class GapFinder:
    def __init__(self, library: Library, glossary: Glossary):
        self.library = library
        self.glossary = glossary

    def _home(self, doc_id: str) -> str | None:
        """The document's own place, named in its title ("伊吾县…方案" → 伊吾)."""
        c = self.library.doc(doc_id)
        title = c.title if c else ""
        for p in sorted(self.glossary.places, key=len, reverse=True):
            if m := re.search(re.escape(p) + r"[县市区州省]?", title):
                return m.group(0)
        return None

    def _figure_case(self, query: Query, sentence: str) -> Gap | None:
        """A figure read from a part of the lead sentence about another case of
        the same kind ("高压用户接电要多少个工作日" led by "…低压非居民用户全过程办电
        时间进一步压减至15个工作日以内"): the clause names both, its figure only one."""
        if query.ask.kind != "figure" or query.ask.figure not in FIGURES:
            return None
        q = query.text
        for part in re.split(r"[，；。,;]", sentence):
            if not FIGURES[query.ask.figure].search(part):
                continue
            for group in self.glossary.contrasts:
                asked = [w for w in group if w in q and w not in part]
                stated = [w for w in group if w in part and w not in q]
                if asked and stated:
                    return Gap(asked[0], stated[0])
        return None

    def find(self, query: Query, quoted: list[Record], sentence: str = "") -> Gap | None:
        """The first scope difference between the question and the quoted
        clauses; ``sentence``: the one the answer leads with."""
        if not quoted:
            return None
        q = query.text
        text = "\n".join(f"{r.measure_title} {r.text}" for r in quoted)
        doc = self.library.doc(quoted[0].doc_id)
        span = period(doc.title) if doc else None
        # "2020年那版": a year that names a version the question asks about is no gap
        named = " ".join(f"{c.title} {c.effective or ''}" for d in query.docs if (c := self.library.doc(d)))
        for m in _YEAR.finditer(q):
            y = int(m.group(1))
            if m.group(1) in named:
                continue
            if span and not span[0] <= y <= span[1] and m.group(1) not in text:
                return Gap(f"{y}年", scope=f"的实施期为{span[0]}—{span[1]}年")
        if home := self._home(quoted[0].doc_id):
            if gap := self._place(q, home, text):
                return gap
        # Each quoted article against its own document's scope: another clause
        # naming the asker does not widen this one, and the payment regulation's
        # 万分之五 quoted beside the individual-business one still covers 中小企业 only.
        for i, r in enumerate(quoted):
            if (party := self._party(query, r, f"{r.measure_title} {r.text}", sentence if i == 0 else "")) is not None:
                return party
        for group in self.glossary.contrasts:
            asked = [w for w in group if w in q and w not in text]
            stated = [w for w in group if w in text and w not in asked]
            if asked and stated:
                return Gap(asked[0], stated[0])
        if (gap := self._figure_case(query, sentence)) is not None:
            return gap
        titles = " ".join(r.measure_title for r in quoted)
        for m in _EXCLUDE.finditer(q):
            x = m.group(1)
            # only what the clause is about ("不是简易注销"), not any word ("不是故意的")
            # (a phrase of the sentence only when whole and not excluded there too:
            # "高层次人才", not "故意" or the sentence's own "非电网直供")
            said = len(x) >= 4 and re.search(r"(?<![非不除无])" + re.escape(x), sentence)
            if len(x) >= 2 and x in titles or said:
                return Gap(f"{x}以外", x)
        # a yes/no question is answered "不能。" by the exception itself (lead.yes_no)
        if query.ask.kind != "yesno":
            for m in EXCEPT.finditer(sentence):
                x = next(g for g in m.groups() if g)
                if _covers(x, q):
                    return Gap(x, scope=f"写明“{m.group(0).strip('（()）')}”")
        stated = _unit(re.sub(r"\s", "", text))
        for m in _FIGURE.finditer(q):
            fig = re.sub(r"\s", "", m.group(0))
            if named and fig.rstrip("年") in named:  # the version's year, not a figure asked
                continue
            # only a figure asked about ("提到80%了吗"), not one the asker narrates
            # ("货交了4个月还没结", "成立满3年才能报名", "24小时无人洗车店"); a year
            # inside the period is the scope of the question ("2024年…要达到多少")
            if not _YEAR.fullmatch(fig) and not _ASKED_TAIL.match(q, m.end()):
                continue
            if _unit(fig) not in stated and _FIGURE.search(text):
                return Gap(fig)
        return None

    def _place(self, q: str, home: str, text: str) -> Gap | None:
        """Another place than the document's own, asked about."""
        named_home = home[:2] in re.sub(_LIKE.format(re.escape(home[:2])), "", q)
        if named_home and re.search(_SEAT.format(re.escape(home[:2])), q):
            return None
        for p in sorted(self.glossary.places, key=len, reverse=True):
            m = re.search(r"(从|来自)?" + re.escape(p) + r"([市县区州省]?(?:市区|城区)?)", q)
            if not m or p in home or p in text or m.group(1) or _ORIGIN.match(q, m.end()):
                continue
            if named_home and not re.search(_SEAT.format(re.escape(p)), q) and not re.search(_ALSO.format(re.escape(p)), q):
                continue
            return Gap(p + m.group(2), scope=f"是{home}的措施")
        return None

    def _party(self, query: Query, lead: Record, text: str, sentence: str = "") -> Gap | None:
        """The question is about the kind of party another document applies to
        (个体工商户), while the leading clause's document applies to another
        (中小企业) and its own text does not name the asker's kind."""
        scopes = self.library.scopes
        if lead.doc_id not in scopes:
            return _not_enterprise(query, sentence, [p for p, _ in scopes.values()])
        mine, basis = scopes[lead.doc_id]
        asked = query.text + " " + " ".join(query.tokens)  # "个体户" is expanded to 个体工商户
        doc = self.library.doc(lead.doc_id)
        title = f"《{doc.title}》" if doc else None
        for party, _ in scopes.values():
            if party != mine and party in asked and party not in text:
                return Gap(party, mine, doc=title, basis=basis)
        if (kind := asker_kind(query.text, mine, basis.text)) is not None:
            return Gap(kind, mine, doc=title, basis=basis)
        return None


# Words naming every kind of business at once: a clause using one covers any asker.
_UMBRELLA = re.compile(r"市场主体|经营主体|经营者|各类主体|个体")
_ENTERPRISE_WORD = re.compile(r"(?:新开办|新设立|新办|小微|中小|大型|民营|外资|各类)?企业")


def _not_enterprise(query: Query, sentence: str, parties: list[str]) -> Gap | None:
    """"我是个体户…新开办的都免费送印章，我也算吗" led by "对新开办企业实行首套印章…":
    the asker names a kind of party a regulation has its own scope for and
    that is no enterprise (个体工商户), while the lead sentence grants
    enterprises only. Named in the question's own words ("个体户"), not its
    glossary expansion: "小店" is any shop."""
    if not sentence or _UMBRELLA.search(sentence):
        return None
    for party in parties:
        if "企业" in party or party in sentence:
            continue
        short = re.escape(party[:2]) + r"[\u4e00-\u9fff]{0,2}?" + re.escape(party[-1])  # 个体户, 个体工商户
        if re.search(short, query.normalized) and (m := _ENTERPRISE_WORD.search(sentence)):
            return Gap(party, m.group(0))
    return None


# "合作社算不算中小企业": a kind of party asked about by name.
_IS_A = r"([\u4e00-\u9fff]{{2,8}}?)(?:到底|究竟)?(?:算不算|算是|属不属于|属于|是不是|算)(?:{0})"
# "我是送外卖的 …", "送外卖的 平台欠了我…": the asker by what they do, one person
# ("我们做建筑的", "做工程的，甲方…" speak for a business).
_SELF = re.compile(r"(?:(?:我|俺)(?:是|就是)(?:个|一个|一名)?|^)([\u4e00-\u9fff]{2,8}?)的(?=[\s，,。！!？?]|$)")
_ME = re.compile(r"[我俺](?!们|公司|司|厂|店|单位|方)")
_ORGANISATION = re.compile(r"(?:企业|单位|组织)$")  # a scope of organisations does not hold persons
_ENTERPRISE = re.compile(r"企业|公司|厂|集团|合伙")


def asker_kind(question: str, party: str, definition: str) -> str | None:
    """The kind of party the asker is or asks about, when the document's
    scope (``party``, defined by ``definition``) does not name it: "合作社"
    asked as 中小企业, "送外卖的个人" under a regulation for enterprises.
    An enterprise of any name is one under a scope of enterprises."""
    def named(x: str) -> bool:
        return (party in x or x in definition or party[-2:] in x
                or (party.endswith("企业") and bool(_ENTERPRISE.search(x))))

    if (m := re.search(_IS_A.format(re.escape(party)), question)) and not named(m.group(1)):
        return m.group(1)
    q = question.strip()
    if _ORGANISATION.search(party) and (m := _SELF.search(q)) and not named(m.group(1)):
        if m.start() > 0 or _ME.search(q, m.end()):  # "我是…的", or "…的" opening a question about "我"
            return f"{m.group(1)}的个人"
    return None
