"""The conversion worker: one JSON line per image, engine failures and timeouts recorded as crashes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bench import worker


def _fake_engine() -> worker.Converter:
    def run(src: str, dest: str) -> None:
        if "bad" in src:
            raise ValueError("cannot read table")
        if "slow" in src:
            time.sleep(2)
        if "busy" in src:  # CPU work on a second thread counts as CPU time, a sleep does not
            import threading

            t = threading.Thread(target=lambda: sum(i * i for i in range(3_000_000)))
            t.start()
            t.join()
        Path(dest).write_bytes(b"xlsx")

    return run


def test_batch_records_successes_crashes_and_timeouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(worker.ENGINES, "fake", _fake_engine)
    jobs = [
        {"name": n, "image": f"/x/{n}.png", "out": str(tmp_path / f"{n}.xlsx")}
        for n in ("ok", "bad", "slow", "busy")
    ]
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    results = tmp_path / "results.jsonl"
    assert worker.batch(str(tmp_path / "jobs.json"), str(results), "fake", timeout=1) == 0
    recs = {r["name"]: r for r in map(json.loads, results.read_text().splitlines())}
    assert recs["ok"]["ok"] and (tmp_path / "ok.xlsx").exists()
    assert not recs["bad"]["ok"] and recs["bad"]["error"] == "ValueError: cannot read table"
    assert not recs["slow"]["ok"] and recs["slow"]["error"].startswith("timeout")
    assert 0.9 < recs["slow"]["seconds"] < 2.5
    assert recs["slow"]["cpu_seconds"] < 0.5 < recs["slow"]["seconds"]
    assert recs["busy"]["cpu_seconds"] > 0.05
    assert all(r["peak_rss_mb"] > 1 for r in recs.values())


def test_options_reach_the_engine_only_when_set_and_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict] = []

    def old_convert(src: str) -> None:  # today's convert: no ocr/langs keywords
        seen.append({"src": src})

    def new_convert(src: str, *, ocr: str | None = None, langs: list[str] | None = None) -> None:
        seen.append({"src": src, "ocr": ocr, "langs": langs})

    assert worker.accepted(old_convert, {"langs": ["deu"]}) == ({}, ["langs"])
    assert worker.accepted(new_convert, {"langs": ["deu"], "ocr": "ppocr"}) == (
        {"langs": ["deu"], "ocr": "ppocr"},
        [],
    )

    def fake() -> worker.Converter:
        def run(src: str, dest: str, **opts: object) -> None:
            kw, dropped = worker.accepted(old_convert, dict(opts))
            worker.IGNORED.extend(dropped)
            old_convert(src, **kw)
            Path(dest).write_bytes(b"x")

        return run

    monkeypatch.setitem(worker.ENGINES, "fake", fake)
    jobs = [
        {"name": "en", "image": "/x/en.png", "out": str(tmp_path / "en.xlsx")},
        {"name": "de", "image": "/x/de.png", "out": str(tmp_path / "de.xlsx"), "opts": {"langs": ["deu"]}},
    ]
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    worker.batch(str(tmp_path / "jobs.json"), str(tmp_path / "r.jsonl"), "fake", timeout=5)
    recs = {r["name"]: r for r in map(json.loads, (tmp_path / "r.jsonl").read_text().splitlines())}
    assert recs["en"]["ok"] and "ignored_opts" not in recs["en"]
    assert recs["de"]["ok"] and recs["de"]["ignored_opts"] == ["langs"]
    assert seen == [{"src": "/x/en.png"}, {"src": "/x/de.png"}]


def test_run_passes_language_of_non_english_images_and_ocr_to_img2xlsx_only() -> None:
    from bench.dataset import BenchImage
    from bench.run import engine_opts

    def img(**tags: object) -> BenchImage:
        return BenchImage("x", "val", Path("x"), Path("x"), dict(tags))

    assert engine_opts(img(lang="eng"), "img2xlsx", None, "auto") is None
    assert engine_opts(img(), "img2xlsx", None, "auto") is None
    assert engine_opts(img(lang="vie"), "img2xlsx", "ppocr", "auto") == {"ocr": "ppocr", "langs": ["vie"]}
    assert engine_opts(img(lang="vie"), "img2table", "ppocr", "auto") == {"langs": ["vie"]}
    assert engine_opts(img(lang="vie"), "img2xlsx", None, "off") is None
    assert engine_opts(img(lang="ind"), "img2xlsx", None, "auto") is None  # not a language users pick


def test_default_run_skips_a_set_it_cannot_have_but_a_named_one_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bench.gen.build
    from bench import run

    def no_browser(split: str, **kw: object) -> Path:
        raise FileNotFoundError("Chromium not found: apt-get install chromium")

    monkeypatch.setattr(bench.gen.build, "ensure", no_browser)
    notes: list[str] = []
    assert run.load_subsets(("val",), strict=False, notes=notes) == []
    assert notes == ["val skipped: Chromium not found: apt-get install chromium"]
    with pytest.raises(FileNotFoundError, match="Chromium"):
        run.load_subsets(("val",), strict=True, notes=[])
