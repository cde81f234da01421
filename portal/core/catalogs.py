"""Message catalogs, one per feature.

Usage: `python -m portal.core.catalogs extract [FEATURE]|compile|check`.

Each feature keeps its own catalog in portal/<feature>/translations/ so features can be
translated (and changed) independently; Flask-Babel merges them at run time. The sources of
a feature are its Python package and templates/<feature>/; `core` also owns the site-wide
templates (base, macros, errors, admin).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("zh_Hans",)  # English is the source language
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "lazy_ngettext": (1, 2),
}
OPTIONS = {"trimmed": "true", "extensions": "jinja2.ext.do"}
CORE_TEMPLATES = ("base.html", "macros", "errors", "admin")


def features() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "portal").glob("*/__init__.py"))


def sources(feature: str) -> Iterator[tuple[str, Path]]:
    package = ROOT / "portal" / feature
    yield from (("python", p) for p in sorted(package.rglob("*.py")))
    if feature == "core":
        yield from (("python", p) for p in sorted((ROOT / "portal").glob("*.py")))
        for name in CORE_TEMPLATES:
            target = ROOT / "templates" / name
            files = [target] if target.is_file() else sorted(target.rglob("*.html"))
            yield from (("jinja2", p) for p in files)
    else:
        yield from (("jinja2", p) for p in sorted((ROOT / "templates" / feature).rglob("*.html")))


def template(feature: str) -> Catalog:
    catalog = Catalog(project="dxal-water-portal", charset="utf-8")
    for method, path in sources(feature):
        options = OPTIONS if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            catalog.add(
                message,
                None,
                [(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(feature: str, locale: str) -> Path:
    return ROOT / "portal" / feature / "translations" / locale / "LC_MESSAGES" / "messages.po"


def extract(only: str | None = None) -> None:
    """Refresh the features' .po files from the sources, keeping existing translations."""
    for feature in [only] if only else features():
        pot = template(feature)
        if not len(pot):
            continue
        for locale in LOCALES:
            path = po_path(feature, locale)
            if path.exists():
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=locale)
                catalog.update(pot, no_fuzzy_matching=True)
            else:
                catalog = Catalog(locale=locale, project="dxal-water-portal", charset="utf-8")
                catalog.update(pot, no_fuzzy_matching=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(
                    fh,
                    catalog,
                    width=100,
                    omit_header=False,
                    ignore_obsolete=True,
                    sort_output=True,
                )


def compile_all() -> int:
    count = 0
    for po in sorted((ROOT / "portal").glob("*/translations/*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)
        count += 1
    return count


def missing() -> dict[str, list[str]]:
    """Messages in the sources that have no Chinese translation (English uses the msgid)."""
    gaps: dict[str, list[str]] = {}
    for feature in features():
        pot = template(feature)
        path = po_path(feature, "zh_Hans")
        translated: dict[object, object] = {}
        if path.exists():
            with path.open("rb") as fh:
                translated = {m.id: m.string for m in read_po(fh) if m.id and not m.fuzzy}
        absent = [
            str(m.id)
            for m in pot
            if m.id
            and not (
                (string := translated.get(m.id))
                and all(string if isinstance(string, tuple) else [True])
            )
        ]
        if absent:
            gaps[feature] = absent
    return gaps


def conflicts() -> dict[str, dict[str, str]]:
    """Msgids that features translate differently. Flask-Babel merges the catalogs, so one
    translation silently wins everywhere: give such words a context (pgettext) or agree."""
    seen: dict[str, dict[str, str]] = {}
    for feature in features():
        path = po_path(feature, "zh_Hans")
        if not path.exists():
            continue
        with path.open("rb") as fh:
            for m in read_po(fh):
                if m.id and not m.context and isinstance(m.id, str) and m.string:
                    seen.setdefault(m.id, {})[feature] = str(m.string)
    return {k: v for k, v in seen.items() if len(set(v.values())) > 1}


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "extract":
        extract(argv[2] if len(argv) > 2 else None)
    elif command == "compile":
        print(f"compiled {compile_all()} catalogs")
    elif command == "check":
        gaps = missing()
        for feature, ids in gaps.items():
            for msgid in ids:
                print(f"{feature}: untranslated: {msgid}")
        clashes = conflicts()
        for msgid, by_feature in clashes.items():
            print(f"translated differently: {msgid!r}: {by_feature}")
        return 1 if gaps or clashes else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
