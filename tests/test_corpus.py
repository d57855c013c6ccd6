"""Parser facts on the real plan text, and edge cases on small hand-made texts.

Expected values are read from the raw text inside the tests wherever possible,
so that a parser change that drops, renumbers or rewrites a clause fails here.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from chatbot.corpus.formats.plan import parse_text, split_units
from chatbot.corpus.library import Library, load_library, parse_file
from chatbot.corpus.manifest import read_manifest
from chatbot.corpus.source import CorpusError
from chatbot.domain.dates import normalize_deadline
from chatbot.domain.numerals import cn_to_int, int_to_cn

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "corpus" / "yiwu-business-environment-plan-2023-2025.txt"
RAW_LINES = PLAN.read_text("utf-8").splitlines()
MANIFEST_TITLE = json.loads((ROOT / "corpus" / "manifest.json").read_text("utf-8"))["documents"][0]["title"]

RE_RAW_SUB = re.compile(r"^(\d{1,3})\.(\d{1,2})(?!\d)")
RE_RAW_HEAD = re.compile(r"^(\d{1,3})\.(?!\d)")
RE_RAW_SECTION = re.compile(r"^（([一二三四五六七八九十]+)）.*牵头单位")


def raw_structure():
    """Ids straight from the text: sub-measure lines, numbered measure headings."""
    subs, heads = [], []
    for line in RAW_LINES:
        s = line.strip()
        if m := RE_RAW_SUB.match(s):
            subs.append(f"{int(m.group(1))}.{int(m.group(2))}")
        elif m := RE_RAW_HEAD.match(s):
            heads.append(int(m.group(1)))
    return subs, heads


@pytest.fixture(scope="module")
def lib() -> Library:
    """The plan alone (the library's other documents have tests of their own)."""
    return Library([load_library(ROOT / "corpus", "yiwu").doc("yiwu")], "yiwu")


@pytest.fixture(scope="module")
def by_id(lib):
    return {r.id: r for r in lib.records}


# -- ids and counts ---------------------------------------------------------------
def test_leaf_counts(lib):
    kinds = Counter(r.kind for r in lib.records)
    assert kinds == {"sub": 134, "measure": 104, "safeguard": 8}
    assert len(lib.records) == 246
    assert len({r.id for r in lib.records}) == 246  # ids unique


def test_sub_measure_ids_match_the_text(lib):
    subs, _ = raw_structure()
    assert len(subs) == 134
    assert [r.id for r in lib.records if r.kind == "sub"] == subs  # same ids, same order


def test_measures_without_sub_measures_match_the_text(lib):
    subs, heads = raw_structure()
    # measure 2's heading lost its number in the source: it is not among `heads`
    assert 2 not in heads and heads == list(range(3, 141))
    with_subs = {int(s.split(".")[0]) for s in subs}
    expected = [str(n) for n in [2] + heads if n not in with_subs]
    assert len(expected) == 104
    assert [r.id for r in lib.records if r.kind == "measure"] == expected


def test_measures_2_to_140_present_and_measure_1_absent(lib):
    nos = {r.measure_no for r in lib.records if r.measure_no is not None}
    assert nos == set(range(2, 141))
    assert lib.get("1") is None
    assert lib.leaves_of("1") == []
    assert not any(r.id == "1" or r.id.startswith("1.") for r in lib.records)
    assert any(w.message == "measure 1 is absent from the text" for w in lib.warnings)


def test_safeguards_s1_to_s8(lib, by_id):
    sg = [r for r in lib.records if r.kind == "safeguard"]
    assert [r.id for r in sg] == [f"S{i}" for i in range(1, 9)]
    assert by_id["S1"].title == "加强统筹推进"
    assert by_id["S5"].title == "加强专项治理"
    assert by_id["S8"].title == "加强舆论引导"
    for r in sg:
        assert r.measure_no is None
        assert r.section.no is None and r.section.title == "保障措施"
        assert r.deadline is None and r.deadline_raw is None
        assert r.units, r.id


def test_every_record_has_units_and_a_clean_body(lib):
    for r in lib.records:
        assert r.units, r.id
        assert r.units_raw and r.units_raw in r.text, r.id
        assert "责任单位" not in r.body, r.id
        assert "完成时限：" not in r.body, r.id  # (71's body says "完成时限，" in prose)


def test_single_line_records_keep_their_text_verbatim(lib):
    """Every clause except the two list measures is one source line, kept as written."""
    multi = []
    for r in lib.records:
        if r.text == RAW_LINES[r.line - 1].strip():
            continue
        multi.append(r.id)
    assert multi == ["10", "12"]


# -- the text's defects ------------------------------------------------------------
def test_section_one_heading_missing_is_none_with_warning(lib, by_id):
    sec = lib.default.sections[0]
    assert sec.no == 1 and sec.label == "（一）" and sec.title is None
    assert sec.display == "（一）（标题缺失）"
    assert by_id["2.1"].section is sec and by_id["9"].section is sec
    msgs = [w.message for w in lib.warnings]
    assert any("（一）" in m and "heading missing" in m for m in msgs)


def test_measure_2_title_inferred_with_warning(lib, by_id):
    assert RAW_LINES[1].strip() == "优化企业开办全流程服务"  # line 2: no number
    for rid in ("2.1", "2.2", "2.3", "2.4"):
        assert by_id[rid].measure_no == 2
        assert by_id[rid].measure_title == "优化企业开办全流程服务"
    ws = [w for w in lib.warnings if w.record_id == "2"]
    assert len(ws) == 1 and ws[0].line == 2 and "no number" in ws[0].message


def test_measure_107_deadline_unparseable(lib, by_id):
    r = by_id["107"]
    assert r.deadline is None
    assert r.deadline_raw == "20235年12月"  # verbatim
    assert "完成时限：20235年12月" in RAW_LINES[r.line - 1]
    assert any("20235年12月" in w for w in r.warnings)
    ws = [w for w in lib.warnings if w.record_id == "107"]
    assert len(ws) == 1 and "20235年12月" in ws[0].message and ws[0].line == r.line


def test_69_2_garbled_text_kept_with_warning(lib, by_id):
    r = by_id["69.2"]
    assert "不得20超过年" in r.text and "不得20超过年" in r.body
    assert r.text == RAW_LINES[r.line - 1].strip()
    assert r.line == 390
    assert r.deadline == "2023-12"
    assert any("不得20超过年" in w for w in r.warnings)
    ws = [w for w in lib.warnings if w.record_id == "69.2"]
    assert len(ws) == 1 and "不得20超过年" in ws[0].message


def test_warnings_are_exactly_the_known_defects(lib):
    """Five defects in the source, five warnings: no false positives."""
    got = sorted((w.line, w.record_id or "") for w in lib.warnings)
    assert got == [(0, ""), (2, ""), (2, "2"), (390, "69.2"), (544, "107")]
    assert all(w.doc_id == "yiwu" for w in lib.warnings)
    # __str__ names document and line
    assert str(next(w for w in lib.warnings if w.record_id == "107")).startswith("yiwu:544 [107]")


# -- responsible units -------------------------------------------------------------
def test_28_1_nine_units_with_qualifier_kept(by_id):
    assert by_id["28.1"].units == [
        "县委组织部", "人力资源和社会保障局", "商科工信局", "公安局",
        "住房和城乡建设局（交通运输局）", "教育局", "文体广旅局", "卫健委", "医保局",
    ]


def test_units_split_on_half_width_comma(by_id):
    # 3.5: "政务服务中心,相关单位及金融机构" (ASCII comma in the source)
    assert "政务服务中心,相关单位" in by_id["3.5"].units_raw
    assert by_id["3.5"].units == ["政务服务中心", "相关单位及金融机构"]


def test_units_split_on_full_width_comma(by_id):
    assert by_id["4.4"].units == ["政务服务中心", "县直各相关部门"]
    assert by_id["S1"].units == ["政府办", "发展改革委", "各项指标牵头单位"]


def test_s5_catch_all_split(by_id):
    units = by_id["S5"].units
    assert units == ["纪委监委", "政府办", "发展改革委", "司法局", "商科工信局",
                     "市场监督管理局", "政务服务中心", "有关部门"]
    assert not any("等有关部门" in u for u in units)


def test_units_with_and_connector(by_id):
    assert by_id["116"].units == ["市场监督管理局", "相关金融机构"]


def test_quoted_unit_not_split(by_id):
    assert by_id["93"].units == ["市场监管领域部门联合“双随机、一公开”监管工作联席会议成员单位"]


def test_odd_punctuation_around_units(by_id):
    # 7: comma instead of semicolon before 完成时限
    assert by_id["7"].units == ["市场监督管理局"] and by_id["7"].deadline == "2023-06"
    # 18: half-width opening parenthesis "(责任单位："
    assert "(责任单位" in by_id["18"].text
    assert by_id["18"].units == ["人力资源和社会保障局"] and by_id["18"].deadline == "2023-12"
    # S8: half-width closing parenthesis
    assert by_id["S8"].units == ["各部门"]


def test_unit_lists_equal_the_raw_parenthetical(lib):
    """Joining the units back gives the source list for every clause whose list
    uses only 、 separators and no special connectors."""
    checked = 0
    for r in lib.records:
        raw = r.units_raw
        if re.search(r"[，,；;]|等有关部门|及相关", raw):
            continue
        assert "、".join(r.units) == raw.rstrip("。"), r.id
        checked += 1
    assert checked > 200


# -- deadlines ----------------------------------------------------------------------
def test_deadline_examples(by_id):
    assert by_id["5.3"].deadline_raw == "2023年6月" and by_id["5.3"].deadline == "2023-06"
    assert by_id["39.3"].deadline_raw == "2025年12月底前" and by_id["39.3"].deadline == "2025-12"
    assert by_id["2.1"].deadline == "2024-06"
    assert by_id["140"].deadline == "2023-12"


def test_deadlines_match_the_raw_text(lib):
    pat = re.compile(r"完成时限[：:](\d{4})年(\d{1,2})月")
    for r in lib.records:
        if r.kind == "safeguard" or r.id == "107":
            continue
        m = pat.search(RAW_LINES[r.line - 1])
        assert m, r.id
        assert r.deadline == f"{int(m.group(1)):04d}-{int(m.group(2)):02d}", r.id
    assert [r.id for r in lib.records if r.kind != "safeguard" and r.deadline is None] == ["107"]
    assert all(re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", r.deadline) for r in lib.records if r.deadline)


@pytest.mark.parametrize("raw,expected", [
    ("2024年6月", "2024-06"), ("2024年6月底", "2024-06"), ("2025年12月底前", "2025-12"),
    ("2023年9月前", "2023-09"), ("2024年06月", "2024-06"), (" 2024年6月 ", "2024-06"),
    ("20235年12月", None), ("2024年13月", None), ("2024年0月", None), ("", None), (None, None),
])
def test_normalize_deadline(raw, expected):
    assert normalize_deadline(raw) == expected


# -- list items ------------------------------------------------------------------------
def test_measure_10_list_items(by_id):
    r = by_id["10"]
    assert r.kind == "measure"
    assert len(r.items) == 6
    assert r.items[0] == "不依法发布信息的行为；"
    assert r.items[5] == "以所有制形式、经营者所在地、股权结构、商品或服务品牌等设定投标人资格条件等行为。"
    assert "重点清理整治：" in r.text
    assert all(item in r.text for item in r.items)
    assert r.units == ["发展改革委", "财政局"] and r.deadline == "2023-12"


def test_measure_12_list_items(by_id):
    r = by_id["12"]
    assert len(r.items) == 10
    start = RAW_LINES.index("清理整改重点：")
    raw_items = [re.sub(r"^（\d+）", "", ln) for ln in RAW_LINES[start + 1:] if ln.startswith("（")][:10]
    assert r.items == raw_items
    assert r.items[-1] == "违反法律法规相关规定的其他妨碍公平竞争的规定和做法。"


def test_no_other_record_has_items(lib):
    assert sorted(r.id for r in lib.records if r.items) == ["10", "12"]


# -- sections ---------------------------------------------------------------------------
def test_sections_and_lead_units(lib):
    secs = lib.default.sections
    assert [s.no for s in secs] == list(range(1, 18)) + [None]
    by_no = {s.no: s for s in secs}
    assert by_no[2].title == "深化招标投标领域改革" and by_no[2].lead_units == ("政务服务中心",)
    assert by_no[5].title == "提高获得电力服务水平"
    assert by_no[5].lead_units == ("发展改革委", "国网伊吾供电公司")
    assert by_no[6].lead_units == ("住房和城乡建设局（交通运输局）", "水利局")
    assert by_no[7].lead_units == ("商科工信局", "人力资源和社会保障局",
                                   "住房和城乡建设局（交通运输局）", "发展改革委")
    # （九）'s heading lost its closing parenthesis in the source
    assert by_no[9].lead_units == ("住房和城乡建设局（交通运输局）",)
    assert by_no[11].lead_units == ("国家税务总局伊吾县税务局",)
    assert by_no[15].title == "优化办理破产服务方式" and by_no[15].lead_units == ("县人民法院",)
    assert by_no[17].label == "（十七）"
    assert by_no[None].label == "三、" and by_no[None].title == "保障措施"


def test_record_sections_match_the_raw_text(lib):
    """Section of every record, computed from the heading lines of the text."""
    expected: dict[int, int] = {}  # line -> section no (0 = 保障措施)
    sec = 1
    for i, line in enumerate(RAW_LINES, start=1):
        s = line.strip()
        if s.startswith("三、保障措施"):
            sec = 0
        elif sec and (m := RE_RAW_SECTION.match(s)):
            sec = cn_to_int(m.group(1))
        if "责任单位" in s:
            expected[i] = sec
    # (for the list measures 10 and 12 the responsibility is on their first line)
    got = {r.line: r.section.no or 0 for r in lib.records}
    assert got == expected
    assert Counter(got.values())[15] == 5  # 123.1, 123.2, 124, 125, 126


# -- documents ----------------------------------------------------------------------------
def test_doc_ids_on_every_record(lib):
    assert [c.doc_id for c in lib.corpora] == ["yiwu"]
    assert lib.default.title == MANIFEST_TITLE
    for r in lib.records:
        assert r.doc_id == "yiwu"
        assert r.uid == f"yiwu:{r.id}"
        assert r.ref == r.id
        assert r.doc_title == MANIFEST_TITLE
        assert r.section.doc_id == "yiwu"


def test_library_lookup(lib):
    assert lib.get("5.3").id == "5.3"
    assert lib.get("yiwu:5.3") is lib.get("5.3")
    assert [r.id for r in lib.leaves_of("22")] == ["22.1", "22.2", "22.3", "22.4", "22.5"]
    assert [r.id for r in lib.leaves_of("6")] == ["6"]
    assert lib.get("nope:5.3") is None


def test_record_to_dict(by_id):
    d = by_id["5.3"].to_dict()
    assert d["id"] == "5.3" and d["doc_id"] == "yiwu" and d["title"] == "实行企业简易注销登记"
    assert d["citation"] == "第5.3条"
    assert d["section"] == {"no": 1, "label": "（一）", "title": None, "lead_units": []}
    json.dumps(d, ensure_ascii=False)  # serialisable


def test_corpus_sha_is_of_the_text(lib):
    import hashlib

    text = PLAN.read_text("utf-8")
    assert lib.default.sha256 == hashlib.sha256("\n".join(text.splitlines()).encode()).hexdigest()


# -- Chinese numerals ------------------------------------------------------------------------
def test_cn_numerals_round_trip():
    for n in range(1, 200):
        assert cn_to_int(int_to_cn(n)) == n, n
    assert int_to_cn(17) == "十七" and int_to_cn(105) == "一百零五" and int_to_cn(123) == "一百二十三"
    assert cn_to_int("两百") == 200 and cn_to_int("12") == 12 and cn_to_int("十x") is None


# -- small hand-made texts ---------------------------------------------------------------------
MINI = """测试方案
（一）第一板块（牵头单位：甲局、乙局）
1.第一项措施
1.1第一条内容。（责任单位：甲局、乙局；完成时限：2024年6月）
1.2第二条内容。（责任单位：丙局；完成时限：2023年12月底）
2、第二项措施
第二项措施的正文。（责任单位：甲局，丁公司；完成时限：2025年9月）
（二）第二板块（牵头单位：丙局）
3.第三项措施
3．1全角点的子项。（责任单位：住房和城乡建设局（交通运输局；完成时限：2024年1月）
三、保障措施
（一）加强领导。统筹推进。（责任单位：甲局）
续行文字。
（二）加强督查。（责任单位：乙局等有关部门）
"""


def test_parse_text_mini():
    c = parse_text(MINI, "mini")
    assert c.title == "测试方案"
    assert [r.id for r in c.records] == ["1.1", "1.2", "2", "3.1", "S1", "S2"]
    r = {x.id: x for x in c.records}
    assert r["1.1"].units == ["甲局", "乙局"] and r["1.1"].deadline == "2024-06"
    assert r["1.2"].deadline == "2023-12"
    assert r["2"].kind == "measure" and r["2"].measure_title == "第二项措施"
    assert r["2"].units == ["甲局", "丁公司"] and r["2"].deadline == "2025-09"
    assert r["2"].body == "第二项措施的正文"
    assert r["3.1"].units == ["住房和城乡建设局（交通运输局）"]  # missing ）restored
    assert r["3.1"].section.title == "第二板块" and r["3.1"].section.lead_units == ("丙局",)
    assert r["1.1"].section.lead_units == ("甲局", "乙局")
    assert r["S1"].title == "加强领导" and "续行文字。" in r["S1"].text
    assert r["S2"].units == ["乙局", "有关部门"]
    assert all(x.doc_id == "mini" for x in c.records)
    assert c.warnings == []


def test_parse_text_missing_units_and_deadline_warns():
    c = parse_text("标题\n（一）板块（牵头单位：甲局）\n1.措施\n1.1没有责任单位的条款。\n", "t")
    rec = c.records[0]
    assert rec.units == [] and rec.units_raw is None and rec.deadline is None
    assert "原文未写明责任单位" in rec.warnings
    msgs = [w.message for w in c.warnings]
    assert "no 责任单位 found" in msgs and "no 完成时限 found" in msgs


def test_parse_text_bad_month_warns():
    c = parse_text("标题\n（一）板块（牵头单位：甲局）\n1.措施\n1.1内容。（责任单位：甲局；完成时限：2024年13月）\n", "t")
    rec = c.records[0]
    assert rec.deadline is None and rec.deadline_raw == "2024年13月"
    assert any("2024年13月" in w.message for w in c.warnings)


def test_parse_text_sub_numbering_gap_warns():
    text = ("标题\n（一）板块（牵头单位：甲局）\n1.措施\n"
            "1.1内容。（责任单位：甲局；完成时限：2024年6月）\n"
            "1.3内容。（责任单位：甲局；完成时限：2024年6月）\n")
    c = parse_text(text, "t")
    assert [r.id for r in c.records] == ["1.1", "1.3"]
    assert any("[1, 3]" in w.message for w in c.warnings)


def test_parse_text_section_out_of_order_warns():
    text = ("标题\n（一）板块（牵头单位：甲局）\n1.措施\n1.1内容。（责任单位：甲局；完成时限：2024年6月）\n"
            "（三）板块三（牵头单位：乙局）\n2.措施\n2.1内容。（责任单位：乙局；完成时限：2024年6月）\n")
    c = parse_text(text, "t")
    assert c.records[1].section.no == 3
    assert any("（三）" in w.message and "（二）" in w.message for w in c.warnings)


def test_parse_text_duplicate_id_raises():
    text = ("标题\n（一）板块（牵头单位：甲局）\n1.措施\n1.1内容。（责任单位：甲局；完成时限：2024年6月）\n"
            "2.措施二\n1.1重复。（责任单位：甲局；完成时限：2024年6月）\n")
    with pytest.raises(CorpusError, match="duplicate id 1.1"):
        parse_text(text, "t")


def test_parse_text_unplaceable_line_names_file_and_line():
    long_line = "这是一行很长很长的文字，" * 6 + "（责任单位：甲局）"
    with pytest.raises(CorpusError, match=r"plan\.txt:2: cannot place"):
        parse_text("标题\n" + long_line + "\n", "t", "plan.txt")


def test_parse_text_measure_list_items():
    text = ("标题\n（一）板块（牵头单位：甲局）\n1.措施\n正文。（责任单位：甲局；完成时限：2024年6月）\n"
            "重点：\n（1）第一项；\n(2)第二项。\n")
    rec = parse_text(text, "t").records[0]
    assert rec.items == ["第一项；", "第二项。"]
    assert rec.units == ["甲局"]


def test_parse_text_sub_measure_list_items():
    text = ("标题\n（一）板块（牵头单位：甲局）\n1.措施\n1.1第一段文字：\n"
            "（1）项目一；\n（2）项目二。（责任单位：甲局；完成时限：2024年6月）\n")
    rec = parse_text(text, "t").records[0]
    assert rec.units == ["甲局"] and rec.deadline == "2024-06"
    assert len(rec.items) == 2 and rec.items[0] == "项目一；"


def test_parse_text_continuation_lines_do_not_duplicate_warnings():
    text = ("标题\n（一）板块（牵头单位：甲局）\n1.措施\n1.1租赁期限不得20超过年。\n"
            "第二段。\n第三段。（责任单位：甲局；完成时限：2024年6月）\n")
    c = parse_text(text, "t")
    assert c.records[0].units == ["甲局"]
    assert [w.message for w in c.warnings] == ["garbled text kept as written: '不得20超过年'"]


@pytest.mark.parametrize("raw,expected", [
    ("住房和城乡建设局（交通运输局）、教育局", ["住房和城乡建设局（交通运输局）", "教育局"]),
    ("住房和城乡建设局（交通运输局", ["住房和城乡建设局（交通运输局）"]),
    ("政务服务中心,相关单位及金融机构", ["政务服务中心", "相关单位及金融机构"]),
    ("纪委监委、政务服务中心等有关部门", ["纪委监委", "政务服务中心", "有关部门"]),
    ("市场监督管理局及相关金融机构", ["市场监督管理局", "相关金融机构"]),
    ("甲局；乙局;丙局", ["甲局", "乙局", "丙局"]),
    ("“双随机、一公开”联席会议、丙局", ["“双随机、一公开”联席会议", "丙局"]),
    ("甲局、甲局、 乙局。", ["甲局", "乙局"]),
])
def test_split_units(raw, expected):
    assert split_units(raw) == expected


# -- files and manifests ---------------------------------------------------------------------
def test_parse_file_bom_and_crlf(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(("\ufeff" + MINI.replace("\n", "\r\n")).encode("utf-8"))
    c = parse_file(p, "a")
    assert c.title == "测试方案" and len(c.records) == 6


def test_parse_file_invalid_utf8_names_file_and_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes("标题\n第二行\n".encode("utf-8") + b"\xff\xfe bad\n")
    with pytest.raises(CorpusError) as e:
        parse_file(p, "bad")
    assert f"{p}:3:" in str(e.value) and "UTF-8" in str(e.value)


def test_parse_file_control_character(tmp_path):
    p = tmp_path / "ctl.txt"
    p.write_text("标题\n（一）板块\x07（牵头单位：甲局）\n", "utf-8")
    with pytest.raises(CorpusError, match=rf"{re.escape(str(p))}:2: control character"):
        parse_file(p, "ctl")


def test_parse_file_missing(tmp_path):
    with pytest.raises(CorpusError, match="corpus file not found"):
        parse_file(tmp_path / "nope.txt", "x")


def test_read_manifest_errors(tmp_path):
    with pytest.raises(CorpusError, match="corpus directory not found"):
        read_manifest(tmp_path / "missing")
    with pytest.raises(CorpusError, match=re.escape(str(tmp_path)) + r".*no policy files"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json", "utf-8")
    with pytest.raises(CorpusError, match="invalid JSON"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps([{"id": "bad id", "file": "a.txt"}]), "utf-8")
    with pytest.raises(CorpusError, match="must be letters"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps([{"file": "a.txt"}]), "utf-8")
    with pytest.raises(CorpusError, match="needs 'id' and 'file'"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps([{"id": "a", "file": "a.txt", "orders": ["755号"]}]), "utf-8")
    with pytest.raises(CorpusError, match="'orders' must be a list of 令 numbers"):
        read_manifest(tmp_path)


def test_read_manifest_without_manifest_uses_txt_files(tmp_path):
    (tmp_path / "b plan.txt").write_text(MINI, "utf-8")
    (tmp_path / "a.txt").write_text(MINI, "utf-8")
    specs = read_manifest(tmp_path)
    assert [s.id for s in specs] == ["a", "b-plan"]


def test_two_documents_get_their_own_ids(tmp_path):
    (tmp_path / "one.txt").write_text(MINI, "utf-8")
    (tmp_path / "two.txt").write_text(MINI.replace("测试方案", "第二个方案"), "utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": [
        {"id": "yiwu", "title": "主文件", "file": "one.txt"},
        {"id": "demo", "file": "two.txt"},
    ]}, ensure_ascii=False), "utf-8")
    lib = load_library(tmp_path, "yiwu")
    assert len(lib.records) == 12
    assert Counter(r.doc_id for r in lib.records) == {"yiwu": 6, "demo": 6}
    one, two = lib.get("1.1"), lib.get("demo:1.1")
    assert one.doc_id == "yiwu" and one.ref == "1.1" and one.doc_title == "主文件"
    assert two.doc_id == "demo" and two.ref == "demo:1.1" and two.doc_title == "第二个方案"
    assert two.citation == "demo:第1.1条" and one.citation == "第1.1条"
    assert [r.ref for r in lib.leaves_of("demo:1")] == ["demo:1.1", "demo:1.2"]
    assert len({r.uid for r in lib.records}) == 12
    # the library hash covers both documents
    (tmp_path / "two.txt").write_text(MINI.replace("测试方案", "改过的方案"), "utf-8")
    assert load_library(tmp_path, "yiwu").sha256 != lib.sha256


def test_manifest_examples(tmp_path, lib):
    """Example questions for the page come from the manifest, not from code."""
    assert lib.examples and all(isinstance(q, str) and q for q in lib.examples)
    d = tmp_path / "c"
    d.mkdir()
    (d / "plan.txt").write_text(PLAN.read_text("utf-8"), "utf-8")
    (d / "manifest.json").write_text(json.dumps({"documents": [
        {"id": "x", "file": "plan.txt", "examples": ["刻章要钱吗", 3]}]}), "utf-8")
    with pytest.raises(CorpusError, match="'examples' must be a list of texts"):
        load_library(d, "x")
