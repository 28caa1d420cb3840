"""Load a reader's models on a background thread while the page is still being prepared.

A fresh process (the CLI's first conversion, a cold Lambda) otherwise creates PP-OCR's sessions only when the
page pass first reads: importing onnxruntime, cutting the recogniser's output layer and building both
sessions (~0.3 s) then runs after normalising the page and finding its rules (~0.3 s) instead of beside it.
The sessions are the same ones either way (one per process, see :func:`img2xlsx.ocr.ppocr._load`), so what
is read does not change; only the wait does.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)
_lock = threading.Lock()
_started: set[int] = set()  # ids of readers already warmed (readers are cached for the process's life)


def _ready(reader: Any) -> None:
    try:
        reader.ready()
    except Exception:  # the first read meets the same error and reports it properly
        log.debug("warming the %s reader failed", getattr(reader, "name", "?"), exc_info=True)


def warm_up(reader: Any) -> threading.Thread | None:
    """Start loading ``reader``'s models on a daemon thread, once per reader; None when there is nothing to
    load (a reader without ``ready()``) or it was started before. A read that comes first simply waits for
    the load in progress (the backend holds its lock while loading)."""
    ready = getattr(reader, "ready", None)
    if not callable(ready):
        return None
    with _lock:
        if id(reader) in _started:
            return None
        _started.add(id(reader))
    thread = threading.Thread(target=_ready, args=(reader,), name="img2xlsx-ocr-warm", daemon=True)
    thread.start()
    return thread
