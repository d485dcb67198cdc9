"""Readers of the data the capabilities learn from and are judged on: a labelled text CSV (BANKING77 or yours),
the ABCD guidelines folder, a randomised campaign (Hillstrom) and a simulated world's messages. Each bad input is
one line naming the file, the column and example rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from cxscale.errors import CxscaleError


def labelled_csv(path: str | Path, text_column: str = "text", label_column: str = "category") -> tuple[list[str], list[str]]:
    """Texts and labels of a CSV; a missing column or empty cell is an error naming the rows (1-based, after the
    header)."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CxscaleError(f"{path}: no such file")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CxscaleError(f"{path}: not a readable CSV ({exc})") from None
    for col in (text_column, label_column):
        if col not in df.columns:
            raise CxscaleError(f"{path}: no column {col!r} (found {', '.join(map(str, df.columns[:8]))}); "
                               "name them with --text-column and --label-column")
    for col in (text_column, label_column):
        empty = np.flatnonzero(df[col].str.strip().eq("").to_numpy())
        if len(empty):
            rows = ", ".join(str(r + 2) for r in empty[:5])
            raise CxscaleError(f"{path}: column {col}: {len(empty)} empty values (rows {rows}); every row needs a "
                               f"{'text' if col == text_column else 'label'}")
    return df[text_column].tolist(), df[label_column].tolist()


HILLSTROM_FEATURES = ("recency", "history", "mens", "womens", "newbie", "zip_urban", "zip_rural", "channel_web",
                      "channel_phone")


def hillstrom(path: str | Path, treatment: str = "Womens E-Mail", outcome: str = "visit"
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (HILLSTROM_FEATURES), treated (the `treatment` e-mail) and outcome of the customers in that arm or
    in "No E-Mail" (the other e-mail arm is left out: it is a different treatment)."""
    import pandas as pd

    path = Path(path)
    if path.is_dir():
        path = path / "hillstrom.csv"
    if not path.is_file():
        raise CxscaleError(f"{path}: no such file (expected the Hillstrom hillstrom.csv)")
    df = pd.read_csv(path)
    need = {"recency", "history", "mens", "womens", "newbie", "zip_code", "channel", "segment", outcome}
    missing = sorted(need - set(df.columns))
    if missing:
        raise CxscaleError(f"{path}: missing columns {', '.join(missing)}")
    arms = set(df["segment"].unique())
    if treatment not in arms or "No E-Mail" not in arms:
        raise CxscaleError(f"{path}: column segment must hold {treatment!r} and 'No E-Mail' (found "
                           f"{', '.join(sorted(map(str, arms)))})")
    df = df[df["segment"].isin([treatment, "No E-Mail"])]
    x = np.column_stack([df["recency"], df["history"], df["mens"], df["womens"], df["newbie"],
                         df["zip_code"].eq("Urban"), df["zip_code"].eq("Rural"), df["channel"].eq("Web"),
                         df["channel"].eq("Phone")]).astype(float)
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        raise CxscaleError(f"{path}: {int(bad.sum())} rows with missing or non-numeric features (rows "
                           f"{', '.join(str(int(i) + 2) for i in df.index[bad][:5])})")
    return x, df["segment"].eq(treatment).to_numpy(), df[outcome].to_numpy().astype(int)


def world_messages(folder: str | Path, limit: int | None = None) -> tuple[str, list[dict[str, Any]], list[dict]]:
    """A simulated world's scenario, its contacts' messages (messages.parquet, or computed from the interactions
    when the world was written without them) and its knowledge base."""
    import pyarrow.parquet as pq

    from cxscale.simulate.messages import KNOWLEDGE_FILE, MESSAGES_FILE, knowledge_base, messages_table

    folder = Path(folder)
    truth = folder / "ground_truth.json"
    if not truth.is_file():
        raise CxscaleError(f"{folder}: not a simulated world (no ground_truth.json); write one with cxscale simulate")
    meta = json.loads(truth.read_text())
    scenario, seed = meta["scenario"], int(meta["seed"])
    if (folder / MESSAGES_FILE).is_file():
        t = pq.read_table(folder / MESSAGES_FILE)
        if limit is not None:
            t = t.slice(0, limit)
    else:
        import pyarrow.dataset as ds

        i = ds.dataset(folder / "interactions", format="parquet").to_table(columns=["interaction_id", "intent",
                                                                                    "resolved"])
        if limit is not None:
            i = i.slice(0, limit)
        t = messages_table(scenario, seed, i["interaction_id"].to_pylist(), i["intent"].to_pylist(),
                           [bool(v) for v in i["resolved"].to_pylist()])
    rows = t.to_pylist()
    for r in rows:
        r["transcript"] = [tuple(turn) for turn in json.loads(r["transcript"])]
    kb_path = folder / KNOWLEDGE_FILE
    kb = json.loads(kb_path.read_text()) if kb_path.is_file() else knowledge_base(scenario)
    return scenario, rows, kb
