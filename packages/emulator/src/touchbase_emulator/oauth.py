"""OAuth 2.0 endpoints shaped like Google's: authorization code with PKCE, refresh, revoke,
userinfo. `login_hint` skips the account chooser so a script can sign in without a browser."""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from touchbase_emulator.core import Emulator
from touchbase_emulator.state import Grant

CODE_LIFETIME = 600
PROFILE_SCOPE = "https://www.googleapis.com/auth/userinfo.profile"


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded form in the body (the only kind OAuth endpoints take)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


class BadClientAuthError(ValueError):
    """An Authorization header that is not valid client_secret_basic."""


def _client_id(request: Request, form: dict[str, str]) -> str | None:
    """The client, by either of RFC 6749's methods (2.3.1): HTTP Basic (client_secret_basic,
    id and secret form-encoded first) or client_id in the form (client_secret_post). Secrets
    are not checked: the emulator registers no clients."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return form.get("client_id")
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise BadClientAuthError("the Basic credentials are not base64") from exc
    client_id, colon, _ = decoded.partition(":")
    if not colon or not client_id:
        raise BadClientAuthError("the Basic credentials are not client_id:client_secret")
    client_id = unquote_plus(client_id)
    if form.get("client_id") not in (None, client_id):
        raise BadClientAuthError("client_id differs between the header and the form")
    return client_id


def _challenge_ok(grant: Grant, verifier: str | None) -> bool:
    if not grant.code_challenge:
        return True
    if not verifier:
        return False
    if grant.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    else:
        computed = verifier
    return secrets.compare_digest(computed, grant.code_challenge)


def _chooser(params: dict[str, str], users: list[str]) -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in params.items()
        if k != "login_hint"
    )
    buttons = "".join(
        f'<button name="login_hint" value="{html.escape(u)}">{html.escape(u)}</button><br>'
        for u in users
    )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Choose an account - Google Calendar emulator</title></head><body>
<h1>Choose an account</h1><p>to continue to the application (Google Calendar emulator)</p>
<form method="post" action="/o/oauth2/v2/auth">{hidden}{buttons}
<label for="email">Another account</label>
<input id="email" name="login_hint" type="email" placeholder="you@example.com">
<button type="submit">Continue</button></form></body></html>"""
    return HTMLResponse(page)


def _profile(email: str, scopes: frozenset[str], shape: str) -> dict[str, object]:
    """The signed-in user, in the OpenID Connect shape or the older v2 one."""
    sub = hashlib.sha256(email.encode()).hexdigest()[:21]
    name = email.split("@", maxsplit=1)[0].replace(".", " ").title()
    with_profile = "profile" in scopes or PROFILE_SCOPE in scopes
    if shape == "oidc":
        out: dict[str, object] = {"sub": sub, "email": email, "email_verified": True}
    else:
        out = {"id": sub, "email": email, "verified_email": True}
    if with_profile:
        out["name"] = name
        out["given_name"] = name.split(" ")[0]
        out["picture"] = "https://lh3.googleusercontent.com/a/default-user"
    return out


async def openid_configuration(request: Request) -> Response:
    """Google's OpenID Connect discovery document, every endpoint on the emulator."""
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "issuer": base,
            "authorization_endpoint": base + "/o/oauth2/v2/auth",
            "token_endpoint": base + "/token",
            "userinfo_endpoint": base + "/v1/userinfo",
            "revocation_endpoint": base + "/revoke",
            "jwks_uri": base + "/oauth2/v3/certs",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["plain", "S256"],
        }
    )


async def certs(request: Request) -> Response:
    """The signing keys: none, since no ID tokens are issued."""
    return JSONResponse({"keys": []})


