"""The dashboard (`cxscale serve`): one FastAPI application, made by `create_app`, over the portfolio's functions.

The application owns its configuration, its store and its session keys (nothing at module level); every page and
API call reads the store through cxscale.portfolio (the functions the CLI calls) and every action goes through
service.advance / signoff / approve / stop, which check who may act (access.authorize) and write the decision log.
Pages are Jinja2 templates of cxscale/templates/web/ with the reports' SVG charts; the one style sheet is served
from /static, and the pages run no script, so the app works with no internet.

Who is acting: a signed session cookie after logging in with a password (pages and the API), or a personal API
token as `Authorization: Bearer cxs_...` (the API). A state-changing request with the cookie carries the session's
CSRF token (a hidden form field, or the X-CSRF-Token header).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup
from pydantic import BaseModel, Field

from cxscale.errors import AccessError, CxscaleError
from cxscale.portfolio import service
from cxscale.portfolio.access import may
from cxscale.portfolio.log import entries, verify
from cxscale.portfolio.passwords import check_password
from cxscale.portfolio.people import authenticate
from cxscale.portfolio.records import Person
from cxscale.portfolio.store import Store, TokenRow, open_store
from cxscale.templates import render
from cxscale.web import schemas, views
from cxscale.web.security import (
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    HEADERS,
    LoginLimiter,
    Session,
    Sessions,
    csrf_matches,
)

STATIC = Path(__file__).parent / "static"
LOGIN_COOKIE = "cxscale_login"
#: Requests served at once (threads): below the store's connection pool (SQLAlchemy's 5 + 10 overflow).
THREADS = 12
#: Seconds a verified API token is remembered (by its hash) before argon2 checks it again.
TOKEN_MEMORY = 300.0


@dataclass(frozen=True)
class WebConfig:
    """What the dashboard serves: the store (a SQLite path or a postgresql:// URL), the workspace folder holding the
    diagnosis, readouts and proof points (out/demo after `make demo`), and how it signs sessions."""

    store: str
    workspace: Path | None = None
    #: The interaction data the idea -> pilot gate plans power on (the demo's world); None: that gate says the plan
    #: is missing. A folder or an Ibis URL.
    data: Path | str | None = None
    #: 32+ random bytes; None: a new key per process (everybody logs in again after a restart).
    secret_key: bytes | None = None
    #: Demo mode: the login page lists the demo users `make demo` created and their password.
    demo_logins: tuple[tuple[str, str], ...] = ()
    demo_password: str | None = None
    #: Secure cookies (HTTPS); False only when serving plain HTTP on this machine.
    secure_cookies: bool = False
    currency: str = "EUR"
    login_failures: int = 5
    login_window: float = 300.0


@dataclass
class State:
    config: WebConfig
    store: Store
    sessions: Sessions
    limiter: LoginLimiter
    _data: Any = field(default=None)
    #: The workspace's diagnosis and its file's modification time (read again when the file changes).
    _diagnosis: tuple[int, Any] | None = field(default=None)
    #: Power plans by the SHA-256 of their use case (see _plan).
    plans: dict[str, Any] = field(default_factory=dict)
    plan_lock: threading.Lock = field(default_factory=threading.Lock)
    #: Proof-point PDFs by content digest (rendering one takes seconds; a proof point never changes).
    pdfs: dict[str, bytes] = field(default_factory=dict)
    #: SHA-256 of a verified token -> (person id, token id, remembered until; time.monotonic()).
    tokens: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    #: The store's initiatives and people as of its version (service.version): read again when a record changes.
    _records: tuple[tuple[int, int, int], list[Any], list[Person]] | None = field(default=None)
    records_lock: threading.Lock = field(default_factory=threading.Lock)

    def records(self) -> tuple[list[Any], list[Person]]:
        """The initiatives and people now: kept between requests while service.version says nothing changed."""
        if not self.store.exists():
            return [], []
        now = service.version(self.store)
        kept = self._records
        if kept is None or kept[0] != now:
            with self.records_lock:
                kept = self._records
                if kept is None or kept[0] != now:
                    kept = (now, service.initiatives(self.store), service.people(self.store))
                    self._records = kept
        return kept[1], kept[2]

    def initiative(self, initiative_id: str) -> Any:
        found = next((i for i in self.records()[0] if i.id == initiative_id), None)
        return found if found is not None else service.initiative(self.store, initiative_id)


class Actor(BaseModel):
    """Who the request acts as, and how they were established."""

    person: Any
    via: str
    session: Any = None


class Decision(BaseModel):
    """An API request to take a decision (advance, stop): the reason is required, as on the command line."""

    reason: str = Field(min_length=1, max_length=4000)
    to: str | None = Field(None, description="advance: the stage to move to (the next one)")


class SignOffRequest(BaseModel):
    function: str = Field(description="technology, operations or commercial: one of your own functions")
    reason: str | None = Field(None, max_length=4000)


def create_app(config: WebConfig) -> FastAPI:
    """The dashboard over `config` (docs/dashboard.md)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Pages and API calls are plain functions run in threads; no more of them at once than the store's
        # connection pool holds (5 + 10 overflow), so a burst queues here instead of timing out on the pool.
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield

    app = FastAPI(lifespan=lifespan, separate_input_output_schemas=False, title="cxscale", version="1", description="The shared dashboard of the cxscale portfolio: the same "
                  "truth for technology, operations and commercial, and the decisions they take on it.",
                  docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    state = State(config=config, store=open_store(config.store),
                  sessions=Sessions(config.secret_key or secrets.token_bytes(32)),
                  limiter=LoginLimiter(config.login_failures, config.login_window))
    app.state.cx = state
    if state.store.exists():
        # Bring the store to its newest migration now, in one thread: Store.session() migrates on first use, and
        # Alembic's migration context is not safe to enter from two request threads at once.
        with state.store.session():
            pass
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    @app.exception_handler(AccessError)
    async def refused(request: Request, exc: AccessError) -> Response:
        return _problem(request, 403, str(exc))

    @app.exception_handler(CxscaleError)
    async def invalid(request: Request, exc: CxscaleError) -> Response:
        return _problem(request, 409, str(exc))

    _pages(app, state)
    _api(app, state)
    return app


# --- who is acting -----------------------------------------------------------------------------------------------


def _session(request: Request) -> Session | None:
    cx: State = request.app.state.cx
    return cx.sessions.read(request.cookies.get(COOKIE))


def _person(state: State, person_id: str) -> Person | None:
    """The person now (so that someone deactivated since logging in is refused at once)."""
    return next((p for p in state.records()[1] if p.id == person_id and p.active), None)


def page_actor(request: Request) -> Actor:
    cx: State = request.app.state.cx
    session = _session(request)
    person = _person(cx, session.person) if session else None
    if person is None or session is None:
        raise _Login()
    return Actor(person=person, via="session", session=session)


def api_actor(request: Request) -> Actor:
    """The bearer token's person, else the session's (then a state-changing call needs the CSRF header)."""
    cx: State = request.app.state.cx
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        try:
            return Actor(person=_token_person(cx, auth[7:].strip()), via="token")
        except AccessError as exc:
            raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None
    session = _session(request)
    person = _person(cx, session.person) if session else None
    if person is None or session is None:
        raise HTTPException(401, "not signed in: log in, or send Authorization: Bearer <your personal API token>",
                            headers={"WWW-Authenticate": "Bearer"})
    if request.method not in ("GET", "HEAD") and not csrf_matches(session, request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header for a call made with the session cookie")
    return Actor(person=person, via="session", session=session)


def _token_person(state: State, token: str) -> Person:
    """The person of a personal API token. Checking a token is an argon2 verification (tens of milliseconds, on
    purpose); a token verified in the last TOKEN_MEMORY seconds is remembered by its SHA-256 only, and each call
    still reads whether it was revoked and whether its person is active, so a revocation or a deactivation
    takes effect at once."""
    key = hashlib.sha256(token.encode()).hexdigest()
    known = state.tokens.get(key)
    now = time.monotonic()
    if known is not None and known[2] > now:
        person = _person(state, known[0])
        with state.store.session() as s:
            row = s.get(TokenRow, known[1])
            live = row is not None and row.revoked_at is None and row.person_id == known[0]
        if person is not None and live:
            return person
        state.tokens.pop(key, None)
    person = authenticate(state.store, token)
    if len(state.tokens) >= 4096:
        state.tokens.clear()
    state.tokens[key] = (person.id, token.split("_")[1], now + TOKEN_MEMORY)
    return person


class _Login(Exception):
    """Raised by a page that needs a signed-in person: the handler sends the browser to /login."""


def _problem(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    cx: State = request.app.state.cx
    session = _session(request)
    person = _person(cx, session.person) if session else None
    html = render("web/error.html", **_base(request, person, session), status=status, message=message)
    return HTMLResponse(html, status_code=status)


def _base(request: Request, person: Person | None, session: Session | None, nav: str = "") -> dict[str, Any]:
    return {"me": person, "csrf": session.csrf if session else "", "nav": nav, "csrf_field": CSRF_FIELD}


# --- pages -------------------------------------------------------------------------------------------------------


def _pages(app: FastAPI, state: State) -> None:
    @app.exception_handler(_Login)
    async def to_login(request: Request, exc: _Login) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    def html(request: Request, actor: Actor, template: str, nav: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(render(template, **_base(request, actor.person, actor.session, nav), **context))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response((STATIC / "favicon.svg").read_bytes(), media_type="image/svg+xml")

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, next: str = "/", error: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        body = render("web/login.html", me=None, csrf=token, nav="", csrf_field=CSRF_FIELD, next=_safe_next(next),
                      error=error, demo_logins=state.config.demo_logins, demo_password=state.config.demo_password)
        response = HTMLResponse(body)
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=state.config.secure_cookies,
                            max_age=600, path="/login")
        return response

    @app.post("/login", include_in_schema=False)
    def login(request: Request, user: str = Form(..., max_length=200), password: str = Form(..., max_length=1000),
              csrf: str = Form(""), next: str = Form("/")) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE)
        if not expected or not secrets.compare_digest(expected, csrf):
            return _problem(request, 403, "the login form expired or was not sent by this site: reload and try again")
        client = request.client.host if request.client else "?"
        wait = state.limiter.retry_after(user, client)
        if wait > 0:
            return _problem(request, 429, f"too many failed logins: try again in {int(wait) + 1} s")
        try:
            person = check_password(state.store, user.strip(), password)
        except AccessError as exc:
            state.limiter.failed(user, client)
            return RedirectResponse(f"/login?error={exc}&next={_safe_next(next)}", status_code=303)
        state.limiter.succeeded(user)
        _, cookie = state.sessions.new(person.id)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", secure=state.config.secure_cookies,
                            max_age=state.sessions.max_age, path="/")
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(actor: Actor = Depends(page_actor), csrf: str = Form("")) -> Response:
        if not csrf_matches(actor.session, csrf):
            raise AccessError("the form was not sent by this site (CSRF token missing or wrong)")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def pipeline(request: Request, view: str = "", actor: Actor = Depends(page_actor)) -> HTMLResponse:
        chosen = view if view in views.VIEWS else views.default_view(actor.person)
        found, crowd = _records(state)
        extra: dict[str, Any] = {}
        if chosen == "executive":
            from cxscale.portfolio.audit import audit

            extra = {"value_chart": Markup(views.value_chart(found, state.config.currency)),
                     "audit": views.audit(audit(found, crowd, _diagnosis(state), _now()))}
        elif chosen == "operations":
            extra = {"operations": views.operations(found)}
        else:
            from cxscale.proof.library import get_proof, list_proofs

            proofs = [(p, get_proof(state.store, p.digest)) for p in list_proofs(state.store)]
            extra = {"proofs": [{**views.listed(p), "claims": doc.claims} for p, doc in proofs],
                     "claims": [c for c in (views.card(i, state.config.currency) for i in found)
                                if c["verdict"] == "proven"]}
        return html(request, actor, "web/pipeline.html", "pipeline", view=chosen, views=views.VIEWS,
                    pipeline=views.pipeline(found, state.config.currency), stages=views.STAGES, **extra)

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request, actor: Actor = Depends(page_actor)) -> HTMLResponse:
        from cxscale.portfolio.audit import audit

        found, crowd = _records(state)
        d = _diagnosis(state)
        return html(request, actor, "web/audit.html", "audit", audit=views.audit(audit(found, crowd, d, _now())),
                    diagnosis=d is not None)

    @app.get("/scorecard", response_class=HTMLResponse, include_in_schema=False)
    def scorecard_page(request: Request, actor: Actor = Depends(page_actor)) -> HTMLResponse:
        card, levels = _scorecard(state)
        return html(request, actor, "web/scorecard.html", "scorecard", card=views.scorecard(card, levels),
                    diagnosis=_diagnosis(state) is not None)

    @app.get("/proof", response_class=HTMLResponse, include_in_schema=False)
    def proof_library(request: Request, q: str = "", journey_stage: str = "", intent: str = "", channel: str = "",
                      capability: str = "", metric: str = "", min_effect: str = "",
                      actor: Actor = Depends(page_actor)) -> HTMLResponse:
        from cxscale.proof.library import list_proofs

        chosen = {"journey_stage": journey_stage, "intent": intent, "channel": channel, "capability": capability,
                  "metric": metric}
        every = list_proofs(state.store)
        error = ""
        try:
            least = float(min_effect) / 100 if min_effect.strip() else None
        except ValueError:
            least, error = None, f"effect at least {min_effect[:20]!r}: give a number of percent, such as 5"
        try:
            found = list_proofs(state.store, **{k: v or None for k, v in chosen.items()}, min_effect=least,
                                search=q.strip() or None) if not error else []
        except CxscaleError as exc:
            found, error = [], str(exc)
        return html(request, actor, "web/proof_library.html", "proof", proofs=[views.listed(p) for p in found],
                    total=len(every), q=q, chosen=chosen, min_effect=min_effect.strip() or None, error=error,
                    options=views.proof_options(every))

    @app.get("/proof/{digest}", response_class=HTMLResponse, include_in_schema=False)
    def proof_page(request: Request, digest: str, actor: Actor = Depends(page_actor)) -> HTMLResponse:
        proof = _proof(state, digest)
        return html(request, actor, "web/proof.html", "proof", p=proof, card=views.proof_card(proof))

    @app.get("/proof/{digest}/page.html", include_in_schema=False)
    def proof_html(digest: str, actor: Actor = Depends(page_actor)) -> Response:
        from cxscale.proof.render import render as render_proof

        return HTMLResponse(render_proof(_proof(state, digest)))

    @app.get("/proof/{digest}/proof.pdf", include_in_schema=False)
    def proof_pdf(digest: str, actor: Actor = Depends(page_actor)) -> Response:
        proof = _proof(state, digest)
        key = proof.content_digest
        if key not in state.pdfs:
            state.pdfs[key] = _pdf(proof)
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", proof.id)[:80] or "proof"
        return Response(state.pdfs[key], media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})

    @app.get("/review", response_class=HTMLResponse, include_in_schema=False)
    def review_page(request: Request, quarter: str = "", actor: Actor = Depends(page_actor)) -> HTMLResponse:
        from cxscale.portfolio.scorecard import quarter_of

        chosen = _quarter(quarter or quarter_of(_now()))
        pack = _review(state, chosen)
        return html(request, actor, "web/review.html", "review", pack=pack, quarter=chosen,
                    quarters=_quarters(chosen), currency=pack.currency or state.config.currency,
                    overrides=sum(1 for e in pack.decisions if e.action == "override"))

    @app.get("/review/{quarter}.html", include_in_schema=False)
    def review_pack(quarter: str, download: bool = False, actor: Actor = Depends(page_actor)) -> Response:
        from cxscale.portfolio.review import render_review

        chosen = _quarter(quarter)
        headers = {"Content-Disposition": f'attachment; filename="review-{chosen}.html"'} if download else {}
        return HTMLResponse(render_review(_review(state, chosen)), headers=headers)

    @app.get("/initiatives/{initiative_id}", response_class=HTMLResponse, include_in_schema=False)
    def initiative(request: Request, initiative_id: str, flash: str = "", error: str = "",
                   actor: Actor = Depends(page_actor)) -> HTMLResponse:
        i = state.initiative(initiative_id)
        try:
            gate = service.check(state.store, initiative_id, plan=_plan(state, i))
        except CxscaleError as exc:
            gate, gate_note = None, str(exc)
        else:
            gate_note = ""
        me: Person = actor.person
        can = {a: may(me, a, i) for a in ("advance", "approve", "stop")}
        functions = [f for f in ("technology", "operations", "commercial")
                     if i.stage == "proof" and may(me, "signoff", i, function=f)]
        pending = [p for p in service.proposals(state.store) if p.initiative == initiative_id]
        latest = i.latest_readout
        return html(request, actor, "web/initiative.html", "pipeline", i=i, card=views.card(i, state.config.currency),
                    gate=gate, gate_note=gate_note, can=can, signoff_functions=functions, pending=pending,
                    readout=latest.readout if latest else None, chart=_readout_chart(latest.readout) if latest else "",
                    history=[views.entry(e) for e in reversed(i.decisions)], flash=flash, error=error,
                    next_stage=gate.to_stage if gate else None)

    def act(request: Request, initiative_id: str, csrf: str, actor: Actor, do: Callable[[], Any], done: str) -> Response:
        if not csrf_matches(actor.session, csrf):
            raise AccessError("the form was not sent by this site (CSRF token missing or wrong)")
        try:
            do()
        except CxscaleError as exc:
            if isinstance(exc, AccessError):
                raise
            return RedirectResponse(f"/initiatives/{initiative_id}?error={_q(str(exc))}", status_code=303)
        return RedirectResponse(f"/initiatives/{initiative_id}?flash={_q(done)}", status_code=303)

    @app.post("/initiatives/{initiative_id}/advance", include_in_schema=False)
    def advance(request: Request, initiative_id: str, to: str = Form(...), reason: str = Form(""),
                csrf: str = Form(""), actor: Actor = Depends(page_actor)) -> Response:
        def do() -> Any:
            stage = state.initiative(initiative_id).stage
            return service.advance(state.store, initiative_id, to, reason, actor.person, data=_data(state, stage))
        return act(request, initiative_id, csrf, actor, do, f"advance to {to} taken (or proposed for approval)")

    @app.post("/initiatives/{initiative_id}/approve", include_in_schema=False)
    def approve(request: Request, initiative_id: str, csrf: str = Form(""),
                actor: Actor = Depends(page_actor)) -> Response:
        return act(request, initiative_id, csrf, actor,
                   lambda: service.approve(state.store, initiative_id, actor.person), "override approved")

    @app.post("/initiatives/{initiative_id}/signoff", include_in_schema=False)
    def signoff(request: Request, initiative_id: str, function: str = Form(...), csrf: str = Form(""),
                actor: Actor = Depends(page_actor)) -> Response:
        return act(request, initiative_id, csrf, actor,
                   lambda: service.signoff(state.store, initiative_id, function, actor.person),
                   f"{function} sign-off recorded")

    @app.post("/initiatives/{initiative_id}/stop", include_in_schema=False)
    def stop(request: Request, initiative_id: str, reason: str = Form(""), csrf: str = Form(""),
             actor: Actor = Depends(page_actor)) -> Response:
        return act(request, initiative_id, csrf, actor,
                   lambda: service.stop(state.store, initiative_id, reason, actor.person), "stopped")

    @app.get("/log", response_class=HTMLResponse, include_in_schema=False)
    def log(request: Request, actor: Actor = Depends(page_actor)) -> HTMLResponse:
        found = entries(state.store)
        check = _verify(state)
        return html(request, actor, "web/log.html", "log", entries=[views.entry(e) for e in reversed(found)],
                    verification=check)

    @app.get("/journey", response_class=HTMLResponse, include_in_schema=False)
    def journey(request: Request, actor: Actor = Depends(page_actor)) -> HTMLResponse:
        from cxscale.journey.report import flow_svg

        d = _diagnosis(state)
        found, _ = _records(state)
        coverage = _coverage(found)
        charts = {"intents": Markup(views.cost_chart(d, "intent")), "stages": Markup(views.cost_chart(d, "journey_stage")),
                  "flow": Markup(flow_svg(d))} if d is not None else {}
        hotspots = views.hotspots(d) if d is not None else []
        return html(request, actor, "web/journey.html", "journey", diagnosis=d, charts=charts, coverage=coverage,
                    hotspots=hotspots)


