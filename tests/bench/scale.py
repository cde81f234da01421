"""Scale the demo data up to benchmark size, through the features' own models (and, for
water, the real import service via tests/bench/water_scale.py).

Rows are cloned from the demo rows each feature's loader created, so they carry whatever
columns the models require; unique keys are made fresh. Sizes come from the environment:

    BENCH_NOTICES (100000)  BENCH_ENTERPRISES (10000)  BENCH_REPORTS (100000)
    BENCH_WATER_SITES (500)  BENCH_WATER_YEARS (10)  BENCH_WATER_PARAMETERS (60)

Run inside the portal's environment (PORTAL_DATABASE_URL etc.): `python tests/bench/scale.py`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from portal import create_app  # noqa: E402
from portal.core.extensions import db  # noqa: E402

BATCH = 5000


def size(name: str, default: int) -> int:
    return int(os.environ.get(f"BENCH_{name}", default))


def clone(model: Any, where: Any, n: int, vary: Callable[[int], dict[str, Any]]) -> int:
    """Insert n copies of one existing row of `model`, with `vary(i)` overriding columns."""
    template = db.session.scalars(sa.select(model).where(where).limit(1)).first()
    if template is None:
        raise RuntimeError(f"no demo {model.__name__} to clone: did `demo load` run?")
    attrs = [a for a in sa.inspect(model).column_attrs if not a.columns[0].primary_key]
    base = {a.key: getattr(template, a.key) for a in attrs}
    done = 0
    while done < n:
        rows = [
            {**base, **{k: v for k, v in vary(i).items() if k in base}}
            for i in range(done, min(n, done + BATCH))
        ]
        db.session.execute(sa.insert(model), rows)
        db.session.commit()
        done += len(rows)
    return done


def notices(n: int) -> int:
    from portal.notices.models import Notice

    now = dt.datetime.now(dt.UTC)

    def vary(i: int) -> dict[str, Any]:
        at = now - dt.timedelta(hours=i + 1)
        title = f"关于第{i}号环境信息公开事项的公告"
        return {
            "title_zh": title,
            "title_en": f"Environmental information notice no. {i}",
            "search_text": title,
            "status": "published",
            "source": None,
            "published_at": at,
            "created_at": at,
            "updated_at": at,
        }

    return clone(Notice, Notice.status == "published", n, vary)


def enterprises(n: int) -> int:
    from portal.enforcement.credit_code import check_character
    from portal.enforcement.models import Enterprise

    def vary(i: int) -> dict[str, Any]:
        first17 = f"91232700{i:09d}"
        return {"code": first17 + check_character(first17), "name_zh": f"大兴安岭测试企业{i}"}

    return clone(Enterprise, sa.true(), n, vary)


def reports(n: int) -> int:
    from portal.reports import codes, eventlog
    from portal.reports.eventstore import pseudonym_key as _pseudonym_key
    from portal.reports.models import Report

    key = _pseudonym_key()
    now = dt.datetime.now(dt.UTC)

    def vary(i: int) -> dict[str, Any]:
        code = codes.new_code()
        at = now - dt.timedelta(minutes=7 * i + 1)
        return {
            "code": code,
            "submission_id": secrets.token_urlsafe(24),
            "case": eventlog.pseudonym(key, code),
            "received_at": at,
            "updated_at": at,
            "place": f"测试地点{i}",
        }

    return clone(Report, sa.true(), n, vary)


def water_sites(n: int) -> list[tuple[str, str]]:
    """Sites through the real import (the water engineer's generator): [(code, kind)]."""
    import water_scale

    from portal.water import service

    text, made = water_scale.sites_csv(n)
    result = service.import_sites(io.BytesIO(text.encode()), "sites.csv")
    assert result.ok, result.errors[:5]
    return made


def water_scale_parameters(n: int) -> list[Any]:
    import water_scale

    return list(water_scale.chosen_parameters(n))


def main() -> None:
    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        counts = {
            "notices": notices(size("NOTICES", 100_000)),
            "enterprises": enterprises(size("ENTERPRISES", 10_000)),
            "reports": reports(size("REPORTS", 100_000)),
        }
        made = water_sites(size("WATER_SITES", 500))
        params = water_scale_parameters(size("WATER_PARAMETERS", 60))
    import water_scale

    years = size("WATER_YEARS", 10)
    # Years before the demo data's (re-publishing a published quarter needs a reason).
    rate = water_scale.import_and_publish(app, made, params, years, 2015 - years)
    counts["water sites"] = len(made)
    with app.app_context():
        from portal.water.models import WaterMeasurement

        counts["water measurements"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(WaterMeasurement)
        )
    print(
        "scaled up: "
        + ", ".join(f"{k} +{v:,}" for k, v in counts.items())
        + f" (water import {rate:,.0f} rows/s) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
