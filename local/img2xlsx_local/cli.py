"""The ``serve`` subcommand, kept here so ``img2xlsx.cli`` only has to register it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .stores import DEFAULT_DATA_DIR


def add_serve_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``serve`` on an ``argparse`` subparsers object; the parser's ``func`` runs it."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run the web app and the converter on this machine",
        description="Serve the web app at / and the API at /api, converting uploads in a local worker pool. "
        "Data (uploads, results, the job database) is kept in --data-dir.",
    )
    configure(parser)
    return parser


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where uploads, results and the job database are kept "
        f"(default: $IMG2XLSX_DATA_DIR or ./{DEFAULT_DATA_DIR})",
    )
    parser.add_argument("--workers", type=int, default=0, help="conversion processes (default: one per CPU)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="time limit per conversion (default: $IMG2XLSX_CONVERT_TIMEOUT or the Lambda's 90 s)",
    )
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from .server import ServeOptions, serve

    options = ServeOptions(
        host=args.host, port=args.port, workers=max(0, args.workers), convert_timeout=max(0.0, args.timeout)
    )
    if args.data_dir is not None:
        options.data_dir = args.data_dir
    return serve(options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m img2xlsx_local")
    configure(parser)
    args = parser.parse_args(argv)
    return int(args.func(args))
