"""HTML to PDF with WeasyPrint, offline and reproducible.

`render_pdf(html, out, created=...)` lays out a self-contained page (inline CSS and SVG) as a PDF. Nothing is fetched:
the URL fetcher loads only files inside the cxscale package (its templates' own assets) and refuses any other URL,
so a page cannot reach the network or the file system through an image, a stylesheet or a font. The output is
reproducible: the creation and modification dates are `created` (or 1970-01-01 when None, as SOURCE_DATE_EPOCH=0
would give), the file identifier is derived from the HTML without its dates, and WeasyPrint writes nothing else that depends on the
time or the machine; the same HTML and `created` give the same bytes. Two builds at different times differ in the
/CreationDate and /ModDate strings, the byte offsets after them, and the second half of the file identifier (which
names one instance of the file: a hash of its bytes) only (docs/proof-points.md#reproducibility).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from cxscale.errors import CxscaleError

#: The only folder whose files a page may load.
ASSETS = Path(__file__).resolve().parent


def url_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """WeasyPrint's fetcher, allowed to read files of the cxscale package only."""
    parsed = urlparse(url)
    path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
    if path is None or not path.is_relative_to(ASSETS) or not path.is_file():
        raise CxscaleError(f"PDF: refused to load {url}: a page is self-contained (only cxscale's own assets load)")
    return {"string": path.read_bytes(), "mime_type": None, "redirected_url": url}


def _pdf_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_pdf(html: str, out: Path, *, created: datetime | None) -> Path:
    """Write `html` as a PDF at `out` and return it; `created` is its creation date (None: the epoch, 1970-01-01)."""
    import weasyprint  # imported here: WeasyPrint loads Pango, which costs time every CLI start would pay

    when = _pdf_date(created or datetime(1970, 1, 1, tzinfo=UTC))
    document = weasyprint.HTML(string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=url_fetcher).render()
    document.metadata.created = when
    document.metadata.modified = when
    # The file identifier: from the page without its dates, so that a rebuild keeps it.
    undated = "\n".join(line for line in html.splitlines() if 'name="dcterms.' not in line)
    identifier = hashlib.sha256(undated.encode()).hexdigest()[:32].encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(out, pdf_identifier=identifier)
    return out


__all__ = ["render_pdf", "url_fetcher"]
