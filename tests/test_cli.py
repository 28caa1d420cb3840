"""CLI: outputs land where promised; bad input: one stderr line and a non-zero exit, never a traceback."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from img2xlsx import cli
from openpyxl import load_workbook
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "img2xlsx" / "python"

needs_recognition = pytest.mark.skipif(
    importlib.util.find_spec("img2xlsx.recognize") is None,
    reason="img2xlsx.recognize (engine-structure) is not in this checkout yet",
)


def _table_png(path: Path) -> Path:
    font = ImageFont.load_default(size=26)
    rows = [["Name", "Score"], ["Ada", "1,250"], ["Bob", "980"]]
    img = Image.new("RGB", (500, 60 * len(rows) + 40), "white")
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((32 + 240 * c, 35 + 60 * r), text, fill="black", font=font)
        draw.line([(20, 20 + 60 * r), (480, 20 + 60 * r)], fill="black", width=2)
    draw.line([(20, 20 + 60 * len(rows)), (480, 20 + 60 * len(rows))], fill="black", width=2)
    for x in (20, 260, 480):
        draw.line([(x, 20), (x, 20 + 60 * len(rows))], fill="black", width=2)
    img.save(path)
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------------------- bad input


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of unusable input and a word the one-line reason must contain."""
    empty = tmp / "empty.png"
    empty.write_bytes(b"")
    text = tmp / "notes.png"
    text.write_text("Quarter,Revenue\nQ1,100\n")
    pdf = tmp / "scan.png"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
    svg = tmp / "chart.png"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    html = tmp / "page.png"
    html.write_text("<!doctype html><html><body>hi</body></html>")
    ppm = tmp / "old.ppm"
    Image.new("RGB", (50, 50), "white").save(ppm)
    truncated = tmp / "cut.jpg"
    noise = Image.effect_noise((300, 300), 80).convert("RGB")
    noise.save(truncated, format="JPEG")
    truncated.write_bytes(truncated.read_bytes()[:2000])
    tiny = tmp / "tiny.png"
    Image.new("RGB", (4, 4), "white").save(tiny)
    return {
        "empty": (empty, "empty"),
        "text": (text, "text file"),
        "pdf": (pdf, "PDF"),
        "svg": (svg, "SVG"),
        "html": (html, "HTML"),
        "unsupported": (ppm, "not supported"),
        "truncated": (truncated, "truncated"),
        "too small": (tiny, "too small"),
        "missing": (tmp / "nope.png", "not found"),
    }


