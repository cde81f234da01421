"""Load benchmark (`make bench`): the portal under gunicorn on PostgreSQL with the demo data
scaled up, against a Flask "hello world" under the same gunicorn settings, loaded by wrk.

Environment (defaults give the full run the issue asks for; shrink them for a quick one):
    BENCH_DATABASE_URL   postgresql://postgres@127.0.0.1:5432/bench (dropped and re-created)
    BENCH_NOTICES=100000 BENCH_ENTERPRISES=10000 BENCH_REPORTS=100000
    BENCH_WATER_SITES=500 BENCH_WATER_YEARS=10 BENCH_WATER_PARAMETERS=60
    BENCH_DURATION=10 (seconds per endpoint)  BENCH_CONNECTIONS=32  BENCH_THREADS=2
    BENCH_WORKERS=(2 × CPUs + 1)  BENCH_SKIP_LOAD=1 (reuse the database of the last run)
Prints a table of each figure beside its target and writes tests/bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.storm import StormResult, storm  # noqa: E402
from browser.liveserver import (  # noqa: E402
    ROOT,
    LiveServer,
    build_schema,
    free_port,
    load_demo,
    portal_env,
)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench")
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
SIZES = {
    "NOTICES": 100_000,
    "ENTERPRISES": 10_000,
    "REPORTS": 100_000,
    "WATER_SITES": 500,
    "WATER_YEARS": 10,
    "WATER_PARAMETERS": 60,
}
SCALE = {k: int(os.environ.get(f"BENCH_{k}", v)) for k, v in SIZES.items()}


@dataclass
class Result:
    name: str
    path: str
    rps: float
    p50: float
    p99: float
    requests: int
    errors: int
    kind: str  # baseline | read | conditional | submit | uncached


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _ms(value: str) -> float:
    """wrk's '1.23ms'; NaN when wrk could not measure (e.g. no request completed)."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not found:
        return float("nan")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(name: str, url: str, kind: str, script: Path | None = None) -> Result:
    cmd = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # The "Latency Distribution" lines only (the thread stats also end in percentages).
    p50 = _ms(m.group(1)) if (m := re.search(r"^\s+50%\s+(\S+)\s*$", out, re.M)) else float("nan")
    p99 = _ms(m.group(1)) if (m := re.search(r"^\s+99%\s+(\S+)\s*$", out, re.M)) else float("nan")
    if p50 != p50 or p99 != p99:  # NaN: show what wrk said
        print(out, flush=True)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(x) for x in found.groups())
    path = urllib.parse.urlsplit(url).path
    result = Result(name, path, rps, p50, p99, total, errors, kind)
    print(f"  {name:<28} {rps:>9.0f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  errors {errors}",
          flush=True)  # fmt: skip
    return result


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
            return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")


def lua_conditional(tmp: Path, etag: str) -> Path:
    script = tmp / "conditional.lua"
    # A Lua long string keeps the ETag's own double quotes intact.
    script.write_text(f'wrk.headers["If-None-Match"] = [[{etag}]]\n')
    return script


def lua_submissions(tmp: Path, base: str, secret: str, count: int) -> tuple[Path, int]:
    """Each POST carries a fresh signed form token (as GET /reports/new would hand out), so
    each one stores a new report; one session cookie and CSRF token for all of them."""
    from itsdangerous import URLSafeTimedSerializer

    sys.path.insert(0, str(ROOT))
    from portal.reports.views import _SALT

    req = urllib.request.Request(base + "/reports/new")  # noqa: S310
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
        page = resp.read().decode()
        cookie = resp.headers["Set-Cookie"].split(";")[0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    category = re.search(r'name="category"[^>]*value="([^"]+)"', page)
    category_value = category.group(1) if category else "water"
    signer = URLSafeTimedSerializer(secret, salt=_SALT)
    bodies = tmp / "bodies.txt"
    now = int(time.time()) - 60
    with bodies.open("w") as fh:
        for i in range(count):
            token = signer.dumps({"s": f"bench{i:08d}{os.urandom(6).hex()}", "t": now})
            fh.write(urllib.parse.urlencode({
                "csrf_token": csrf, "token": token, "photo_ids": "", "category": category_value,
                "county": "jiagedaqi", "place": f"压测地点 {i}",
                "description": "压力测试：河水浑浊，有异味。", "anonymous": "yes",
                "consent": "y", "website": "", "go": "send",
            }) + "\n")  # fmt: skip
    script = tmp / "submit.lua"
    script.write_text(
        f"""
local threads, counter = {{}}, 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local bodies, i = {{}}, 0
for line in io.lines("{bodies}") do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
function request()
  local n = (i * {THREADS} + id) % #bodies + 1
  i = i + 1
  return wrk.format(nil, "/reports/new/confirm", nil, bodies[n])
end
"""
    )
    return script, count


def public_reads(base: str) -> list[tuple[str, str]]:
    """The warm public reads of the issue; /alerts/ only once that feature exists."""
    site = "B0000" if SCALE["WATER_SITES"] else None
    if site is None or fetch(f"{base}/api/v1/water/sites/{site}")[0] != 200:
        site = re.search(
            r'href="/water/sites/([^"/?#.]+)"', fetch(base + "/water/")[2]
        ).group(1)  # type: ignore[union-attr]
    reads = [
        ("Home", "/"),
        ("Notice list", "/notices/"),
        ("Feed (RSS)", "/feeds/notices.rss"),
        ("Drinking water", "/water/"),
        ("County water page", "/water/counties/jiagedaqi"),
        ("Site page", f"/water/sites/{site}"),
        ("Site API", f"/api/v1/water/sites/{site}"),
        ("Cards", "/enforcement/cards"),
        ("Report statistics", "/reports/stats"),
    ]
    if fetch(base + "/alerts/")[0] == 200:
        reads.append(("Warnings", "/alerts/"))
    return reads


def publish_storm(env: dict[str, str], base: str) -> StormResult:
    from portal import create_app

    seconds = int(os.environ.get("BENCH_STORM_SECONDS", "60"))
    print(f"publish storm: {seconds} s, {CONNECTIONS} readers of / and the feed", flush=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["PORTAL_DATABASE_URL"],
                      "SECRET_KEY": env["PORTAL_SECRET_KEY"],
                      "INSTANCE_PATH": env["PORTAL_INSTANCE_PATH"]})  # fmt: skip
    result = storm(app, base, seconds=seconds, connections=CONNECTIONS)
    print(f"  published {result.published}, withdrawn {result.withdrawn}, answers "
          f"{result.answers}, stale {result.stale}, errors {result.errors}",
          flush=True)  # fmt: skip
    for example in result.examples:
        print("  stale:", example)
    return result


