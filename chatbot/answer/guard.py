"""Text that is not a question about the documents at all: SQL, program code,
instructions aimed at the assistant, keyboard mashing.

Retrieval always finds *some* nearest clause, and the refusal model is fitted
on questions, so such input used to come back as an unrelated clause. It is
recognised here by its shape, before anything is retrieved, and declined
with a request to ask a real question. Each pattern asks for the structure
of the thing (a SELECT with its FROM, a DROP with its TABLE), never a single
word, so a question that merely mentions "SQL" or "select" still gets an
answer.
"""
from __future__ import annotations

import re

_I = re.IGNORECASE
# Each entry needs the statement's structure, not a keyword: "select a bank
# from the list" is a question, "SELECT * FROM feedback" is not.
SQL = (
    re.compile(r"\bSELECT\b.{1,200}?\bFROM\b"),
    re.compile(r"\bselect\s+(?:\*|count\s*\(|distinct\b)|\bunion\s+(?:all\s+)?select\b", _I),
    re.compile(r"\bselect\b.{1,100}?\bfrom\s+\S+\s+(?:where|limit|order\s+by|group\s+by)\b", _I),
    re.compile(r"\b(?:drop|truncate|alter)\s+(?:table|database|schema|index|view)\b"
               r"|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+[\w.`\"\[\]]+\s+set\b", _I),
    re.compile(r"['\"]\s*(?:or|and)\s+['\"]?\w+['\"]?\s*=\s*['\"]?\w+"  # ' or '1'='1
               r"|['\"]\s*;|;\s*--|/\*.*?\*/|\bxp_cmdshell\b|\bsleep\s*\(\s*\d+\s*\)", _I),
)

CODE = (
    re.compile(r"<\s*/?\s*(?:script|iframe|img|svg|object|embed|style)\b|<\?php|\bjavascript\s*:"
               r"|\bon(?:error|load|click|mouseover)\s*=", _I),
    re.compile(r"\b(?:def|function)\s+\w+\s*\(|\bfunction\s*\(|=>\s*\{|\blambda\s+\w*\s*:"
               r"|\bfrom\s+\w+(?:\.\w+)*\s+import\b|^\s*import\s+[\w.]+\s*;?\s*$|\brequire\s*\(\s*['\"]"
               r"|\b(?:eval|exec|popen|__import__)\(|\bos\.\w+\s*\(|\bsubprocess\.|\bconsole\.log\s*\("
               r"|#include\s*<|\bprintf\s*\(|\bSystem\.out\.|\bpublic\s+static\s+void\b", _I | re.MULTILINE),
    re.compile(r"\b(?:rm|chmod|chown|curl|wget)\s+-{1,2}\w|\$\(\s*\w|`[^`]*\b(?:ls|cat|rm|id|whoami)\b[^`]*`"
               r"|\{\{.*?\}\}|\$\{.*?\}|(?:\.\./){2,}|/etc/(?:passwd|shadow)\b", _I),
)

# Addressed to the assistant, not to the documents: what it should ignore,
# become, reveal or print. A bare "ignore the rules" may be a question about
# rules, so rules and requirements count only with "previous", "all", "your"…
_BEFORE = r"(?:previous|prior|above|earlier|preceding|former|original|all|any|your|my|these|those|system)"
INJECTION = (
    re.compile(r"\b(?:ignore|disregard|forget|override|bypass)\b(?:\s+(?:all|any|of|the|your|my|these|those))*"
               r"(?:\s+" + _BEFORE + r")?\s+(?:instructions?|prompts?|directions?|directives?)\b"
               r"|\b(?:ignore|disregard|forget|override|bypass)\b(?:\s+(?:all|any|of|the))*\s+" + _BEFORE
               + r"\s+(?:rules|guidelines|context|constraints|messages)\b", _I),
    re.compile(r"(?:^|[.!:;,]\s*)you\s+are\s+now\b|\b(?:from\s+now\s+on,?\s+you|pretend\s+(?:to\s+be|you\s+are)|roleplay\s+as)\b"
               r"|\b(?:system\s+prompt|developer\s+mode|jailbreak|do\s+anything\s+now)\b"
               r"|\b(?:reveal|print|show|repeat|output|tell\s+me)\b.{0,30}?\byour\s+(?:system\s+)?"
               r"(?:prompt|instructions?|rules|configuration|api\s*key|password|secrets?)\b"
               r"|\b(?:cite|quote|invent|make\s+up|fabricate)\s+(?:a\s+)?(?:fake|nonexistent|non-existent)\b", _I),
    re.compile(r"(?:忽略|无视|忘记|忘掉|不要理会|跳过)掉?(?:你)?(?:(?:之前|以上|上面|前面|先前|所有|全部|一切)的?)+"
               r"(?:指令|指示|提示|设定|规则|限制|对话|要求|内容)"
               r"|(?:忽略|无视|忘记|忘掉|不要理会)掉?(?:你的)?(?:指令|指示|提示词|设定)"
               r"|你现在是|从现在起你|现在开始你是|你要扮演|请扮演|假装你是|角色扮演|开发者模式|越狱模式"
               r"|(?:输出|显示|告诉我|泄露|打印|重复)[^。？?]{0,6}?你的(?:提示词|系统指令|系统提示|设定|指令)"),
)

# Letters that lie next to each other on a QWERTY keyboard: a run typed by
# sliding over a row ("asdfghjkl", "qwerty") has almost only such neighbours.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_POS = {ch: (r, i) for r, row in enumerate(_ROWS) for i, ch in enumerate(row)}
_VOWELS = set("aeiouy")


def _adjacent(a: str, b: str) -> bool:
    (ra, ia), (rb, ib) = _POS[a], _POS[b]
    return a == b or (ra == rb and abs(ia - ib) == 1) or (abs(ra - rb) == 1 and -1 <= ib - ia <= 1)


def _mashed_word(w: str) -> bool:
    if len(w) < 5 or any(ch not in _POS for ch in w):
        return False
    pairs = list(zip(w, w[1:]))
    adjacent = sum(_adjacent(a, b) for a, b in pairs) / len(pairs)
    one_row = any(set(w) <= set(row) for row in _ROWS)
    vowels = sum(ch in _VOWELS for ch in w) / len(w)
    # Real words and pinyin alternate vowels; a slide over the keys does not.
    return adjacent >= 0.75 or (one_row and len(w) >= 6 and vowels < 0.25) or (len(w) >= 7 and vowels == 0)


def mashing(text: str) -> bool:
    """Latin letters only, and every word of them typed by sliding or
    hammering keys; a run of one repeated character counts too."""
    t = text.strip().lower()
    if re.fullmatch(r"(.)\1{5,}[?？!！。.]*", t):
        return True
    if re.search(r"[\u4e00-\u9fff0-9]", t):
        return False
    words = re.findall(r"[a-z]+", t)
    if not words or sum(map(len, words)) < 5:
        return False
    return all(_mashed_word(w) or len(w) <= 2 for w in words) and any(_mashed_word(w) for w in words)


def judge(text: str) -> str | None:
    """The kind of non-question TEXT is ("sql", "code", "injection",
    "mashing"), or None for anything that may be a question."""
    for kind, patterns in (("injection", INJECTION), ("sql", SQL), ("code", CODE)):
        if any(p.search(text) for p in patterns):
            return kind
    if mashing(text):
        return "mashing"
    return None
