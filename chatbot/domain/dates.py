"""Months: a clause's deadline as written ("2023年12月底前") and as data
("2023-12"), filter bounds, and how a month reads in Chinese."""
from __future__ import annotations

import re

_DEADLINE = re.compile(r"^(\d{4})年(\d{1,2})月(?:底|底前|前)?$")
_MONTH = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月(?:底前|底|前)?)?\s*")
YEARS = (2000, 2100)


def _valid(year: int, month: int) -> bool:
    return YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12


def normalize_deadline(raw: str | None) -> str | None:
    """A 完成时限 as written → "YYYY-MM"; None when it is absent or garbled
    ("20235年12月" stays unparsed: the text is kept, never guessed)."""
    if not raw:
        return None
    m = _DEADLINE.match(raw.strip())
    if not m or not _valid(int(m.group(1)), int(m.group(2))):
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def parse_month(value: str | None) -> str | None:
    """"2024-6", "2024/06", "2024年6月" → "2024-06"; None/"" → None.
    Anything else raises ValueError: a raw string compares wrongly
    ("2024-12" < "2024-6")."""
    if value is None or not str(value).strip():
        return None
    m = _MONTH.fullmatch(str(value))
    if m and _valid(int(m.group(1)), int(m.group(2))):
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    raise ValueError(f"month {value!r} is not YYYY-MM")


def month_label(ym: str) -> str:
    """"2024-06" → "2024年6月"."""
    y, m = ym.split("-")
    return f"{int(y)}年{int(m)}月"
