"""``python -m bench.gen --split val [--n 150]``: write a generated split to bench/out/gen/<split>."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.gen.build import SPLITS, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.gen", description=__doc__)
    ap.add_argument("--split", choices=sorted(SPLITS), required=True)
    ap.add_argument("--n", type=int, help="images (default: the split's size)")
    ap.add_argument("--seed", type=int, help="override the split's seed (experiments only)")
    ap.add_argument(
        "--out", type=Path, help="root folder (default bench/out/gen); the split goes in OUT/SPLIT"
    )
    ap.add_argument(
        "--allow-missing-fonts", action="store_true", help="render even if some fonts are missing"
    )
    args = ap.parse_args(argv)
    try:
        generate(args.split, args.n, seed=args.seed, root=args.out, strict_fonts=not args.allow_missing_fonts)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"gen: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
