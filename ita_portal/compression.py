"""HTML and text compressed on the way out (gzip), with the pages that show a secret left alone.

BREACH guesses a secret in a compressed HTTPS body byte by byte from the body's length,
given a secret that stays the same across responses and text the attacker can reflect
beside it. Here:

- the CSRF token in forms is masked afresh in every response (Django), so it never repeats;
- Django's GZipMiddleware (4.2+) pads every gzip stream with up to 100 random bytes
  ("Heal the BREACH"), which hides the length differences the attack reads;
- the session id is a cookie, never in the body;
- the pages that do show a lasting secret — the TOTP key at enrolment and the recovery
  codes — are sent uncompressed (``UNCOMPRESSED_URL_NAMES``).

Only text types are compressed (HTML, CSS, JavaScript, JSON, SVG, CSV; not PDFs, images,
fonts in WOFF2 or workbooks, which are compressed already). A static file that WhiteNoise
serves pre-compressed (``collectstatic`` with ``CompressedManifestStaticFilesStorage``
writes .gz and .br beside each file) already carries Content-Encoding and is passed through;
in the embedded default, where static files come straight from the finders, this
middleware compresses them as they stream.
"""

from django.middleware.gzip import GZipMiddleware

# url names (request.resolver_match) whose body holds a secret that lasts across requests.
UNCOMPRESSED_URL_NAMES = frozenset({"mfa_enrol", "recovery_codes"})
COMPRESSED_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
    "font/ttf",
    "font/otf",
    "application/font-sfnt",
)


class CompressionMiddleware(GZipMiddleware):
    """GZipMiddleware for text responses, never for the secret-showing pages."""

    def process_response(self, request, response):
        if response.status_code == 206 or response.has_header("Content-Range"):
            return response  # a byte range of the file as stored
        content_type = response.get("Content-Type", "").lower()
        # WhiteNoise labels TrueType application/octet-stream; it halves under gzip.
        if not content_type.startswith(COMPRESSED_TYPES) and not request.path.endswith((".ttf", ".otf")):
            return response
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in UNCOMPRESSED_URL_NAMES:
            return response
        return super().process_response(request, response)
