"""Command line: python -m chatbot build-index | cache-vectors | search | parse | ask | warnings."""
from __future__ import annotations

import json
import logging
import sys
import time

import click

from ..corpus.library import load_library
from ..corpus.source import CorpusError
from ..domain.dates import parse_month
from ..search.filters import Filters
from ..search.store import IndexUnavailable
from ..text.normalize import prepare
from .settings import Settings


def _fail(msg: str, code: int = 2) -> None:
    click.echo(f"错误：{msg}", err=True)
    sys.exit(code)


def _given():
    """Services handed in as the click context's ``obj`` (tests), or None.
    The bootstrap is imported lazily: ``parse`` needs no index or model."""
    from .bootstrap import Services

    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, Services) else None


def _settings() -> Settings:
    given = _given()
    return given.settings if given else Settings()


def _services(**kw):
    """The assistant, built once for this command; a broken corpus or an
    unusable index is a message and exit code 2, not a traceback."""
    from .bootstrap import bootstrap

    if (given := _given()) and not kw:
        return given
    try:
        return bootstrap(_settings(), **kw)
    except (CorpusError, IndexUnavailable) as e:
        _fail(str(e))


def _library():
    s = _settings()
    try:
        return load_library(s.corpus_dir, s.default_doc)
    except CorpusError as e:
        _fail(str(e))


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Show info logs.")
def main(verbose: bool) -> None:
    """伊吾县营商环境政策问答助手 — command line."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@main.command("build-index")
def build_index() -> None:
    """(Re)build the vector index and report the time taken."""
    t0 = time.perf_counter()
    services = _services(force_index=True)
    idx = services.vectors
    click.echo(f"indexed {len(services.library.records)} records from {len(services.library.corpora)} "
               f"document(s) into {idx.name} with {idx.embedder}: build {idx.last_build_seconds or 0:.1f} s "
               f"(start to ready {time.perf_counter() - t0:.1f} s)")


@main.command("cache-vectors")
def cache_vectors() -> None:
    """Write the shipped vector cache (<corpus>/vectors/<embedder>.npz) for
    the corpus as it is: commit it beside the corpus so a fresh clone starts
    without embedding. Rows already cached are not embedded again."""
    from ..search import vcache
    from ..search.rows import index_rows
    from .bootstrap import embeddings_for

    s = _settings()
    target = s.vector_cache_dir
    if target is None:
        _fail("YIWU_VECTOR_CACHE 为空：没有可写入的向量缓存目录。")
    lib = _library()
    emb = embeddings_for(s)
    t0 = time.perf_counter()
    rows = index_rows(lib.records, lib.questions_of, lib.declines)
    by_key, _, fresh = vcache.vectors_for(emb, rows, [target, s.index_dir])
    path = vcache.save(vcache.cache_file(target, vcache.embedder_name(emb)), vcache.embedder_name(emb), by_key)
    click.echo(f"wrote {path} ({len(by_key)} vectors for {len(rows)} rows, {fresh} embedded now, "
               f"{path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")


def _month(value: str | None, option: str) -> str | None:
    """--after/--before as YYYY-MM ("2024-6", "2024/06", "2024年6月" accepted)."""
    try:
        return parse_month(value)
    except ValueError:
        _fail(f"{option} 的月份 {value!r} 无法识别，请写成 YYYY-MM，例如 2024-06。")


def _parse_filters(unit, after, before, section, doc):
    return Filters(units=list(unit), deadline_after=_month(after, "--after"),
                   deadline_before=_month(before, "--before"), section=section, doc=doc)


@main.command()
@click.argument("question")
@click.option("-k", default=5, show_default=True, help="How many records.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid")
@click.option("--unit", multiple=True, help="Responsible department (loose: 税务局, 人社局…).")
@click.option("--after", help="Deadline on or after YYYY-MM.")
@click.option("--before", help="Deadline on or before YYYY-MM.")
@click.option("--section", type=int, help="Section number 1–17 (0 = 保障措施).")
@click.option("--doc", help="Document id.")
def search(question, k, as_json, mode, unit, after, before, section, doc) -> None:
    """Ranked records for QUESTION."""
    p = prepare(question, _settings().max_question_chars)
    if p.empty and not (unit or after or before or section is not None or doc):
        _fail("问题为空，请输入要查询的内容。")
    if p.notice:
        click.echo(f"注意：{p.notice}", err=True)
    filters = _parse_filters(unit, after, before, section, doc)
    services = _services()
    if doc and services.library.doc(doc) is None:
        _fail(f"没有编号为 {doc!r} 的文件（可选：{'、'.join(services.library.doc_ids)}）。")
    hits = services.retriever.search(p.text, k=k, filters=filters, mode=mode)
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("没有找到相关条款。")
    for rank, h in enumerate(hits, 1):
        r = h.record
        click.echo(f"{rank}. [{r.ref}] {r.title}  score={h.score:.3f} ({h.via})")
        click.echo(f"   责任单位：{r.units_label}；完成时限：{r.deadline_label}")
        click.echo("   " + r.text.replace("\n", "\n   "))


@main.command()
@click.argument("question", required=False, default="")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (answer, citations, refused, answerer, …).")
def ask(question: str, as_json: bool) -> None:
    """A grounded answer to QUESTION, with citations."""
    if prepare(question, _settings().max_question_chars).empty:
        _fail("问题为空，请输入要咨询的内容，例如：python -m chatbot ask \"刻章要钱吗？\"")
    a = _services().assistant.answer(question)
    if as_json:
        click.echo(json.dumps(a.to_dict(), ensure_ascii=False, indent=2))
        return
    if a.notice:
        click.echo(f"提示：{a.notice}\n")
    click.echo(a.text)
    if a.citations:
        click.echo(f"\n引用：{'、'.join(a.citations[:30])}" + ("…" if len(a.citations) > 30 else "")
                   + f"  （{a.answerer}）")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--warnings-only", is_flag=True, help="Only print the parse warnings.")
def parse(as_json: bool, warnings_only: bool) -> None:
    """Print the structured corpus and its parse warnings."""
    lib = _library()
    if as_json:
        out = {
            "documents": [{"id": c.doc_id, "title": c.title, "file": str(c.path), "format": c.format,
                           "records": len(c.records), "sha256": c.sha256} for c in lib.corpora],
            "records": [] if warnings_only else [r.to_dict() for r in lib.records],
            "warnings": [w.__dict__ for w in lib.warnings],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not warnings_only:
        for r in lib.records:
            click.echo(f"[{r.ref}] {r.section.display} / {r.title}")
            click.echo(f"  责任单位：{r.units_label}  完成时限：{r.deadline_raw} → {r.deadline}")
            click.echo("  " + r.body[:80].replace("\n", " ") + ("…" if len(r.body) > 80 else ""))
        click.echo("")
    for c in lib.corpora:
        click.echo(f"{c.doc_id}: {c.title} — {len(c.records)} records, {len(c.sections)} sections")
    click.echo(f"{len(lib.warnings)} parse warning(s):")
    for w in lib.warnings:
        click.echo(f"  {w}")


@main.command("warnings")
def warnings_cmd() -> None:
    """Print only the parse warnings."""
    ctx = click.get_current_context()
    ctx.invoke(parse, as_json=False, warnings_only=True)


if __name__ == "__main__":
    main()
