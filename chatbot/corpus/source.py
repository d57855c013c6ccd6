"""Reading a document file: UTF-8 only, lines as an editor numbers them, and
no control characters (they come from a broken conversion and would silently
split or join clauses). Errors name the file and the line."""
from __future__ import annotations

import unicodedata
from pathlib import Path


class CorpusError(Exception):
    """A corpus file that cannot be read; the message names file and line."""


def split_lines(text: str) -> list[str]:
    """Lines as a text editor numbers them: on \\n only (a trailing \\r is
    dropped). str.splitlines() would also split on \\x0b, \\x0c, \\x1c-\\x1e,
    \\x85, U+2028/9 and shift every line number after them."""
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start one
    return lines


def read_text(path: Path) -> str:
    path = Path(path)
    if path.is_dir():
        raise CorpusError(f"{path}: is a directory, not a policy text file")
    if not path.is_file():
        raise CorpusError(f"{path}: corpus file not found")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise CorpusError(f"{path}:{line}: not valid UTF-8 at byte {col} of the line "
                          f"({e.reason}: {data[e.start:e.end]!r})") from None


def _bad_char(c: str) -> bool:
    """Control characters (C0 but tab, DEL, C1; a CR is fine only as part of
    a CRLF line end) and Unicode line/paragraph separators have no place in a
    policy text: they come from a broken conversion and would silently split
    or join clauses."""
    if c == "\t":
        return False
    return unicodedata.category(c) == "Cc" or c in "\u2028\u2029"


def check_lines(text: str, path: Path | str) -> None:
    for i, line in enumerate(split_lines(text), start=1):
        for col, c in enumerate(line, start=1):
            if _bad_char(c):
                name = unicodedata.name(c, "control character")
                raise CorpusError(f"{path}:{i}: {name.lower()} U+{ord(c):04X} at column {col}: "
                                  f"{line[max(0, col - 11):col + 10]!r}")
