"""The dashboard's security: signed session cookies, CSRF tokens, a login rate limit and the security headers.

- A session is a cookie `cxscale_session` holding who is logged in, their CSRF token and when it expires, signed
  with HMAC-SHA-256 under the app's secret key. It is HTTP-only, SameSite=Strict and Secure unless the app serves
  plain HTTP on loopback (`secure_cookies=False`, the default of `cxscale serve` on 127.0.0.1). Nothing is kept on
  the server, so restarting with a new key logs everybody out and nothing else.
- Every state-changing form carries the session's CSRF token in a hidden field `csrf`; an API call made with the
  session cookie carries it in the `X-CSRF-Token` header. A bearer API token (a personal token of the store) needs
  no CSRF token: a browser never sends one by itself.
- Logins are limited per user name and per client address: `LoginLimiter` refuses the next attempt for
  `lockout_seconds` after `max_failures` failures within that time.
- Every response carries a Content-Security-Policy without inline script (`script-src 'self'`), frame-ancestors
  'none', nosniff, no referrer and no caching of pages that show portfolio data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass

COOKIE = "cxscale_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
#: script-src 'self': the app's own /static files only, no inline script; inline styles are allowed because the
#: reports' SVG charts style their marks with attributes.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Session:
    """Who is logged in, the CSRF token of their forms and when the session ends (Unix seconds)."""

    person: str
    csrf: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Sign and read session cookies with one secret key (at least 32 bytes)."""

    def __init__(self, key: bytes, max_age: int = 8 * 3600) -> None:
        if len(key) < 32:
            raise ValueError("the session key must be at least 32 bytes")
        self._key = key
        self.max_age = max_age

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def new(self, person: str, now: float | None = None) -> tuple[Session, str]:
        """A fresh session for `person` (a new CSRF token) and its cookie value."""
        session = Session(person=person, csrf=secrets.token_urlsafe(32),
                          expires=int((now or time.time()) + self.max_age))
        payload = _b64(json.dumps([session.person, session.csrf, session.expires]).encode())
        return session, f"{payload}.{self._mac(payload)}"

    def read(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session a cookie holds, or None when it is missing, forged, malformed or expired."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            person, csrf, expires = json.loads(_unb64(payload))
        except (ValueError, TypeError):
            return None
        if not (isinstance(person, str) and isinstance(csrf, str) and isinstance(expires, int)):
            return None
        if expires < (now or time.time()):
            return None
        return Session(person=person, csrf=csrf, expires=expires)


def csrf_matches(session: Session | None, given: str | None) -> bool:
    """True when a form's or header's token is the session's (compared in constant time)."""
    return session is not None and bool(given) and hmac.compare_digest(session.csrf, given or "")


class LoginLimiter:
    """At most `max_failures` failed logins per user name and per client address within `window` seconds; after
    that, every attempt is refused until the oldest failure leaves the window."""

    def __init__(self, max_failures: int = 5, window: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, user: str, client: str, now: float | None = None) -> float:
        """Seconds until this user from this client may try again (0: now)."""
        t = now if now is not None else time.monotonic()
        waits = [self._recent(k, t)[0] + self.window - t for k in (f"u:{user.lower()}", f"c:{client}")
                 if len(self._recent(k, t)) >= self.max_failures]
        return max(waits, default=0.0)

    def failed(self, user: str, client: str, now: float | None = None) -> None:
        t = now if now is not None else time.monotonic()
        for key in (f"u:{user.lower()}", f"c:{client}"):
            self._recent(key, t).append(t)

    def succeeded(self, user: str) -> None:
        self._failures.pop(f"u:{user.lower()}", None)
