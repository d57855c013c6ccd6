"""Chinese numerals, as the plan and people write them (十七, 一百二十三, 两)."""
from __future__ import annotations

CN_NUM = "零一二三四五六七八九十百两"
_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_to_int(s: str) -> int | None:
    """Chinese numerals up to the thousands: 十七 → 17, 一百二十三 → 123;
    ASCII digits pass through; anything else is None."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, num = 0, 0
    for ch in s:
        if ch in _DIGITS:
            num = _DIGITS[ch]
        elif ch in _UNITS:
            total += (num or 1) * _UNITS[ch]
            num = 0
        else:
            return None
    return total + num


def int_to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    s = digits[n // 100] + "百"
    if rest == 0:
        return s
    if rest < 10:
        return s + "零" + digits[rest]
    return s + (digits[rest // 10] + "十" + (digits[rest % 10] if rest % 10 else ""))
