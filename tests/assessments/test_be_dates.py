"""Dates typed as Thai offices write them, Buddhist Era; a Christian-era year is refused."""

from datetime import date

import pytest

from assessments.fields import BEDateField
from assessments.thai import DateInputError, format_date_input, parse_be_date


@pytest.mark.parametrize(
    "typed",
    ["16/01/2567", "16/1/2567", "16-01-2567", "16.01.2567", "๑๖/๐๑/๒๕๖๗", "16 มกราคม 2567", "๑๖ ม.ค. ๒๕๖๗",
     "16 ม.ค. 67", "16 มค 2567", "16 มกราคม พ.ศ. 2567", " 16 / 01 / 2567 ", "2567-01-16"],
)  # fmt: skip
def test_buddhist_era_dates_in_every_common_form(typed):
    assert parse_be_date(typed) == date(2024, 1, 16)


def test_a_christian_era_year_is_refused_with_the_buddhist_era_it_would_mean():
    with pytest.raises(DateInputError, match=r"ปี 2024 เป็นปีคริสต์ศักราช \(หมายถึง พ.ศ. 2567\)"):
        parse_be_date("16/01/2024")


def test_an_iso_christian_era_date_is_refused():
    with pytest.raises(DateInputError, match="ปีคริสต์ศักราช"):
        parse_be_date("2024-01-16")


def test_a_day_that_does_not_exist_is_refused():
    with pytest.raises(DateInputError, match="ไม่ใช่วันที่ที่มีอยู่จริง"):
        parse_be_date("30/02/2567")


def test_a_month_out_of_range_is_named():
    with pytest.raises(DateInputError, match="เดือนต้องเป็น 1–12"):
        parse_be_date("16/13/2567")


def test_unreadable_text_is_refused_with_an_example():
    with pytest.raises(DateInputError, match="กรุณากรอกแบบ 16/01/2567"):
        parse_be_date("next tuesday")


def test_a_far_future_year_is_refused():
    with pytest.raises(DateInputError, match="ไม่อยู่ในช่วงที่ใช้ได้"):
        parse_be_date("16/01/9999")


def test_the_field_shows_a_stored_date_in_buddhist_era():
    assert BEDateField().prepare_value(date(2023, 9, 30)) == "30/09/2566" == format_date_input(date(2023, 9, 30))


def test_the_field_gives_a_thai_error_for_a_christian_era_year():
    from django import forms

    with pytest.raises(forms.ValidationError, match="พ.ศ. 2566"):
        BEDateField().clean("30/09/2023")
