"""The package's shape, read from its source: the layers import downwards only
(``app → answer/present → search → corpus → text → domain``), there is no
import circle, no module is over 450 lines, and objects are built in one
place (``app.bootstrap``) from one settings object that no lower layer reads."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "chatbot"
LAYERS = {"domain": 0, "text": 1, "corpus": 2, "search": 3, "answer": 4, "present": 4, "app": 5}
MAX_LINES = 450


def modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        parts = p.relative_to(PKG.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


MODULES = modules()


def imports(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports (``from . import x`` of a
    submodule counts the submodule, not its package)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{a.name}" for a in node.names} & MODULES.keys()
            if subs:
                found |= subs
                if len(subs) < len(node.names):
                    found.add(target)
            else:
                found.add(target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports(name, path) for name, path in MODULES.items()}


def layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_layers_import_downwards_only():
    upward = [(a, b) for a, deps in GRAPH.items() for b in deps
              if layer(a) is not None and layer(b) is not None and layer(b) > layer(a)]
    assert upward == []


def test_every_module_belongs_to_a_layer():
    loose = [m for m in MODULES if m not in ("chatbot", "chatbot.__main__") and layer(m) is None]
    assert loose == []


def test_no_import_circle():
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(u: str, path: list[str]) -> None:
        state[u] = 1
        for v in sorted(GRAPH[u]):
            if state.get(v) == 1:
                circles.append(path[path.index(v):] + [v] if v in path else [u, v])
            elif v not in state:
                visit(v, path + [v])
        state[u] = 2

    for m in sorted(MODULES):
        if m not in state:
            visit(m, [m])
    assert circles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_size(name):
    n = len(MODULES[name].read_text("utf-8").splitlines())
    assert n <= MAX_LINES, f"{name}: {n} lines"


def test_settings_are_read_only_by_the_app_layer():
    readers = [m for m, deps in GRAPH.items() if "chatbot.app.settings" in deps and layer(m) != LAYERS["app"]]
    assert readers == []


BUILT_ONLY_IN_BOOTSTRAP = ("VectorIndex", "Assistant", "RefusalCheck", "open_feedback_store", "SqliteFeedbackStore",
                           "PostgresFeedbackStore", "Limits", "LimitStorage", "build_retriever", "load_library")


def test_objects_are_built_in_the_bootstrap():
    """The assistant's parts are constructed in ``app.bootstrap`` only (the CLI
    may read the corpus for ``parse``); no module keeps a global of them."""
    allowed = {"chatbot.app.bootstrap": BUILT_ONLY_IN_BOOTSTRAP, "chatbot.app.cli": ("load_library",),
               # the factory that turns YIWU_FEEDBACK_URL into a store, called by the bootstrap
               "chatbot.app.feedback": ("SqliteFeedbackStore", "PostgresFeedbackStore")}
    found = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
                if called in BUILT_ONLY_IN_BOOTSTRAP and called not in allowed.get(name, ()):
                    found.append((name, called, node.lineno))
            if isinstance(node, ast.Global):
                found.append((name, "global " + ", ".join(node.names), node.lineno))
    assert found == []
