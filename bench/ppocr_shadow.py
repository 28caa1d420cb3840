"""Write ``img2xlsx/ocr/ppocr_shadow.txt``: the recogniser classes outside the Latin alphabet that take the
most probability on real reads, so the cut-down output layer keeps them in its softmax.

Reads train-split pages with the full 18,710-class model and sums, over every time step that decodes to a
character, the probability each unreadable class gets; the top ``--count`` go to the file (one a line).

    IMG2XLSX_GEN_DIR=/work/team/gen python -m bench.ppocr_shadow --images 20 [--count 1000]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("IMG2XLSX_OCR_THREADS", "1")


def main() -> None:
    from img2xlsx.ocr import ppocr
    from img2xlsx.pipeline import convert

    from bench.dataset import gen_dir

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--count", type=int, default=1000)
    args = ap.parse_args()
    full = ppocr._load(1, None)
    cols, n_read = ppocr.class_columns(full.charset, ppocr._lang_chars(("eng",)), frozenset())
    readable = np.zeros(len(full.charset), bool)
    readable[cols[:n_read]] = True
    mass = np.zeros(len(full.charset))
    session = full.rec

    class Summing:
        def run(self, names: Any, feed: Any) -> Any:
            out = session.run(names, feed)
            probs = out[0]
            best = np.where(readable, probs, -1.0).argmax(axis=2)
            mass[:] += probs[best != 0].sum(axis=0)
            return out

        def __getattr__(self, name: str) -> Any:
            return getattr(session, name)

    # every reader of this process reads through the full model, summing as it goes
    for key in list(ppocr._models):
        del ppocr._models[key]
    latin = ppocr._lang_chars(("eng",))
    ppocr._models[(1, latin)] = ppocr._Models(
        full.det, Summing(), full.det_input, full.rec_input, full.charset, np.asarray(cols[:n_read])
    )
    images = sorted((gen_dir() / "train").glob("*.jpg"))
    step = max(1, len(images) // args.images)
    for image in images[::step][: args.images]:
        convert(image)
    order = [int(i) for i in np.argsort(-np.where(readable, 0.0, mass)) if i and not readable[i]]
    out = Path(ppocr.__file__).with_name(ppocr.SHADOW_FILE)
    out.write_text("\n".join(full.charset[i] for i in order[: args.count]) + "\n", encoding="utf-8")
    print(f"wrote {out} ({args.count} classes)")


if __name__ == "__main__":
    main()