NOTES = "<!-- notes: kept by run.py -->"


def storm_text(result: StormResult | None) -> str:
    if result is None:
        return "Publish storm: not run (an earlier step failed)."
    return (
        f"Publish storm ({os.environ.get('BENCH_STORM_SECONDS', '60')} s, {CONNECTIONS} "
        f"Python readers of `/` and `/feeds/notices.rss` on the cached portal): "
        f"{result.published} notices published and {result.withdrawn} withdrawn, one each "
        f"per second; {result.answers:,} answers, **{result.stale} older than the "
        f"publication they followed**, **{result.errors} errors**."
    )


def count_reports(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT count(*) FROM reports").fetchone()[0])


def targets(results: list[Result]) -> list[tuple[Result, str, bool]]:
    base = next(r for r in results if r.kind == "baseline")
    rows = []
    for r in results:
        if r.kind == "baseline":
            rows.append((r, "baseline", True))
        elif r.kind == "read":
            ok = r.rps >= 0.5 * base.rps and r.p99 < 50 and r.errors == 0
            rows.append((r, f"≥ {0.5 * base.rps:,.0f} req/s (50%), p99 < 50 ms", ok))
        elif r.kind == "conditional":
            ok = r.rps >= 0.8 * base.rps and r.p99 < 50 and r.errors == 0
            rows.append((r, f"≥ {0.8 * base.rps:,.0f} req/s (80%), p99 < 50 ms", ok))
        elif r.kind == "uncached":
            rows.append((r, "reported (cache off)", r.errors == 0))
        else:
            rows.append((r, "≥ 100 req/s, no error", r.rps >= 100 and r.errors == 0))
    return rows


def table(results: list[Result]) -> str:
    lines = [
        "| Endpoint | Path | req/s | p50 ms | p99 ms | errors | Target | Met |",
        "|---|---|---:|---:|---:|---:|---|:-:|",
    ]
    for r, target, ok in targets(results):
        lines.append(
            f"| {r.name} | `{r.path}` | {r.rps:,.0f} | {r.p50:.1f} | {r.p99:.1f} | {r.errors} "
            f"| {target} | {'–' if r.kind == 'uncached' else 'yes' if ok else '**no**'} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or "?"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}; "
        f"load average at the end of the run {load}"
    )


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed (make bench installs Debian's wrk)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp_name:
        tmp = Path(tmp_name)
        instance = tmp / "instance"
        (instance / "uploads").mkdir(parents=True)
        port = free_port()
        env = portal_env(
            instance, DB_URL, f"http://127.0.0.1:{port}",
            PORTAL_ENV="production", PORTAL_DEMO="false",
            PORTAL_REPORT_RATE_LIMIT="100000000 per hour",
        )  # fmt: skip
        env["PORTAL_SECRET_KEY"] = "bench-secret-key-not-for-production-use-0123456789"
        env.update({f"BENCH_{k}": str(v) for k, v in SCALE.items()})
        if os.environ.get("BENCH_SKIP_LOAD") != "1":
            print(f"building the bench database at scale {SCALE} ...", flush=True)
            recreate_database(DB_URL)
            # Demo accounts are refused in production: load in development, serve in production.
            loading = {**env, "PORTAL_ENV": "development"}
            build_schema(loading)
            load_demo(loading)
            subprocess.run(
                [sys.executable, str(HERE / "scale.py")], cwd=ROOT, env=loading, check=True
            )
        load_secs = time.perf_counter() - started

        portal = LiveServer(env=env, port=port, workers=WORKERS)
        uncached = LiveServer(env={**env, "PORTAL_CACHE": "off"}, port=free_port(),
                              workers=WORKERS)  # fmt: skip
        hello = LiveServer(
            env=env, port=free_port(), workers=WORKERS, app="hello:app",
            extra_args=["--chdir", str(HERE)],
        )  # fmt: skip
        results: list[Result] = []
        storm_result = None
        print(f"gunicorn: {WORKERS} sync workers; wrk: {THREADS} threads, {CONNECTIONS} "
              f"connections, {DURATION} s per endpoint", flush=True)  # fmt: skip
        try:
            hello.start()
            fetch(hello.url + "/")
            results.append(wrk("Baseline: hello world", hello.url + "/", "baseline"))
            hello.stop()
            portal.start()
            base = portal.url
            reads = public_reads(base)
            for lang in ("", "?lang=en"):
                for name, path in reads:
                    url = base + path + (lang if "?" not in path else lang.replace("?", "&"))
                    status, _h, _b = fetch(url)
                    assert status == 200, (url, status)
                    label = f"{name}{' (en)' if lang else ''}"
                    results.append(wrk(label, url, "read"))
            for name, path in reads[:3]:
                status, headers, _body = fetch(base + path)
                etag = headers.get("ETag") or headers.get("Etag")
                assert etag, f"{path} sends no ETag"
                assert fetch(base + path, {"If-None-Match": etag})[0] == 304
                results.append(wrk(f"{name}, conditional (304)", base + path,
                                   "conditional", lua_conditional(tmp, etag)))  # fmt: skip
            before = count_reports(DB_URL)
            script, prepared = lua_submissions(tmp, base, env["PORTAL_SECRET_KEY"], 60_000)
            submit = wrk(
                "Report submission (POST)", base + "/reports/new/confirm", "submit", script
            )
            added = count_reports(DB_URL) - before
            if submit.requests > prepared:
                print(f"  note: {submit.requests - prepared} submissions reused a token")
            if added < min(submit.requests, prepared) - CONNECTIONS:
                submit.errors += min(submit.requests, prepared) - added
            results.append(submit)
            storm_result = publish_storm(env, base)
            portal.stop()
            uncached.start()
            for name, path in reads:
                fetch(uncached.url + path)  # each worker's templates compiled before timing
                fetch(uncached.url + path)
                results.append(wrk(f"{name} [cache off]", uncached.url + path, "uncached"))
        finally:
            hello.stop()
            portal.stop()
            uncached.stop()
            log = portal.log()

    rows = table(results)
    print("\n" + rows + "\n")
    loaded = (
        "reused from the previous run (BENCH_SKIP_LOAD=1)"
        if os.environ.get("BENCH_SKIP_LOAD") == "1"
        else f"built, demo-loaded and scaled up in {load_secs:.0f} s"
    )
    missed = [r.name for r, _t, ok in targets(results) if not ok and r.kind != "uncached"]
    scale = ", ".join(f"{k.lower()} {v:,}" for k, v in SCALE.items())
    report = f"""# Load benchmark results

Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`tests/bench/run.py`).

- Machine: {machine()}; PostgreSQL on the same machine; wrk on the same machine.
- Data: demo data scaled up to {scale}
  (full scale per the issue: notices 100,000, enterprises 10,000, reports 100,000,
  water 500 sites × 10 years × 60 parameters). Set `BENCH_*` to change it.
- gunicorn {WORKERS} sync workers, `--no-control-socket`, for the portal
  (`PORTAL_ENV=production`) and the baseline alike; wrk {THREADS} threads, {CONNECTIONS}
  connections, {DURATION} s per endpoint, `--latency`.
- Report submission: the final POST of the two-step form (`/reports/new/confirm`) with a
  valid CSRF token and a fresh signed form token per request, so each stores a new report;
  the per-address report rate limit is lifted for the run (all load comes from 127.0.0.1).
- Database: {loaded}.

{rows}

Targets missed: {", ".join(missed) if missed else "none"}.

{storm_text(storm_result)}
"""
    # Notes written by hand after a run (profiles, what limited each figure) are kept.
    old = (HERE / "RESULTS.md").read_text() if (HERE / "RESULTS.md").exists() else ""
    if NOTES in old:
        report += "\n" + old[old.index(NOTES) :]
    (HERE / "RESULTS.md").write_text(report)
    print(f"written {HERE / 'RESULTS.md'}")
    if any(r.errors for r in results) or (storm_result and storm_result.errors):
        print(log[-3000:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
