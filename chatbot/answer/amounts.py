"""The figures an answer can lead with, by kind: a length of time, a sum of
money, a rate, a count. Shared by the lead sentence and the gap finder."""
from __future__ import annotations

import re

FIGURES = {
    # A length of time, not a point in it: "2023年底前" and "12月31日" are dates,
    # and "1年期贷款市场报价利率" names a loan's term.
    "duration": re.compile(r"(?<![\d月.])\d{1,3}(?:\.\d+)?\s*(?:个)?(?:工作日|天|日|小时|分钟|个月|年)(?![底末初度期])(?:以内|内)?"
                           r"|[一二三四五六七八九十两半]+(?:个)?(?:工作日|天|小时|个月)"),
    "money": re.compile(r"\d+(?:\.\d+)?\s*(?:元|万元|亿元)|免费|零收费|免服务费|免收|不收取|免交"),
    "rate": re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之[一二三四五六七八九十百]+"),
    "count": re.compile(r"\d+\s*(?:个|项|家|次|人次|台|座|所|级|类|种|条|批)|[一二三四五六七八九十两]+(?:个|项|家|级|类|种|批)"),
}