def _now() -> datetime:
    return datetime.now(UTC)


def _records(state: State) -> tuple[list[Any], list[Person]]:
    """The initiatives and people of the store (what cxscale audit, scorecard and review read)."""
    return state.records()


def _quarter(text: str) -> str:
    """A quarter such as 2026Q3 (the scorecard's rule for them), else one clear 404."""
    from cxscale.portfolio.scorecard import quarter_bounds

    try:
        quarter_bounds(text)
    except CxscaleError:
        raise HTTPException(404, f"no quarter {text[:20]!r}: write it as 2026Q3") from None
    return text


def _quarters(current: str) -> list[str]:
    """The quarter shown and the three before it, newest first (the review page's choice)."""
    year, q = int(current[:4]), int(current[5])
    out = []
    for _ in range(4):
        out.append(f"{year}Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out


def _scorecard(state: State) -> tuple[Any, list[tuple[str, dict[str, int]]]]:
    """The scorecard as of now (not stored: a page view changes nothing; `cxscale scorecard` stores it) and the
    trend of the stored evaluations with it."""
    from cxscale.portfolio.scorecard import evaluate, evaluations, trend

    found, crowd = _records(state)
    card = evaluate(found, crowd, _diagnosis(state), _verify(state), _now())
    levels = trend([*evaluations(state.store), card])
    return card, [(q, {str(k): v for k, v in lv.items()}) for q, lv in levels]


def _review(state: State, quarter: str) -> Any:
    """The review pack of `quarter` as `cxscale review` builds it (as of now, or the quarter's end if sooner)."""
    from datetime import timedelta

    from cxscale.portfolio.review import build_review
    from cxscale.portfolio.scorecard import evaluations, quarter_bounds

    _, end = quarter_bounds(quarter)
    found, crowd = _records(state)
    return build_review(found, crowd, _diagnosis(state), quarter, min(_now(), end - timedelta(microseconds=1)),
                        _verify(state), evaluations(state.store), compounding=None)


def _proof(state: State, digest: str) -> Any:
    """The stored proof point whose digest starts with `digest`; 404 when none or several match."""
    from cxscale.proof.library import get_proof

    if not re.fullmatch(r"[0-9a-f]{8,64}", digest):
        raise HTTPException(404, f"no proof point {digest[:70]!r}: give 8 or more hex characters of its digest")
    try:
        return get_proof(state.store, digest)
    except CxscaleError as exc:
        raise HTTPException(404, str(exc)) from None


def _pdf(proof: Any) -> bytes:
    """The proof point's PDF as `cxscale proof build` writes it (the same page, dated by its build)."""
    import tempfile

    from cxscale.pdf import render_pdf
    from cxscale.proof.render import render as render_proof

    built = datetime.fromisoformat(proof.built_at.replace("Z", "+00:00"))
    with tempfile.TemporaryDirectory(prefix="cxscale-pdf-") as folder:
        path = render_pdf(render_proof(proof), Path(folder) / "proof.pdf", created=built)
        return path.read_bytes()


def _data(state: State, stage: str) -> Any:
    """The data the idea -> pilot gate plans power on: opened only for an initiative at idea (validated once per
    process: the world does not change under a running dashboard)."""
    if stage != "idea" or state.config.data is None:
        return None
    if state._data is None:
        from cxscale.data import open_data

        state._data = open_data(state.config.data)
    return state._data


def _plan(state: State, i: Any) -> Any:
    """The power plan the idea -> pilot gate judges (service.power_plan, the function the gate calls), planned once
    per use-case content: the data does not change under a running dashboard, so a page view costs no DuckDB
    scan. None past idea or without data (the gate then says the plan is missing)."""
    data = _data(state, i.stage)
    if data is None:
        return None
    from cxscale.documents.base import digest

    key = digest(i.use_case)
    with state.plan_lock:  # one DuckDB connection: one plan at a time
        if key not in state.plans:
            state.plans[key] = service.power_plan(i.use_case, data)
        return state.plans[key]


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:600], safe="")


