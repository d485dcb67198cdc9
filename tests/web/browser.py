"""A live dashboard for a real browser: uvicorn on a loopback port in a thread, and Playwright driving Debian's
chromium (Playwright's own browser download is impossible here), with every request that would leave the host
refused and recorded, and every console error kept."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import system_tool

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def chromium() -> str:
    return system_tool("chromium", "chromium-browser", package="chromium")


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on 127.0.0.1 at a free port; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@dataclass
class Watch:
    """What a page did that it must not: console errors, uncaught exceptions, requests to another host."""

    base: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        host = urlsplit(self.base).netloc

        def route(r: Any) -> None:
            url = r.request.url
            if urlsplit(url).scheme in ("data", "blob", "about") or urlsplit(url).netloc == host:
                r.continue_()
            else:
                self.outside.append(url)
                r.abort()

        context.route("**/*", route)
        context.on("page", self.page)

    def page(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
