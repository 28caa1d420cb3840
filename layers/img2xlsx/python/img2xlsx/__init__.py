"""img2xlsx: turn pictures of tables into typed Excel workbooks.

The engine (load → normalise → detect → recognise → type → write) lives in this package and imports nothing
from AWS; the job service and its storage adapters live in :mod:`img2xlsx.jobs`.
"""

__version__ = "0.1.0"