def _safe_next(target: str) -> str:
    """Only a path of this site: never another host (an open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _verify(state: State) -> Any:
    """The decision log verified (cxscale log verify): against the newest signed checkpoint kept in the workspace
    when the public key that signed it is there too (KEY.pub, as `cxscale log keygen` writes it; then truncation
    is caught as well), else the chain alone."""
    from cxscale.portfolio.log import Checkpoint, load_public_key

    folder = state.config.workspace
    places = [folder, folder / "portfolio"] if folder is not None else []
    found = [p for place in places if place.is_dir() for p in sorted(place.glob("*.checkpoint.json"))]
    keys = [p for place in places if place.is_dir() for p in sorted(place.glob("*.pub"))]
    if found and keys:
        return verify(state.store, Checkpoint.read(found[-1]), load_public_key(keys[0]))
    return verify(state.store)


def _diagnosis(state: State) -> Any:
    from cxscale.documents.diagnosis import DiagnosisDocument

    folder = state.config.workspace
    path = folder / "diagnosis.json" if folder else None
    if path is None or not path.exists():
        return None
    stamp = path.stat().st_mtime_ns
    if state._diagnosis is None or state._diagnosis[0] != stamp:
        state._diagnosis = (stamp, DiagnosisDocument.model_validate(json.loads(path.read_text())))
    return state._diagnosis[1]


def _coverage(found: list[Any]) -> list[dict[str, Any]]:
    """Which journey stages the initiatives touch, by stage of the initiative (scale = embedded)."""
    rows: dict[str, dict[str, list[str]]] = {}
    for i in found:
        p = i.use_case.problem
        if p is None or not p.journey_stage:
            continue
        rows.setdefault(p.journey_stage, {}).setdefault(i.stage, []).append(i.id)
    return [{"journey_stage": k, **{s: ", ".join(v.get(s, [])) for s in views.STAGES}} for k, v in sorted(rows.items())]


def _readout_chart(readout: Any) -> Markup:
    """The readout's effects with their intervals, the chart of the readout page (relative, unbounded sides open)."""
    from cxscale.charts.effects import EffectRow, effect_chart

    def bound(v: float | None, side: float) -> float:
        return v if v is not None else side * float("inf")

    rows = [EffectRow(label=f"{m.name} ({m.role})", estimate=m.effect_rel, low=bound(m.ci_rel[0], -1),
                      high=bound(m.ci_rel[1], 1), verdict=str(m.verdict), direction=m.direction)
            for m in readout.metrics if m.effect_rel is not None]
    return Markup(effect_chart(rows)) if rows else Markup("")


