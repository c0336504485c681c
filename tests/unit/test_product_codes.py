from app.catalog.codes import gtin_check_digit_ok, has_gtin_shape, pinyin_initials


def test_gtin_check_digits():
    assert gtin_check_digit_ok("6901234567892")  # EAN-13
    assert not gtin_check_digit_ok("6901234567893")
    assert gtin_check_digit_ok("96385074")  # EAN-8
    assert gtin_check_digit_ok("036000291452")  # UPC-A
    assert not gtin_check_digit_ok("036000291453")
    assert has_gtin_shape("6901234567892") and not has_gtin_shape("ABC123")
    assert not has_gtin_shape("12345")  # too short to carry a check digit


def test_pinyin_initials():
    assert pinyin_initials("可口可乐") == "kkkl"
    assert "kkl" in pinyin_initials("可口可乐")
    assert pinyin_initials("农夫山泉 550ml") == "nfsq550ml"
    assert pinyin_initials("Coca-Cola") == "cocacola"
