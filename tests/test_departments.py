"""Loose department names (chatbot.departments) against the plan's own names."""
from __future__ import annotations

import pytest

from chatbot.text import departments


@pytest.fixture(scope="module")
def known(library):
    return sorted({u for r in library.records for u in r.units}
                  | {u for s in library.default.sections for u in s.lead_units})


@pytest.mark.parametrize("loose,canonical", [
    ("税务局", "国家税务总局伊吾县税务局"),
    ("税务", "国家税务总局伊吾县税务局"),
    ("国家税务总局伊吾县税务局", "国家税务总局伊吾县税务局"),
    ("人社局", "人力资源和社会保障局"),
    ("人社", "人力资源和社会保障局"),
    ("法院", "县人民法院"),
    ("人民法院", "县人民法院"),
    ("县人民法院", "县人民法院"),
    ("伊吾县人民法院", "县人民法院"),
    ("市监局", "市场监督管理局"),
    ("市场监管局", "市场监督管理局"),
    ("住建局", "住房和城乡建设局（交通运输局）"),
    ("交通运输局", "住房和城乡建设局（交通运输局）"),
    ("住房和城乡建设局", "住房和城乡建设局（交通运输局）"),
    ("发改委", "发展改革委"),
    ("供电公司", "国网伊吾供电公司"),
    ("国网", "国网伊吾供电公司"),
    ("伊吾县财政局", "财政局"),
    ("县财政局", "财政局"),
    ("财政局", "财政局"),
    ("组织部", "县委组织部"),
    ("县委组织部", "县委组织部"),
    ("卫健局", "卫健委"),
    ("医保局", "医保局"),
])
def test_canonical(known, loose, canonical):
    assert canonical in known
    assert departments.canonical(loose, known) == canonical


@pytest.mark.parametrize("loose", ["", "   ", "宇宙局", "伊吾县"])
def test_canonical_unknown(known, loose):
    assert departments.canonical(loose, known) is None


@pytest.mark.parametrize("loose", ["市场监管", "市场监管部门"])
def test_canonical_market_regulation_short_forms(known, loose):
    assert departments.canonical(loose, known) == "市场监督管理局"


def test_mentioned_longest_first_without_double_counting(known):
    assert departments.mentioned("县人民法院负责哪些措施", known) == ["县人民法院"]
    assert sorted(departments.mentioned("税务局和人社局一起负责的", known)) == sorted([
        "国家税务总局伊吾县税务局", "人力资源和社会保障局"])
    assert sorted(departments.mentioned("法院、税务、国网", known)) == sorted([
        "县人民法院", "国家税务总局伊吾县税务局", "国网伊吾供电公司"])
    assert departments.mentioned("住房和城乡建设局（交通运输局）管什么", known) == [
        "住房和城乡建设局（交通运输局）"]
    assert departments.mentioned("企业开办要多久", known) == []


def test_matches(known):
    units = ["市场监督管理局", "国家税务总局伊吾县税务局"]
    assert departments.matches("税务局", units, known)
    assert departments.matches("市监局", units, known)
    assert not departments.matches("人社局", units, known)
    assert not departments.matches("法院", units, known)
    # a fragment of exactly one known name resolves to it
    assert departments.matches("监督管理", units, known)
    # an unknown name falls back to a substring test on the record's units
    assert departments.matches("宇宙局", ["宇宙局驻伊吾办事处"], known)
    assert not departments.matches("宇宙局", units, known)


_SCRIPT = """
from chatbot.corpus.library import load_library
from chatbot.text import departments
lib = load_library('corpus')
known = sorted({u for r in lib.records for u in r.units})
print(departments.mentioned('税务局和人社局一起负责的', known))
print(departments.mentioned('人社局、税务局、法院', known))
"""


def test_mentioned_order_is_deterministic():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    outs = set()
    for seed in ("0", "1", "2", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        res = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=root, env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        outs.add(res.stdout)
    assert len(outs) == 1, outs
