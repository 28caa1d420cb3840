"""Load the Lambda handlers from ``functions/`` the way the Lambda runtime does (function folder on sys.path,
``module.function`` handler string), so the local stack, ``make invoke`` and the tests all run the deployed
code, not a copy of it. The one loader for all three."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]

# local/img2xlsx_local/handlers.py → the repository root
REPO_ROOT = Path(os.environ.get("IMG2XLSX_REPO_ROOT") or Path(__file__).resolve().parents[2])

# Logical id in template.yaml → (code folder, handler). tests/backend/test_sam_template.py keeps them in sync.
FUNCTIONS: dict[str, tuple[str, str]] = {
    "ApiFunction": ("functions/api", "api_handler.handler"),
    "ConvertFunction": ("functions/convert", "convert_handler.handler"),
    "FailureFunction": ("functions/failures", "failure_handler.handler"),
}
API_FUNCTION = FUNCTIONS["ApiFunction"]
CONVERT_FUNCTION = FUNCTIONS["ConvertFunction"]


def load_module(function_dir: str, module_name: str) -> ModuleType:
    """Import ``REPO_ROOT/function_dir/module_name.py`` with its folder on sys.path (where Lambda puts the
    function's code), once per process: every caller gets the same module object."""
    folder = (REPO_ROOT / function_dir).resolve()
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
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[unique]
            raise
    return module


def load_handler(function_dir: str, handler: str) -> Handler:
    """The ``module.attr`` handler of the function in ``function_dir`` (see :func:`load_module`)."""
    module_name, _, attr = handler.rpartition(".")
    fn: Handler = getattr(load_module(function_dir, module_name), attr)
    return fn


def load_function(logical_id: str) -> Handler:
    """The handler of a function of template.yaml by its logical id, e.g. ``ApiFunction``."""
    return load_handler(*FUNCTIONS[logical_id])
