"""Writers turn a recognised :class:`img2xlsx.model.Document` into files: xlsx, json, csv, html.

Each writer lives in its own module and imports its heavy dependency (openpyxl) only when called, so the
package and the CLI stay fast to import.
"""

from __future__ import annotations

FORMATS = ("xlsx", "json", "csv", "html")
