"""HTML and static text go out gzip-compressed; the pages showing a secret do not (BREACH)."""

import gzip

from django.test import Client

from tests.factories import client_for

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_a_page_is_sent_gzip_compressed_to_a_browser_that_accepts_it(staff):
    response = client_for(staff).get("/o/bungkok/", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "</html>" in gzip.decompress(response.content).decode()


def test_a_page_is_sent_plain_without_accept_encoding(staff):
    response = client_for(staff).get("/o/bungkok/")
    assert not response.has_header("Content-Encoding") and b"</html>" in response.content


def test_the_stylesheet_is_compressed_as_it_streams(db):
    response = Client().get("/static/css/app.css", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert b"font-face" in gzip.decompress(b"".join(response.streaming_content))


def test_the_enrolment_page_with_the_totp_key_is_never_compressed(approver):
    from tests.accounts.test_sign_in import ENROL, sign_in

    client = Client()
    sign_in(client, approver)
    response = client.get(ENROL, **GZIP)
    assert response.status_code == 200 and 'data-testid="totp-key"' in response.content.decode()
    assert not response.has_header("Content-Encoding")


def test_a_pdf_is_not_compressed_again():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from ita_portal.compression import CompressionMiddleware

    pdf = HttpResponse(b"%PDF-1.7" + b"x" * 5000, content_type="application/pdf")
    response = CompressionMiddleware(lambda request: pdf)(RequestFactory().get("/x.pdf", **GZIP))
    assert not response.has_header("Content-Encoding")
