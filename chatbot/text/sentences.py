"""Clause bodies split into sentences: the unit the answerer quotes and the
dense index embeds alongside whole clauses."""
from __future__ import annotations

import re

_SENT_SPLIT = re.compile(r"(?<=[。；;！？!?])|\n")
_LEADING_ID = re.compile(r"^\s*\d{1,3}[.．]\d{1,2}(?!\d)\s*")


def strip_id(body: str) -> str:
    """"5.3将简易注销…" → "将简易注销…" (the id is cited separately)."""
    return _LEADING_ID.sub("", body or "", count=1)


def split_sentences(body: str) -> list[str]:
    """Sentences of a clause body, split on 。；！？ and line breaks."""
    out = []
    for s in _SENT_SPLIT.split(strip_id(body)):
        s = s.strip()
        if len(s.strip("。；;，, ")) >= 2:
            out.append(s)
    return out
