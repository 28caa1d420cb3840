"""The on-disk cache of prepared model bytes: hits, misses, damaged entries, concurrent writers, read-only
folders, and PP-OCR reading the same with its models from the cache as without it."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import numpy as np
import pytest
from img2xlsx.ocr import model_cache
from PIL import Image, ImageDraw, ImageFont


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache" / "models"  # not made yet: the first store makes it
    monkeypatch.setenv(model_cache.CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "model.onnx"
    path.write_bytes(b"source model " * 100)
    return path


class _Maker:
    """A ``make`` that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: bytes) -> bytes:
        self.calls += 1
        return data.upper()


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bin")) if folder.is_dir() else []


def test_a_miss_prepares_and_stores_then_a_hit_reads_without_preparing(cache: Path, source: Path) -> None:
    make = _Maker()
    first = model_cache.prepared(source, "upper", make)
    second = model_cache.prepared(source, "upper", make)
    assert first == second == source.read_bytes().upper()
    assert make.calls == 1
    assert len(_entries(cache)) == 1
    assert not list(cache.glob(".tmp-*"))  # the temporary file was renamed into place
    assert _entries(cache)[0].stat().st_mode & 0o044 == 0o044  # readable by another user (Lambda)


def test_the_key_follows_the_recipe_and_the_source(cache: Path, source: Path) -> None:
    make = _Maker()
    model_cache.prepared(source, "upper", make)
    model_cache.prepared(source, "other recipe", make)
    assert make.calls == 2
    source.write_bytes(b"a new model")  # a reinstalled wheel: other size and time
    assert model_cache.prepared(source, "upper", make) == b"A NEW MODEL"
    assert make.calls == 3


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_entry_is_prepared_again_and_replaced(cache: Path, source: Path, damage: str) -> None:
    make = _Maker()
    good = model_cache.prepared(source, "upper", make)
    entry = _entries(cache)[0]
    blob = bytearray(entry.read_bytes())
    if damage == "truncate":
        blob = blob[:-5]
    elif damage == "flip":
        blob[-3] ^= 0x10
    elif damage == "garbage":
        blob = bytearray(b"not an entry at all")
    else:
        blob = bytearray()
    entry.write_bytes(bytes(blob))
    assert model_cache.read(source, "upper") is None
    assert model_cache.prepared(source, "upper", make) == good
    assert make.calls == 2
    assert model_cache.read(source, "upper") == good  # repaired


