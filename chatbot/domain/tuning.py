"""Every number that tunes retrieval and answers, in one typed object.

The hand-chosen weights are defaults here (each comment says on which sets
it was chosen); the refusal model is fitted, so it is data: a JSON file that
``python -m eval.answers --calibrate --write`` produces and
``app.bootstrap`` reads (``RefusalModel.from_dict``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace


@dataclass(frozen=True)
class FusionTuning:
    # A record's dense text score: (1 - w) * clause + w * best sentence
    # (sentence rows raised hybrid R@1 by 1–3 points on team/dev/test).
    sentence_weight: float = 0.7
    # …then (1 - w) * text + w * best curated question (0.5–1.0 tried on team + dev).
    question_weight: float = 0.7
    # Share of the question reworded in the plan's terms in the row cosines
    # (0.3 / 0.5 / 0.7 tried on team + dev).
    reworded_weight: float = 0.5
    # BM25's share of the fused score is this times the question's coverage
    # (the share of its tokens BM25 knows): an English question gets none.
    bm25_share: float = 0.5
    # Chinese words kept per English gloss when translating an English
    # question (chatbot/text/bilingual.py); 1–6 measured: 0.887–0.913 R@1 on the English questions.
    bilingual_per_key: int = 3
    bm25_k1: float = 1.2
    bm25_b: float = 0.5
    # A record of a document other than the default one, which the question
    # does not name, has its fused score multiplied by this (the library's
    # regulations must not crowd out the plan's own answers).
    other_doc_weight: float = 1.0
    # A record without curated questions gets this share of the mean lift
    # curated questions gave the question's top records (fusion.unasked_lift).
    # Session 14, all sets: 0 / 0.3 / 0.5 / 0.7 / 1.0 of the top 5's lift gave
    # library R@1 0.760 / 0.787 / 0.803 / 0.825 / 0.836 and fresh2 0.917 / 0.898 / 0.898 / 0.889 / 0.889
    # (the regulation answering fresh2's 保证金 and 一次性告知 questions beside the plan).
    unasked_lift_top: int = 5
    unasked_lift_share: float = 0.5
    unasked_lift_share_en: float = 0.5  # the same for an English question
    unnamed_doc_weight: float = 0.8  # a question naming a document: the others' records weigh this
    # A question asking what the law says without naming one ("条例怎么说"):
    # the default document's records weigh this.
    law_word_weight: float = 0.7
    # The dense pass scores every row of a small library (a record's score
    # needs its clause and all its sentences); past this many rows it takes
    # the nearest this many (a large library: the others score no dense part).
    max_dense_rows: int = 5000
    # The dense side reads at most this many characters of a question: a
    # 500-character question costs two 512-token e5 passes otherwise. On the
    # 142 eval questions over 64 characters (all sets) 512/256/128 gave the
    # same answers and R@1; 64 lost 6.5 points (eval.sweep, issue 14).
    max_query_chars: int = 128
    # Questions longer than this are embedded as asked only, not reworded too
    # (the second pass doubled the cost of the costliest input; on the same
    # 142 long questions 64 and "always" gave identical results).
    reworded_max_chars: int = 64
    # hits retrieved for each later part of a question asking several things (answer.parts);
    # a longer question, or one asking more parts, is read whole: each part is
    # analysed and embedded with the story, so 10,000 characters cut into parts
    # cost 15 s (tests/test_bad_input_api.py)
    part_depth: int = 3
    head_depth: int = 5  # …and for the first part, when it asks a figure, yes/no or how (Query.head)
    parts_max_chars: int = 200
    max_parts: int = 4


@dataclass(frozen=True)
class ExtractiveTuning:
    max_sentences: int = 3
    pick_floor: float = 0.5  # other sentences must score this share of the best one
    sentence_budget: int = 260  # characters of quoted text per answer, roughly
    short_clause_chars: int = 160  # a clause this short (≤ 3 sentences) is quoted whole
    short_clause_sentences: int = 3
    unmatched_evidence: float = 0.5  # below this the clause's leading sentences are quoted
    number_bonus: float = 1.0  # a sentence with a figure, when the question asks for one
    unknown_token_weight: float = 0.5
    min_token_weight: float = 0.1
    rerank_depth: int = 3  # how many retrieved clauses compete for the lead
    # A sentence's dense cosine (its row in the index) against its clause's
    # best, times the question's IDF mass, added to its lexical score.
    sentence_dense_weight: float = 2.0  # 0 / 2 / 5 / 10 tried on the dev pool: 2
    rerank_weight: float = 0.3  # sentence evidence (share of the question's IDF mass) added to the fused score
    second_ratio: float = 0.6  # cite a second clause when its combined score is this close
    second_evidence: float = 0.5  # …and its best sentence scores this share of the lead's
    second_sentences: int = 1
    max_claims: int = 2  # clauses an answer may quote (the lead and the ones that add to it)
    # A question asking several things ("…和…分别…"): up to this many clauses,
    # each adding at least this share of the question's words the others lack
    # and scoring this close to the lead (on the dev pool: 5 of 5 added were gold).
    max_claims_parts: int = 3
    parts_novelty: float = 0.1
    parts_ratio: float = 0.5
    # …and it says something the lead does not (question words of this IDF
    # weight that only it contains), or retrieval can hardly tell them apart.
    # Session 11, on team + dev + fresh + fresh2 + answers: a clause added for
    # novelty alone was outside gold 3 times in 4, so only near-ties (0.95 of
    # the lead's score) bring a second clause (0.9 / 0.95 / 0.98 tried).
    second_novelty: float = 99.0
    second_tie: float = 0.95
    related: int = 3  # clauses listed under 相关条款
    # …each scoring at least this share of the best cited clause: on the sets
    # (not answers2, fresh4/5/8) 0.6 drops 48% of the listed clauses and 2 of the
    # 117 that were a gold id (README, "Related clauses")
    related_floor: float = 0.6
    # A clause of another document (a regulation beside the plan) joins the
    # answer when it is among this many hits and scores this close to the lead.
    cross_depth: int = 5
    # A penalty article leading a "is this allowed" answer gives way to the rule
    # it restates: a hit this deep sharing a run of this many characters (answer.rules).
    rule_depth: int = 5
    rule_run: int = 10
    # 0.8 / 0.85 / 0.9 / 0.95 tried (session 11): plan precision against cross-document answers.
    # Session 14, with the unasked lift: 0.85 cost the plan sets 1–3 points of precision, 0.9 none.
    cross_ratio: float = 0.9
    # A yes/no, figure or when question quotes a regulation's article first
    # when its best sentence scores this share of the lead clause's (not tuned).
    law_first: float = 0.8
    # A question asking for a length of time, a sum or a rate whose lead
    # clause states none: the best clause among this many hits that states
    # one leads instead, when it scores this close to the lead.
    figure_depth: int = 5
    # …and for the first part of a question asking several things, read alone
    # (extractive._head_first): the stating sentence needs this share of the
    # lead sentence's evidence, the story's words counting in both.
    head_evidence: float = 0.25
    figure_ratio: float = 0.7
    # One rule stated per case (answer.cases): sentences of the lead clause
    # sharing a run of at least this many characters, and this share of the
    # shorter sentence, after a differing opening of at most this many (not tuned).
    case_frame_chars: int = 8
    case_frame_share: float = 0.3
    case_subject_chars: int = 40
    # A later part of a question asking several things ("…这合理吗？去哪反映？"):
    # it counts as answered when the quoted sentences hold this share of its own
    # topic words' IDF weight; else the best sentence among its own hits
    # (FusionTuning.part_depth) holding that share joins the answer, or the gap
    # is said (answer.parts; not tuned). A part asking a new topic is answered
    # only from the whole question's first ``part_near`` hits, by a sentence
    # holding ``part_topic`` of the topic words asked before it too.
    part_cover: float = 0.5
    part_near: int = 5
    part_topic: float = 0.5
    # …or, a part asking no figure, by a sentence of one of its own hits holding at
    # least this many of its own topic words, each of two characters or more and
    # none from a document's title ("另外税务这块清税有没有省事的办法": 税务, 清税).
    part_own_words: int = 2


@dataclass(frozen=True)
class VersionTuning:
    """Matching an article to its counterpart in the other version of its
    document (``answer.versions``). Chosen on qa_library's version questions
    over smepay/smepay2020: of the 2025 text's 37 articles, those with a
    counterpart score 0.31–1.0 bigram overlap; new ones tie with their runner-up."""

    min_similarity: float = 0.35  # this close in text: the counterpart
    weak_similarity: float = 0.12  # …or this close and clearly ahead of the runner-up
    lead_over_second: float = 1.8
    max_changes: int = 3  # differing passages quoted in the lead


@dataclass(frozen=True)
class RefusalModel:
    """A logistic model of P(out of scope) over named signals, with the
    neutral values a signal takes when it cannot be measured."""

    features: tuple[str, ...] = ()
    coef: dict = field(default_factory=dict)
    intercept: float = 0.0
    threshold: float = 0.5
    neutral: dict = field(default_factory=dict)  # dz, sent, faq, nm, kq
    embedder: str = ""  # the cosines are on this embedder's scale
    english_dense_min: float = 0.72
    english_margin: float = -0.02

    def p_out(self, feats: dict) -> float:
        z = self.intercept + sum(self.coef[k] * feats[k] for k in self.features)
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_dict(cls, d: dict) -> "RefusalModel":
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        if "features" in d:
            d["features"] = tuple(d["features"])
        missing = [k for k in d.get("features", ()) if k not in d.get("coef", {})]
        if missing:
            raise ValueError(f"refusal model has no coefficient for {missing}")
        return cls(**d)


@dataclass(frozen=True)
class Tuning:
    fusion: FusionTuning = field(default_factory=FusionTuning)
    extractive: ExtractiveTuning = field(default_factory=ExtractiveTuning)
    refusal: RefusalModel = field(default_factory=RefusalModel)
    versions: VersionTuning = field(default_factory=VersionTuning)
    top_k: int = 5  # clauses an answer is composed from
    followup_max_chars: int = 16  # longer questions stand on their own
    llm_support_min: float = 0.25  # share of a sentence's bigrams its cited clause must contain
    # "有补贴吗 每个月多少钱": a yes/no part beside a figure the text lacks is
    # answered (the figure said missing) when, figure aside, the question's
    # out-of-scope probability is below this share of the threshold (not tuned).
    part_answer_share: float = 0.5

    def with_threshold(self, threshold: float | None) -> "Tuning":
        if threshold is None:
            return self
        return replace(self, refusal=replace(self.refusal, threshold=float(threshold)))
