"""Fast misses at any scale: the SQL statements a public page, feed or API list sends do not
grow with the data. Each page is rendered (cache off) on the demo data, then again after
notices, enterprises, reports and published water results have been multiplied; the
counts must be equal, and stay under the ceiling pinned here."""

from __future__ import annotations

import sqlalchemy as sa

from portal.core.demo import load_all
from portal.core.extensions import db as _db
from portal.enforcement.models import Enterprise
from portal.notices.models import Notice
from portal.water.models import WaterEvaluation, WaterSite

# Ceilings: measured + 1 (cache off; pages with per-version figures include the version read);
# raising one needs a reason (a new query per page is fine; one per row is not). Raised when
# the features merged: the warnings banner (1 per page), the water publication calendar and
# explanations (county and site pages), the verified report log (home, cases).
CEILING = {
    "/": 14,
    "/notices/": 3,
    "/notices/{notice}": 4,
    "/feeds/notices.rss": 3,
    "/feeds/notices.atom?lang=en": 3,
    "/api/v1/notices": 3,
    "/water/": 14,
    "/water/counties/jiagedaqi": 12,
    "/water/sites/{site}": 14,
    "/api/v1/water/sites/{site}": 11,
    "/api/v1/water/sites": 11,
    "/enforcement/": 9,
    "/enforcement/cards": 5,
    "/enforcement/enterprises": 5,
    "/enforcement/enterprises/{enterprise}": 8,
    "/api/v1/enforcement/enterprises": 3,
    "/api/v1/enforcement/cards": 4,
    "/enforcement/cases": 5,
    "/enforcement/inspections": 11,
    "/reports/stats": 4,
    "/reports/cases/": 8,
    "/data/": 12,
    "/search?q=%E6%B0%B4": 10,
}


def _statements(app, paths: dict[str, str]) -> dict[str, int]:
    client = app.test_client()
    with app.app_context():
        engine = _db.engine
    counts = {}
    for label, path in paths.items():
        assert client.get(path).status_code == 200, path  # warm: templates, statics
        seen: list[str] = []

        def listen(*args: object, seen: list[str] = seen) -> None:
            seen.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", listen)
        try:
            assert client.get(path).status_code == 200, path
        finally:
            sa.event.remove(engine, "before_cursor_execute", listen)
        counts[label] = len(seen)
    return counts


def _grow(app) -> None:
    from tests.bench import scale

    with app.app_context():
        scale.notices(150)
        scale.enterprises(120)
        scale.reports(150)
        # More published water results: every evaluation cloned onto new public sites
        sites = _db.session.scalars(sa.select(WaterSite)).all()
        for n, site in enumerate(sites[:4]):
            twin = WaterSite(**{
                c.key: getattr(site, c.key)
                for c in sa.inspect(WaterSite).column_attrs
                if c.key not in ("id", "code")
            }, code=f"{site.code}-X{n}")  # fmt: skip
            _db.session.add(twin)
            _db.session.flush()
            for ev in _db.session.scalars(
                sa.select(WaterEvaluation).where(WaterEvaluation.site_id == site.id)
            ).all():
                values = {
                    c.key: getattr(ev, c.key)
                    for c in sa.inspect(WaterEvaluation).column_attrs
                    if c.key not in ("id", "site_id", "sample_id")
                }
                _db.session.add(
                    WaterEvaluation(**values, site_id=twin.id, sample_id=f"{ev.sample_id}-X{n}")
                )
        _db.session.commit()


def test_statements_per_public_page_do_not_grow_with_the_data(app_factory, db):
    app = app_factory(PAGE_CACHE=False)
    with app.app_context():
        load_all()
        ids = {
            "notice": _db.session.scalar(
                sa.select(Notice.id).where(Notice.status == "published").limit(1)
            ),
            "site": _db.session.scalar(
                sa.select(WaterSite.code)
                .join(WaterEvaluation, WaterEvaluation.site_id == WaterSite.id)
                .order_by(WaterSite.code)
                .limit(1)
            ),
            "enterprise": _db.session.scalar(sa.select(Enterprise.code).limit(1)),
        }
    paths = {label: label.format(**ids) for label in CEILING}
    small = _statements(app, paths)
    _grow(app)
    large = _statements(app, paths)
    assert large == small
    over = {p: n for p, n in large.items() if n > CEILING[p]}
    assert not over, f"more SQL statements than pinned: {over}"
