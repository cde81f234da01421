"""Plain-language health notes per parameter, shipped in content/water/health/ with their
source named (see the README there)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import frontmatter
from markupsafe import Markup
from werkzeug.security import safe_join

from portal.core.markdown import render

ROOT = Path(__file__).resolve().parents[2] / "content" / "water" / "health"


@dataclass(frozen=True)
class HealthNote:
    parameter: str
    body: Markup
    source: str


@cache
def note(parameter: str, locale: str) -> HealthNote | None:
    """The note in ``locale`` (falling back to Chinese), or None when none is written."""
    for candidate in dict.fromkeys((locale, "zh_Hans")):
        path = safe_join(str(ROOT), f"{parameter}.{candidate}.md")
        if path is None or not Path(path).is_file():
            continue
        post = frontmatter.load(path)
        return HealthNote(parameter, render(post.content), str(post.get("source", "")))
    return None
