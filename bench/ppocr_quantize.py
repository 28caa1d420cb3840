"""Write an 8-bit copy of the PP-OCR text detector (``bench/out/ppocr/PP-OCRv6_det_small_int8.onnx``); load it
with ``IMG2XLSX_PPOCR_DET=<that file>``. An experiment, not the default (issue 11's speed targets):

On 8-bit weights and activations onnxruntime runs the detector about 2.3x faster (it is a fifth of a page's
CPU): val median CPU per image 1.67 -> 1.14 s with the batch change of ocr/ppocr.py. Its output is a
probability map thresholded at 0.3, which the rounding hardly moves; but box edges do move a pixel or two,
and real photos pay for it. Fully quantised: val TEDS 0.8509 -> 0.8498, photos 0.801 -> 0.791 (a crumpled
receipt 0.74 -> 0.58), and the page pass misread numbers twice as often (re-reads of garbled numbers on 20
train pages). First convolution and head kept in float (below): val 0.8509 -> 0.8509, icdar2013 +0.0004,
real -0.0013, but photos 0.801 -> 0.776 (a Korean receipt read 0.70 -> 0.26). The recogniser was not tried
further: quantised the same way one time step in ten changed its argmax, for a 20% saving.

How: the wheel's fp32 model (opset 11) is raised to opset 17 (per-channel weight scales need it), then its
convolutions but the first (on the page's pixels) and the last (the head that draws the text map) are
quantised statically (QDQ, per-channel int8 weights with a reduced range — so CPUs without VNNI, whose
u8 x s8 instructions saturate on full-range weights, compute the same — and uint8 activations whose ranges are
the min/max the detector saw on the inputs the pipeline gives it on ``--images`` train pages). Needs the
``onnx`` package (``pip install onnx``); nothing at run time does.

    IMG2XLSX_GEN_DIR=/work/team/gen python -m bench.ppocr_quantize [--images 12]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("IMG2XLSX_OCR_THREADS", "1")
OUT = Path(__file__).resolve().parent / "out" / "ppocr" / "PP-OCRv6_det_small_int8.onnx"


def detector_inputs(images: int) -> list[Any]:
    """The detector's input tensors while the fp32 pipeline converts ``images`` train pages (spread evenly
    over the split, as ``bench.run --limit`` picks them)."""
    os.environ.pop("IMG2XLSX_PPOCR_DET", None)  # calibrate on what the float detector is given
    from img2xlsx.ocr import ppocr
    from img2xlsx.pipeline import convert

    from bench.dataset import load_images
    from bench.run import select

    seen: list[Any] = []
    real_load = ppocr._load

    class Recording:
        def __init__(self, session: Any) -> None:
            self.session = session

        def run(self, outputs: Any, feed: dict[str, Any]) -> Any:
            seen.extend(x.copy() for x in feed.values())
            return self.session.run(outputs, feed)

        def get_inputs(self) -> Any:
            return self.session.get_inputs()

    def load(threads: int, chars: str | None = None) -> Any:
        m = real_load(threads, chars)
        if not isinstance(m.det, Recording):
            m.det = Recording(m.det)
        return m

    ppocr._load = load  # type: ignore[assignment]
    try:
        for img in select(load_images(subsets=("train",)), [], images):
            convert(str(img.image))
    finally:
        ppocr._load = real_load
    return seen


def quantize(src: Path, dest: Path, inputs: list[Any]) -> None:
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    model = version_converter.convert_version(onnx.load(str(src)), 17)
    name = model.graph.input[0].name
    convs = [n.name for n in model.graph.node if n.op_type == "Conv"]
    keep_float = [convs[0], convs[-1]]  # the page's pixels in, the text map's head out

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter(inputs)

        def get_next(self) -> dict[str, Any] | None:
            x = next(self.it, None)
            return None if x is None else {name: x}

    with tempfile.TemporaryDirectory() as tmp:
        raised = Path(tmp) / "det_opset17.onnx"
        onnx.save(model, str(raised))
        quantize_static(
            str(raised),
            str(dest),
            Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            reduce_range=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["Conv"],
            nodes_to_exclude=keep_float,
            calibrate_method=CalibrationMethod.MinMax,
        )


def main() -> None:
    from img2xlsx.ocr import ppocr

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=12)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    inputs = detector_inputs(args.images)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    quantize(ppocr.models_dir() / ppocr.DET_MODEL, args.out, inputs)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB, calibrated on {len(inputs)} detector inputs")


if __name__ == "__main__":
    main()
