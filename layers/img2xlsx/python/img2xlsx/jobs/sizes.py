"""Byte counts in words a user reads: a limit as "20 MB", a size far past it as "larger than 20 MB" (an
announced size may be any integer; 10**30 bytes must not print as a 24-digit float)."""

from __future__ import annotations

MB = 1024 * 1024


def megabytes(n: int) -> str:
    """``20 MB``, ``1.5 MB``, ``0.1 MB`` (one decimal unless whole)."""
    value = n / MB
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


def too_large(size: int, limit: int) -> str:
    """Why ``size`` bytes are refused: the size itself while it is a sensible number, else only the bound."""
    if size <= 10 * limit:
        return f"the file is {size / MB:.1f} MB; the limit is {megabytes(limit)}"
    return f"the file is larger than {megabytes(limit)} (the limit)"
