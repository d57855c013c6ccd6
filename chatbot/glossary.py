"""Query expansion: everyday Chinese and English words → the plan's own terms.

People ask "刻章要钱吗" or "company seals"; the plan says 印章 and 免服务费.
Each entry adds the plan's words to what BM25 searches for (the dense side
sees the question as asked). Entries are general domain vocabulary of
business-environment policy, not answers to particular questions.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# everyday Chinese → plan terms
COLLOQUIAL = {
    "开公司": "企业开办", "开店": "企业开办 个体工商户", "办执照": "营业执照", "执照": "营业执照",
    "注册公司": "企业开办 登记", "关掉": "注销", "关门": "注销", "不干了": "注销",
    "倒闭": "破产 注销", "撑不下去": "破产 重整", "重整": "破产 重整", "刻章": "印章", "公章": "印章",
    "章子": "印章", "盖章": "印章 签章", "花钱": "收费 费用", "收钱": "收费", "要钱": "收费", "免费": "免费 零收费",
    "交钱": "收费 缴纳", "费用": "收费", "罚款": "处罚 罚款",     "贷款": "融资 信贷 金融", "借钱": "融资 信贷", "银行": "金融机构 银行", "利息": "融资 成本",
    "欠钱": "拖欠 账款", "欠款": "拖欠 账款", "货款": "账款 拖欠", "工程款": "账款 拖欠", "拖欠": "拖欠 账款",
    "打官司": "诉讼", "起诉": "诉讼 立案", "官司": "诉讼 案件", "判决": "执行 胜诉",
    "赢了官司": "胜诉 执行", "执行不到": "执行难", "纠纷": "纠纷 调解", "吵架": "纠纷 调解",
    "调解": "调解 纠纷", "仲裁": "仲裁 劳动人事争议", "劳动纠纷": "劳动人事争议", "欠薪": "农民工工资",
    "工资押金": "工资保证金", "押金": "保证金", "保证金": "保证金", "失业金": "失业保险金",
    "没工作": "失业 就业", "找工作": "就业 招聘", "招工": "招聘 用工", "招人": "招聘 人才",
    "裁员": "经济性裁员", "辞退": "裁员", "合同": "合同", "劳动合同": "电子劳动合同", "打工": "就业 农民工",
    "农民工": "农民工", "社保": "社会保险 参保", "医保": "医保 医疗保障", "公积金": "住房公积金",
    "养老": "养老 社会保险", "人才": "人才", "博士": "高层次人才 人才", "大学生": "人才 就业",
    "住房": "住房 人才公寓", "房子": "不动产 住房", "买房": "不动产 交易", "卖房": "不动产 交易",
    "房产证": "不动产权证书 不动产登记", "过户": "不动产登记 转移登记", "房产": "不动产",
    "抵押": "抵押登记", "查封": "查封", "土地": "土地 用地", "用地": "用地", "盖房": "工程建设",
    "建厂": "工程建设 项目", "盖厂房": "工程建设 项目", "施工": "施工许可 工程建设", "开工": "施工许可",
    "验收": "联合验收 竣工验收", "图纸": "施工图 审查", "审批": "审批", "办证": "许可 审批",
    "手续": "办理 审批 流程", "跑腿": "跑动 一次办", "跑": "跑动 一次办", "材料不全": "容缺受理",
    "缺材料": "容缺受理", "差材料": "容缺受理", "先受理": "容缺受理", "补材料": "容缺受理 补正",
    "网上办": "网办 全程网办 一网通办", "网上": "网上 线上 网办", "手机": "移动端 掌上办",
    "线上": "线上 网上", "外地": "异地 跨省通办", "外省": "跨省通办", "异地": "跨省通办 异地",
    "一个窗口": "一窗受理", "窗口": "窗口", "排队": "办理时间 窗口", "办事": "政务服务",
    "大厅": "政务服务大厅", "评价": "好差评", "投诉": "投诉 举报 12345", "举报": "举报 投诉",
    "热线": "12345 热线", "打电话": "热线 12345", "电话": "热线", "帮办": "帮办 代办 项目管家",
    "代办": "代办 帮办", "专人": "项目管家 专人", "优惠政策": "惠企政策", "补贴": "补贴 惠企政策",
    "奖励": "奖励 激励", "自动享受": "免申即享", "不用申请": "免申即享", "通电": "用电 报装",
    "接电": "用电报装", "电费": "电价 收费", "停电": "供电 停电", "用电": "用电 报装 电力",
    "水电": "用水 用电 报装", "接水": "用水报装", "燃气": "用气 报装", "天然气": "用气",
    "水费": "用水 收费", "报税": "纳税 申报", "交税": "纳税 缴纳 税费", "税": "税 纳税",
    "发票": "电子发票", "退税": "退税", "出口": "出口 跨境贸易 外贸", "进口": "进口 跨境贸易",
    "海关": "通关 海关", "外贸": "外贸 跨境贸易", "外资": "外商投资 外资", "外国": "外商 外资",
    "专利": "知识产权 专利", "商标": "商标 知识产权", "侵权": "侵权 知识产权 保护", "山寨": "侵权 假冒",
    "盗版": "侵权", "商业秘密": "商业秘密 知识产权", "股票": "证券 投资者", "股民": "中小投资者 证券",
    "散户": "中小投资者", "炒股": "证券 投资者", "上市": "上市公司", "造假": "证券违法 虚假",
    "诊所": "医疗 社会服务", "医院": "医疗", "看病": "医疗 就医", "上学": "教育 就学", "孩子": "子女 教育",
    "幼儿园": "托幼 教育", "养老院": "养老 社会服务", "快递": "快递 物流 寄递", "物流": "物流",
    "网店": "网络交易 电子商务", "直播": "直播 电商", "外卖": "网络交易 餐饮", "饭馆": "餐饮 食品经营",
    "饭店": "餐饮 食品经营", "奶茶": "食品经营 餐饮", "超市": "商店 食品经营", "卖吃的": "食品经营",
    "无人店": "无人售货", "自动售货": "自动制售 无人售货", "分店": "分支机构 连锁门店", "连锁": "连锁门店",
    "个体户": "个体工商户", "小店": "个体工商户 小微企业", "小企业": "中小企业 小微企业",
    "小公司": "小微企业 中小企业", "民营": "民营企业 非公", "国企": "国有企业", "老板": "企业 经营者",
    "年报": "年报 年度报告", "黑名单": "失信 经营异常名录 信用", "信用修复": "信用修复 失信",
    "失信": "失信 信用", "乱收费": "涉企收费 收费", "乱罚款": "处罚 执法", "检查": "检查 监管 双随机",
    "查得": "检查", "抽查": "双随机 抽查", "垄断": "垄断 反垄断", "不正当竞争": "不正当竞争",
    "招标": "招标投标 招投标", "投标": "招标投标 投标", "围标": "招投标 串通", "串标": "招投标 串通",
    "政府采购": "政府采购", "采购": "政府采购 采购", "中标": "中标 招投标", "付款": "支付 付款",
    "预付": "预付款", "质疑": "质疑投诉", "破产": "破产", "清算": "清算 破产", "重组": "重整 债务重组",
    "债权人": "债权人", "拍卖": "拍卖 处置", "冻结": "冻结 查封", "执行": "执行",
    "电子证": "电子证照", "扫码": "电子 扫码", "刷脸": "人脸识别", "身份证": "身份证 证照",
    "营业执照": "营业执照", "食品": "食品", "化妆品": "化妆品", "医疗器械": "医疗器械",
    "价格": "价格", "涨价": "价格 监测", "广告": "广告", "网购": "网络交易", "5g": "5G 网络",
    "网络": "网络 信息基础设施", "停车": "停车", "公交": "交通 出行", "道路": "道路 交通",
    "环境": "环境", "环评": "环境影响评价 环评", "安全生产": "安全生产", "消防": "消防",
    "气象": "气象", "园区": "工业园区", "工业园": "工业园区", "招商": "招商引资", "投资": "投资",
    "监督员": "营商环境监督员", "中介": "中介服务", "评估": "评估", "测绘": "测绘 多测合一",
    "测量": "测绘 多测合一", "规划": "规划", "证明": "证明 证明事项", "签名": "电子签名",
    "纸质": "无纸化 纸质", "档案": "档案", "送达": "送达 电子送达", "文书": "文书 送达",
    # Everyday phrasings of the plan's coined terms (一照多址, 免罚清单, 人才公寓 …): a pass over
    # its quoted terms, since nobody asks for a term they have never heard.
    "好几个地方": "一照多址 经营场所", "几个地方": "一照多址 经营场所", "多个地址": "一照多址",
    "多个网点": "一照多址 网点", "开分店": "一照多址 分支机构", "设仓库": "一照多址 经营场所",
    "不罚款": "免罚清单 轻微违法", "不罚": "免罚清单 轻微违法", "免罚": "免罚清单",
    "小违规": "轻微违法 免罚清单", "小毛病": "轻微违法 免罚清单", "第一次违规": "免罚清单 轻微违法",
    "初犯": "免罚清单 轻微违法", "住的地方": "人才公寓 住房", "没地方住": "人才公寓 住房",
    "宿舍": "人才公寓 住房", "信用贷": "信易贷 信用贷款", "凭信用": "信易贷 信用",
    "摆摊": "外摆位", "地摊": "外摆位", "小广告": "牛皮癣 清理", "乱贴": "牛皮癣",
    "拿地": "标准地 用地", "买地": "用地 出让", "刁难": "隐性审批 中梗阻", "卡着不办": "隐性审批 中梗阻",
    "吊销": "清吊 吊销", "僵尸企业": "清吊 注销", "从头到尾": "项目管家 全程", "全程帮": "项目管家 帮办",
    "钱拿不到": "执行难 执行", "拿不到钱": "执行难 执行", "打赢了": "胜诉 执行",
    "问税": "晓税热线 税务", "税务热线": "晓税热线", "准入": "准入 非禁即入",
    "什么都能做": "非禁即入 准入", "一次办完": "一件事一次办", "只跑一次": "最多跑一次",
    "跑一趟": "最多跑一次", "不见面": "不见面办理", "一个部门": "一窗受理 一站式",
    "掏钱": "费用 收费 投资", "出钱": "费用 收费 投资", "自费": "费用 收费",
}

# English → plan terms (English questions otherwise share no words with the plan)
ENGLISH = {
    "seal": "印章", "seals": "印章", "stamp": "印章", "chop": "印章", "free": "免费 零收费",
    "fee": "收费 费用", "fees": "收费 费用", "charge": "收费", "pay": "支付 缴纳 收费", "cost": "费用 成本",
    "register": "登记 开办", "registration": "登记", "start": "开办", "establish": "开办 设立",
    "new business": "新开办企业", "company": "企业", "business": "企业 经营", "enterprise": "企业",
    "license": "营业执照 许可", "licence": "营业执照 许可", "permit": "许可 审批",
    "deregistration": "注销", "deregister": "注销", "close": "注销", "simplified": "简易",
    "notice": "公示 公告", "public notice": "公示", "days": "天", "period": "时间 期限",
    "deadline": "完成时限", "electronic": "电子", "online": "网上 线上 网办", "digital": "电子 数字化",
    "signature": "电子签名", "invoice": "电子发票", "tax": "税务 纳税 税费", "taxes": "税务 纳税",
    "taxpayer": "纳税人", "refund": "退税", "unemployment": "失业", "benefits": "待遇 保险金",
    "insurance": "保险", "social security": "社会保险 社保", "pension": "养老",
    "labor": "劳动 用工", "labour": "劳动 用工", "contract": "合同", "contracts": "合同",
    "employer": "用人单位", "employers": "用人单位", "employee": "劳动者 职工", "employees": "劳动者 职工",
    "worker": "农民工 劳动者", "workers": "农民工 劳动者", "migrant": "农民工", "wage": "工资",
    "wages": "工资", "deposit": "保证金", "guarantee": "保函 担保", "layoff": "裁员", "layoffs": "裁员",
    "dispute": "争议 纠纷", "disputes": "争议 纠纷", "mediation": "调解", "arbitration": "仲裁",
    "talent": "人才", "talents": "人才", "housing": "住房", "apartment": "公寓", "training": "培训",
    "skills": "技能", "job": "就业 岗位", "jobs": "就业 岗位", "employment": "就业",
    "electricity": "用电 电力 供电", "power": "电力 供电", "connection": "报装 接入", "water": "用水",
    "gas": "用气", "construction": "工程建设 施工", "building": "建筑 工程建设", "project": "项目",
    "projects": "项目", "approval": "审批", "inspection": "检查 验收", "acceptance": "验收",
    "land": "土地 用地", "lease": "租赁", "leasing": "租赁", "rent": "租赁", "years": "年",
    "property": "不动产", "real estate": "不动产", "mortgage": "抵押", "certificate": "证书 证照",
    "intellectual property": "知识产权", "patent": "专利 知识产权", "patents": "专利 知识产权",
    "trademark": "商标", "infringement": "侵权", "court": "法院 审判", "courts": "法院",
    "lawsuit": "诉讼", "lawsuits": "诉讼", "litigation": "诉讼", "case": "案件", "cases": "案件",
    "judgment": "判决 胜诉", "enforcement": "执行", "bankruptcy": "破产", "bankrupt": "破产",
    "creditor": "债权人", "creditors": "债权人", "investor": "投资者", "investors": "投资者",
    "shareholder": "股东 投资者", "securities": "证券", "listed": "上市公司", "foreign": "外商 外资",
    "negative list": "负面清单", "procurement": "政府采购", "government procurement": "政府采购",
    "tender": "招标投标", "tendering": "招标投标", "bidding": "招标投标 投标", "bid": "投标",
    "supplier": "供应商", "suppliers": "供应商", "payment": "支付 付款", "payments": "支付 账款",
    "overdue": "拖欠", "arrears": "拖欠 账款", "owed": "拖欠 账款", "unpaid": "拖欠",
    "small": "中小 小微", "sme": "中小企业", "smes": "中小企业", "credit": "信用", "loan": "融资 信贷",
    "loans": "融资 信贷", "finance": "金融 融资", "bank": "银行 金融机构", "banks": "金融机构",
    "hotline": "热线 12345", "complaint": "投诉", "complaints": "投诉", "evaluation": "评价 好差评",
    "rating": "好差评 评价", "supervision": "监管 监督", "supervisor": "监督员", "inspectors": "检查",
    "random": "双随机", "penalty": "处罚", "penalties": "处罚", "fine": "罚款 处罚", "fines": "罚款 处罚",
    "first-time": "首次", "first time": "首次", "food": "食品", "restaurant": "餐饮", "chain": "连锁",
    "branch": "分支机构", "branches": "分支机构", "vending": "自动制售 无人售货", "unmanned": "无人售货",
    "medical": "医疗", "cosmetics": "化妆品", "drug": "药品", "price": "价格", "prices": "价格",
    "advertising": "广告", "monopoly": "垄断", "competition": "竞争", "customs": "通关 海关",
    "export": "出口", "import": "进口", "trade": "贸易", "logistics": "物流", "delivery": "寄递 快递",
    "express": "快递", "5g": "5G", "broadband": "宽带 网络", "school": "教育 学校", "children": "子女",
    "hospital": "医疗 医院", "health": "医疗 卫生 健康", "clinic": "医疗 诊所", "community": "社区", "elderly": "养老", "parking": "停车", "government services": "政务服务",
    "service center": "政务服务中心", "window": "窗口", "one-stop": "一站式 一窗", "cross-province": "跨省通办",
    "other provinces": "跨省通办", "materials": "材料", "documents": "材料 文书", "missing": "容缺",
    "incomplete": "容缺", "subsidy": "补贴", "policy": "政策", "policies": "政策", "benefit": "惠企",
    "department": "部门 责任单位", "responsible": "责任单位", "coordinate": "统筹 协调",
    "coordinating": "统筹 协调", "lead": "牵头", "leads": "牵头", "business environment": "营商环境",
    "assessment": "考核 评价", "publicity": "宣传", "media": "舆论 媒体", "corruption": "腐败",
    "information": "信息", "data": "数据", "sharing": "共享", "share": "共享",
}

_EN_WORD = re.compile(r"[a-z][a-z0-9\-]*")


def expand(text: str) -> list[str]:
    """Plan terms implied by the question's everyday or English words."""
    low = text.lower()
    out: list[str] = []
    for k, v in COLLOQUIAL.items():
        if k in low:
            out += v.split()
    if _EN_WORD.search(low):
        words = set(_EN_WORD.findall(low))
        for k, v in ENGLISH.items():
            hit = (k in low) if " " in k else (k in words)
            if hit:
                out += v.split()
    seen: list[str] = []
    for t in out:
        if t not in seen:
            seen.append(t)
    return seen


def plan_term(word: str, in_plan: Callable[[str], bool]) -> str | None:
    """The first of the plan's own terms for an everyday word ("公章" → "印章"),
    or None when the glossary has none that the plan uses."""
    return next((t for t in expand(word) if t != word and in_plan(t)), None)


def plan_wording(text: str, words: Iterable[str], in_plan: Callable[[str], bool]) -> str:
    """The question reworded in the plan's vocabulary: each of ``words`` (its
    content words) that the plan never uses is replaced in place by the
    plan's term ("新注册的公司刻公章要自己掏钱吗" → "…刻印章…"). Unlike
    appending terms, this keeps the sentence a sentence, which is what a
    dense encoder reads."""
    for w in dict.fromkeys(words):
        if in_plan(w):
            continue
        term = plan_term(w, in_plan)
        if term:
            text = text.replace(w, term)
    return text
