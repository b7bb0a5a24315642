from datetime import date
from decimal import Decimal

import pytest

from assessments.thai import (
    InputError,
    ScoreError,
    clean_input,
    fiscal_year_bounds,
    fiscal_year_of,
    format_date,
    format_month_range,
    format_score,
    parse_score,
    round2,
    to_arabic_digits,
    to_thai_digits,
)


def test_thai_digits_are_read_as_numbers():
    assert parse_score("๙๒.๗๗") == Decimal("92.77")


def test_a_decimal_comma_is_accepted():
    assert parse_score("92,77") == Decimal("92.77")


def test_empty_score_means_no_value():
    assert parse_score("  ") is None


@pytest.mark.parametrize("raw", ["100.01", "-1", "๑๐๑"])
def test_scores_outside_0_to_100_are_refused_in_thai(raw):
    with pytest.raises(ScoreError, match="ระหว่าง 0 ถึง 100"):
        parse_score(raw)


def test_more_than_two_decimals_is_refused():
    with pytest.raises(ScoreError, match="ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"):
        parse_score("92.777")


def test_trailing_zeros_do_not_count_as_decimals():
    assert parse_score("92.7700") == Decimal("92.77")


def test_text_is_refused_with_its_value_named():
    with pytest.raises(ScoreError, match="“abc” ไม่ใช่ตัวเลข"):
        parse_score("abc")


def test_digits_convert_both_ways():
    assert to_thai_digits("2567") == "๒๕๖๗"
    assert to_arabic_digits("๒๕๖๗") == "2567"


def test_rounding_is_half_up_like_published_figures():
    # seed 001: 0.3*93.46 + 0.3*85.89 + 0.4*96.25 = 92.305 is published as 92.31
    assert round2(Decimal("92.305")) == Decimal("92.31")


def test_scores_are_formatted_in_thai_digits_by_default():
    assert format_score(Decimal("76.2857")) == "๗๖.๒๙"
    assert format_score(None) == "–"


def test_dates_are_buddhist_era_with_thai_months():
    assert format_date(date(2024, 1, 16)) == "๑๖ มกราคม ๒๕๖๗"
    assert format_date(date(2024, 1, 16), thai_digits=False, short=True) == "16 ม.ค. 67"


def test_fiscal_period_reads_as_month_range():
    start, end = fiscal_year_bounds(2567)
    assert (start, end) == (date(2023, 10, 1), date(2024, 9, 30))
    assert format_month_range(start, end) == "ต.ค. ๖๖ – ก.ย. ๖๗"


def test_october_belongs_to_the_next_fiscal_year():
    assert fiscal_year_of(date(2023, 10, 1)) == 2567
    assert fiscal_year_of(date(2024, 9, 30)) == 2567


def test_typed_text_loses_its_control_characters_but_keeps_tabs_and_line_ends():
    assert clean_input("ก\x07ข\u202e\tค\r\nง\x7f", max_length=100, multiline=True) == "กข\tค\nง"
    assert clean_input("  ก \x1b  ข\n ", max_length=100) == "ก ข"


def test_a_nul_in_typed_text_is_refused_in_thai():
    with pytest.raises(InputError, match="NUL"):
        clean_input("ก\x00ข", max_length=100)


def test_typed_text_past_its_limit_is_refused_with_both_lengths():
    with pytest.raises(InputError, match="ยาวเกิน 10 ตัวอักษร \\(พิมพ์มา 11 ตัวอักษร\\)"):
        clean_input("ก" * 11, max_length=10)


def test_a_percent_sign_after_a_score_is_accepted_and_other_scripts_digits_are_not():
    assert parse_score("92 %") == Decimal("92.00")
    with pytest.raises(ScoreError):
        parse_score("٩٢")
