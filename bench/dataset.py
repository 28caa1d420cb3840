"""Where the bench images live and what each one is tagged with."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ENV_VAR = "IMG2XLSX_BENCH_DIR"
GEN_ENV_VAR = "IMG2XLSX_GEN_DIR"
SHARED_SUBSETS = ("synthetic", "real", "icdar2013", "photos")  # in ../shared/bench
GENERATED_SUBSETS = ("val", "lang", "train", "langtrain")  # made by ``python -m bench.gen`` (bench/out/gen)
SUBSETS = SHARED_SUBSETS + GENERATED_SUBSETS
# a full run: train/langtrain are for tuning on, so they are only run when asked for (--subset train)
DEFAULT_SUBSETS = ("synthetic", "val", "real", "icdar2013", "photos", "lang")
TAG_KEYS = ("style", "fill", "degradation", "layout", "font_class", "marks", "lang", "has_merges")
# the tags worth a breakdown table in each subset's section of the report
SUBSET_TAGS: dict[str, tuple[str, ...]] = {
    "synthetic": ("style", "degradation", "layout", "has_merges"),
    "val": ("style", "fill", "degradation", "font_class", "font_size", "layout", "marks", "has_merges"),
    "train": ("style", "fill", "degradation", "font_class", "font_size", "layout", "marks", "has_merges"),
    "lang": ("lang", "degradation", "style"),
    "langtrain": ("lang", "degradation", "style"),
    "photos": ("degradation", "style"),
    "icdar2013": (),
    "real": (),
}
_ISO_639_1 = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "vi": "vie", "id": "ind", "it": "ita"}


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


def gen_dir() -> Path:
    """Where generated splits live: ``$IMG2XLSX_GEN_DIR`` or ``bench/out/gen``."""
    return Path(os.environ.get(GEN_ENV_VAR) or REPO / "bench" / "out" / "gen").resolve()


def subset_dir(subset: str, root: Path | None = None) -> Path:
    if subset in GENERATED_SUBSETS:
        return gen_dir() / subset
    return (root or bench_dir()) / subset


def load_images(
    root: Path | None = None, subset: str | None = None, subsets: tuple[str, ...] | None = None
) -> list[BenchImage]:
    """Images of the chosen subset(s) (default: the shared ones), manifest order; raises FileNotFoundError
    naming the missing folder or manifest."""
    if subset is not None:
        subsets = (subset,)
    subsets = subsets or SHARED_SUBSETS
    root = root or bench_dir()
    if any(s in SHARED_SUBSETS for s in subsets) and not root.is_dir():
        raise FileNotFoundError(f"bench data not found at {root} (set {ENV_VAR})")
    out: list[BenchImage] = []
    for sub in subsets:
        folder = subset_dir(sub, root)
        path = folder / "manifest.json"
        if not path.exists():
            hint = f"python -m bench.gen --split {sub}" if sub in GENERATED_SUBSETS else f"set {ENV_VAR}"
            raise FileNotFoundError(f"no {sub} images: {path} is missing ({hint})")
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for entry in manifest["images"]:
            tags = {k: v for k, v in entry.items() if k not in ("name", "file")}
            tags.setdefault("layout", "single" if entry.get("n_tables", 1) == 1 else "multi")
            tags.setdefault("lang", _ISO_639_1.get(str(entry.get("language", "en")), entry.get("language")))
            out.append(
                BenchImage(
                    name=entry["name"],
                    subset=sub,
                    image=folder / entry["file"],
                    gt_json=folder / f"{entry['name']}.json",
                    tags=tags,
                )
            )
    return out
