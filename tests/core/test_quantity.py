"""Resource quantities: parsing, canonical form, exact values, upstream error messages."""

import pytest

from paddock.core.quantity import (
    BINARY_SI,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
    FORMAT_ERROR,
    SUFFIX_ERROR,
    Quantity,
    QuantityError,
    parse_quantity,
    quantity_from_json,
    quantity_from_milli,
)


@pytest.mark.parametrize(
    ("text", "canonical", "fmt"),
    [
        ("1.5Gi", "1536Mi", BINARY_SI),
        ("1000m", "1", DECIMAL_SI),
        ("0.1", "100m", DECIMAL_SI),
        ("1e3", "1e3", DECIMAL_EXPONENT),
        ("1E-3", "1e-3", DECIMAL_EXPONENT),
        ("1.5e3", "1500", DECIMAL_EXPONENT),
        ("12e6", "12e6", DECIMAL_EXPONENT),
        ("100m", "100m", DECIMAL_SI),
        ("1k", "1k", DECIMAL_SI),
        ("1M", "1M", DECIMAL_SI),
        ("1500k", "1500k", DECIMAL_SI),
        ("1.5", "1500m", DECIMAL_SI),
        ("512Ki", "512Ki", BINARY_SI),
        ("1024Ki", "1Mi", BINARY_SI),
        ("2048Mi", "2Gi", BINARY_SI),
        ("0.5Ki", "512", BINARY_SI),  # below 1024 a binary quantity is written in decimal
        ("1.1Ki", "1126400m", BINARY_SI),  # a fraction of a unit is never rounded away
        ("-1.5", "-1500m", DECIMAL_SI),
        ("+5", "5", DECIMAL_SI),
        ("0", "0", DECIMAL_SI),
        ("0Ki", "0", BINARY_SI),
        ("0.0000000001", "1n", DECIMAL_SI),  # rounded up to the smallest unit, not to zero
        ("1u", "1u", DECIMAL_SI),
        ("1K", "1k", DECIMAL_SI),  # upstream forgives the case of the first suffix letter
        ("1ki", "1Ki", BINARY_SI),
        ("8Ei", "9223372036854775807", BINARY_SI),  # binary values are capped at 2^63-1
        (".5", "500m", DECIMAL_SI),
    ],
)
def test_parse_gives_upstream_canonical_form(text, canonical, fmt):
    quantity = parse_quantity(text)
    assert quantity.canonical() == canonical
    assert quantity.format == fmt


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("100m", "100m"),
        ("1.5Gi", "1536Mi"),
        ("1000m", "1"),
        ("1K", "1K"),  # upstream echoes input it considers already canonical
        ("+5", "+5"),
        ("1E-3", "1E-3"),
        ("8Ki", "8Ki"),
        ("1024Ki", "1Mi"),
        ("0.5", "500m"),
    ],
)
def test_str_is_what_upstream_serializes(text, wire):
    assert str(parse_quantity(text)) == wire


@pytest.mark.parametrize(
    ("text", "milli", "value"),
    [
        ("100m", 100, 1),
        ("1.1", 1100, 2),
        ("-1.5", -1500, -2),
        ("1n", 1, 1),
        ("1Ki", 1024000, 1024),
        ("2", 2000, 2),
        ("123456789012345678901.5", 123456789012345678901500, 123456789012345678902),
    ],
)
def test_milli_value_and_value_round_away_from_zero(text, milli, value):
    quantity = parse_quantity(text)
    assert quantity.milli_value() == milli
    assert quantity.value() == value


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1 ", " 1", "1p", "1Gi "])
def test_malformed_text_raises_upstream_format_message(text):
    with pytest.raises(QuantityError) as raised:
        parse_quantity(text)
    assert str(raised.value) == FORMAT_ERROR
    assert str(raised.value) == (
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.mark.parametrize("text", ["1Gi5", "1kk", "1e-", "1Ee", "1mm"])
def test_unknown_suffix_raises_upstream_suffix_message(text):
    with pytest.raises(QuantityError, match="^unable to parse quantity's suffix$"):
        parse_quantity(text)
    assert SUFFIX_ERROR == "unable to parse quantity's suffix"


def test_scanner_accepts_what_upstream_accepts_beyond_its_regex():
    # Upstream's hand-written scanner reads a missing number as zero.
    assert parse_quantity("Gi").is_zero()
    assert parse_quantity("+").is_zero()
    assert parse_quantity("1.").canonical() == "1"


def test_comparison_is_by_value_across_formats():
    assert parse_quantity("1000m") == parse_quantity("1")
    assert parse_quantity("1Gi") > parse_quantity("1G")
    assert parse_quantity("999m") < parse_quantity("1")
    assert sorted([parse_quantity("1Ki"), parse_quantity("1k"), parse_quantity("1")]) == [
        parse_quantity("1"), parse_quantity("1k"), parse_quantity("1Ki")]
    assert len({parse_quantity("1"), parse_quantity("1000m")}) == 1


def test_arithmetic_is_exact_and_keeps_the_left_format():
    total = parse_quantity("0.1") + parse_quantity("0.2")
    assert total == parse_quantity("300m")
    assert (parse_quantity("1Gi") - parse_quantity("512Mi")).canonical() == "512Mi"
    assert (Quantity(0) + parse_quantity("1Ki")).format == BINARY_SI
    assert (parse_quantity("100m") * 3).canonical() == "300m"
    assert (-parse_quantity("1")).canonical() == "-1"


def test_quantity_from_milli_builds_decimal_quantities():
    assert quantity_from_milli(1500).canonical() == "1500m"
    assert quantity_from_milli(2000).canonical() == "2"
    assert quantity_from_milli(250).milli_value() == 250


def test_rounding_to_milli_rounds_up_and_keeps_exact_values():
    assert str(parse_quantity("0.5m").rounded_to_milli()) == "1m"
    assert str(parse_quantity("1.0001").rounded_to_milli()) == "1001m"
    exact = parse_quantity("100m")
    assert exact.rounded_to_milli() is exact


@pytest.mark.parametrize(
    ("raw", "wire"),
    [(2, "2"), (0.5, "500m"), (" 1Gi ", "1Gi"), ("64Mi", "64Mi")],
)
def test_json_values_may_be_numbers_or_padded_strings(raw, wire):
    assert str(quantity_from_json(raw)) == wire


@pytest.mark.parametrize("raw", [True, None, [], {}])
def test_json_values_of_other_types_are_rejected(raw):
    with pytest.raises(QuantityError):
        quantity_from_json(raw)
