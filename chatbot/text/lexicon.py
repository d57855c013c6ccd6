"""The lexicon: jieba with the domain's terms, and the word lists that say
which words carry a question's topic and which only its form.

- ``STOPWORDS``: dropped from BM25 tokens (Chinese and English function words).
- ``QUESTION_WORDS``: question-form words (怎么办, 咋整, 能不能): how a resident
  asks, not what about; dropped from a question's content words.
- ``FORM_CHARS``: characters that only make up the question form, skipped in
  the refusal model's character bigrams.
- ``QUESTION_CHARS``: characters of the question itself (讲什么, 要多久) that
  typo repair never rewrites.
- ``LIST_WORDS``: what is left of a list question ("税务局负责哪些任务") once its
  department, deadline or section is taken out.
"""
from __future__ import annotations

import logging
import re
import threading

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


# Question-form words: they say how something is asked, not what about.
QUESTION_WORDS = set("""
怎么办 怎么样 怎么 怎样 如何 多少钱 多少 多大 多久 多长 几点 几天 几个 几 哪里 哪儿 去哪 哪个 哪些 什么样 什么
是不是 能不能 可不可以 会不会 有没有 要不要 行不行 好不好 能否 是否 可以 需要 需不需要 还要 还能 吗 呢 啊 吧
有人 有人管 谁管 管不管 一下 一点 一些 这种 那种 这样 那样 现在 以后 以前 之后 之前 已经 到底 究竟 具体
我们 我 你们 你 他们 自己 大家 人家 别人 本人 想 想要 打算 准备 希望 觉得 知道 不知道 听说 听 说 讲 问 请问
能 会 要 得 该 应该 必须 不用 不要 不能 不能不 不会 没有 没 有 办 做 弄 搞 干 用 让 给 帮 帮忙 找 找谁 去 来
意思 怎么回事 回事 情况 问题 东西 事 事情 方面 时候 时间 的话 每个 每 月 个 很多 太多 好几 一直 还有 但 但是
因为 所以 而且 如果 要是 比如 例如 还是 或者 然后 其实 真的 特别 非常 很 太 更 最 都 也 又 再 才 就 只 只是
咋 咋整 咋办 咋弄 咋样 咋回事 啥 啥时候 为啥 干啥 整 俺 咱 咱们 头一回 一回 回头 算数 说理 非得 感觉 刚 快点
不行 不好 不想 起来 过来 那边 这边 有个 开个 老是 总是 天天 一大截 一大堆 烦 烦死了 到底管不管 管管
""".split())
# The last line: everyday and northern colloquial question forms ("咋整", "算数不"),
# which say how a resident asks, not what about.

# Characters that only make up the question form, skipped in bigrams.
FORM_CHARS = set("的了吗呢吧啊呀么嘛是在有和与及或等对把被给让从向到于以为就都也还又很太我你他她它这那哪什么怎样如何谁几多少能会要想请问可不没该得着过个县伊吾")


# Characters that make up the question itself (讲什么, 要多久), not policy terms.
QUESTION_CHARS = set("讲说问是有要在的了吗呢吧啊么什怎哪几多少谁能会可请我你他它这那个")


# Words that carry no topic once department / deadline / section are removed.
LIST_WORDS = set("""
负责 牵头 承担 主抓 任务 措施 工作 事项 哪些 哪几 几条 几项 几个 多少 多少条 多少项 多少个 条 项 个 完成 清单
列出 列表 汇总 统计 数量 全部 所有 一共 总共 共 责任 单位 部门 责任单位 牵头单位 牵头部门 具体 主要 内容
时限 期限 截止 截至 之前 以前 为止 之后 以后 底 年底 年末 末 年 月 月份 上半年 下半年 前 后 内 以内 起 要 需 需要
做 干 做什么 干什么 有 都 分别 各 到期 涉及 相关 包括 包含 方面 领域 部分 大项 看看 查 查询 总计 管 哪 几 啥
什么 有啥 多 少 有哪些 都有 哪个 到 得 应 应该 应当 必须 计划 安排 重点 要求 落实 推进 开展 实施 方案 县里
参与 配合 协助 协同 事 事情 活 活儿 列 列出 列出来 出来 全部列 都列 列一下 一下 各项 具体措施 完 做完 办完 分别 都是
""".split())


def content_words(text: str) -> list[str]:
    """The question's topic words: jieba's precise cut minus stopwords and
    question-form words; only tokens with a Chinese character."""
    out = []
    for w in jieba.cut(text):
        w = w.strip()
        if not w or not _HAN.search(w) or w in STOPWORDS or w in QUESTION_WORDS:
            continue
        out.append(w)
    return out
