"""Question clean-up (chatbot.text.normalize) and the pinyin typo repair it feeds
(chatbot.text.typos). Pure functions: no index, no model."""
from __future__ import annotations

import pytest

from chatbot.text.normalize import clean, has_content, normalize, to_simplified, truncate
from chatbot.text.lexicon import tokens
from chatbot.text.typos import TypoFixer, pinyin_key

from conftest import glossary


# -- Traditional → Simplified -------------------------------------------------------
@pytest.mark.parametrize("trad,simp", [
    ("開辦企業", "开办企业"),
    ("開辦企業刻章要收費嗎", "开办企业刻章要收费吗"),
    ("企業註銷要多久", "企业注销要多久"),
    ("營業執照", "营业执照"),
    ("稅務局", "税务局"),
    ("第5.3條講什麼", "第5.3条讲什么"),
    ("保障措施第三條", "保障措施第三条"),
])
def test_traditional_to_simplified(trad, simp):
    assert to_simplified(trad) == simp
    assert normalize(trad) == simp


def test_simplified_text_unchanged():
    s = "将简易注销登记公示时间由45天压缩至20天。"
    assert normalize(s) == s


# -- full-width forms ------------------------------------------------------------------
@pytest.mark.parametrize("raw,expected", [
    ("第５．３条", "第5.3条"),
    ("１２３４５热线", "12345热线"),
    ("Ｓ３", "S3"),
    ("ＡＢＣ公司", "ABC公司"),
    ("２０２４年６月", "2024年6月"),
])
def test_full_width_letters_and_digits(raw, expected):
    assert normalize(raw) == expected


def test_chinese_punctuation_kept():
    # only letters, digits, ． and ： are folded; （）“”，。 stay as the corpus writes them
    assert normalize("（责任单位：“好差评”，好。）") == "（责任单位:“好差评”，好。）"


# -- control characters, whitespace, surrogates -------------------------------------------
def test_control_characters_removed():
    assert clean("企业\x00开办\x07要\x1b多久\x7f") == "企业 开办 要 多久"
    assert clean("\ufeff刻章\u200b要钱吗\u200f") == "刻章 要钱吗"


def test_whitespace_folded():
    assert clean("  企业\t\t开办\r\n要多久  ") == "企业 开办 要多久"
    assert clean("a\u2028b\u2029c") == "a b c"
    assert clean("全角\u3000空格") == "全角 空格"


def test_lone_surrogates_do_not_crash():
    out = clean("刻章\ud800要钱\udfff吗")
    out.encode("utf-8")  # valid UTF-8 again
    assert "刻章" in out and "要钱" in out and "吗" in out
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in out)
    norm = normalize("開辦\udc80企業")
    norm.encode("utf-8")
    assert "开办" in norm and "企业" in norm


@pytest.mark.parametrize("empty", [None, "", "   ", "\x00\x01", "\u200b\ufeff"])
def test_clean_empty(empty):
    assert clean(empty) == ""
    assert normalize(empty or "") == ""


def test_has_content():
    assert has_content("刻章")
    assert has_content("5.3")
    assert has_content("S3")
    for s in ("", "   ", "？？？", "。，！", "...", "——"):
        assert not has_content(s), s


def test_truncate():
    assert truncate("一二三", 5) == ("一二三", False)
    assert truncate("一二三四五六", 4) == ("一二三四", True)
    assert truncate("一二三四", 4) == ("一二三四", False)


def test_normalize_is_idempotent():
    for q in ("開辦企業刻章要收費嗎", "第５．３条", "  企业\t注销 ", "How long? 要多久"):
        once = normalize(q)
        assert normalize(once) == once


# -- tokens and pinyin typo repair ---------------------------------------------------------
def test_tokens_drop_stopwords_and_punctuation():
    toks = tokens("请问企业开办要多久？")
    assert "企业" in toks and "开办" in toks
    for t in ("请问", "要", "多久", "？"):
        assert t not in toks


def test_pinyin_key_is_fuzzy():
    assert pinyin_key("注消") == pinyin_key("注销")
    assert pinyin_key("破惨") == pinyin_key("破产")  # can ~ chan (ch → c, an)
    assert pinyin_key("注销") != pinyin_key("登记")


