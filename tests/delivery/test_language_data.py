"""Every language a user can pick has its Tesseract data wherever the engine runs: `make setup` (and so
`.ci/run`, which runs `make test`), the converter image, and this machine."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from img2xlsx.languages import LANGUAGES
from img2xlsx.ocr.select import COVERS

from .conftest import ROOT


def _words_after(text: str, pattern: str) -> list[str]:
    m = re.search(pattern, text, re.M)
    assert m, pattern
    return m.group(1).split()


def test_make_setup_installs_the_data_of_every_language() -> None:
    langs = _words_after((ROOT / "Makefile").read_text(), r"^OCR_LANGS := (.+)$")
    assert sorted(langs) == sorted(LANGUAGES)
    dry = subprocess.run(["make", "-n", "system-deps"], cwd=ROOT, capture_output=True, text=True, check=True)
    for lang in LANGUAGES:
        assert f"tesseract-ocr-{lang}" in dry.stdout


def test_the_converter_image_installs_and_checks_every_language() -> None:
    dockerfile = (ROOT / "functions" / "convert" / "Dockerfile").read_text()
    assert sorted(_words_after(dockerfile, r'^ARG OCR_LANGS="(.+)"$')) == sorted(LANGUAGES)
    assert "tesseract-ocr-%s" in dockerfile and "tesseract --list-langs" in dockerfile


def test_tesseract_covers_every_language_a_user_can_pick() -> None:
    assert set(LANGUAGES) <= COVERS["tesseract"]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_this_machine_has_the_data() -> None:
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=True).stdout
    assert set(LANGUAGES) <= set(listed.split())
