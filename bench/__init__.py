"""Benchmark of img2xlsx against img2table: run both engines over the bench images, score their workbooks.

Entry point: ``python -m bench.run`` (see ``bench/RESULTS.md`` for what each metric means).
"""
