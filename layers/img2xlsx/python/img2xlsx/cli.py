"""``img2xlsx`` command line: ``img2xlsx convert IMAGE... [-o PATH] [--format xlsx|json|csv|html]``.

Subcommands are registered from :data:`SUBCOMMANDS` (module, function) pairs; each function receives the
argparse subparsers object, adds its parser and sets ``func`` (``args -> exit code``). Add a subcommand by
appending to that list. Heavy modules (the pipeline, openpyxl, OpenCV) are imported only when a command runs,
so ``img2xlsx --help`` and the first conversion stay quick.

Errors a user can act on are printed as one line on stderr with a non-zero exit code, never as a traceback
(set ``IMG2XLSX_DEBUG=1`` to see tracebacks of unexpected failures).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from img2xlsx import __version__

if TYPE_CHECKING:
    from img2xlsx.model import Document

PROG = "img2xlsx"
FORMATS = ("xlsx", "json", "csv", "html")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# (module, function) pairs; the function is called with the argparse subparsers object.
SUBCOMMANDS: list[tuple[str, str]] = [
    ("img2xlsx.cli", "add_convert_parser"),
    ("img2xlsx_local.cli", "add_serve_parser"),  # the local stack, on a workstation only,
]


class CliError(Exception):
    """A usage problem found after parsing (e.g. -o a file with several inputs)."""


# ------------------------------------------------------------------------------------------------ convert


def add_convert_parser(subparsers: Any) -> argparse.ArgumentParser:
    from img2xlsx.pdf.common import DEFAULT_MAX_PDF_PAGES  # light: PDFium loads only when a PDF is read

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "convert",
        help="convert pictures or PDFs of tables to Excel workbooks (or JSON, CSV, HTML)",
        description="Convert each FILE (PNG, JPEG, WebP, TIFF, BMP, GIF, HEIC or PDF) to a workbook with one "
        "worksheet per table (PDFs: one per table of every page, named like 'p2 Table 1'). Output goes next "
        "to each input unless -o is given. A PDF page's own text is used where it has one "
        f"(born-digital PDFs); at most {DEFAULT_MAX_PDF_PAGES} PDF pages ($IMG2XLSX_MAX_PDF_PAGES).",
    )
    parser.add_argument("images", nargs="+", metavar="FILE", type=Path, help="pictures or PDFs to convert")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="output file (one input) or directory (one or more inputs; created if missing)",
    )
    parser.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="output format (default: from the -o file suffix, else xlsx); csv writes one file per table",
    )
    parser.add_argument(
        "--max-mb",
        type=float,
        metavar="MB",
        help="refuse files larger than this (default: 20, or $IMG2XLSX_MAX_BYTES)",
    )
    parser.add_argument(
        "--max-megapixels",
        type=float,
        metavar="MP",
        help="refuse pages with more pixels than this (default: 50, or $IMG2XLSX_MAX_PIXELS)",
    )
    parser.add_argument(
        "-l",
        "--lang",
        action="append",
        metavar="LANG",
        help="language(s) of the pictures, main first: eng (default), deu, fra, spa, ita, por, nld, vie; "
        "several as deu+eng or --lang deu --lang eng. Sets the OCR's languages and how numbers and dates "
        "are read (1.234,56 in German)",
    )
    parser.add_argument(
        "--no-text-layer",
        dest="text_layer",
        action="store_false",
        help="read PDF pages from their picture only, ignoring the text they carry",
    )
    parser.add_argument(
        "--ocr",
        choices=("tesseract", "ppocr"),
        help="text reader: ppocr (PP-OCR, a learned reader, the default) or tesseract (~1/3 of the CPU, "
        "less accurate); default: $IMG2XLSX_OCR, else ppocr",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress and no list of written files")
    parser.set_defaults(func=run_convert)
    return parser


@dataclass(frozen=True)
class _Target:
    """Where one input's result goes: a file path, or (csv) a directory plus a file-name stem."""

    directory: Path
    stem: str
    fmt: str
    explicit: Path | None = None  # -o FILE: used exactly as given

    @property
    def path(self) -> Path:
        return self.explicit or self.directory / f"{self.stem}.{self.fmt}"


def _resolve_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    out: Path | None = args.output
    if out is not None and out.suffix.lower().lstrip(".") in FORMATS and not out.is_dir():
        return out.suffix.lower().lstrip(".")
    return "xlsx"


def _plan(images: Sequence[Path], output: Path | None, fmt: str) -> list[_Target]:
    """Decide every output location before converting anything, so a usage error costs no work."""
    if output is not None:
        as_dir = output.is_dir() or len(images) > 1 or output.suffix == "" or str(output).endswith(os.sep)
        if not as_dir:
            return [_Target(output.parent, output.stem, fmt, None if fmt == "csv" else output)]
        if output.exists() and not output.is_dir():
            raise CliError(f"-o {output}: exists and is not a directory (several inputs need a directory)")
    seen: dict[tuple[Path, str], int] = {}
    targets = []
    for img in images:
        directory = img.parent if output is None else output
        key = (directory.resolve(), img.stem)
        n = seen.get(key, 0) + 1
        seen[key] = n
        stem = img.stem if n == 1 else f"{img.stem}-{n}"  # a.png and a.jpg must not overwrite each other
        targets.append(_Target(directory, stem, fmt))
    return targets


