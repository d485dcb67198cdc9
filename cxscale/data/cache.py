"""The validation cache: a source whose files have not changed since they passed every rule is not checked again.

Validating costs one scan per table plus, for the duplicate_id rule, an exact count of distinct ids (about as much
as a readout's whole query at 10M contacts, bench/README.md#issue-25). A command that reads the same export again
(measure, then diagnose, then measure with another spec) would pay it every time. So the faces (the CLI) keep the
result of a validation that passed in a folder outside the data (`cache_dir`, by default the user's cache folder),
keyed on a fingerprint of everything the result depends on:

- every file the source reads: its path, size and modification time (nanoseconds), and the bytes of a Parquet
  file's footer (row counts, column statistics and offsets of every row group) or the whole content of any other
  file (a CSV is hashed: reading it costs far less than parsing and checking it);
- the mapping as parsed, the declared arms, the plausible timestamps (which move with today's date), the engine and
  the code of the rules (cxscale.contract and cxscale.data).

Only passes are kept: a source with any rejected row is validated every time, so a failure can never be read back
as a pass. A source that is not a set of files (a DuckDB file, a warehouse URL) is not cached. `--revalidate` (or
CXSCALE_VALIDATION_CACHE=false) checks again (docs/data-contract.md#validation-cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from glob import glob
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxscale.data.stage import plausible_range
from cxscale.data.validate import ValidationReport
from cxscale.engine import engine_name

if TYPE_CHECKING:
    from cxscale.data.prepared import Prepared
    from cxscale.data.readers import Origin
    from cxscale.settings import Settings

#: Bumped when the cache entries change shape.
FORMAT = 1
#: The entries kept: storing one more removes the least recently written beyond this many.
KEEP = 256
#: The modules whose code decides what passes: a change to any of them is a new fingerprint.
_RULE_CODE = ("contract.py", "data/convert.py", "data/mapping.py", "data/readers.py", "data/stage.py",
              "data/validate.py", "data/prepared.py", "engine/dialect.py")
_PACKAGE = Path(__file__).resolve().parent.parent


def cache_folder(settings: Settings) -> Path | None:
    """Where the validation results of `settings` are kept: CXSCALE_CACHE_DIR/validation, else
    $XDG_CACHE_HOME/cxscale/validation or ~/.cache/cxscale/validation; None when CXSCALE_VALIDATION_CACHE is off."""
    if not settings.validation_cache:
        return None
    if settings.cache_dir is not None:
        root = Path(settings.cache_dir)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (Path(xdg) if xdg else Path.home() / ".cache") / "cxscale"
    return root / "validation"


def fingerprint(origin: Origin, prep: Prepared) -> str | None:
    """The key of the validation result of `prep` (staged from `origin`): a digest of every input the result depends
    on (see the module); None when the source cannot be fingerprinted (not files, or a file vanished)."""
    if origin.kind not in ("folder", "file") or not origin.read:
        return None
    files: list[list[Any]] = []
    for location in sorted(set(origin.read)):
        matches = sorted(glob(location)) if any(ch in location for ch in "*?[") else [location]
        if not matches:
            return None
        for name in matches:
            try:
                files.append(_file_print(Path(name)))
            except OSError:
                return None
    inputs = {
        "format": FORMAT,
        "code": _code_digest(),
        "engine": engine_name(origin.con),
        "origin": [origin.kind, str(Path(origin.path).resolve())],
        "mapping": repr(prep.mapping),
        "arms": sorted([p, list(a)] for p, a in prep.pilots.items()),
        "plausible": [d.isoformat() for d in plausible_range(prep.mapping.plausible if prep.mapping else (None, None))],
        "tables": sorted(prep.tables),
        "files": files,
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def _file_print(path: Path) -> list[Any]:
    """path, size, mtime (ns) and a digest of the Parquet footer or of the whole content."""
    st = path.stat()
    h = hashlib.blake2b(digest_size=20)
    with path.open("rb") as f:
        if path.name.endswith(".parquet") and st.st_size >= 12:
            f.seek(st.st_size - 8)
            tail = f.read(8)
            footer = int.from_bytes(tail[:4], "little")
            if tail[4:] == b"PAR1" and 0 < footer <= st.st_size - 12:
                f.seek(st.st_size - 8 - footer)
                h.update(f.read(footer))
            else:  # not a Parquet footer: the whole content
                f.seek(0)
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        else:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return [str(path.resolve()), st.st_size, st.st_mtime_ns, h.hexdigest()]


_CODE: str | None = None


def _code_digest() -> str:
    global _CODE
    if _CODE is None:
        h = hashlib.sha256()
        for name in _RULE_CODE:
            p = _PACKAGE / name
            h.update(name.encode())
            h.update(p.read_bytes() if p.exists() else b"")
        _CODE = h.hexdigest()
    return _CODE


def load_pass(folder: Path, key: str) -> ValidationReport | None:
    """The passing report stored under `key`, or None (none stored, unreadable, or not a pass)."""
    try:
        entry = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        report = ValidationReport.from_dict(entry["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if entry.get("key") != key or not report.ok or entry["report"].get("ok") is not True:
        return None
    report.reused = str(entry.get("validated_at", ""))
    return report


def store_pass(folder: Path, key: str, report: ValidationReport) -> None:
    """Keep a passing report under `key` (a failing one is never kept); a cache that cannot be written is skipped."""
    if not report.ok:
        return
    entry = {"key": key, "validated_at": datetime.now(UTC).isoformat(timespec="seconds"),
             "report": report.to_dict()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(entry, f)
        os.replace(tmp, folder / f"{key}.json")
        entries = sorted(folder.glob("*.json"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return
