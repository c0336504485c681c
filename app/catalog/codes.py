"""Rules for the codes and search keys of products."""

import re

from pypinyin import Style, lazy_pinyin

# Lengths of the GTIN family whose last digit is a check digit: EAN-8, UPC-A, EAN-13, GTIN-14.
GTIN_LENGTHS = (8, 12, 13, 14)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_gtin_shape(code: str) -> bool:
    return code.isdigit() and len(code) in GTIN_LENGTHS


def gtin_check_digit_ok(code: str) -> bool:
    """Weights 3,1,3,1… from the right (excluding the check digit itself)."""
    digits = [int(d) for d in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def pinyin_initials(text: str) -> str:
    """可口可乐 500ml → "kkkl500ml": first letters for Chinese, letters and digits kept."""
    out = []
    for chunk in lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: [s]):
        out.append(re.sub(r"[^0-9a-z]", "", chunk.lower()))
    return "".join(out)[:200]


def contains_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def gtin_forms(code: str) -> set[str]:
    """A code in every GTIN spelling a catalogue may hold it in: UPC-A, EAN-13, GTIN-14."""
    if not (code.isdigit() and len(code) in (12, 13, 14)):
        return {code}
    gtin14 = code.zfill(14)
    forms = {code, gtin14}
    if gtin14.startswith("0"):
        forms.add(gtin14[1:])
    if gtin14.startswith("00"):
        forms.add(gtin14[2:])
    return forms
