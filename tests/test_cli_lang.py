"""``img2xlsx convert --lang``: the choice reaches the engine, a bad one is a usage error, a real German
picture comes out with its accents and its numbers typed the German way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from img2xlsx import cli
from img2xlsx.model import Document
from openpyxl import load_workbook
from PIL import Image

from tests.engine.test_languages import FONT, GERMAN, render


def _fake_convert(seen: list[tuple[str, ...]]) -> Any:
    def convert(image: Path, **kwargs: Any) -> Document:
        seen.append(tuple(kwargs["langs"]))
        return Document(source=image.name, pages=[(10, 10)], langs=tuple(kwargs["langs"]))

    return convert


@pytest.mark.parametrize(
    ("argv", "langs"),
    [
        ([], ("eng",)),
        (["--lang", "deu"], ("deu",)),
        (["--lang", "deu+eng"], ("deu", "eng")),
        (["--lang", "deu", "--lang", "eng"], ("deu", "eng")),
        (["-l", "VIE"], ("vie",)),
    ],
)
def test_lang_reaches_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], langs: tuple[str, ...]
) -> None:
    seen: list[tuple[str, ...]] = []
    monkeypatch.setattr("img2xlsx.pipeline.convert", _fake_convert(seen))
    image = tmp_path / "a.png"
    Image.new("RGB", (40, 40), "white").save(image)
    assert cli.main(["convert", str(image), "-q", "-f", "json", *argv]) == cli.EXIT_OK
    assert seen == [langs]


def test_an_unsupported_language_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "a.png"
    Image.new("RGB", (40, 40), "white").save(image)
    assert cli.main(["convert", str(image), "--lang", "deu+klingon"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unsupported language 'klingon'" in err and "deu, fra" in err
    assert not (tmp_path / "a.xlsx").exists()


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")
def test_a_german_table_through_the_cli(tmp_path: Path) -> None:
    image = tmp_path / "rechnung.png"
    image.write_bytes(render(GERMAN, [260, 150, 200, 220]))
    assert cli.main(["convert", str(image), "--lang", "deu", "-q"]) == cli.EXIT_OK
    sheet = load_workbook(tmp_path / "rechnung.xlsx").worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][0] == "Bücherregal" and rows[2][0] == "Größenschild"
    assert rows[1][1] == 1250 and rows[2][2] == pytest.approx(1234.56)
    assert sheet.cell(3, 3).number_format == '#,##0.00" €"'
