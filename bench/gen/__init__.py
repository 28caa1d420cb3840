"""Table-image generator for the bench: seeded HTML tables rendered in Chromium, ground truth in the
../shared/bench format, a photo simulator, and the train / val / lang splits (``python -m bench.gen``)."""
