"""Shared OCR thread pools: independent reads (page bands, cells, strips) run in parallel.

OCR libraries release the GIL while they read, so threads give real parallelism; a pool per thread count
is kept for the life of the process and forgotten in forked children (their threads do not exist there).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

MAX_OCR_THREADS = 4
OCR_THREADS_ENV = "IMG2XLSX_OCR_THREADS"
_T = TypeVar("_T")
_R = TypeVar("_R")
_pool_lock = threading.Lock()
_pools: dict[int, ThreadPoolExecutor] = {}
_rec_pools: dict[int, ThreadPoolExecutor] = {}
_serial = False  # set by a backend that cannot read on several threads (pytesseract's subprocesses)

# ``map_reads`` as the re-read passes take it (tests may pass a plain list comprehension)
MapReads = Callable[[Callable[[Any], Any], list[Any]], list[Any]]


def ocr_threads() -> int:
    """Threads for one page's OCR: $IMG2XLSX_OCR_THREADS, else the CPUs this process may run on (at most
    MAX_OCR_THREADS). The converter Lambda (3584 MB, 2 vCPUs) sets 2; the local server runs a worker per
    core."""
    env = os.environ.get(OCR_THREADS_ENV, "").strip()
    if env.isdigit():
        return max(1, min(MAX_OCR_THREADS, int(env)))
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_OCR_THREADS, cpus))


def set_serial(serial: bool) -> None:
    """Backends call this once: True when reads cannot overlap, so :func:`map_reads` runs them in turn."""
    global _serial
    _serial = serial


def _forget_pools() -> None:
    """In a forked child the pools' threads do not exist: a pool copied from the parent would never run."""
    global _pool_lock
    _pools.clear()
    _rec_pools.clear()
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


def pool(threads: int) -> ThreadPoolExecutor:
    """The process-wide pool with ``threads`` threads."""
    with _pool_lock:
        found = _pools.get(threads)
        if found is None:
            found = _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="img2xlsx-ocr")
        return found


def rec_pool(threads: int) -> ThreadPoolExecutor:
    """The process-wide pool recognition batches run on (PP-OCR): apart from :func:`pool`, whose threads
    may be the ones waiting for these batches (a cell re-read recognises its lines), so they never wait
    for a thread of their own pool."""
    with _pool_lock:
        found = _rec_pools.get(threads)
        if found is None:
            found = _rec_pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="img2xlsx-rec")
        return found


def serial(read: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
    """``map_reads`` without threads: the re-read passes' default when no pool is given (tests' fakes)."""
    return [read(item) for item in items]


def map_reads(read: Callable[[_T], _R], items: Sequence[_T], threads: int | None = None) -> list[_R]:
    """``[read(item) for item in items]`` on the OCR threads: independent re-reads (cells, strips) in
    parallel, results in order. Each thread has its own OCR engine, so ``read`` may use any reader."""
    threads = ocr_threads() if threads is None else threads
    if threads <= 1 or len(items) < 2 or _serial:
        return [read(item) for item in items]
    return list(pool(threads).map(read, items))
