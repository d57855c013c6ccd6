"""Chinese tokenisation for BM25 (jieba + a domain dictionary) and
pinyin-based repair of input-method typos (注消 → 注销, 破惨 → 破产)."""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

# Policy jargon jieba would otherwise split; quoted terms from the corpus are added too.
DOMAIN_TERMS = """
简易注销 一网通办 一网服务 跨省通办 全市通办 跨域通办 好差评 免申即享 容缺受理 容缺办理 多测合一
府院联动 双随机 一公开 一件事一次办 一件事 最多跑一次 电子营业执照 电子印章 电子证照 电子签名
清税证明 首套印章 项目管家 告知承诺 繁简分流 三零 三省 清吊 电子劳动合同 农民工工资保证金
不动产登记 知识产权 营商环境 中小投资者 破产管理人 失信惩戒 信用修复 政务服务 一窗受理
联合验收 区域评估 用水用气 获得电力 报装 招投标 政府采购 质疑投诉 预付款 失业保险金 失业补助金
灵活就业 经济性裁员 劳动人事争议 技能人才 人才公寓 公租房 互联网+监管 信用监管 包容审慎
首违不罚 柔性执法 涉企收费 公平竞争审查 反垄断 拖欠账款 中小企业 个体工商户 食品经营许可
连锁门店 分支机构 注销公告 电子发票 税务Ukey 办税 纳税信用 出口退税 跨境贸易 通关
不动产权 电子证书 诉讼服务 在线诉讼 电子送达 执行难 财产保全 胜诉 证券 上市公司
""".split()

STOPWORDS = set("""
的 了 吗 呢 吧 啊 呀 么 嘛 是 在 有 和 与 及 或 等 对 把 被 给 让 从 向 到 于 以 为 就 都 也 还 又 很 太
我 你 他 她 它 我们 你们 他们 咱 咱们 这 那 这个 那个 这些 那些 哪 哪些 哪个 什么 怎么 怎么样 怎样 如何
为什么 多少 几 多久 能 能不能 可以 可不可以 会 要 需要 想 请问 请 一下 一个 个 吗？ 没有 不 没 是否 现在
如果 的话 时候 有没有 是不是 请教 问 问下 问一下 谁 哪里 哪儿 啥 咋 该 应该 得 着 过 上 下 里 中 后 前
县 伊吾 伊吾县 政府 方案 行动 措施 条 规定 政策
""".split()) | set("""
a an the is are was were be been do does did i we you he she it they my our your their me us of to in on
for at by with from as and or not no can could should would will shall may might must have has had what
which who whom when where why how this that these those there here any some all about into than then so
if please tell yiwu county
""".split())

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_lock = threading.Lock()
_loaded: set[str] = set()


def add_terms(terms) -> None:
    """Teach jieba the corpus's own terms (idempotent, thread-safe)."""
    with _lock:
        for t in terms:
            t = t.strip()
            if 2 <= len(t) <= 12 and t not in _loaded:
                jieba.add_word(t, freq=200000)
                _loaded.add(t)


def quoted_terms(text: str) -> list[str]:
    return [t for t in re.findall(r"“([^”]{2,12})”", text) if "、" not in t]


def init_dictionary(corpus_text: str) -> None:
    add_terms(DOMAIN_TERMS)
    add_terms(quoted_terms(corpus_text))


def tokens(text: str) -> list[str]:
    """Search-mode jieba tokens, lower-cased, without stopwords/punctuation."""
    out = []
    for t in jieba.cut_for_search(text.lower()):
        t = t.strip()
        if not t or t in STOPWORDS or _PUNCT.match(t):
            continue
        out.append(t)
    return out


# -- pinyin typo repair ------------------------------------------------------
def _cuts_a_word(start: int, end: int, words: list[tuple[int, int]]) -> bool:
    """The span [start, end) takes part of a word: 公司 in 开公司 is no typo
    window for 开公 → 开工, nor 登记 in 登记需要 for 记需 → 急需."""
    return any(a < end and start < b and not (start <= a and b <= end) for a, b in words)


_FUZZY = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"),
          ("l", "n"), ("h", "f")]


@lru_cache(maxsize=20000)
def _char_key(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    p = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    if not p:
        return ch
    s = p[0]
    for a, b in _FUZZY:
        if s.startswith(a) or s.endswith(a):
            s = s.replace(a, b)
    return s


def pinyin_key(word: str) -> str:
    return " ".join(_char_key(c) for c in word)


# Characters that make up the question itself (讲什么, 要多久), not policy terms.
_QUESTION_CHARS = set("讲说问是有要在的了吗呢吧啊么什怎哪几多少谁能会可请我你他它这那个")


class TypoFixer:
    """Replace a 2–4 character run that never occurs in the corpus by a
    corpus word that sounds the same (fuzzy pinyin), e.g. 注消 → 注销."""

    def __init__(self, corpus_text: str, vocabulary: set[str]):
        self.corpus_text = corpus_text
        self.by_key: dict[str, list[str]] = {}
        for w in vocabulary:
            if 2 <= len(w) <= 4 and all(_HAN.match(c) for c in w):
                self.by_key.setdefault(pinyin_key(w), []).append(w)
        for ws in self.by_key.values():
            ws.sort(key=lambda w: -corpus_text.count(w))

    def _is_word(self, frag: str) -> bool:
        """A correctly spelled everyday word (工伤, 网店) is not a typo of a
        plan term that sounds alike (工商, 网点): jieba knows it as a common
        word, or the glossary lists it. Typos like 注消 are rare in jieba's
        dictionary (frequency 3)."""
        from .glossary import COLLOQUIAL

        return jieba.dt.FREQ.get(frag, 0) >= 10 or frag in COLLOQUIAL

    def _words(self, run: str) -> list[tuple[int, int]]:
        """Spans of the dictionary words in a run of Chinese text (jieba's cut
        without its guesser for unknown words)."""
        return [(a, b) for w, a, b in jieba.tokenize(run, HMM=False)
                if b - a >= 2 and (jieba.dt.FREQ.get(w, 0) > 0 or w in self.corpus_text)]

    def fix(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        fixes: list[tuple[str, str]] = []
        out = text
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            words = self._words(run)
            i = 0
            while i < len(run) - 1:
                done = False
                for n in (4, 3, 2):
                    frag = run[i:i + n]
                    if (len(frag) < n or frag in self.corpus_text
                            or (n < 3 and _QUESTION_CHARS & set(frag))
                            or self._is_word(frag) or _cuts_a_word(i, i + n, words)):
                        continue
                    cands = self.by_key.get(pinyin_key(frag))
                    if cands:
                        best = cands[0]
                        changed = [a for a, b in zip(frag, best) if a != b]
                        # One character off at most: a typo, not a different
                        # word. A question word (多少, 是否) may sit inside a
                        # longer term (多测合一) but is never itself rewritten.
                        if len(changed) <= max(1, n // 2) and not _QUESTION_CHARS & set(changed):
                            fixes.append((frag, best))
                            out = out.replace(frag, best, 1)
                            i += n
                            done = True
                            break
                if not done:
                    i += 1
        return out, fixes
