"""Render a workbook value the way Excel displays it, so typed numbers/dates are compared by their shown text.

Covers the number formats a converter writes in practice (General, ``0``, ``#,##0.00``, ``0.0%``, currency
literals and ``[$€-x]`` tags, ``;``-sections with parentheses for negatives, ``@``, date/time codes). Anything
unrecognised falls back to the General rendering: a scorer must never crash on an odd format.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

_BRACKET = re.compile(r"\[([^\]]*)\]")
_DATE_CODES = re.compile(
    r"(yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|AM/PM|A/P|\.0+)", re.IGNORECASE
)


def general(value: float | int) -> str:
    """Excel's General format: integers without decimals, others with up to 10 significant digits."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{float(value):.10g}"


def _split_sections(fmt: str) -> list[str]:
    sections, cur, quoted, esc = [], [], False, False
    for ch in fmt:
        if esc:
            cur.append(ch)
            esc = False
        elif ch == "\\":
            cur.append(ch)
            esc = True
        elif ch == '"':
            quoted = not quoted
            cur.append(ch)
        elif ch == ";" and not quoted:
            sections.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    sections.append("".join(cur))
    return sections


def _literalise(section: str) -> list[tuple[str, str]]:
    """Split a section into ("lit", text) and ("code", text) runs; brackets, fills and paddings resolved."""

    def bracket(m: re.Match[str]) -> str:
        inner = m.group(1)
        if inner.startswith("$"):
            return '"' + inner[1:].split("-")[0] + '"'
        return ""  # colours, conditions, locales

    section = _BRACKET.sub(bracket, section)
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            j = len(section) if j < 0 else j
            out.append(("lit", section[i + 1 : j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(section):
            out.append(("lit", section[i + 1]))
            i += 2
        elif ch in "_*" and i + 1 < len(section):
            out.append(("lit", " " if ch == "_" else ""))
            i += 2
        elif ch in "0#?.,%Ee+-" or ch.isalpha() or ch in "/:":
            out.append(("code", ch))
            i += 1
        else:
            out.append(("lit", ch))
            i += 1
    return out


def _render_number(value: float, section: str) -> str:
    parts = _literalise(section)
    codes = "".join(t for k, t in parts if k == "code")
    digits = [i for i, (k, t) in enumerate(parts) if k == "code" and t in "0#?"]
    if not digits:  # a format of literals only, e.g. "-" for zero
        return "".join(t if k == "lit" else (t if t in "-+/:" else "") for k, t in parts)
    if "%" in codes:
        value *= 100.0 ** codes.count("%")
    first, last = digits[0], digits[-1]
    pattern = "".join(t for _, t in parts[first : last + 1])
    int_part, _, dec_part = pattern.partition(".")
    min_dec = dec_part.count("0")
    max_dec = sum(dec_part.count(c) for c in "0#?")
    if "E" in pattern.upper():
        body = f"{value:.{max_dec}E}"
    else:
        rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-max_dec), rounding=ROUND_HALF_UP)
        body = f"{rounded:{',' if ',' in int_part else ''}.{max_dec}f}"
        if max_dec > min_dec and "." in body:
            body = body.rstrip("0")
            whole, _, frac = body.partition(".")
            frac = frac.ljust(min_dec, "0")
            body = f"{whole}.{frac}" if frac else whole
        if int_part.count("0") == 0 and body.startswith("0") and "." in body:
            body = body[1:]
    prefix = "".join(t if k == "lit" else ("" if t not in "-+" else t) for k, t in parts[:first])
    suffix = "".join(t if k == "lit" else (t if t in "%" else "") for k, t in parts[last + 1 :])
    return prefix + body + suffix


def render_number(value: float | int, fmt: str) -> str:
    """Display text of a number under an Excel number format."""
    if fmt in ("", "General", "@") or fmt.lower() == "general":
        return general(value)
    sections = _split_sections(fmt)
    v = float(value)
    if v < 0 and len(sections) >= 2:
        section, v = sections[1], -v
    elif v == 0 and len(sections) >= 3:
        section = sections[2]
    else:
        section = sections[0]
    if section.strip().lower() == "general":
        return ("-" if float(value) < 0 and len(sections) < 2 else "") + general(abs(v))
    sign = "-" if v < 0 else ""
    try:
        text = sign + _render_number(abs(v), section)
    except (ValueError, IndexError):
        return general(value)
    return text.strip()


_QUOTED = re.compile(r'("[^"]*"|\\.)')


def _date_tokens(part: str) -> list[str]:
    """A quoted literal or escape stays one token; other text splits into date codes and the text between."""
    if _QUOTED.fullmatch(part):
        return [part]
    return [t for t in _DATE_CODES.split(part) if t]


def render_datetime(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    """Display text of a date/time under an Excel date format (falls back to ISO for General)."""
    if not fmt or fmt.lower() == "general":
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    section = _split_sections(fmt)[0]
    section = _BRACKET.sub("", section)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    elif isinstance(value, dt.time):
        value = dt.datetime.combine(dt.date(1899, 12, 31), value)
    ampm = bool(re.search(r"AM/PM|A/P", section, re.IGNORECASE))
    # quoted text and backslash escapes are literals (Excel shows 'd "de" mmmm' as "3 de marzo"): split
    # them off first so the date codes inside them ("d", "m", "h" of "tháng") are not filled in
    tokens = [t for part in _QUOTED.split(section) if part for t in _date_tokens(part)]
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok[:1] == '"' or (tok[:1] == "\\" and len(tok) == 2):
            out.append(tok[1:-1] if tok[:1] == '"' else tok[1])
            continue
        low = tok.lower()
        prev = next((t.lower() for t in reversed(tokens[:i]) if _DATE_CODES.fullmatch(t)), "")
        nxt = next((t.lower() for t in tokens[i + 1 :] if _DATE_CODES.fullmatch(t)), "")
        if low in ("m", "mm") and (prev.startswith("h") or nxt.startswith("s")):
            out.append(f"{value.minute:0{len(low)}d}")
        elif low == "yyyy":
            out.append(f"{value.year:04d}")
        elif low == "yy":
            out.append(f"{value.year % 100:02d}")
        elif low == "mmmmm":
            out.append(value.strftime("%B")[0])
        elif low == "mmmm":
            out.append(value.strftime("%B"))
        elif low == "mmm":
            out.append(value.strftime("%b"))
        elif low in ("mm", "m"):
            out.append(f"{value.month:0{len(low)}d}")
        elif low == "dddd":
            out.append(value.strftime("%A"))
        elif low == "ddd":
            out.append(value.strftime("%a"))
        elif low in ("dd", "d"):
            out.append(f"{value.day:0{len(low)}d}")
        elif low in ("hh", "h"):
            hour = value.hour % 12 or 12 if ampm else value.hour
            out.append(f"{hour:0{len(low)}d}")
        elif low in ("ss", "s"):
            out.append(f"{value.second:0{len(low)}d}")
        elif low in ("am/pm", "a/p"):
            mark = "AM" if value.hour < 12 else "PM"
            out.append(mark if low == "am/pm" else mark[0])
        elif low.startswith(".0"):
            out.append("." + f"{value.microsecond:06d}"[: len(low) - 1])
        else:
            out.append(tok.replace('"', "").replace("\\", ""))
    return "".join(out).strip()
