"""``GET /``: the web chat page (plain HTML and JS from ``static/``), and ``GET /demo-token`` in demo mode.

Demo mode is off by default. When on (``c360 serve --demo``, which ``make run`` uses), the page may
fetch a token for the dedicated "Demo Agent" user, an agent (never a manager or admin). The token
is only handed to clients on the loopback interface, and never to a request that went through a
proxy (X-Forwarded-For / Forwarded / X-Real-IP present): behind a proxy every client looks local;
only to a page opened under a loopback name (a Host of ``127.0.0.1``, ``localhost`` or ``[::1]``:
any other name pointed at 127.0.0.1 is DNS rebinding), and only to a same-origin fetch.
At most 20 demo tokens live at once; each new one revokes the oldest.
"""
from __future__ import annotations

import ipaddress
from importlib import resources
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from channels.http.deps import CurrentUser, RuntimeDep
from channels.http.errors import ERROR_RESPONSES, ApiError, ErrorResponse
from channels.http.schemas import DemoToken, Me
from domain.db import transaction
from domain.users import DEMO_USER, issue_demo_token

router = APIRouter(tags=["web"])
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def page() -> str:
    return resources.files("channels.http").joinpath("static/index.html").read_text(encoding="utf-8")


@router.get("/", response_class=HTMLResponse, summary="The web chat page", include_in_schema=True)
def index() -> HTMLResponse:
    return HTMLResponse(page(), headers={"Cache-Control": "no-cache"})


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(host: str | None) -> str | None:
    """The name in a Host header or an origin's netloc, without the port (``[::1]:8360`` -> ``::1``)."""
    if not host:
        return None
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else None
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _loopback_name(name: str | None) -> bool:
    return name == "localhost" or _is_loopback(name)


def _same_origin_fetch(request: Request) -> bool:
    """A browser says where a fetch comes from (Sec-Fetch-Site, Origin): only the page's own origin
    may have a token. A client that sends neither is not a browser page (curl on this machine)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return _loopback_name(_host_name(urlsplit(origin).netloc)) and urlsplit(origin).netloc == request.headers.get("host")


@router.get("/demo-token", response_model=DemoToken, summary="A token for the demo agent (demo mode, loopback only)",
            responses={403: {"model": ErrorResponse, "description": "Not asked from this machine"},
                       404: {"model": ErrorResponse, "description": "Demo mode is off"}})
def demo_token(request: Request, runtime: RuntimeDep) -> DemoToken:
    if not runtime.settings.demo_mode:
        raise ApiError(404, "demo mode is off: ask an admin for a token (`c360 users add NAME` or "
                            "`c360 users token NAME`) and paste it into the page", error="not_found")
    proxied = any(h in request.headers for h in PROXY_HEADERS)
    if proxied or not _is_loopback(request.client.host if request.client else None):
        raise ApiError(403, "demo tokens are only given to a browser on the server's own machine", error="forbidden")
    if not _loopback_name(_host_name(request.headers.get("host"))):
        # DNS rebinding: a foreign name pointed at 127.0.0.1 makes the attacker's page "same origin"
        raise ApiError(403, "demo tokens are only given to pages opened as http://127.0.0.1 or http://localhost",
                       error="forbidden")
    if not _same_origin_fetch(request):
        raise ApiError(403, "demo tokens are only given to the c360 page itself (a same-origin fetch)",
                       error="forbidden")
    with transaction(runtime.sessions) as session:
        issued = issue_demo_token(session, now=runtime.clock.now())
    return DemoToken(token=issued.token, user=DEMO_USER, role=issued.user.role.value,
                     note="a demo session as the Demo Agent user; it acts on the demo data like any agent")


@router.get("/me", response_model=Me, responses=ERROR_RESPONSES, summary="Who the token belongs to")
def me(user: CurrentUser) -> Me:
    return Me(id=user.id, name=user.name, role=user.role.value)
