"""Chain heads kept outside the database, so that a rewritten log cannot rewrite them too.

One append-only JSON Lines file per log (e.g. ``instance/anchors/reports-events.jsonl``):
each line says "at this moment the log had ``count`` entries and its last entry hashed to
``head``".  A verifier then checks the log against every line: a rewritten, shortened or
rebuilt log no longer has that head at that position.  Put the directory on storage the
database's users cannot write (another host, WORM storage, a backed-up volume); shared by
any hash-chained log of the portal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

__all__ = ["Anchor", "anchor_path", "append", "read"]


@dataclass(frozen=True, slots=True)
class Anchor:
    at: str  # ISO 8601 UTC
    count: int  # entries in the log when the head was taken
    head: str  # hash of the entry number ``count`` (1-based), the chain's genesis if 0


def anchor_path(name: str) -> Path:
    """Where the anchors of log ``name`` live: ``ANCHOR_DIR`` (or ``PORTAL_ANCHOR_DIR``),
    default ``<instance>/anchors``."""
    base = (
        current_app.config.get("ANCHOR_DIR")
        or os.environ.get("PORTAL_ANCHOR_DIR")
        or Path(current_app.config["INSTANCE_PATH"]) / "anchors"
    )
    return Path(base) / f"{name}.jsonl"


def read(path: Path) -> list[Anchor]:
    """Every anchor in the file, oldest first; an unreadable line raises ValueError."""
    if not path.exists():
        return []
    out = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out.append(Anchor(at=str(obj["at"]), count=int(obj["count"]), head=str(obj["head"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: line {number} is not an anchor") from exc
    return out


def append(path: Path, *, count: int, head: str, at: dt.datetime | None = None) -> bool:
    """Add an anchor unless the last one already says the same; True if a line was written.

    The file is opened for appending only and synced to disk before returning.
    """
    existing = read(path)
    if existing and existing[-1].count == count and existing[-1].head == head:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    line = json.dumps({"at": moment, "count": count, "head": head}, sort_keys=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return True
