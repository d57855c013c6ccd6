"""Question clean-up and preparation: what every entry point (CLI, API, web)
applies first, in one place and with one wording."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, no download

    return opencc.OpenCC("t2s")


def clean(text: str | None) -> str:
    """Drop control characters and lone surrogates, fold whitespace."""
    if not text:
        return ""
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


# "到25年", "24年底前": a year written short, as people do (a length of time,
# "干了25年", is not preceded or followed by these words)
_SHORT_YEAR = re.compile(r"(?<![\d.])(?:(?<=到)|(?<=至)|(?<=截至)|(?<=截止))(2\d)(?=年)|(?<![\d.])(2\d)(?=年(?:底|末|前|以前|之前|上半年|下半年|\d{1,2}月))")


def normalize(text: str) -> str:
    """Form used for matching: clean, NFKC (full-width digits → ASCII),
    Traditional → Simplified, a short year written out ("到25年" → "到2025年").
    Chinese punctuation is kept (NFKC would turn （ into ( and break nothing,
    but keep quotes as the corpus writes them)."""
    text = clean(text)
    text = "".join(unicodedata.normalize("NFKC", c) if c.isalnum() or c in "．：" else c for c in text)
    text = _SHORT_YEAR.sub(lambda m: "20" + (m.group(1) or m.group(2)), text)
    return to_simplified(text)


def truncate(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    return text[:limit], True


def has_content(text: str) -> bool:
    """True when the question holds at least one letter, digit or CJK character."""
    return any(c.isalnum() for c in text)


@dataclass(frozen=True)
class Prepared:
    """A question as the front ends hand it on: cleaned and cut to the limit."""

    text: str
    notice: str | None = None  # shown to the asker when the question was cut

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def empty(self) -> bool:
        """Nothing to answer: no letter, digit or CJK character."""
        return not has_content(self.text)


def prepare(raw, limit: int) -> Prepared:
    """Clean a question from any front end and cut it to ``limit`` characters,
    saying so when it was cut."""
    q = clean(raw if isinstance(raw, str) else ("" if raw is None else str(raw)))
    cut, was_cut = truncate(q, limit)
    notice = f"问题过长（{len(q)}字），只按前{limit}字处理。" if was_cut else None
    return Prepared(cut.strip(), notice)