def _write(doc: Document, target: _Target) -> list[Path]:
    target.directory.mkdir(parents=True, exist_ok=True)
    if target.fmt == "xlsx":
        from img2xlsx.writers.xlsx import write_xlsx

        write_xlsx(doc, target.path)
        return [target.path]
    if target.fmt == "json":
        from img2xlsx.writers.json import write_json

        write_json(doc, target.path)
        return [target.path]
    if target.fmt == "csv":
        from img2xlsx.writers.csv import write_csv

        return write_csv(doc, target.directory, target.stem)
    from img2xlsx.writers.html import to_html

    target.path.write_text(to_html(doc), encoding="utf-8")
    return [target.path]


class _Progress:
    """A one-line bar on a terminal; plain "[i/n] name" lines otherwise (logs, CI). Silent for one input."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total, self.stream = total, stream
        self.enabled = enabled and total > 1
        self.tty = self.enabled and stream.isatty()
        self.start = time.monotonic()

    def step(self, done: int, name: str) -> None:
        if not self.enabled:
            return
        if not self.tty:
            print(f"[{done}/{self.total}] {name}", file=self.stream, flush=True)
            return
        width = 24
        filled = int(width * done / self.total)
        elapsed = time.monotonic() - self.start
        bar = "#" * filled + "-" * (width - filled)
        line = f"\r[{bar}] {done}/{self.total} {elapsed:5.1f}s {name[:40]:<40}"
        self.stream.write(line)
        self.stream.flush()

    def say(self, message: str) -> None:
        """A one-line message above the bar (the bar is redrawn on the next step)."""
        if self.tty:
            self.stream.write("\r\x1b[K")
        _say(message)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
            self.tty = False


def _say(message: str) -> None:
    print(f"{PROG}: {' '.join(message.split())}", file=sys.stderr, flush=True)


def run_convert(args: argparse.Namespace) -> int:
    from img2xlsx.errors import Img2XlsxError
    from img2xlsx.languages import LanguageError, parse_langs
    from img2xlsx.ocr.words import OcrUnavailableError

    images: list[Path] = list(args.images)
    fmt = _resolve_format(args)
    try:
        targets = _plan(images, args.output, fmt)
        langs = parse_langs(args.lang)
    except (CliError, LanguageError) as exc:
        _say(f"--lang: {exc}" if isinstance(exc, LanguageError) else str(exc))
        return EXIT_USAGE
    from img2xlsx.loader import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS
    from img2xlsx.pipeline import NO_TABLE_WARNING, convert

    max_bytes = int(args.max_mb * 1024 * 1024) if args.max_mb else DEFAULT_MAX_BYTES
    max_pixels = int(args.max_megapixels * 1_000_000) if args.max_megapixels else DEFAULT_MAX_PIXELS

    progress = _Progress(len(images), sys.stderr, enabled=not args.quiet)
    if progress.tty:
        progress.step(0, images[0].name)
    failed = 0
    outputs: list[Path] = []
    for done, (image, target) in enumerate(zip(images, targets, strict=True), start=1):
        try:
            doc = convert(
                image,
                max_bytes=max_bytes,
                max_pixels=max_pixels,
                langs=langs,
                text_layer=args.text_layer,
                ocr=args.ocr,
            )
        except OcrUnavailableError as exc:  # the same for every picture: stop at the first
            progress.close()
            _say(str(exc))
            return EXIT_FAILED
        except Img2XlsxError as exc:
            failed += 1
            progress.say(exc.message if image.name in exc.message else f"{image}: {exc.message}")
        except Exception as exc:
            if os.environ.get("IMG2XLSX_DEBUG"):
                raise
            failed += 1
            progress.say(f"{image}: internal error ({type(exc).__name__}: {exc}); please report this file")
        else:
            try:
                outputs.extend(_write(doc, target))
            except OSError as exc:
                failed += 1
                where = exc.filename or target.path
                progress.say(f"{image}: cannot write {where}: {exc.strerror or exc}")
            else:
                for warning in doc.warnings:
                    if warning == NO_TABLE_WARNING:
                        warning = "no table found; wrote the recognised text instead"
                    progress.say(f"{image}: warning: {warning}")
        progress.step(done, image.name)
    progress.close()
    if not args.quiet:
        for path in outputs:
            print(path, flush=True)
    return EXIT_FAILED if failed else EXIT_OK


# -------------------------------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Turn pictures of tables into Excel workbooks.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name, function_name in SUBCOMMANDS:
        try:
            register: Callable[[Any], argparse.ArgumentParser] = getattr(
                importlib.import_module(module_name), function_name
            )
        except (ImportError, AttributeError):
            continue  # an optional part (e.g. the local server) is not installed
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
