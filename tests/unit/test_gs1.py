from datetime import date

import pytest

from app.scanning import gs1


def test_bracketed_and_raw_forms_read_the_same():
    bracketed = "(01)06901234567892(17)261231(10)B42(21)SN7"
    raw = "]C10106901234567892172612311" + "0B42" + gs1.GS + "21SN7"
    expected = {
        "gtin": "06901234567892",
        "expiry": date(2026, 12, 31),
        "lot": "B42",
        "serial": "SN7",
    }
    assert gs1.parse(bracketed) == expected
    assert gs1.parse(raw) == expected


def test_day_00_is_the_last_day_of_the_month_and_counts_are_numbers():
    fields = gs1.parse("(01)06901234567892(17)270200(37)24")
    assert fields["expiry"] == date(2027, 2, 28) and fields["quantity"] == 24


@pytest.mark.parametrize("code", ["6901234567892", "JXC-0001", "(01)123", "(99)x", "0112345"])
def test_other_codes_are_not_gs1(code):
    with pytest.raises(gs1.NotGS1):
        gs1.parse(code)
