"""URL converters: ids and years in addresses are bounded, so a huge number is a 404.

Django's ``int`` accepts any run of digits; a round of 10^20 then reaches the database,
which cannot hold it (an error page, not a "not found"). ``id`` takes 1–9 digits, which
every row id, fiscal year and round number fits.
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
