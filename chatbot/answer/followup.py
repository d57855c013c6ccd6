"""Follow-ups against the previous answer's subject: "那要多长时间？",
"这个谁负责？", "那第二条呢", "具体说说", and "那人社局呢" (the previous
department question asked about another department)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..corpus.library import Library
from ..domain.numerals import cn_to_int
from ..domain.records import Answer, Hit, Record
from ..search.intent import unit_spans
from ..search.query import Query
from ..text import departments
from ..text.lexicon import content_words
from ..text.normalize import normalize
from . import extractive
from .clauses import durations, full_clause, lookup_answer
from .extractive import SentenceScorer

ANAPHORA = re.compile(r"^(?:那么|那|这个|这条|这项|这些|这|该措施|该条|该项|该|它|其|上面|上述|刚才|前面|此)")
ORDINAL = re.compile(r"^(?:那么|那|还有)?\s*第\s*([一二三四五六七八九十\d]{1,3})\s*(?:条|个|项)\s*(?:呢|是什么|讲什么|说什么|说的是什么|的内容|内容)?\s*[？?。!！]*$")
DETAIL = re.compile(r"具体|详细|原文|全文|展开|内容是什么|讲的什么|说的什么")
TRAILING = re.compile(r"[呢吗呀啊？?。！!，,\s]+$")
WHO_MORE = re.compile(r"谁|哪个部门|哪个单位|什么部门|哪家")
MAX_SUBJECT = 5


@dataclass(frozen=True)
class Rewrite:
    """The question to answer instead (a department swapped into an earlier one)."""

    question: str


def previous(history: list[Answer] | None) -> Answer | None:
    """The latest answer with a subject that was not a refusal."""
    for a in reversed(history or []):
        if a.subject and not a.refused:
            return a
    return None


class FollowUps:
    def __init__(self, library: Library, scorer: SentenceScorer, max_chars: int):
        self.library = library
        self.scorer = scorer
        self.max_chars = max_chars

    def _records(self, refs: list[str]) -> list[Record]:
        out: list[Record] = []
        for ref in refs:
            for r in self.library.leaves_of(ref):
                if r not in out:
                    out.append(r)
        return out

    def resolve(self, q: str, query: Query, prev: Answer,
                history: list[Answer] | None) -> Answer | Rewrite | None:
        """An answer about the previous subject, a rewritten question, or
        None when ``q`` stands alone."""
        subject = self._records(prev.subject)
        if not subject:
            return None
        norm = query.normalized
        if m := ORDINAL.match(norm):
            n = cn_to_int(m.group(1))
            marked = norm.startswith(("那", "还有")) or "呢" in norm
            if n and 1 <= n <= len(prev.subject) and (marked or len(prev.subject) > 1):
                recs = self.library.leaves_of(prev.subject[n - 1])
                text = f"上一回答中的第{n}项是{recs[0].citation}：\n\n" + full_clause(recs)
                return lookup_answer(q, recs, text)
            return None
        if re.search(r"[A-Za-z]{2,}", norm) or len(norm) > self.max_chars:
            return None  # English or a full question: it stands on its own
        words = content_words(norm)
        anaphoric = bool(ANAPHORA.match(norm))
        asks_who = bool(extractive.WHO.search(norm) or WHO_MORE.search(norm))
        asks_when = bool(extractive.WHEN.search(norm) or extractive.DURATION.search(norm))
        if not anaphoric and words:
            return None
        if anaphoric and words and not (asks_who or asks_when):
            return self._swap_department(norm, history)
        main = subject[:MAX_SUBJECT]
        cites = [r.ref for r in main]
        if asks_who:
            text = self._who(main)
        elif asks_when:
            text = self._when(main)
        elif DETAIL.search(norm) or not words:
            # anything else about the same subject ("具体说说"): its clauses
            text = full_clause(main)
        else:
            hits = [Hit(r, 1.0 - i * 0.01, via="followup") for i, r in enumerate(main)]
            comp = extractive.compose(query, hits, self.scorer, question=norm)
            text, cites = comp.text, comp.citations
        head = f"（承接上一问：{'、'.join(r.citation for r in main)}）\n\n"
        hits = [Hit(r, 1.0, via="followup") for r in main]
        return Answer(q, head + text, cites, hits, False, "extractive", subject=[r.ref for r in main])

    def _swap_department(self, norm: str, history: list[Answer] | None) -> Rewrite | None:
        """"那人社局呢": the latest earlier question about a department, asked
        about the new one."""
        rest = ANAPHORA.sub("", TRAILING.sub("", norm))
        known = self.library.known_units
        if not departments.mentioned(rest, known) or len(rest) > 12:
            return None
        for old in reversed(history or []):
            pq = normalize(old.question)
            spans = unit_spans(pq, known)
            if spans and departments.mentioned(pq, known):
                a, b = spans[0]
                return Rewrite(pq[:a] + rest + pq[b:])
        return None

    @staticmethod
    def _who(main: list[Record]) -> str:
        if len(main) == 1:
            r = main[0]
            text = f"{r.citation}（{r.title}）由{'、'.join(r.units) or '原文未写明的单位'}负责（{r.citation}）。"
            if r.section.lead_units:
                text += (f"\n\n该措施所属领域“{r.section.title or r.section.label}”的牵头单位是"
                         f"{'、'.join(r.section.lead_units)}。")
            return text
        lines = [f"- {r.citation}（{r.title}）的责任单位：{r.units_label}（{r.citation}）" for r in main]
        return "上一问所说措施的责任单位如下：\n" + "\n".join(lines)

    @staticmethod
    def _when(main: list[Record]) -> str:
        lines = []
        for r in main:
            durs = durations(r.body)
            extra = f"；文中的时间要求：{'、'.join(durs)}" if durs else ""
            lines.append(f"- {r.citation}（{r.title}）：完成时限{r.deadline_label}{extra}（{r.citation}）")
        text = "\n".join(lines)
        return text[2:] if len(main) == 1 else text
