"""The engine's one reader of tunable limits from the environment: loader and PDF limits are set per
deployment (Lambda environment, local stack) without code changes; a bad value must never stop the engine."""

from __future__ import annotations

import os


def env_int(name: str, default: int) -> int:
    """``$name`` as a positive int; unset, unparsable or non-positive values give ``default``."""
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default
