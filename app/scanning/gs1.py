"""GS1 element strings: (01) GTIN, (10) lot, (11)/(17) dates, (21) serial, (30)/(37) count.

Read both the bracketed form "(01)06901234567892(17)261231(10)B42" and the raw form a
scanner sends ("]C1" prefix optional, variable fields ended by the GS character).
"""

import calendar
import re
from datetime import date

GS = "\x1d"
# Application identifiers we read: fixed length, or None for variable (ends at GS).
FIXED = {"00": 18, "01": 14, "02": 14, "11": 6, "13": 6, "15": 6, "17": 6, "20": 2}
VARIABLE = {"10": 20, "21": 20, "30": 8, "37": 8}
_NAMES = {
    "01": "gtin", "02": "content_gtin", "10": "lot", "11": "produced", "15": "best_before",
    "17": "expiry", "21": "serial", "30": "quantity", "37": "quantity", "00": "sscc",
}  # fmt: skip
_SYMBOLOGY_PREFIX = re.compile(r"^\](C1|e0|d2|Q3|J1)")
_BRACKETED = re.compile(r"\((\d{2,4})\)([^()]*)")


class NotGS1(ValueError):
    pass


def _yymmdd(value: str) -> date:
    """GS1 dates: DD = 00 means the last day of the month; YY within 50 years ahead."""
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    year = 2000 + yy if yy < 51 else 1900 + yy
    if dd == 0:
        dd = calendar.monthrange(year, mm)[1]
    return date(year, mm, dd)


def _fields(code: str) -> list[tuple[str, str]]:
    if code.startswith("("):
        pairs = _BRACKETED.findall(code)
        if not pairs or "".join(f"({a}){v}" for a, v in pairs) != code:
            raise NotGS1(code)
        for ai, value in pairs:
            if (ai in FIXED and len(value) != FIXED[ai]) or (
                ai in VARIABLE and not 0 < len(value) <= VARIABLE[ai]
            ):
                raise NotGS1(code)
        return pairs
    raw, pairs = _SYMBOLOGY_PREFIX.sub("", code), []
    while raw:
        ai = raw[:2]
        if ai in FIXED:
            value, raw = raw[2 : 2 + FIXED[ai]], raw[2 + FIXED[ai] :]
            if len(value) != FIXED[ai]:
                raise NotGS1(code)
        elif ai in VARIABLE:
            value, _, raw = raw[2:].partition(GS)
            if not value or len(value) > VARIABLE[ai]:
                raise NotGS1(code)
        else:
            raise NotGS1(code)
        pairs.append((ai, value))
        raw = raw.lstrip(GS)
    return pairs


def parse(code: str) -> dict:
    """The fields of a GS1 element string, or NotGS1 when it is not one we can read."""
    if not code.startswith(("(", "]")) and (GS not in code and not code.startswith("01")):
        raise NotGS1(code)
    result: dict = {}
    try:
        for ai, value in _fields(code.strip()):
            name = _NAMES.get(ai)
            if name is None:
                continue
            if ai in ("11", "15", "17"):
                result[name] = _yymmdd(value)
            elif ai in ("30", "37"):
                result[name] = int(value)
            elif ai in ("00", "01", "02") and not value.isdigit():
                raise NotGS1(code)
            else:
                result[name] = value
    except (ValueError, IndexError):
        raise NotGS1(code) from None
    if "gtin" not in result and "content_gtin" not in result:
        raise NotGS1(code)
    return result
