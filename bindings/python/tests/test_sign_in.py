"""Sign-in as CyberArk's SDKs do it, from Python: client credentials as HTTP Basic or form
fields (`client_auth`), a user's OAuth grant (`authorization_code` with PKCE, `refresh_token`),
the platform gateway base URL, discovery through `pod0`, and out-of-band e-mail MFA approved by
the test through the sandbox's hook."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from typing import Any

import pytest

from cyberark_identity import AsyncClient, AuthenticationError, Client, ConfigurationError, InvalidRequestError
from cyberark_identity.testing import Sandbox

REDIRECT = "http://127.0.0.1:8765/callback"


def pkce() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge (RFC 7636)."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def form_field(body: str, name: str) -> str | None:
    for pair in body.split("&"):
        key, _, value = pair.partition("=")
        if key == name:
            return value
    return None


def last(sandbox: Sandbox, operation: str) -> Any:
    return [r for r in sandbox.requests() if r.operation == operation][-1]


def authorization(request: Any) -> str | None:
    return next((v for k, v in request.headers if k == "authorization"), None)


@pytest.mark.parametrize(
    ("client_auth", "app", "operation", "basic"),
    [
        (None, False, "Authentication_PlatformToken", False),
        ("basic", False, "Authentication_PlatformToken", True),
        (None, True, "Authentication_Token", True),
        ("form", True, "Authentication_Token", False),
    ],
)
def test_client_credentials_as_basic_or_form(
    sandbox: Sandbox, client_auth: str | None, app: bool, operation: str, basic: bool
) -> None:
    options: dict[str, Any] = dict(client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    if app:
        options["app_id"] = sandbox.app_id
    if client_auth:
        options["client_auth"] = client_auth
    with Client(sandbox.url, **options) as client:
        client.org.list_all()
    request = last(sandbox, operation)
    assert (authorization(request) or "").startswith("Basic ") == basic
    assert (form_field(request.body, "client_id") is not None) == (not basic)


def test_client_auth_is_checked(sandbox: Sandbox) -> None:
    with pytest.raises(InvalidRequestError, match="client_auth"):
        Client(sandbox.url, client_id="a", client_secret="b", client_auth="header")


def test_authorization_code_with_pkce_then_the_refresh_token(sandbox: Sandbox) -> None:
    verifier, challenge = pkce()
    code = sandbox.authorization_code(sandbox.admin_username, REDIRECT, challenge)
    assert code is not None
    client = Client(
        sandbox.url,
        app_id=sandbox.app_id,
        client_id="public-app",
        authorization_code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    assert code not in repr(client)
    client.org.list_all()
    assert form_field(last(sandbox, "Authentication_Token").body, "grant_type") == "authorization_code"
    # Logging out revokes the token; the next call signs in with the refresh token.
    client.authentication.logout()
    client.org.list_all()
    assert form_field(last(sandbox, "Authentication_Token").body, "grant_type") == "refresh_token"
    client.close()


def test_async_client_takes_a_refresh_token(sandbox: Sandbox) -> None:
    verifier, challenge = pkce()
    code = sandbox.authorization_code(sandbox.admin_username, REDIRECT, challenge)
    assert code is not None
    with Client(sandbox.url) as anonymous:
        answer = anonymous.authentication.token(
            sandbox.app_id,
            "authorization_code",
            client_id="public-app",
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=verifier,
        )
    refresh = answer.refresh_token
    assert refresh is not None

    async def main() -> None:
        async with AsyncClient(sandbox.url, app_id=sandbox.app_id, client_id="public-app", refresh_token=refresh) as client:
            await client.org.list_all()

    asyncio.run(main())
    assert form_field(last(sandbox, "Authentication_Token").body, "grant_type") == "refresh_token"


def test_a_used_code_is_an_authentication_error_without_the_code(sandbox: Sandbox) -> None:
    verifier, challenge = pkce()
    code = sandbox.authorization_code(sandbox.admin_username, REDIRECT, challenge)
    assert code is not None
    options: dict[str, Any] = dict(
        app_id=sandbox.app_id, client_id="public-app", authorization_code=code, redirect_uri=REDIRECT
    )
    with pytest.raises(AuthenticationError) as refused:
        Client(sandbox.url, code_verifier="not-the-verifier-" + "x" * 30, **options).org.list_all()
    assert code not in str(refused.value)
    assert "authorization code" in str(refused.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(authorization_code="c", client_id="x"), "app_id"),
        (dict(authorization_code="c", client_id="x", app_id="a", code_verifier="v"), "redirect_uri"),
        (dict(authorization_code="c", client_id="x", app_id="a", redirect_uri=REDIRECT), "PKCE"),
        (dict(authorization_code="c", refresh_token="r", client_id="x", app_id="a"), "not both"),
        (dict(redirect_uri=REDIRECT), "authorization_code"),
    ],
)
def test_grant_keywords_are_checked(sandbox: Sandbox, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Client(sandbox.url, **options)


@pytest.mark.parametrize("login", [False, True])
def test_the_platform_gateway_base_url(sandbox: Sandbox, login: bool) -> None:
    credentials: dict[str, Any] = (
        dict(username=sandbox.admin_username, password=sandbox.admin_password)
        if login
        else dict(client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    )
    with Client(sandbox.url + "/api/idadmin", **credentials) as client:
        assert client.org.list_all() is not None
    requests = sandbox.requests()
    assert len(requests) >= 2
    assert all(r.path.startswith("/api/idadmin/") and r.status == 200 for r in requests)


def test_a_user_who_knows_only_their_login_name_is_sent_to_their_pod() -> None:
    with Sandbox(discovery=True) as sandbox:
        pod0 = sandbox.discovery_url
        assert pod0 is not None and pod0 != sandbox.url
        with Client(pod0, username=sandbox.admin_username, password=sandbox.admin_password) as client:
            client.org.list_all()
        starts = [r for r in sandbox.requests() if r.operation == "Authentication_StartAuthentication"]
        assert len(starts) == 2
        assert sandbox.url.endswith(dict(last(sandbox, "Org_ListAll").headers)["host"])
    with Sandbox() as plain:
        assert plain.discovery_url is None


def test_out_of_band_email_is_approved_by_the_test(sandbox: Sandbox) -> None:
    seen: list[str] = []

    def click_the_link(challenge: Any) -> None:
        seen.append(challenge.answer_type)
        assert sandbox.approve_oob(sandbox.mfa_username) == 1
        return None  # wait for the approval

    with Client(sandbox.url, username=sandbox.mfa_username, password=sandbox.mfa_password, mfa=click_the_link) as client:
        client.org.list_all()
    assert seen == ["StartTextOob"]
    assert any('"Action":"Poll"' in r.body for r in sandbox.requests())


def test_an_expired_platform_token_is_refreshed_without_the_password() -> None:
    """A user login keeps the refresh token that came with its platform token and redeems it at
    `/OAuth2/RefreshPlatformToken` when the token expires, instead of signing in again."""
    with Sandbox(token_ttl=1.0) as sandbox:
        with Client(sandbox.url, username=sandbox.admin_username, password=sandbox.admin_password) as client:
            client.org.list_all()
            # Not synchronisation: the token has to outlive its lifetime for this to mean anything.
            time.sleep(1.1)
            client.org.list_all()
            ops = [r.operation for r in sandbox.requests()]
            assert ops.count("Authentication_StartAuthentication") == 1
            refreshes = [r for r in sandbox.requests() if r.operation == "Authentication_RefreshPlatformToken"]
            assert [r.status for r in refreshes] == [200]
            # The tokens travel as cookies (which the sandbox's log shows redacted), not as a bearer.
            headers = dict((k.lower(), v) for k, v in refreshes[0].headers)
            assert headers["cookie"] == "***" and "authorization" not in headers
            assert [r.status for r in sandbox.requests() if r.operation == "Org_ListAll"] == [200, 200]