@pytest.mark.parametrize(
    "kind", ["empty", "text", "pdf", "svg", "html", "unsupported", "truncated", "too small", "missing"]
)
def test_bad_input_one_line_and_nonzero_exit(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, word = _bad_inputs(tmp_path)[kind]
    code, out, err = _run(["convert", str(path)], capsys)
    assert code == cli.EXIT_FAILED
    assert err.count("\n") == 1 and err.startswith("img2xlsx: ") and word in err
    assert "Traceback" not in err and out == ""
    assert not path.with_suffix(".xlsx").exists()


def test_too_large_input_from_the_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = tmp_path / "bomb.png"
    ihdr = struct.pack(">IIBBBBB", 12000, 12000, 8, 0, 0, 0, 0)
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")))
    code, _, err = _run(["convert", str(bomb)], capsys)
    assert code == cli.EXIT_FAILED and "MP" in err and err.count("\n") == 1


def test_subprocess_bad_input_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "fake.png"
    bad.write_text("hello")
    env = {**os.environ, "PYTHONPATH": str(LAYER)}
    env.pop("IMG2XLSX_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "img2xlsx.cli", "convert", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1
    assert (
        proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr and "fake.png" in proc.stderr
    )


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    out_file = tmp_path / "out.xlsx"
    out_file.write_bytes(b"x")
    code, _, err = _run(["convert", str(a), str(b), "-o", str(out_file)], capsys)
    assert code == cli.EXIT_USAGE and "not a directory" in err
    with pytest.raises(SystemExit) as info:
        cli.main(["convert", str(a), "--format", "pdf"])
    assert info.value.code == 2
    assert cli.main([]) == cli.EXIT_USAGE


def test_cli_import_is_light() -> None:
    heavy = "('cv2', 'openpyxl', 'numpy', 'PIL', 'tesserocr')"
    code = f"import sys, img2xlsx.cli; print(sorted(m for m in {heavy} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(LAYER)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]"


def test_serve_is_registered_when_available() -> None:
    parser = cli.build_parser()
    choices = next(a for a in parser._actions if a.dest == "command").choices
    assert choices is not None and "convert" in choices
    if importlib.util.find_spec("img2xlsx_local.cli") is not None:
        assert "serve" in choices


# --------------------------------------------------------------------------------------------- success


@needs_recognition
def test_convert_next_to_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = _table_png(tmp_path / "scores.png")
    code, out, err = _run(["convert", str(image)], capsys)
    assert code == 0, err
    produced = tmp_path / "scores.xlsx"
    assert out.strip() == str(produced)
    wb = load_workbook(produced)
    ws = wb[wb.sheetnames[0]]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert 1250 in values and "Name" in values


@needs_recognition
def test_ocr_backend_is_chosen_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("onnxruntime")
    monkeypatch.delenv("IMG2XLSX_OCR", raising=False)
    from img2xlsx.ocr import get_reader

    image = _table_png(tmp_path / "scores.png")
    code, _, err = _run(["convert", str(image), "--ocr", "ppocr", "-o", str(tmp_path / "pp.json")], capsys)
    assert code == 0, err
    doc = json.loads((tmp_path / "pp.json").read_text())
    cells = [c["text"] for t in doc["tables"] for c in t["cells"]]
    assert "Name" in cells and ("1,250" in cells or "1250" in cells)
    assert get_reader("ppocr").name == "ppocr"
    with pytest.raises(SystemExit):
        cli.main(["convert", str(image), "--ocr", "easyocr"])


@needs_recognition
def test_batch_to_a_directory_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = _table_png(tmp_path / "one.png")
    two = _table_png(tmp_path / "two.png")
    out_dir = tmp_path / "out"
    code, _, err = _run(["convert", str(one), str(two), "-o", str(out_dir), "--format", "json"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["one.json", "two.json"]
    assert json.loads((out_dir / "one.json").read_text())["tables"][0]["n_cols"] == 2
    assert "[1/2] one.png" in err and "[2/2] two.png" in err  # counter when stderr is not a terminal
    code, _, _ = _run(["convert", str(one), "-o", str(out_dir / "x.csv")], capsys)
    assert code == 0 and (out_dir / "x.csv").read_text(encoding="utf-8-sig").startswith("Name,Score")
    code, _, _ = _run(["convert", str(one), "-o", str(out_dir / "x.html")], capsys)
    assert code == 0 and "<table" in (out_dir / "x.html").read_text()


@needs_recognition
def test_batch_continues_after_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _table_png(tmp_path / "good.png")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"")
    code, out, err = _run(["convert", str(bad), str(good), "-q"], capsys)
    assert code == cli.EXIT_FAILED
    assert (tmp_path / "good.xlsx").exists() and not (tmp_path / "bad.xlsx").exists()
    assert err.count("\n") == 1 and "empty" in err and out == ""


@needs_recognition
def test_picture_without_table_still_yields_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "note.png"
    img = Image.new("RGB", (800, 200), "white")
    ImageDraw.Draw(img).text((20, 80), "Lunch at noon", fill="black", font=ImageFont.load_default(size=26))
    img.save(image)
    code, _, err = _run(["convert", str(image)], capsys)
    assert code == 0
    assert "no table found" in err and "Traceback" not in err
    ws = load_workbook(tmp_path / "note.xlsx")["Text"]
    assert "noon" in str(ws["A1"].value)


def test_same_stem_inputs_do_not_overwrite_each_other(tmp_path: Path) -> None:
    a_png, a_jpg = tmp_path / "a.png", tmp_path / "sub" / "a.jpg"
    default = cli._plan([a_png, tmp_path / "a.jpg"], None, "xlsx")
    assert [t.path.name for t in default] == ["a.xlsx", "a-2.xlsx"]
    into = cli._plan([a_png, a_jpg], tmp_path / "out", "csv")
    assert [(t.directory.name, t.stem) for t in into] == [("out", "a"), ("out", "a-2")]
    single = cli._plan([a_png], tmp_path / "result.json", "json")
    assert [t.path for t in single] == [tmp_path / "result.json"]


def test_limits_can_be_tightened_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "big.png"
    Image.new("RGB", (1200, 1000), "white").save(image)
    code, _, err = _run(["convert", str(image), "--max-megapixels", "1"], capsys)
    assert code == cli.EXIT_FAILED and "1.2 MP" in err and "1 MP limit" in err
    code, _, err = _run(["convert", str(image), "--max-mb", "0.001"], capsys)
    assert code == cli.EXIT_FAILED and "MB limit" in err


def test_limits_from_the_environment() -> None:
    code = "from img2xlsx import loader; print(loader.DEFAULT_MAX_BYTES, loader.DEFAULT_MAX_PIXELS)"
    env = {
        **os.environ,
        "PYTHONPATH": str(LAYER),
        "IMG2XLSX_MAX_BYTES": "1234",
        "IMG2XLSX_MAX_PIXELS": "junk",
    }
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.split() == ["1234", "50000000"]


@needs_recognition
def test_unwritable_output_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = _table_png(tmp_path / "t.png")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = _run(["convert", str(image), "-o", str(blocker / "out.xlsx")], capsys)
    assert code == cli.EXIT_FAILED and out == ""
    assert err.count("\n") == 1 and "cannot write" in err and "Traceback" not in err


@needs_recognition
def test_pdfs_convert_with_a_sheet_per_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A born-digital two-page PDF (text from its text layer), the same with --no-text-layer (read from the
    pictures), and a scanned PDF: every table of every page on a sheet named by page."""
    from tests.hardening import pdfs
    from tests.hardening.corpus import table_image, table_rows

    page = pdfs.table_page(table_rows(), col_width=90, row_height=30, font_size=12).content
    born = tmp_path / "statement.pdf"
    born.write_bytes(pdfs.document([page, page]))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdfs.scanned_pdf([table_image()], dpi=100))
    for extra, source in (([], "text_layer"), (["--no-text-layer"], "ocr")):
        out = tmp_path / source
        code, _, err = _run(
            ["convert", str(born), str(scan), "-o", str(out), "-f", "json", "-q", *extra], capsys
        )
        assert code == 0 and err == "", err
        doc = json.loads((out / "statement.json").read_text())
        assert [p["text_source"] for p in doc["pages"]] == [source, source]
        assert [(t["sheet"], t["page"]) for t in doc["tables"]] == [("p1 Table 1", 0), ("p2 Table 1", 1)]
        scanned = json.loads((out / "scan.json").read_text())
        assert [p["text_source"] for p in scanned["pages"]] == ["ocr"]
        assert [t["sheet"] for t in scanned["tables"]] == ["p1 Table 1"]
    code, _, err = _run(["convert", str(born), "-o", str(tmp_path / "book.xlsx")], capsys)
    assert code == 0, err
    wb = load_workbook(tmp_path / "book.xlsx")
    assert wb.sheetnames == ["p1 Table 1", "p2 Table 1"]
    assert [[c.value for c in row] for row in wb["p2 Table 1"].iter_rows()] == [
        ["Item", "Qty", "Price"],
        ["A1", 11, 12],
        ["A2", 21, 22],
        ["A3", 31, 32],
    ]
