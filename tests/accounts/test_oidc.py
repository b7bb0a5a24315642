"""OpenID Connect sign-in against a real provider on 127.0.0.1: pyop (the OpenID Connect
provider library behind SATOSA) served over HTTP by wsgiref, with discovery, the authorize,
token, userinfo and JWKS endpoints and RS256-signed ID tokens. Nothing of ours is mocked:
our client (mozilla-django-oidc) discovers, exchanges the code and checks the signature over
the network, as it would with ThaID."""

import datetime
import ipaddress
import json
import ssl
import threading
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests
from Cryptodome.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.contrib.auth import get_user_model
from django.test import Client
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo

from accounts import oidc
from accounts.models import ExternalIdentity
from tests.factories import enrol_totp, totp_code

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "ita-portal", "client-secret-for-tests"
CALLBACK = "http://testserver/oidc/callback/"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def self_signed_certificate(folder):
    """A certificate for 127.0.0.1 made for the test (OpenID Connect providers speak HTTPS)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "idp.pem", folder / "idp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class LocalProvider:
    """A running OpenID Connect provider. `people` are its accounts; `signed_in` says who
    signs in at its login step (a real IdP would show its own login page there)."""

    def __init__(self, certificate, key):
        self.people = {}
        self.signed_in = None
        self.amr = ["pwd"]
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*certificate)
        self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.base = f"https://127.0.0.1:{self.server.server_port}"
        signing = RSAKey(key=key, alg="RS256", kid="test-key")
        self.provider = Provider(
            signing,
            {
                "issuer": self.base,
                "authorization_endpoint": f"{self.base}/authorize",
                "token_endpoint": f"{self.base}/token",
                "userinfo_endpoint": f"{self.base}/userinfo",
                "jwks_uri": f"{self.base}/jwks",
                "scopes_supported": ["openid", "email"],
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
            },
            AuthorizationState(HashBasedSubjectIdentifierFactory("pepper")),
            {
                CLIENT_ID: {
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [CALLBACK],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_post",
                }
            },
            Userinfo(self.people),
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def app(self, environ, start_response):
        path, query = environ["PATH_INFO"], environ.get("QUERY_STRING", "")
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")} if "HTTP_AUTHORIZATION" in environ else {}
        if path == "/.well-known/openid-configuration":
            return self._json(start_response, self.provider.provider_configuration.to_json())
        if path == "/jwks":
            return self._json(start_response, json.dumps(self.provider.jwks))
        if path == "/authorize":
            request = self.provider.parse_authentication_request(query)
            response = self.provider.authorize(request, self.signed_in, extra_id_token_claims={"amr": self.amr})
            start_response("302 Found", [("Location", response.request(request["redirect_uri"], False))])
            return [b""]
        if path == "/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
            response = self.provider.handle_token_request(body, headers, extra_id_token_claims={"amr": self.amr})
            return self._json(start_response, response.to_json())
        if path == "/userinfo":
            return self._json(start_response, self.provider.handle_userinfo_request(query, headers).to_json())
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    @staticmethod
    def _json(start_response, text):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [text.encode()]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("idp"))


@pytest.fixture(scope="module")
def signing_keys():
    """The provider's key, and another one a forger signs with (made once: RSA is slow)."""
    return RSA.generate(2048), RSA.generate(2048)


@pytest.fixture
def idp(settings, certificate, signing_keys):
    provider = LocalProvider(certificate, signing_keys[0])
    settings.OIDC_VERIFY_SSL = str(certificate[0])  # trust the test's certificate, and only it
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_OP_DISCOVERY_URL = f"{provider.base}/.well-known/openid-configuration"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.oidc.Backend"]
    oidc.discovery.cache_clear()
    yield provider
    provider.stop()
    oidc.discovery.cache_clear()


def sign_in_at(idp, person, *, client=None, next_url="/o/bungkok/"):
    """The browser's round trip: our redirect to the provider, its redirect back with a code."""
    client = client or Client()
    idp.signed_in = person
    to_provider = client.get(f"/oidc/authenticate/?next={next_url}")
    assert to_provider.status_code == 302 and to_provider.url.startswith(f"{idp.base}/authorize?")
    back = requests.get(to_provider.url, allow_redirects=False, timeout=10, verify=idp_ca(client))
    assert back.status_code == 302 and back.headers["Location"].startswith(CALLBACK)
    callback = urlsplit(back.headers["Location"])
    return client, client.get(f"{callback.path}?{callback.query}")


def idp_ca(client):
    from django.conf import settings

    return settings.OIDC_VERIFY_SSL


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_login_page_offers_the_provider_only_when_configured(settings, idp):
    settings.OIDC_PROVIDER_NAME = "ThaID"
    assert "เข้าสู่ระบบด้วย ThaID" in Client().get("/login/").content.decode()

    settings.OIDC_ENABLED = False
    assert "/oidc/authenticate/" not in Client().get("/login/").content.decode()
    assert Client().get("/oidc/authenticate/").status_code == 404


