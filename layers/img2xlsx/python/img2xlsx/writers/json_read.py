"""The inverse of :func:`img2xlsx.writers.json.to_json`: a stored JSON preview back into model objects.

The API's edit route reads a finished job's preview, changes one table and writes the workbook and the
preview again with the usual writers; reading must therefore lose nothing ``to_json`` wrote
(``to_json(from_json(to_json(doc))) == to_json(doc)``). Worksheet names and table indexes are not read:
the writers derive them from the table order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast, get_args

from img2xlsx.model import BBox, Cell, Document, Scalar, Table, TableStyle, TextLine, TypedValue, ValueKind

_KINDS = frozenset(get_args(ValueKind))
_STYLES = frozenset(get_args(TableStyle))


class PreviewFormatError(ValueError):
    """The stored JSON is not a preview ``to_json`` wrote (another schema version, a damaged object)."""


def _bbox(value: Any) -> BBox | None:
    if value is None:
        return None
    x0, y0, x1, y1 = (int(v) for v in value)
    return (x0, y0, x1, y1)


def _scalar(kind: str, value: Any) -> Scalar:
    """ISO strings back into dates and times; everything else as stored."""
    if value is None:
        return None
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    return cast(Scalar, value)


def _typed(value: Any) -> TypedValue | None:
    if value is None:
        return None
    kind = value["kind"]
    if kind not in _KINDS:
        raise PreviewFormatError(f"unknown value kind {kind!r}")
    return TypedValue(kind=kind, value=_scalar(kind, value["value"]), number_format=value["number_format"])


def _cell(data: dict[str, Any]) -> Cell:
    return Cell(
        row=int(data["row"]),
        col=int(data["col"]),
        text=str(data["text"]),
        rowspan=int(data["rowspan"]),
        colspan=int(data["colspan"]),
        confidence=data["confidence"],
        bbox=_bbox(data["bbox"]),
        value=_typed(data["value"]),
        header=bool(data["header"]),
        formula=data.get("formula"),
        check=data.get("check"),
        edited=bool(data.get("edited", False)),
    )


def _table(data: dict[str, Any]) -> Table:
    style = data["style"]
    if style not in _STYLES:
        raise PreviewFormatError(f"unknown table style {style!r}")
    return Table(
        n_rows=int(data["n_rows"]),
        n_cols=int(data["n_cols"]),
        cells=[_cell(c) for c in data["cells"]],
        bbox=_bbox(data["bbox"]),
        style=style,
        bordered=bool(data["bordered"]),
        n_header_rows=int(data["n_header_rows"]),
        page=int(data["page"]),
    )


def _line(data: dict[str, Any]) -> TextLine:
    bbox = _bbox(data["bbox"])
    if bbox is None:
        raise PreviewFormatError("a text line without a box")
    return TextLine(text=str(data["text"]), bbox=bbox, confidence=data["confidence"], page=int(data["page"]))


def from_json(payload: dict[str, Any]) -> Document:
    """The Document a ``to_json`` payload describes; ``PreviewFormatError`` if it is not one."""
    from img2xlsx.writers.json import SCHEMA_VERSION

    if not isinstance(payload, dict) or payload.get("schema_version") != SCHEMA_VERSION:
        raise PreviewFormatError(f"not an img2xlsx preview of schema version {SCHEMA_VERSION}")
    try:
        pages = sorted(payload["pages"], key=lambda p: int(p["index"]))
        return Document(
            tables=[_table(t) for t in sorted(payload["tables"], key=lambda t: int(t["index"]))],
            lines=[_line(line) for line in payload["lines"]],
            pages=[(int(p["width"]), int(p["height"])) for p in pages],
            warnings=[str(w) for w in payload["warnings"]],
            source=payload["source"],
            langs=tuple(str(payload.get("language") or "eng").split("+")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PreviewFormatError):
            raise
        raise PreviewFormatError(f"damaged preview: {type(exc).__name__}: {exc}") from exc
