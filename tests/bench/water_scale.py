"""Water scale benchmark (a script, not a test):

    .venv/bin/python tests/bench/water_scale.py [--pg postgresql://postgres@127.0.0.1:5432/test_water]
        [--years 10] [--sites 500] [--parameters 60]

Builds 500 sites, imports 1 year (4 quarters × sites × 60 parameters) through the real
import service in 100,000-row files, publishes every county-quarter, measures the citizen
pages and the site/sample API; then grows to 10 years and measures again (the target is
within 2× of the 1-year latency).  Reports import rows/second and the peak Python memory
of importing a 100,000-row file against a 20,000-row one (streaming: it should not grow
with the file).  Destroys the data of the database it is given.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from portal import create_app
from portal.core.counties import codes
from portal.core.extensions import db
from portal.water import service
from portal.water.limit_tables import load_standards

HEADER = "sample_id,site_code,sampled_at,parameter,value,unit,lab,method\n"
SPECIAL = {"ph": "7.{}", "dissolved_oxygen": "8.{}", "water_temperature": "1{}"}


def sites_csv(n: int) -> tuple[str, list[tuple[str, str]]]:
    counties = codes()
    lines = [
        "code,name_zh,name_en,stage,county,water_body,centralized,supplied_by,latitude,"
        "longitude,target_class,disinfectant,small_supply"
    ]
    sites = []
    for i in range(n):
        county = counties[i % len(counties)]
        kind = ("source", "plant", "tap", "section")[(i // len(counties)) % 4]
        code = f"B{i:04d}"
        body = "river" if kind in ("source", "section") else ""
        target = "III" if kind == "section" else ""
        dis = "free_chlorine" if kind in ("plant", "tap") else ""
        lines.append(
            f"{code},测试点位{i},Bench site {i},{kind},{county},{body},"
            f"{'true' if kind == 'source' else 'false'},,,,{target},{dis},false"
        )
        sites.append((code, kind))
    return "\n".join(lines) + "\n", sites


def measurement_files(sites, parameters, years, start_year, rows_per_file):
    """Yield CSV texts of at most rows_per_file rows."""
    rng = random.Random(start_year)
    buf, count = [HEADER], 0
    for year in range(start_year, start_year + years):
        for q in range(4):
            month = 3 * q + 2
            for code, _ in sites:
                sid = f"{code}-{year}Q{q + 1}"
                at = f"{year}-{month:02d}-15T09:30"
                for p in parameters:
                    if p.unit == "text":
                        value = "无异常"
                    elif p.code in SPECIAL:
                        value = SPECIAL[p.code].format(rng.randint(0, 9))
                    else:
                        value = f"{rng.uniform(0.001, 0.05):.3f}"
                    unit = "" if p.unit == "text" else p.unit
                    buf.append(f"{sid},{code},{at},{p.code},{value},{unit},Lab,\n")
                    count += 1
                    if count == rows_per_file:
                        yield "".join(buf)
                        buf, count = [HEADER], 0
    if count:
        yield "".join(buf)


def chosen_parameters(n):
    std = load_standards()
    return [p for p in std.parameters.values() if not p.derived][:n]


def timed(client, url, repeat=15):
    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, (url, r.status_code)
    return statistics.median(times) * 1000


def measure(app, sites, label):
    client = app.test_client()
    county = codes()[0]
    site = next(c for c, k in sites if k == "source")
    tap = next(c for c, k in sites if k == "tap")
    with app.app_context():
        from portal.water import queries

        first = db.session.scalars(queries.site_evaluations(queries.public_site(site))).first()
        sample, quarter = first.sample_id, first.quarter
    urls = {
        "overview /water/": "/water/",
        "county page": f"/water/counties/{county}",
        "site page": f"/water/sites/{site}",
        "tap site page": f"/water/sites/{tap}",
        "site API": f"/api/v1/water/sites/{site}",
        "sample API": f"/api/v1/water/samples/{sample}",
        "quarter page": f"/water/quarters/{county}/{quarter}",
    }
    out = {name: timed(client, url) for name, url in urls.items()}
    print(f"  [{label}] " + ", ".join(f"{k}: {v:.1f} ms" for k, v in out.items()), flush=True)
    return out


def import_and_publish(app, sites, parameters, years, start_year):
    rows = secs = 0.0
    quarters = set()
    for text in measurement_files(sites, parameters, years, start_year, 100_000):
        with app.app_context():
            t = time.perf_counter()
            result = service.import_measurements(io.BytesIO(text.encode()), "bench.csv")
            secs += time.perf_counter() - t
            assert result.ok, result.errors[:5]
            rows += result.rows
            quarters |= set(result.quarters)
    t = time.perf_counter()
    for county, quarter in sorted(quarters):
        with app.app_context():
            service.publish(county, quarter)
    pub = time.perf_counter() - t
    print(
        f"  imported {int(rows)} rows at {rows / secs:,.0f} rows/s; "
        f"published {len(quarters)} county-quarters in {pub:.0f} s",
        flush=True,
    )
    return rows / secs


def peak_memory(app, sites, parameters, rows):
    text = next(measurement_files(sites, parameters, 50, 1950, rows))  # exactly `rows` rows
    data = text.encode()
    with app.app_context():
        tracemalloc.start()
        result = service.import_measurements(io.BytesIO(data), "mem.csv")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert result.ok
    return peak / 1e6, len(data) / 1e6


def run(url, years, n_sites, n_params):
    print(f"database: {url.split('@')[-1]}", flush=True)
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        text, sites = sites_csv(n_sites)
        assert service.import_sites(io.BytesIO(text.encode()), "sites.csv").ok
    parameters = chosen_parameters(n_params)
    rate = import_and_publish(app, sites, parameters, 1, 2016)
    one = measure(app, sites, "1 year")
    import_and_publish(app, sites, parameters, years - 1, 2017)
    many = measure(app, sites, f"{years} years")
    print("  ratio: " + ", ".join(f"{k}: {many[k] / one[k]:.2f}×" for k in one), flush=True)
    small = peak_memory(app, sites, parameters, 20_000)
    big = peak_memory(app, sites, parameters, 100_000)
    print(
        f"  import peak Python memory: 20k rows ({small[1]:.1f} MB file): {small[0]:.1f} MB; "
        f"100k rows ({big[1]:.1f} MB file): {big[0]:.1f} MB; rate {rate:,.0f} rows/s",
        flush=True,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", help="PostgreSQL URL (e.g. the test_water database)")
    ap.add_argument("--pg-only", action="store_true")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--parameters", type=int, default=60)
    args = ap.parse_args()
    if not args.pg_only:
        tmp = Path(tempfile.mkdtemp()) / "bench.db"
        run(f"sqlite:///{tmp}", args.years, args.sites, args.parameters)
    if args.pg:
        from portal.config import database_url

        run(database_url(args.pg), args.years, args.sites, args.parameters)


if __name__ == "__main__":
    main()