@pytest.fixture(scope="module")
def fixer():
    corpus = "实行企业简易注销登记。优化办理破产服务方式。企业开办全流程。"
    return TypoFixer(corpus, {"注销", "破产", "企业", "开办", "登记", "简易", "服务"}, glossary())


def test_typo_fixer_repairs(fixer):
    assert fixer.fix("企业注消要多久") == ("企业注销要多久", [("注消", "注销")])
    text, fixes = fixer.fix("公司破惨了怎么办")
    assert text == "公司破产了怎么办" and fixes == [("破惨", "破产")]


def test_typo_fixer_leaves_correct_text(fixer):
    for q in ("企业注销要多久", "优化办理破产服务", "企业开办要多久"):
        assert fixer.fix(q) == (q, [])


def test_typo_fixer_ignores_latin_and_digits(fixer):
    assert fixer.fix("How long 45 days") == ("How long 45 days", [])


@pytest.fixture(scope="module")
def plan_fixer(library):
    from chatbot.text.lexicon import init_dictionary, tokens

    text = "\n".join(r.measure_title + "\n" + r.text for r in library.records)
    init_dictionary(text)
    return TypoFixer(text, {t for r in library.records for t in tokens(r.text)}, glossary())


@pytest.mark.parametrize("question", [
    "开公司要刻章吗",  # 开公 is not a typo of 开工: 公司 is a word
    "结婚登记需要带什么材料",  # 记需 → 急需 would cut 登记 and 需要
    "小规模纳税人增值税起征点是多少",
    "政府单位欠我们公司工程款好久了一直不给",
    "一点小违规能不能不罚款",
    "重大劳动人事争议要在多长时间内报告",
    "新疆今年高考分数线是多少",
    "办证多少钱是否收费",  # question words are never rewritten into plan terms
])
def test_typo_fixer_does_not_repair_across_words(plan_fixer, question):
    assert plan_fixer.fix(question) == (question, [])


@pytest.mark.parametrize("question,fix", [
    ("企业注消公示要几天", ("注消", "注销")),
    ("电子营业直照能代替纸质的吗", ("营业直照", "营业执照")),
    ("农名工工资保证金能用保函代替吗", ("农名", "农民")),
    ("公司想建议注销，公示期要多少天", ("建议注销", "简易注销")),
    ("企业不动产等记能全程网办吗", ("等记", "登记")),
    # 多 is also a question character (多少), but here it is part of the term
    ("厂房竣工了多侧合一是怎么弄的", ("多侧合一", "多测合一")),
    # an everyday word the glossary knows (个体户 → 个体工商户), mistyped
    ("社区让我们这些个题户每家出两百块", ("个题户", "个体户")),
])
def test_typo_fixer_repairs_plan_terms(plan_fixer, question, fix):
    assert fix in plan_fixer.fix(question)[1]


def test_prepare_is_the_one_question_preparation():
    """Every front end prepares a question the same way and says so the same way."""
    from chatbot.text.normalize import prepare

    p = prepare("  刻章\x00要钱吗  ", 500)
    assert p.text == "刻章 要钱吗" and p.notice is None and not p.blank and not p.empty
    long = prepare("简" * 600, 500)
    assert len(long.text) == 500 and long.notice == "问题过长（600字），只按前500字处理。"
    assert prepare(None, 500).blank and prepare("？？？", 500).empty and not prepare("？？？", 500).blank


def test_glossary_off_is_measurable():
    """Without a glossary nothing is expanded or reworded (what a new document gets)."""
    from chatbot.text.glossary import Glossary

    g = glossary()
    assert "印章" in g.expand("刻章要钱吗") and "印章" in g.expand("company seals")
    assert Glossary.empty().expand("刻章要钱吗") == []
    assert Glossary.empty().plan_wording("刻公章", ["公章"], lambda t: True) == "刻公章"


@pytest.mark.parametrize("raw, expected", [
    ("到25年大概能覆盖多少", "到2025年大概能覆盖多少"),
    ("24年底前要达到多少", "2024年底前要达到多少"),
    ("截至23年12月", "截至2023年12月"),
    ("干了25年了", "干了25年了"),  # a length of time stays
    ("第25年", "第25年"),
])
def test_a_short_year_is_written_out(raw, expected):
    assert normalize(raw) == expected