# --- the JSON API ------------------------------------------------------------------------------------------------


def _api(app: FastAPI, state: State) -> None:
    def initiative_json(i: Any) -> dict[str, Any]:
        latest = i.latest_readout
        return {"id": i.id, "stage": i.stage, "stage_since": i.stage_since.isoformat(), "version": i.version,
                "use_case": i.use_case.model_dump(mode="json", exclude_none=True),
                "latest_readout": latest.readout.model_dump(mode="json") if latest else None,
                "decisions": [e.to_json() for e in i.decisions]}

    @app.get("/api/initiatives", tags=["portfolio"], response_model=list[schemas.InitiativeOut],
             responses=schemas.ERRORS, summary="Every initiative with its stage and documents")
    def api_initiatives(actor: Actor = Depends(api_actor)) -> list[dict[str, Any]]:
        return [initiative_json(i) for i in state.records()[0]]

    @app.get("/api/initiatives/{initiative_id}", tags=["portfolio"], response_model=schemas.InitiativeOut,
             responses=schemas.ERRORS, summary="One initiative")
    def api_initiative(initiative_id: str, actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        return initiative_json(_find(state, initiative_id))

    @app.get("/api/initiatives/{initiative_id}/gate", tags=["portfolio"], response_model=schemas.GateOut,
             responses=schemas.ERRORS,
             summary="The next gate judged on the stored documents: every condition with its numbers")
    def api_gate(initiative_id: str, actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        g = service.check(state.store, initiative_id, plan=_plan(state, _find(state, initiative_id)))
        return {"from_stage": g.from_stage, "to_stage": g.to_stage, "passed": g.passed,
                "conditions": [c.model_dump(mode="json") for c in g.conditions],
                "recommendation": g.recommendation.model_dump(mode="json") if g.recommendation else None}

    @app.post("/api/initiatives/{initiative_id}/advance", tags=["decisions"], response_model=schemas.OutcomeOut,
              responses=schemas.ERRORS,
              summary="Advance to the next stage (an override waits for the executive sponsor)")
    def api_advance(initiative_id: str, body: Decision, actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        stage = _find(state, initiative_id).stage
        return service.advance(state.store, initiative_id, body.to or "", body.reason, actor.person,
                               data=_data(state, stage)).to_json()

    @app.post("/api/initiatives/{initiative_id}/approve", tags=["decisions"], response_model=schemas.OutcomeOut,
              responses=schemas.ERRORS,
              summary="The executive sponsor approves the override waiting for them")
    def api_approve(initiative_id: str, actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        _find(state, initiative_id)
        return service.approve(state.store, initiative_id, actor.person).to_json()

    @app.post("/api/initiatives/{initiative_id}/signoff", tags=["decisions"], response_model=schemas.OutcomeOut,
              responses=schemas.ERRORS, summary="Sign off for your function")
    def api_signoff(initiative_id: str, body: SignOffRequest, actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        _find(state, initiative_id)
        return service.signoff(state.store, initiative_id, body.function, actor.person, body.reason).to_json()

    @app.post("/api/initiatives/{initiative_id}/stop", tags=["decisions"], response_model=schemas.OutcomeOut,
              responses=schemas.ERRORS, summary="Stop the initiative, with a reason")
    def api_stop(initiative_id: str, body: Decision, actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        _find(state, initiative_id)
        return service.stop(state.store, initiative_id, body.reason, actor.person).to_json()

    @app.get("/api/log", tags=["log"], response_model=schemas.LogOut, responses=schemas.ERRORS,
              summary="The decision log, oldest first, and whether it verifies")
    def api_log(actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        check = _verify(state)
        return {"verified": check.ok, "size": check.size, "first_bad": check.first_bad,
                "kind": check.kind, "reason": check.reason,
                "entries": [e.to_json() for e in entries(state.store)]}

    @app.get("/api/audit", tags=["portfolio"], responses=schemas.ERRORS,
             summary="The pilot-trap audit, worst first (as cxscale audit --json)")
    def api_audit(actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        from cxscale.portfolio.audit import audit

        found, crowd = _records(state)
        return {"findings": [f.to_json() for f in audit(found, crowd, _diagnosis(state), _now())]}

    @app.get("/api/scorecard", tags=["portfolio"], responses=schemas.ERRORS,
             summary="The mastery scorecard as of now and its trend by quarter (as cxscale scorecard --json)")
    def api_scorecard(actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        card, levels = _scorecard(state)
        return {"scorecard": card.to_json(), "trend": [{"quarter": q, "levels": lv} for q, lv in levels]}

    @app.get("/api/proof-points", tags=["proof points"], responses=schemas.ERRORS,
             summary="The proof-point library, newest first (search: words that must all occur)")
    def api_proofs(search: str | None = None, journey_stage: str | None = None, intent: str | None = None,
                   capability: str | None = None, actor: Actor = Depends(api_actor)) -> list[dict[str, Any]]:
        from dataclasses import asdict

        from cxscale.proof.library import list_proofs

        try:
            found = list_proofs(state.store, journey_stage=journey_stage, intent=intent, capability=capability,
                                search=search)
        except CxscaleError as exc:
            raise HTTPException(409, str(exc)) from None
        return [asdict(p) for p in found]

    @app.get("/api/proof-points/{digest}", tags=["proof points"], responses=schemas.ERRORS,
             summary="One proof point, the versioned document")
    def api_proof(digest: str, actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        return dict(_proof(state, digest).to_json())

    @app.get("/api/people", tags=["people"], response_model=list[schemas.PersonOut], responses=schemas.ERRORS,
              summary="The people of the portfolio (no credentials)")
    def api_people(actor: Actor = Depends(api_actor)) -> list[dict[str, Any]]:
        return [{"id": p.id, "name": p.name, "functions": list(p.functions), "roles": list(p.roles),
                 "active": p.active} for p in state.records()[1]]

    @app.get("/api/me", tags=["people"], response_model=schemas.MeOut, responses=schemas.ERRORS,
              summary="Who this request acts as")
    def api_me(actor: Actor = Depends(api_actor)) -> dict[str, Any]:
        p = actor.person
        return {"id": p.id, "name": p.name, "functions": list(p.functions), "roles": list(p.roles), "via": actor.via}


def _find(state: State, initiative_id: str) -> Any:
    if not state.store.exists():
        raise HTTPException(404, f"no initiative {initiative_id!r}: the store is empty")
    try:
        return state.initiative(initiative_id)
    except CxscaleError:
        raise HTTPException(404, f"no initiative {initiative_id!r}") from None
