"""The one step of a job that runs the engine: image bytes in, workbook and JSON preview out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass
class Conversion:
    """What the engine produced for one upload."""

    xlsx: bytes
    json: dict[str, Any]
    tables: int


class Converter(Protocol):
    def __call__(self, data: bytes, name: str, *, langs: Sequence[str] = ("eng",)) -> Conversion: ...


def engine_converter(data: bytes, name: str, *, langs: Sequence[str] = ("eng",)) -> Conversion:
    """The real engine (``langs``: the picture's languages, main first); imported lazily so the API function
    never loads OpenCV or Tesseract."""
    import io
    import json

    from ..pipeline import convert
    from ..writers.json import to_json
    from ..writers.xlsx import write_xlsx

    doc = convert(data, name=name, langs=langs)
    buf = io.BytesIO()
    write_xlsx(doc, buf)
    payload = to_json(doc)
    json.dumps(payload)  # fail here, not after the workbook is stored, if the preview is not serialisable
    return Conversion(xlsx=buf.getvalue(), json=payload, tables=len(doc.tables))
