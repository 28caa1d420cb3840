"""Load the Lambda handlers from ``functions/`` the way the Lambda runtime does (function folder on sys.path,
``module.function`` handler string), so the local stack runs the deployed code, not a copy of it."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]

# layers/img2xlsx/python/img2xlsx/local/handlers.py → the repository root
REPO_ROOT = Path(os.environ.get("IMG2XLSX_REPO_ROOT") or Path(__file__).resolve().parents[5])
API_FUNCTION = ("functions/api", "api_handler.handler")
CONVERT_FUNCTION = ("functions/convert", "convert_handler.handler")


def load_handler(function_dir: str, handler: str) -> Handler:
    """Import ``handler`` ("module.attr") from ``REPO_ROOT/function_dir`` with that folder on sys.path."""
    folder = (REPO_ROOT / function_dir).resolve()
    module_name, _, attr = handler.rpartition(".")
    path = folder / f"{module_name}.py"
    if not path.is_file():
        raise RuntimeError(f"Lambda handler not found: {path}")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    unique = f"_img2xlsx_fn_{folder.name}_{module_name}"
    module = sys.modules.get(unique)
    if module is None:
        spec = importlib.util.spec_from_file_location(unique, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        spec.loader.exec_module(module)
    fn: Handler = getattr(module, attr)
    return fn
