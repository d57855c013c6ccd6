"""English questions translated with a general dictionary (text.bilingual):
the table keeps only Chinese words the library uses, so the same code serves
any document set; what it buys is measured by eval.report, not here."""
from __future__ import annotations

from chatbot.text.bilingual import Bilingual, Translator, load_cedict

ENTRIES = [("付款", ["to pay a sum of money", "payment"]), ("支付", ["to pay (money)"]),
           ("利息", ["interest (on a loan)"]), ("兴趣", ["interest", "hobby"]),
           ("个体户", ["self-employed person", "small trader"]), ("注销", ["to cancel", "to write off"]),
           ("火箭", ["rocket"]), ("付", ["to pay"])]
TEXT = "付款 支付 利息 个体户 注销"


def table() -> Bilingual:
    return Bilingual.from_entries(ENTRIES, lambda w: TEXT.count(w))


def test_only_words_the_documents_use_are_kept():
    t = table()
    assert t.terms("rocket payment") == ["付款"]  # 火箭 is not in the text
    assert "兴趣" not in t.terms("late interest")  # nor is 兴趣; 利息 is
    assert t.terms("late interest") == ["利息"]


def test_single_characters_and_general_words_are_not_translated():
    t = table()
    assert "付" not in t.terms("pay")
    assert t.terms("what can you make") == []


def test_plural_and_past_forms_find_the_dictionary_form():
    t = table()
    assert t.terms("payments") == ["付款"]
    assert t.terms("canceled") == ["注销"]
    assert "个体户" in t.terms("small traders")


def test_phrases_are_looked_up_before_their_words():
    assert table().terms("a self-employed person")[0] == "个体户"


def test_the_table_is_fitted_once_on_first_use():
    calls = []

    def entries():
        calls.append(1)
        return ENTRIES

    tr = Translator(entries, lambda w: TEXT.count(w))
    assert calls == []
    tr.terms("payment")
    tr.terms("interest")
    assert calls == [1]


def test_the_shipped_dictionary_reads():
    first = next(iter(load_cedict()))
    assert isinstance(first[0], str) and isinstance(first[1], list)


def test_an_english_question_gets_the_documents_words_as_tokens(engine):
    q = engine.analyse("What late-payment interest can a small company claim?")
    assert "利息" in q.tokens


def test_only_english_questions_are_translated(engine, monkeypatch):
    asked = []

    class Recorder:
        def terms(self, text):
            asked.append(text)
            return ["利息"]

    monkeypatch.setattr(engine.analyzer, "translator", Recorder())
    engine.analyse("逾期利息怎么算")
    engine.analyse("SME付款 interest")
    assert asked == []
    assert "利息" in engine.analyse("late interest").tokens and asked == ["late interest"]
