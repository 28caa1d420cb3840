"""What Lambda ships is only what Lambda runs: the layer and the conversion image's build context hold no
local-server code (no Starlette/uvicorn, no local stack package), and the job core imports no adapter."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .conftest import ROOT

LAYER = ROOT / "layers" / "img2xlsx" / "python"
SERVER_MODULES = {"starlette", "uvicorn", "multipart", "python_multipart", "img2xlsx_local"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def image_sources() -> list[Path]:
    """The files the Dockerfile COPYs from the build context (folders expanded)."""
    files: list[Path] = []
    for line in (ROOT / "functions/convert/Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in [p for p in line.split()[1:-1] if not p.startswith("--")]:
                path = ROOT / source
                files += sorted(path.rglob("*")) if path.is_dir() else [path]
    return files


def test_layer_and_image_hold_no_local_server_code() -> None:
    shipped = sorted(LAYER.rglob("*.py")) + [p for p in image_sources() if p.suffix == ".py"]
    assert any(p.name == "convert_handler.py" for p in shipped) and len(shipped) > 30
    for path in shipped:
        roots = {name.split(".")[0] for name in imported_modules(path)}
        assert not roots & SERVER_MODULES, f"{path.relative_to(ROOT)} imports {roots & SERVER_MODULES}"
    packages = {p.parent.name for p in LAYER.rglob("__init__.py")}
    assert "local" not in packages and "img2xlsx_local" not in packages
    ignore = (ROOT / "functions/convert/Dockerfile.dockerignore").read_text()
    assert not re.search(r"^!\s*local/", ignore, re.M)  # the build context never lets local/ in


def test_the_job_core_imports_no_adapter() -> None:
    jobs = LAYER / "img2xlsx" / "jobs"
    core = ["model.py", "ports.py", "errors.py", "settings.py", "keys.py", "converter.py", "service.py"]
    for name in [*core, "wiring.py"]:
        imported = imported_modules(jobs / name)
        assert not {m for m in imported if m.startswith(("boto", "img2xlsx_local", "aws_lambda"))}, name
        source = (jobs / name).read_text()
        assert "from .aws import" not in source and "from . import aws" not in source, name


def module_graph(package_dir: Path, package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (absolute and relative imports, anywhere)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(package_dir.glob("*.py")):
        name = f"{package}.{path.stem}" if path.stem != "__init__" else package
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{parent}.{base}" if base else parent
                targets = {base} | {f"{base}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                targets = {a.name for a in node.names}
            else:
                continue
            deps |= {t for t in targets if t.startswith(package + ".")}
        graph[name] = {d for d in deps if d != name}
    return {name: deps & set(graph) for name, deps in graph.items()}  # modules only, not imported names


@pytest.mark.parametrize(
    ("folder", "package"),
    [(LAYER / "img2xlsx" / "jobs", "img2xlsx.jobs"), (ROOT / "local" / "img2xlsx_local", "img2xlsx_local")],
)
def test_no_import_goes_in_a_circle(folder: Path, package: str) -> None:
    graph = module_graph(folder, package)
    assert f"{package}.service" in graph or f"{package}.server" in graph
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join([*path, module])
        if module in done:
            return
        for dep in graph.get(module, ()):
            visit(dep, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
