"""Item codes: one normaliser for what agencies type, printed as the framework writes them."""

import pytest

from assessments import services
from assessments.codes import display_code, normalise_item_code, parse_item_codes
from assessments.frameworks import framework_for
from tests.factories import fiscal_year


@pytest.mark.parametrize(
    ("typed", "code"),
    [("๐๑๑", "o11"), ("๐38", "o38"), ("011", "o11"), ("O๓๔", "o34"), ("E1", "e1"), ("O 11", "o11"), ("o-11", "o11")],
)
def test_thai_digits_and_a_thai_zero_for_o_give_the_canonical_code(typed, code):
    assert normalise_item_code(typed) == code


def test_a_leading_zero_is_no_o_in_a_year_without_o_codes():
    assert normalise_item_code("๐๑๑", prefixes={"i", "e"}) == ""


def test_a_code_is_printed_as_the_years_framework_writes_it():
    assert display_code("e1", {"e1": "E1"}) == "E1" and display_code("i7", {"i7": "i7"}) == "i7"


def test_a_code_the_year_does_not_know_is_refused_by_the_parser():
    assert parse_item_codes("O11, ๐99", {"o11": "O11"}) == (["o11"], ["๐99"])


@pytest.mark.django_db
def test_score_import_reads_a_thai_zero_code_as_the_o_item():
    level, key, _, _ = services.resolve_code("๐๑๑", "", framework_for(fiscal_year(2569)))
    assert (level, key) == ("item", "o11")


@pytest.mark.django_db
def test_score_import_reads_thai_zero_and_arabic_digits_mixed():
    assert services.resolve_code("๐38", "", framework_for(fiscal_year(2566)))[1] == "o38"


@pytest.mark.django_db
def test_score_import_refuses_a_code_the_year_lacks_naming_it():
    with pytest.raises(ValueError, match="๐38"):
        services.resolve_code("๐38", "", framework_for(fiscal_year(2569)))


def test_recommendation_codes_typed_with_a_thai_zero_are_kept_as_the_year_writes_them():
    from assessments.forms import RecommendationForm

    form = RecommendationForm({"text": "ข้อเสนอ", "item_codes": "๐๑๑, e๑"}, item_labels={"o11": "O11", "e1": "E1"})
    assert form.is_valid() and form.cleaned_data["item_codes"] == "O11, E1"
