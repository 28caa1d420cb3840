"""The engine's house rules, checked on the source: no import cycle, no oversized module, OCR behind ocr/."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import img2xlsx

PACKAGE = Path(img2xlsx.__file__).resolve().parent
NOT_ENGINE = ("jobs", "local")  # the job service and the local stack: not the conversion engine
MAX_LINES = 450
OCR_LIBRARIES = ("tesserocr", "pytesseract", "rapidocr", "onnxruntime")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Package modules ``path`` imports, anywhere in the file (inside functions too)."""
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                stem = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # ``from pkg import mod`` imports the submodule; ``from mod import name`` the module itself
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of module names, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in sorted(graph):
        if state.get(root):
            continue
        path = [root]
        stack = [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_the_import_graph_sees_the_engine_edges() -> None:
    graph = _graph()
    # the checker itself must see relative, absolute and function-level imports, or it proves nothing
    assert "img2xlsx.page.clean" in graph["img2xlsx.page.orientation"]  # from .clean import ...
    assert "img2xlsx.ocr" in graph["img2xlsx.page.normalize"]  # from img2xlsx.ocr import ...
    assert "img2xlsx.ocr.tesseract" in graph["img2xlsx.ocr.select"]  # imported inside get_reader
    assert "img2xlsx.recognize" in graph["img2xlsx.pipeline"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle_inside_the_package() -> None:
    assert _cycle(_graph()) is None


def test_no_engine_module_over_the_size_limit() -> None:
    engine = [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in NOT_ENGINE]
    assert len(engine) > 20
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines()) for p in engine}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_only_ocr_knows_the_ocr_backend() -> None:
    leaks = []
    for name, path in _modules().items():
        if name.startswith("img2xlsx.ocr"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            leaks += [f"{name}: {m}" for m in mods if m.split(".")[0] in OCR_LIBRARIES]
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("ocr.tesseract"):
                leaks.append(f"{name}: {node.module}")
    assert leaks == []


def test_importing_the_pipeline_loads_no_heavy_dependency() -> None:
    """The API Lambda imports the pipeline's module chain on cold start; OpenCV, numpy and the OCR backend
    must wait for the first conversion."""
    code = (
        "import sys, img2xlsx.pipeline, img2xlsx.ocr, img2xlsx.values, img2xlsx.reread.budget; "
        "print(sorted(m for m in ('cv2', 'numpy', 'tesserocr', 'pytesseract') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}  # this checkout's package, not an installed one
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"
