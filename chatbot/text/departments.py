"""Loose matching of department names: 税务局 = 国家税务总局伊吾县税务局."""
from __future__ import annotations

import re

# alias → canonical name as the plan writes it
ALIASES = {
    "税务局": "国家税务总局伊吾县税务局", "税务": "国家税务总局伊吾县税务局",
    "人社局": "人力资源和社会保障局", "人社": "人力资源和社会保障局", "人力资源局": "人力资源和社会保障局",
    "市监局": "市场监督管理局", "市场监管局": "市场监督管理局", "工商局": "市场监督管理局",
    "市场监管": "市场监督管理局", "市场监督": "市场监督管理局",
    "住建局": "住房和城乡建设局（交通运输局）", "交通局": "住房和城乡建设局（交通运输局）",
    "交通运输局": "住房和城乡建设局（交通运输局）", "住房和城乡建设局": "住房和城乡建设局（交通运输局）",
    "发改委": "发展改革委", "发改局": "发展改革委", "发展和改革委员会": "发展改革委",
    "法院": "县人民法院", "人民法院": "县人民法院",
    "检察院": "检察院", "供电公司": "国网伊吾供电公司", "国网": "国网伊吾供电公司", "电力公司": "国网伊吾供电公司",
    "政务中心": "政务服务中心", "政务大厅": "政务服务中心",
    "组织部": "县委组织部", "编办": "县委编办",
    "卫健局": "卫健委", "卫生健康委": "卫健委", "卫生局": "卫健委",
    "工信局": "商科工信局", "商务局": "商科工信局", "科技局": "商科工信局",
    "林草局": "林业和草原局", "应急局": "应急管理局", "环保局": "生态环境局", "农业局": "农业农村局",
    "纪委": "纪委监委", "监委": "纪委监委", "园区管委会": "工业园区管委会", "工业园区": "工业园区管委会",
    "公积金中心": "住房公积金管理中心", "文旅局": "文体广旅局", "国资局": "国资委",
    "自然资源和规划局": "自然资源局", "国土局": "自然资源局", "财政": "财政局",
}


def _strip(name: str) -> str:
    return re.sub(r"^(伊吾县|伊吾|县)", "", name.strip())


def canonical(name: str, known: list[str]) -> str | None:
    """The plan's own name for a department given loosely, or None."""
    name = _strip(name)
    if not name:
        return None
    # "市场监管部门", "税务机关" name the same body as "市场监管", "税务"
    bare = re.sub(r"(部门|机关|单位|系统)$", "", name)
    if bare != name and bare and (found := canonical(bare, known)):
        return found
    for k in known:
        if name == k or name == _strip(k):
            return k
    if name in ALIASES and ALIASES[name] in known:
        return ALIASES[name]
    # partial: "供电公司" in "国网伊吾供电公司"; "住房和城乡建设局" in its full form
    hits = [k for k in known if len(name) >= 2 and name in k]
    if len(hits) == 1:
        return hits[0]
    if hits:
        return min(hits, key=len)
    return None


def mentioned(text: str, known: list[str]) -> list[str]:
    """Departments named in a question, longest names first so 县人民法院
    wins over 法院, without double counting."""
    hits: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    # longest first (县人民法院 before 法院); ties by name so the result never
    # depends on set order
    names = sorted(set(known) | set(ALIASES), key=lambda n: (-len(n), n))
    for n in names:
        if len(n) < 2:
            continue
        for m in re.finditer(re.escape(n), text):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            canon = canonical(n, known)
            if canon:
                spans.append((m.start(), m.end()))
                hits.append((m.start(), canon))
    found: list[str] = []
    for _, canon in sorted(hits):
        if canon not in found:
            found.append(canon)
    return found


def matches(query: str, units: list[str], known: list[str]) -> bool:
    c = canonical(query, known)
    if c is None:
        return any(_strip(query) in u for u in units)
    return c in units