def test_known_user_signs_in_through_the_provider_matched_by_email(idp, viewer):
    viewer.email = "viewer@example.go.th"
    viewer.save()
    idp.people["p1"] = {"sub": "thaid-0001", "email": "Viewer@example.go.th", "email_verified": True}

    client, response = sign_in_at(idp, "p1")

    assert response.status_code == 302 and response.url == "/o/bungkok/"
    assert signed_in_as(client) == viewer
    assert client.get("/o/bungkok/").status_code == 200
    assert ExternalIdentity.objects.get(user=viewer).subject == "thaid-0001"


def test_stored_subject_matches_even_after_the_email_changed(idp, viewer):
    ExternalIdentity.objects.create(user=viewer, issuer=idp.base, subject="thaid-0002")
    idp.people["p2"] = {"sub": "thaid-0002", "email": "new-address@example.go.th", "email_verified": True}

    client, _ = sign_in_at(idp, "p2")

    assert signed_in_as(client) == viewer


def test_unknown_person_is_refused_in_thai_and_no_account_is_made(idp, viewer):
    idp.people["p3"] = {"sub": "thaid-0003", "email": "stranger@example.go.th", "email_verified": True}
    users_before = get_user_model().objects.count()

    client, response = sign_in_at(idp, "p3")

    assert response.url == "/account/oidc/refused/"
    page = client.get(response.url)
    assert page.status_code == 403
    assert "ไม่พบบัญชีผู้ใช้ในระบบที่ตรงกับข้อมูล" in page.content.decode()
    assert signed_in_as(client) is None
    assert get_user_model().objects.count() == users_before
    assert not ExternalIdentity.objects.exists()


def test_unverified_email_is_not_matched(idp, viewer):
    viewer.email = "viewer@example.go.th"
    viewer.save()
    idp.people["p4"] = {"sub": "thaid-0004", "email": "viewer@example.go.th", "email_verified": False}

    client, response = sign_in_at(idp, "p4")

    assert response.url == "/account/oidc/refused/"
    assert signed_in_as(client) is None


def test_approver_signed_in_through_the_provider_still_gives_our_totp_code(idp, approver):
    ExternalIdentity.objects.create(user=approver, issuer=idp.base, subject="thaid-0005")
    idp.people["p5"] = {"sub": "thaid-0005"}
    device = enrol_totp(approver)

    client, response = sign_in_at(idp, "p5")

    assert signed_in_as(client) == approver
    assert client.get(response.url).url.startswith("/account/mfa/verify/")
    assert client.post("/account/mfa/verify/", {"token": totp_code(device)}).status_code == 302
    assert client.get("/o/bungkok/").status_code == 200


def test_provider_mfa_counts_only_when_trusted_and_stated_in_amr(settings, idp, approver):
    ExternalIdentity.objects.create(user=approver, issuer=idp.base, subject="thaid-0006")
    idp.people["p6"] = {"sub": "thaid-0006"}
    idp.amr = ["mfa", "pwd", "otp"]

    untrusted, _ = sign_in_at(idp, "p6")
    settings.OIDC_TRUST_PROVIDER_MFA = True
    trusted, _ = sign_in_at(idp, "p6")
    idp.amr = ["pwd"]
    single_factor, _ = sign_in_at(idp, "p6")

    assert untrusted.get("/o/bungkok/").status_code == 302
    assert trusted.get("/o/bungkok/").status_code == 200
    assert single_factor.get("/o/bungkok/").status_code == 302


def test_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
    settings, idp, certificate, signing_keys, viewer
):
    ExternalIdentity.objects.create(user=viewer, issuer=idp.base, subject="thaid-0007")
    idp.people["p7"] = {"sub": "thaid-0007"}
    forger = LocalProvider(certificate, signing_keys[1])  # same client registration, another signing key
    forger.people.update(idp.people)
    try:
        # The forger hands out codes and tokens; our client still fetches keys from idp's JWKS.
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{forger.base}/authorize"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{forger.base}/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{forger.base}/userinfo"
        settings.OIDC_OP_ISSUER = forger.base
        forger.signed_in = "p7"
        client = Client()
        to_provider = client.get("/oidc/authenticate/")
        back = requests.get(to_provider.url, allow_redirects=False, timeout=10, verify=str(certificate[0]))
        callback = urlsplit(back.headers["Location"])
        response = client.get(f"{callback.path}?{callback.query}")

        assert response.status_code == 400  # SuspiciousOperation: JWS token verification failed
        assert signed_in_as(client) is None
    finally:
        forger.stop()
