"""Prepared model bytes kept on disk, so a fresh process does not prepare the same models again.

Loading PP-OCR edits both ONNX files before onnxruntime sees them: the detector's denormal weights are
flushed (:mod:`.onnx_denormals`) and the recogniser's output layer is cut to a page's classes
(:mod:`.onnx_slice`). That walks ~30 MB of protobuf on every cold start (~0.1 s of CPU, more on a busy
machine, while the page is being prepared on the other thread); the result only depends on the source file,
the recipe (which classes) and the editing code, so it is stored once and read back afterwards.

Where: ``$IMG2XLSX_MODEL_CACHE`` (a folder; ``off`` turns the cache off), else
``$XDG_CACHE_HOME/img2xlsx/models`` or ``~/.cache/img2xlsx/models``. The converter image prepares its
entries at build time in a folder of the image (read-only at run time, which is fine: reads need no write).

Safe by construction rather than by locking:
- an entry is written to a temporary file in the same folder and renamed into place, so a reader sees a
  whole entry or none; two processes preparing the same entry at once both rename a complete file;
- every entry carries its payload's length and CRC-32, checked on read: a truncated or damaged file is
  prepared again (and replaced when the folder is writable);
- any OS error (read-only or missing folder, full disk, no home) falls back to preparing in memory, as
  before: the cache can make a start faster, never make it fail.

Bounded: every new language set, onnxruntime or code version makes new entries (10-13 MB each) and the old
ones are never asked for again, so after each store the least recently used entries beyond
``$IMG2XLSX_MODEL_CACHE_MB`` (default 256) are removed; a hit refreshes its entry's time. An entry removed
under a reader is only prepared again.

Keys: the source file's resolved path, size and modification time (not a hash of its contents: hashing
31 MB would cost a third of what the cache saves; a wheel's files change only by being replaced, which
changes their time) and the recipe, which names the editing code too (:mod:`.ppocr_prepare` puts a digest
of its modules' source in it), so an entry made by other code is never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_ENV = "IMG2XLSX_MODEL_CACHE"
BUDGET_ENV = "IMG2XLSX_MODEL_CACHE_MB"
DEFAULT_BUDGET_MB = 256.0
OFF = {"", "0", "off", "no", "none", "false"}
MAGIC = b"I2XMODEL1\n"
_HEADER = struct.Struct("<QI")  # payload length, CRC-32
STALE_TMP_S = 3600.0  # a temporary file this old was left by a process that died while writing it

Make = Callable[[bytes], bytes]


def cache_dir() -> Path | None:
    """The folder entries live in (None: the cache is off)."""
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        return None if env.strip().lower() in OFF else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        base = Path(xdg) if xdg else Path.home() / ".cache"
    except RuntimeError:  # no home directory to be found
        return None
    return base / "img2xlsx" / "models"


def writable() -> bool:
    """Whether a new entry can be stored (the folder exists and may be written, or can be made): preparing
    more than what is needed right now is only worth it then."""
    folder = cache_dir()
    if folder is None:
        return False
    probe = folder
    while not probe.exists():  # the first folder that exists decides whether the rest can be made
        if probe.parent == probe:
            return False
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)


def entry_path(folder: Path, source: Path, recipe: str) -> Path:
    """The file an entry of ``source`` prepared by ``recipe`` is stored in."""
    st = source.stat()
    key = "\0".join([MAGIC.decode(), str(source.resolve()), str(st.st_size), str(st.st_mtime_ns), recipe])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return folder / f"{source.stem}-{digest}.bin"


def _decode(blob: bytes) -> bytes | None:
    """The payload of a stored entry, or None when it is not a whole, undamaged entry."""
    head = len(MAGIC) + _HEADER.size
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    size, crc = _HEADER.unpack_from(blob, len(MAGIC))
    payload = blob[head:]
    if len(payload) != size or zlib.crc32(payload) != crc:
        return None
    return payload


def _encode(payload: bytes) -> bytes:
    return MAGIC + _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def _store(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically (temporary file + rename); OSError when it cannot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_encode(payload))
        os.chmod(tmp, 0o644)  # mkstemp makes it private: a read-only image is read by another user (Lambda)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _prune(path.parent, keep=path)


def budget_bytes() -> int:
    """How many bytes of entries the folder may hold (a bad value means the default)."""
    try:
        mb = float(os.environ.get(BUDGET_ENV, DEFAULT_BUDGET_MB))
    except ValueError:
        mb = DEFAULT_BUDGET_MB
    return int(max(mb, 0.0) * 1024 * 1024)


def _prune(folder: Path, keep: Path) -> None:
    """Remove the least recently used entries beyond the budget; ``keep`` (just stored) always stays."""
    entries: list[tuple[float, int, Path]] = []
    for entry in folder.glob("*.bin"):
        if entry.name.startswith(".") or entry == keep:
            continue
        try:
            st = entry.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, entry))
    try:
        room = budget_bytes() - keep.stat().st_size
    except OSError:
        return
    for _, size, entry in sorted(entries, reverse=True):  # newest first: they stay while there is room
        room -= size
        if room < 0:
            with contextlib.suppress(OSError):
                entry.unlink()


def _sweep(folder: Path) -> None:
    """Remove temporary files that processes which died while writing left behind."""
    now = time.time()
    for tmp in folder.glob(".tmp-*.bin"):
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_S:
                tmp.unlink()
        except OSError:
            pass


def read(source: Path, recipe: str) -> bytes | None:
    """The stored entry of ``source`` prepared by ``recipe``; None when there is none (or it is damaged, or
    the cache is off or unreadable)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        path = entry_path(folder, source, recipe)
        payload = _decode(path.read_bytes())
    except FileNotFoundError:
        return None
    except OSError:
        log.debug("model cache unreadable", exc_info=True)
        return None
    if payload is None:
        log.debug("model cache entry %s is damaged: prepared again", path)
    else:
        with contextlib.suppress(OSError):  # a read-only folder keeps its times: nothing is pruned there
            os.utime(path)
    return payload


def write(source: Path, recipe: str, payload: bytes) -> bool:
    """Store ``payload`` as the entry of ``source`` prepared by ``recipe``; False when it cannot be."""
    folder = cache_dir()
    if folder is None:
        return False
    try:
        _store(entry_path(folder, source, recipe), payload)
    except OSError:  # read-only file system (Lambda), full disk, ...: fine, just slower next time
        log.debug("model cache not writable: %s", folder, exc_info=True)
        return False
    return True


def prepared(source: Path, recipe: str, make: Make, finish: Make | None = None) -> bytes:
    """``make(source's bytes)``, read from the cache when an entry for (source, recipe, code) exists, else
    made and stored for the next process. ``finish``: more work on what ``make`` gives that is worth doing
    only for a stored entry (done once, read many times); the entry is ``finish(make(...))``, and when the
    cache cannot store, ``make``'s bytes are returned as they are. Exceptions of ``make`` propagate
    (nothing is stored); OS errors of the cache itself only mean the bytes are made in memory."""
    payload = read(source, recipe)
    if payload is not None:
        return payload
    payload = make(source.read_bytes())
    if writable():
        if finish is not None:
            payload = finish(payload)
        write(source, recipe, payload)
    return payload
