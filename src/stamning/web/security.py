"""Access control for the workbench: a secret token (in the printed URL, then a cookie), CSRF tokens on
every form, a Host check against DNS rebinding, and strict response headers.

The token works like Jupyter's: whoever has the URL may use the page; another local user, or a web
page open in the same browser, cannot. Forms carry a CSRF value derived from the token and the session
cookie is ``SameSite=Strict``, so a cross-site form post is refused twice over."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
DENIED = (
    "<!doctype html><html lang=sv><meta charset=utf-8><title>Åtkomst nekad</title>"
    "<p>Åtkomst nekad: öppna adressen med <code>?token=…</code> som <code>stamning serve</code> "
    "skrev ut i terminalen.</p></html>"
)
BAD_HOST = (
    "<!doctype html><html lang=sv><meta charset=utf-8><title>Fel värdnamn</title>"
    "<p>Fel värdnamn: öppna adressen som <code>stamning serve</code> skrev ut.</p></html>"
)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Access:
    """The server's secret and the host names it answers to."""

    token: str = field(default_factory=new_token)
    allowed_hosts: tuple[str, ...] = LOOPBACK_NAMES
    cookie: str = "stamning_token"

    def __post_init__(self) -> None:
        if len(self.token) < 16:
            raise ValueError("the access token must be at least 16 characters")

    def ok(self, value: str | None) -> bool:
        return value is not None and bool(value) and hmac.compare_digest(value.encode(), self.token.encode())

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()

    def csrf_ok(self, value: str | None) -> bool:
        return bool(value) and hmac.compare_digest(str(value).encode(), self.csrf.encode())


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            host = value.decode("latin-1")
            return host[1 : host.index("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
    return ""


class AccessMiddleware:
    """Every request needs the token (query or cookie) and a known Host; a token in the URL is traded
    for a cookie and removed from the address bar."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    def _same_origin(self, request: Request) -> bool:
        """A browser names the page a form came from; a form from another site is refused."""
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return origin is None
        host = request.headers.get("host", "")
        return origin.split("://", 1)[-1] == host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if "*" not in self.access.allowed_hosts and _host(scope) not in self.access.allowed_hosts:
            await HTMLResponse(BAD_HOST, status_code=400)(scope, receive, send)
            return
        query_token = request.query_params.get("token")
        if self.access.ok(query_token) and request.method == "GET":
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + ("?" + urlencode(rest) if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(self.access.cookie, self.access.token, httponly=True, samesite="strict", path="/")
            await response(scope, receive, send)
            return
        if not (self.access.ok(request.cookies.get(self.access.cookie)) or self.access.ok(query_token)):
            await HTMLResponse(DENIED, status_code=403)(scope, receive, send)
            return
        if request.method not in ("GET", "HEAD") and not self._same_origin(request):
            await HTMLResponse(DENIED, status_code=403)(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                # same-origin, not no-referrer: with no-referrer a browser posts forms with "Origin: null"
                extra = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"cache-control": b"no-store",
                    b"x-frame-options": b"SAMEORIGIN",
                }
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
