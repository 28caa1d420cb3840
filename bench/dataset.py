"""Where the bench images live and what each one is tagged with."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ENV_VAR = "IMG2XLSX_BENCH_DIR"
SUBSETS = ("synthetic", "real")
TAG_KEYS = ("style", "degradation", "layout", "has_merges")


def bench_dir() -> Path:
    """``$IMG2XLSX_BENCH_DIR`` or ``../shared/bench`` beside the repository (how CI lays it out)."""
    return Path(os.environ.get(ENV_VAR) or REPO.parent / "shared" / "bench").resolve()


@dataclass(frozen=True)
class BenchImage:
    """One bench image with its ground-truth path and manifest tags."""

    name: str
    subset: str
    image: Path
    gt_json: Path
    tags: dict[str, Any]

    def tag(self, key: str) -> str:
        return str(self.tags.get(key, "-"))


def load_images(root: Path | None = None, subset: str | None = None) -> list[BenchImage]:
    """Images of the chosen subset(s), manifest order; raises FileNotFoundError naming the missing dir."""
    root = root or bench_dir()
    if not root.is_dir():
        raise FileNotFoundError(f"bench data not found at {root} (set {ENV_VAR})")
    out: list[BenchImage] = []
    for sub in SUBSETS if subset is None else (subset,):
        manifest = json.loads((root / sub / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["images"]:
            tags = {k: v for k, v in entry.items() if k not in ("name", "file")}
            tags.setdefault("layout", "single" if entry.get("n_tables", 1) == 1 else "multi")
            out.append(
                BenchImage(
                    name=entry["name"],
                    subset=sub,
                    image=root / sub / entry["file"],
                    gt_json=root / sub / f"{entry['name']}.json",
                    tags=tags,
                )
            )
    return out
