"""The phone link web application (Starlette): ``GET /a/{token}`` shows the alert, ``POST`` answers it.

Safe by construction: the token is the only way in and shows exactly one alert (no listing, no
search, nothing else routed); a forged or altered token gets 400, an expired one 410, a used one
409 with the current state; a POST needs the CSRF token of the page that was shown, tied to the
link and to a SameSite=Strict cookie; each client address gets ``RateLimit`` requests a minute;
responses forbid scripts, framing, caching and the Referer (the token is in the URL).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from alerts.kinds import EN, ZH_CN, language_of
from storemon.services.database import Database
from storemon.services.phone_links import LINK_PATH, LinkClaims, LinkRefused, LinkSigner, PhoneLinks
from storemon.web.page import render_page

CSRF_COOKIE = "storemon_csrf"
MAX_FORM_BYTES = 2048
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class RateLimit:
    """At most ``limit`` requests per ``window`` seconds from one address (a sliding window)."""

    def __init__(self, limit: int = 30, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        now = self.clock()
        with self._lock:
            if len(self._seen) > 10_000:  # forget idle addresses so a scan cannot grow this forever
                self._seen = {a: q for a, q in self._seen.items() if q and q[-1] > now - self.window}
            hits = self._seen.setdefault(address, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _browser_language(request: Request) -> str:
    """The first of en / zh_CN the browser's Accept-Language names; English otherwise."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()
        if code.startswith("zh"):
            return ZH_CN
        if code.startswith("en"):
            return EN
    return EN


def create_app(
    database: Database,
    signer: LinkSigner,
    *,
    clock: Callable[[], datetime] = _utc_now,
    rate: RateLimit | None = None,
) -> Starlette:
    """The application over ``database``, opening links with ``signer``'s key."""
    links = PhoneLinks(database)
    rate = rate or RateLimit()

    def language(request: Request, claims: LinkClaims | None) -> str:
        chosen = request.query_params.get("lang")
        if chosen:
            return language_of(chosen)
        return claims.language if claims is not None and claims.language else _browser_language(request)

    def respond(request: Request, status: int, language_now: str, **content) -> Response:
        here = request.url.path
        other = EN if language_now == ZH_CN else ZH_CN
        html = render_page(
            language_now, here=f"{here}?lang={language_now}", switch=f"{here}?lang={other}", **content
        )
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        return response

    def refused(request: Request, exc: LinkRefused, claims: LinkClaims | None) -> Response:
        """A refusal page: for a used or closed link, with the alert as it stands now."""
        lang = language(request, claims)
        page = None
        if claims is not None and exc.reason in ("used", "closed", "not_allowed"):
            page = links.page(claims, lang)
        return respond(request, exc.status, lang, page=page, problem=exc.reason)

    def throttled(request: Request) -> Response | None:
        """429 for an address over its rate, else None."""
        address = request.client.host if request.client else ""
        if rate.allow(address):
            return None
        return respond(request, 429, language(request, None), problem="busy")

    async def show(request: Request) -> Response:
        if (busy := throttled(request)) is not None:
            return busy
        claims = None
        try:
            claims = signer.open(request.path_params["token"], clock())
            lang = language(request, claims)
            page = await run_in_threadpool(links.page, claims, lang)
        except LinkRefused as exc:
            return await run_in_threadpool(refused, request, exc, claims)
        cookie = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(16)
        response = respond(request, 200, lang, page=page, csrf=signer.csrf(claims, cookie))
        response.set_cookie(
            CSRF_COOKIE,
            cookie,
            path=LINK_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def answer(request: Request) -> Response:
        if (busy := throttled(request)) is not None:
            return busy
        claims = None
        try:
            claims = signer.open(request.path_params["token"], clock())
        except LinkRefused as exc:
            return refused(request, exc, None)
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return PlainTextResponse("form too large", status_code=413, headers=HEADERS)
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        lang = language(request, claims)
        if not signer.csrf_ok(claims, request.cookies.get(CSRF_COOKIE, ""), form.get("csrf", "")):
            return respond(request, 403, lang, problem="csrf")
        minutes = form.get("minutes", "")
        try:
            await run_in_threadpool(
                links.answer,
                claims,
                form.get("answer", ""),
                clock(),
                int(minutes) if minutes.isdigit() else None,
                request.client.host if request.client else "",
                lang,
            )
        except LinkRefused as exc:
            return await run_in_threadpool(refused, request, exc, claims)
        # Post/redirect/get: reloading the page shows the state and never answers twice.
        return RedirectResponse(
            request.url.path + (f"?{request.url.query}" if request.url.query else ""), 303, HEADERS
        )

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok", headers=HEADERS)

    async def missing(request: Request, _exc: Exception) -> Response:
        return respond(request, 404, _browser_language(request), problem="missing")

    async def not_allowed(request: Request, _exc: Exception) -> Response:
        return respond(request, 405, _browser_language(request), problem="missing")

    return Starlette(
        routes=[
            Route(LINK_PATH + "{token}", show, methods=["GET"]),
            Route(LINK_PATH + "{token}", answer, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        exception_handlers={404: missing, 405: not_allowed},
    )