def test_off_stores_nothing(tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(model_cache.CACHE_ENV, "off")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    make = _Maker()
    assert model_cache.prepared(source, "upper", make) == source.read_bytes().upper()
    model_cache.prepared(source, "upper", make)
    assert make.calls == 2 and model_cache.cache_dir() is None and not model_cache.writable()


def test_default_folder_is_the_users_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(model_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_cache.cache_dir() == tmp_path / "xdg" / "img2xlsx" / "models"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert model_cache.cache_dir() == tmp_path / "home" / ".cache" / "img2xlsx" / "models"


def test_a_folder_that_cannot_be_made_falls_back_to_memory(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_bytes(b"")
    monkeypatch.setenv(model_cache.CACHE_ENV, str(blocker / "models"))
    finish = _Maker()
    out = model_cache.prepared(source, "upper", _Maker(), finish=finish)
    assert out == source.read_bytes().upper()  # made in memory, not finished: it could not be stored
    assert finish.calls == 0 and not model_cache.writable()


def test_a_read_only_file_system_falls_back_to_memory(
    cache: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on Lambda: the folder looks writable to access(2) but the rename fails (EROFS); nothing is left."""
    cache.mkdir(parents=True)

    def refuse(*_: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(model_cache.os, "replace", refuse)
    make = _Maker()
    assert model_cache.prepared(source, "upper", make) == source.read_bytes().upper()
    assert not _entries(cache) and not list(cache.glob(".tmp-*"))


def test_a_read_only_folder_still_serves_its_entries(
    cache: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The converter image: entries made at build time, the folder read-only at run time."""
    good = model_cache.prepared(source, "upper", _Maker(), finish=lambda b: b + b"!")
    assert good.endswith(b"!")  # stored, so finished

    def refuse(*_: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(model_cache, "writable", lambda: False)
    monkeypatch.setattr(model_cache, "_store", refuse)
    make = _Maker()
    assert model_cache.prepared(source, "upper", make) == good and make.calls == 0


def test_stale_temporary_files_are_swept(cache: Path, source: Path) -> None:
    cache.mkdir(parents=True)
    stale, fresh = cache / ".tmp-dead.bin", cache / ".tmp-writing.bin"
    for path in (stale, fresh):
        path.write_bytes(b"partial")
    old = time.time() - 2 * model_cache.STALE_TMP_S
    os.utime(stale, (old, old))
    model_cache.prepared(source, "upper", _Maker())
    assert not stale.exists() and fresh.exists()


def _prepare_in_child(source: str, out: str, go: float) -> None:
    """A process preparing the same entry as its siblings at the same moment (slowly, so they overlap)."""
    while time.time() < go:
        time.sleep(0.001)

    def slow(data: bytes) -> bytes:
        time.sleep(0.2)
        return data.upper() * 1000

    got = model_cache.prepared(Path(source), "concurrent", slow)
    ok = got == Path(source).read_bytes().upper() * 1000
    Path(out).write_text(json.dumps({"size": len(got), "ok": ok}))


def test_processes_preparing_the_same_entry_at_once_all_get_it_whole(cache: Path, source: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    go = time.time() + 0.3
    outs = [cache.parent / f"out{i}.json" for i in range(4)]
    procs = [ctx.Process(target=_prepare_in_child, args=(str(source), str(o), go)) for o in outs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    results = [json.loads(o.read_text()) for o in outs]
    assert all(r["ok"] for r in results)
    assert len(_entries(cache)) == 1 and not list(cache.glob(".tmp-*"))
    assert model_cache.read(source, "concurrent") == source.read_bytes().upper() * 1000


# ---- PP-OCR with its models from the cache ------------------------------------------------------------


def _page() -> np.ndarray:
    font = ImageFont.load_default(size=24)
    img = Image.new("L", (520, 120), 255)
    draw = ImageDraw.Draw(img)
    draw.text((20, 20), "Invoice 2024-03", fill=0, font=font)
    draw.text((20, 70), "Total 1,234.50", fill=0, font=font)
    return np.asarray(img)


def test_ppocr_reads_the_same_from_cached_models(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")
    from img2xlsx.ocr import ppocr

    def read() -> list[tuple[str, tuple[int, int, int, int], float]]:
        monkeypatch.setattr(ppocr, "_models", {})  # a fresh process's sessions
        monkeypatch.setattr(ppocr, "_dets", {})
        words = ppocr.PpocrReader(("eng",), threads=1).read_page(_page())
        return [(w.text, w.bbox, w.conf) for w in words]

    monkeypatch.setenv(model_cache.CACHE_ENV, "off")
    plain = read()
    monkeypatch.setenv(model_cache.CACHE_ENV, str(cache))
    stored = read()  # prepares and stores both models
    assert len(_entries(cache)) == 2  # the detector and the English recogniser
    files = [p.stat().st_ino for p in _entries(cache)]
    cached = read()  # read back, not prepared again (a store renames a new file into place)
    assert [p.stat().st_ino for p in _entries(cache)] == files
    assert plain == stored == cached
    assert any("1,234.50" in t for t, _, _ in plain)


def test_prepared_models_are_keyed_by_the_code_that_made_them(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("onnxruntime")
    from img2xlsx.ocr import ppocr, ppocr_prepare

    det = ppocr.det_model_path()
    first = ppocr_prepare.prepared_detector(det)
    assert len(_entries(cache)) == 1
    monkeypatch.setattr(ppocr_prepare, "code_digest", lambda: "other code")
    assert ppocr_prepare.prepared_detector(det) == first
    assert len(_entries(cache)) == 2


def test_least_recently_used_entries_beyond_the_budget_are_removed(
    cache: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = len(model_cache._encode(source.read_bytes().upper()))
    monkeypatch.setenv(model_cache.BUDGET_ENV, str(2.5 * size / (1024 * 1024)))  # room for two entries
    make = _Maker()
    model_cache.prepared(source, "a", make)
    model_cache.prepared(source, "b", make)
    old = time.time() - 100
    for entry in _entries(cache):
        os.utime(entry, (old, old))
    model_cache.prepared(source, "a", make)  # a hit: "a" is now the more recently used of the two
    assert make.calls == 2
    model_cache.prepared(source, "c", make)  # a third entry: "b" goes
    assert len(_entries(cache)) == 2
    model_cache.prepared(source, "a", make)
    model_cache.prepared(source, "c", make)
    assert make.calls == 3  # "a" and "c" were kept
    model_cache.prepared(source, "b", make)
    assert make.calls == 4  # "b" had been removed


def test_an_entry_larger_than_the_budget_is_still_stored(
    cache: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(model_cache.BUDGET_ENV, "0")
    make = _Maker()
    model_cache.prepared(source, "a", make)
    model_cache.prepared(source, "b", make)
    assert len(_entries(cache)) == 1  # only the newest
    model_cache.prepared(source, "b", make)
    assert make.calls == 2