def routes(emulator: Emulator) -> list[Route]:
    """The OAuth routes, bound to one emulator."""

    async def authorize(request: Request) -> Response:
        params: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            params.update(await _form(request))
        redirect_uri, client_id = params.get("redirect_uri"), params.get("client_id")
        if not redirect_uri or not client_id:
            return _oauth_error("invalid_request", "client_id and redirect_uri are required")
        if params.get("response_type") != "code":
            return _oauth_error("unsupported_response_type", "response_type must be code")
        email = (params.get("login_hint") or "").strip()
        if not email:
            return _chooser(params, sorted(emulator.state.users))
        scopes = emulator.granted_scopes(email, params.get("scope", "").split())
        code = "4/" + secrets.token_urlsafe(24)
        emulator.state.auth_codes[code] = Grant(
            email=email,
            scopes=scopes,
            client_id=client_id,
            redirect_uri=redirect_uri,
            expires_at=time.time() + CODE_LIFETIME,
            code_challenge=params.get("code_challenge", ""),
            code_challenge_method=params.get("code_challenge_method", "plain"),
            offline=params.get("access_type") == "offline",
        )
        query = {"code": code, "scope": " ".join(scopes)}
        if "state" in params:
            query["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(redirect_uri + separator + urlencode(query), status_code=302)

    async def token(request: Request) -> Response:
        form = await _form(request)
        try:
            client_id = _client_id(request, form)
        except BadClientAuthError as error:
            return _oauth_error("invalid_client", str(error), status=401)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = emulator.state.auth_codes.pop(form.get("code", ""), None)
            if (
                grant is None
                or (grant.expires_at or 0) < time.time()
                or grant.redirect_uri != form.get("redirect_uri")
                or grant.client_id != client_id
            ):
                return _oauth_error("invalid_grant", "Malformed auth code.")
            if not _challenge_ok(grant, form.get("code_verifier")):
                return _oauth_error("invalid_grant", "Invalid code verifier.")
            return JSONResponse(emulator.issue_tokens(grant))
        if grant_type == "refresh_token":
            grant = emulator.state.refresh_tokens.get(form.get("refresh_token", ""))
            if grant is None:
                return _oauth_error("invalid_grant", "Token has been expired or revoked.")
            access = Grant(email=grant.email, scopes=grant.scopes, client_id=grant.client_id)
            return JSONResponse(emulator.issue_tokens(access))
        return _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    async def revoke(request: Request) -> Response:
        form = await _form(request)
        try:
            _client_id(request, form)
        except BadClientAuthError as error:
            return _oauth_error("invalid_client", str(error), status=401)
        token_value = form.get("token") or request.query_params.get("token", "")
        state = emulator.state
        refresh = state.refresh_tokens.pop(token_value, None)
        access = state.access_tokens.pop(token_value, None)
        if refresh is None and access is None:
            return _oauth_error("invalid_token", "Token expired or revoked")
        if refresh is not None:  # revoking a refresh token revokes its access tokens too
            for key, grant in list(state.access_tokens.items()):
                if grant.email == refresh.email and grant.client_id == refresh.client_id:
                    del state.access_tokens[key]
        emulator.dirty = True
        return Response(status_code=200)

    def userinfo(shape: str) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            principal = emulator.principal({k.lower(): v for k, v in request.headers.items()})
            if principal is None:
                return _oauth_error("invalid_token", "Invalid Credentials", status=401)
            return JSONResponse(_profile(principal.email, principal.scopes, shape))

        return endpoint

    return [
        Route("/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/oauth2/v3/certs", certs, methods=["GET"]),
        Route("/o/oauth2/v2/auth", authorize, methods=["GET", "POST"]),
        Route("/o/oauth2/auth", authorize, methods=["GET", "POST"]),
        Route("/token", token, methods=["POST"]),
        Route("/revoke", revoke, methods=["POST"]),
        # OpenID Connect's shape (v3 and openidconnect.googleapis.com/v1) and the older v2/v1.
        Route("/oauth2/v3/userinfo", userinfo("oidc"), methods=["GET", "POST"]),
        Route("/v1/userinfo", userinfo("oidc"), methods=["GET", "POST"]),
        Route("/oauth2/v2/userinfo", userinfo("v2"), methods=["GET"]),
        Route("/oauth2/v1/userinfo", userinfo("v2"), methods=["GET"]),
        Route("/userinfo/v2/me", userinfo("v2"), methods=["GET"]),
    ]
