"""Chain heads written where the database cannot rewrite them: an append-only file per log.

Whoever can write to the database can rebuild a hash chain, cut its tail or drop its guard
triggers; they cannot reach back into lines already written to a file on the application
host (or copied off it by the daily backup). A log's verification checks that every head
anchored here is still in the chain, unchanged.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def path_for(directory: str | os.PathLike[str], name: str) -> Path:
    return Path(directory) / f"{name}.jsonl"


def append(directory: str | os.PathLike[str], name: str, head: dict[str, Any]) -> bool:
    """Append one head as a JSON line and fsync it; False (logged) if the disk refuses.

    A failure never fails the caller's request: the head is only a witness, and the next
    successful write anchors a later head that covers this one.
    """
    path = path_for(directory, name)
    line = json.dumps(head, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        log.warning("could not anchor the %s chain head: %s", name, exc.strerror)
        return False
    return True


def read(directory: str | os.PathLike[str], name: str) -> list[dict[str, Any]]:
    """Every anchored head, oldest first; a line that is not JSON is returned as {"bad": n}."""
    path = path_for(directory, name)
    if not path.exists():
        return []
    heads: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                heads.append(json.loads(line))
            except json.JSONDecodeError:
                heads.append({"bad": number})
    return heads
