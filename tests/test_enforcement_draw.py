"""Tests for portal.enforcement.draw and verify_cli: the public, reproducible inspection draw.

The draw is a published procedure, so the tests guard the *spec*, not just the code: a
straightforward reference implementation below (hashlib/hmac only) must agree with the
module, and a known-answer test pins literal values so that changing both at once fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from portal.enforcement import draw as d
from portal.enforcement import verify_cli
from portal.enforcement.draw import Conflict, DrawError, DrawResult, SelectedEntity

# --- independent reference implementation of the published spec -----------------------


def ref_seed(secret: str, entropy: str) -> str:
    return hashlib.sha256((secret + "|" + entropy).encode("utf-8")).hexdigest()


def ref_hmac(seed: str, message: str) -> str:
    return hmac.new(seed.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def ref_draw(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Recompute ``selected`` from a revealed document using nothing but the spec."""
    seed = ref_seed(doc["secret"], doc["entropy"])
    entity_scores = []
    for entity in doc["entity_pool"]:
        entity_scores.append((ref_hmac(seed, "entity|" + entity), entity))
    entity_scores.sort()
    conflicts = [(c["entity"], c["inspector"]) for c in doc["conflicts"]]
    selected = []
    for _, entity in entity_scores[: doc["select_count"]]:
        scores = []
        for inspector in doc["inspector_pool"]:
            if (entity, inspector) in conflicts:
                continue
            scores.append((ref_hmac(seed, "inspector|" + entity + "|" + inspector), inspector))
        scores.sort()
        chosen = [inspector for _, inspector in scores[: doc["inspectors_per_entity"]]]
        selected.append({"entity": entity, "inspectors": chosen})
    return selected


# --- fixtures as plain helpers ----------------------------------------------------------

SECRET = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
ENTROPY = "福彩3D 2025145期 381"
KA_ENTITIES = [
    "91110000600037341L",
    "121200004013590816",
    "91310000631696382C",
    "91440300568520498A",
    "9144030071526726XG",
    "91310115MA1K3BTP2B",
    "91620105L015101280",
    "92340603MA2PBMYMX1",
]
KA_INSPECTORS = ["HJ2301-003", "HJ2301-001", "HJ2301-005", "HJ2301-002", "HJ2301-004"]
KA_CONFLICTS = [("121200004013590816", "HJ2301-001"), ("92340603MA2PBMYMX1", "HJ2301-005")]


def entities(count: int) -> list[str]:
    return [f"ENT{k:04d}" for k in range(count)]


def inspectors(count: int) -> list[str]:
    return [f"INS{k:03d}" for k in range(count)]


def make_setup() -> d.DrawSetup:
    pool = entities(40)
    staff = inspectors(8)
    # Every enterprise has one declared conflict, so selected ones always have one too.
    conflicts = [(pool[k], staff[k % 8]) for k in range(40)]
    return d.prepare(pool, staff, conflicts, select_count=5, inspectors_per_entity=2)


COMMITTED_AT = dt.datetime(2025, 6, 1, 2, 0, tzinfo=dt.UTC)
SOURCE = d.EntropySource(
    "福彩3D 第2025145期开奖号码", dt.datetime(2025, 6, 2, 12, 30, tzinfo=dt.UTC)
)
BOUND: dict[str, Any] = {"committed_at": COMMITTED_AT, "entropy_source": SOURCE}
REVEALED_AT = dt.datetime(2025, 6, 2, 13, 0, tzinfo=dt.UTC)


def committed_document(setup: d.DrawSetup | None = None, **bound: Any) -> dict[str, Any]:
    """The document published at commit time, naming the entropy's source and moment."""
    doc = d.to_document(7, setup or make_setup(), d.commitment(SECRET), **{**BOUND, **bound})
    loaded: dict[str, Any] = json.loads(json.dumps(doc, ensure_ascii=False))
    return loaded


def revealed_document(
    setup: d.DrawSetup | None = None,
    secret: str = SECRET,
    entropy: str = ENTROPY,
    bound: bool = False,
) -> dict[str, Any]:
    setup = setup or make_setup()
    result = d.draw(setup, secret, entropy)
    binding = {**BOUND, "revealed_at": REVEALED_AT} if bound else {}
    doc = d.to_document(
        7, setup, d.commitment(secret), secret=secret, entropy=entropy, result=result, **binding
    )
    # Round-trip through JSON: what the public actually downloads.
    loaded: dict[str, Any] = json.loads(json.dumps(doc, ensure_ascii=False))
    return loaded


def failing(report: d.VerifyReport) -> set[str]:
    return {check.code for check in report.checks if not check.ok}


# --- commit ------------------------------------------------------------------------------


def test_new_secret_is_64_lowercase_hex_and_fresh() -> None:
    secrets_seen = {d.new_secret() for _ in range(20)}
    assert len(secrets_seen) == 20
    assert all(re.fullmatch(r"[0-9a-f]{64}", s) for s in secrets_seen)


def test_commitment_is_sha256_of_ascii_secret() -> None:
    assert d.commitment(SECRET) == hashlib.sha256(SECRET.encode("ascii")).hexdigest()


@pytest.mark.parametrize(
    "secret", ["", SECRET[:-1], SECRET + "0", SECRET.upper(), "g" + SECRET[1:], " " + SECRET[1:]]
)
def test_malformed_secret_is_rejected(secret: str) -> None:
    with pytest.raises(DrawError) as info:
        d.commitment(secret)
    assert info.value.code == "bad_secret"
    with pytest.raises(DrawError, match="bad_secret"):
        d.draw(make_setup(), secret, ENTROPY)


def test_prepare_sorts_pools_and_dedupes_conflicts() -> None:
    setup = d.prepare(
        ["B", "C", "A"],
        ["y", "x"],
        [("A", "x"), ("A", "x")],
        select_count=1,
        inspectors_per_entity=1,
    )
    assert setup.entity_pool == ("A", "B", "C")
    assert setup.inspector_pool == ("x", "y")
    assert setup.conflicts == (Conflict("A", "x"),)


# --- known answer ---------------------------------------------------------------------------


def test_known_answer() -> None:
    setup = d.prepare(
        KA_ENTITIES, KA_INSPECTORS, KA_CONFLICTS, select_count=3, inspectors_per_entity=2
    )
    result = d.draw(setup, SECRET, ENTROPY)
    doc = d.to_document(
        "2025-06", setup, d.commitment(SECRET), secret=SECRET, entropy=ENTROPY, result=result
    )

    # Pinned literals, computed once with the reference above; they guard the spec itself.
    assert doc["commitment"] == "2a8abfa8cb9906290437854193ca6bca41d4d4e26d1d454bd66a35158095e737"
    assert result.seed == "6d4ed0064f5edde8f147a35617e9e8649c0da06f23574d5d3c5ee5ddb2669efb"
    assert result == DrawResult(
        seed=result.seed,
        selected=(
            SelectedEntity("9144030071526726XG", ("HJ2301-003", "HJ2301-002")),
            # HJ2301-001 scores lowest for this enterprise but is in conflict with it.
            SelectedEntity("121200004013590816", ("HJ2301-002", "HJ2301-003")),
            SelectedEntity("91620105L015101280", ("HJ2301-001", "HJ2301-002")),
        ),
    )
    # And the reference agrees, from the document alone.
    assert ref_seed(SECRET, ENTROPY) == result.seed
    assert ref_draw(doc) == doc["selected"]


def test_known_answer_document_shape() -> None:
    setup = d.prepare(
        KA_ENTITIES, KA_INSPECTORS, KA_CONFLICTS, select_count=3, inspectors_per_entity=2
    )
    committed = d.to_document("2025-06", setup, d.commitment(SECRET))
    assert list(committed) == list(d.DOCUMENT_FIELDS)
    assert committed == {
        "id": "2025-06",
        "status": "committed",
        "commitment": d.commitment(SECRET),
        "secret": None,
        "entropy": None,
        "seed": None,
        "entity_pool": sorted(KA_ENTITIES),
        "inspector_pool": sorted(KA_INSPECTORS),
        "conflicts": [
            {"entity": "121200004013590816", "inspector": "HJ2301-001"},
            {"entity": "92340603MA2PBMYMX1", "inspector": "HJ2301-005"},
        ],
        "select_count": 3,
        "inspectors_per_entity": 2,
        "selected": None,
    }


# --- commit / reveal / verify ---------------------------------------------------------------


def test_commit_then_reveal_verifies() -> None:
    setup = make_setup()
    secret = d.new_secret()
    published = json.loads(json.dumps(d.to_document(7, setup, d.commitment(secret), **BOUND)))

    early = d.verify(published)
    assert early.ok and early.status == "committed"
    assert [c.code for c in early.checks] == ["document", "pools", "parameters"]

    # Entropy becomes known only after publication.
    entropy = "lottery 2025-06-02: 07 13 21 28 30 + 11"
    result = d.draw(setup, secret, entropy)
    revealed = json.loads(
        json.dumps(
            d.to_document(
                7,
                setup,
                d.commitment(secret),
                secret=secret,
                entropy=entropy,
                result=result,
                revealed_at=REVEALED_AT,
                **BOUND,
            )
        )
    )
    # The commitment published before the reveal matches the revealed secret.
    assert published["commitment"] == hashlib.sha256(revealed["secret"].encode()).hexdigest()

    report = d.verify(revealed, published=published, observed_entropy=entropy)
    assert report.ok, report.checks
    assert [c.code for c in report.checks] == [
        "document",
        "pools",
        "parameters",
        "commitment",
        "seed",
        "selection",
        "assignments",
        "conflicts",
        "published",
        "entropy_source",
        "entropy",
    ]
    assert report.draw_id == 7 and report.status == "revealed"


def test_reveal_reproduces_from_the_document_alone() -> None:
    doc = revealed_document()
    assert len(doc["selected"]) == 5
    assert all(len(s["inspectors"]) == 2 for s in doc["selected"])
    assert ref_draw(doc) == doc["selected"]
    assert ref_seed(doc["secret"], doc["entropy"]) == doc["seed"]


def test_empty_entropy_is_allowed() -> None:
    doc = revealed_document(entropy="")
    assert doc["seed"] == ref_seed(SECRET, "")
    assert d.verify(doc).ok


@pytest.mark.parametrize("part", ["secret", "entropy"])
def test_one_character_changes_seed_and_selection(part: str) -> None:
    # 300 enterprises choose 10: two seeds giving the same ordered selection has
    # probability about 1e-25, so any equality here means the input was ignored.
    setup = d.prepare(entities(300), inspectors(20), select_count=10, inspectors_per_entity=2)
    base = d.draw(setup, SECRET, ENTROPY)
    if part == "secret":
        other = d.draw(setup, SECRET[:-1] + "e", ENTROPY)
    else:
        other = d.draw(setup, SECRET, ENTROPY[:-1] + "2")
    assert other.seed != base.seed
    assert [s.entity for s in other.selected] != [s.entity for s in base.selected]


def test_conflicts_are_respected() -> None:
    pool, staff = entities(30), inspectors(6)
    # Every enterprise conflicts with all but two inspectors (which two varies), so the
    # assignment is forced: exactly the two allowed ones, whatever the seed.
    allowed = {e: {staff[k % 6], staff[(k + 1) % 6]} for k, e in enumerate(pool)}
    conflicts = [(e, i) for e in pool for i in staff if i not in allowed[e]]
    setup = d.prepare(pool, staff, conflicts, select_count=30, inspectors_per_entity=2)
    for n in range(5):
        result = d.draw(setup, f"{n:064x}", ENTROPY)
        for selected in result.selected:
            assert set(selected.inspectors) == allowed[selected.entity]


def test_inspector_may_serve_several_enterprises() -> None:
    setup = d.prepare(entities(5), ["ONLY"], select_count=3, inspectors_per_entity=1)
    result = d.draw(setup, SECRET, ENTROPY)
    assert [s.inspectors for s in result.selected] == [("ONLY",)] * 3


def test_order_of_input_pools_does_not_matter() -> None:
    forward = d.prepare(entities(50), inspectors(9), select_count=4, inspectors_per_entity=3)
    backward = d.prepare(
        entities(50)[::-1], inspectors(9)[::-1], select_count=4, inspectors_per_entity=3
    )
    assert forward == backward
    assert d.draw(forward, SECRET, ENTROPY) == d.draw(backward, SECRET, ENTROPY)


# --- input validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code", "subject"),
    [
        ({"select_count": 0}, "select_count_not_positive", None),
        ({"select_count": -1}, "select_count_not_positive", None),
        ({"select_count": True}, "select_count_not_positive", None),
        ({"select_count": 5}, "select_count_too_large", None),
        ({"inspectors_per_entity": 0}, "inspectors_per_entity_not_positive", None),
        ({"conflicts": [("E9", "I1")]}, "conflict_unknown_entity", "E9"),
        ({"conflicts": [("E1", "I9")]}, "conflict_unknown_inspector", "I9"),
        # Refused at commit time even though E4 may well not be selected: whether a
        # committed draw can be revealed must not depend on the random outcome.
        ({"conflicts": [("E4", "I1"), ("E4", "I2")]}, "insufficient_inspectors", "E4"),
        ({"inspectors_per_entity": 4}, "insufficient_inspectors", "E1"),
        ({"entity_pool": ["E1", "E2", "E1"]}, "duplicate_code", "E1"),
        ({"inspector_pool": ["I1", "I1"]}, "duplicate_code", "I1"),
        ({"entity_pool": ["E1", ""]}, "bad_code", ""),
        ({"entity_pool": ["E1", "E|2"]}, "bad_code", "E|2"),
        ({"entity_pool": ["E1", "E 2"]}, "bad_code", "E 2"),
        ({"entity_pool": ["E1", "E2\n"]}, "bad_code", "E2\n"),
        ({"inspector_pool": ["I" * 65]}, "bad_code", "I" * 65),
    ],
)
def test_prepare_rejects(kwargs: dict[str, Any], code: str, subject: str | None) -> None:
    args: dict[str, Any] = {
        "entity_pool": ["E1", "E2", "E3", "E4"],
        "inspector_pool": ["I1", "I2", "I3"],
        "conflicts": [],
        "select_count": 1,
        "inspectors_per_entity": 2,
    }
    args.update(kwargs)
    with pytest.raises(DrawError) as info:
        d.prepare(**args)
    assert (info.value.code, info.value.subject) == (code, subject)


def test_direct_setup_construction_is_validated_too() -> None:
    with pytest.raises(DrawError, match="pool_not_sorted"):
        d.DrawSetup(("B", "A"), ("I",), (), 1, 1)


def test_bad_entropy_is_rejected() -> None:
    with pytest.raises(DrawError, match="bad_entropy"):
        d.draw(make_setup(), SECRET, "\ud800")


def test_to_document_refuses_inconsistent_inputs() -> None:
    setup = make_setup()
    result = d.draw(setup, SECRET, ENTROPY)
    commit = d.commitment(SECRET)
    with pytest.raises(ValueError, match="together"):
        d.to_document(1, setup, commit, secret=SECRET)
    with pytest.raises(ValueError, match="commitment"):
        d.to_document(
            1, setup, d.commitment("f" * 64), secret=SECRET, entropy=ENTROPY, result=result
        )
    with pytest.raises(ValueError, match="not the draw"):
        d.to_document(1, setup, commit, secret=SECRET, entropy="other", result=result)
    with pytest.raises(ValueError, match="64 lowercase hex"):
        d.to_document(1, setup, commit.upper())


# --- verify rejects tampering -----------------------------------------------------------------


def _flip(hex_text: str) -> str:
    return hex_text[:-1] + ("0" if hex_text[-1] != "0" else "1")


def _swap_first_two(doc: dict[str, Any]) -> None:
    doc["selected"][0], doc["selected"][1] = doc["selected"][1], doc["selected"][0]


def _swap_inspector(doc: dict[str, Any]) -> None:
    """Replace an assigned inspector by a non-conflicted, unassigned one."""
    first = doc["selected"][0]
    blocked = {c["inspector"] for c in doc["conflicts"] if c["entity"] == first["entity"]}
    spare = next(
        i for i in doc["inspector_pool"] if i not in first["inspectors"] and i not in blocked
    )
    first["inspectors"][1] = spare


def _assign_conflicted(doc: dict[str, Any]) -> None:
    """Replace an assigned inspector by one declared in conflict with the enterprise."""
    conflicted = {c["entity"]: c["inspector"] for c in doc["conflicts"]}
    target = next(s for s in doc["selected"] if s["entity"] in conflicted)
    target["inspectors"][0] = conflicted[target["entity"]]


def _add_winning_code(doc: dict[str, Any]) -> None:
    """Add (in sorted position) an enterprise that would have been selected first."""
    seed = ref_seed(doc["secret"], doc["entropy"])
    best = ref_hmac(seed, "entity|" + doc["selected"][0]["entity"])
    extra = next(
        c for c in (f"ZZ{k:05d}" for k in range(100_000)) if ref_hmac(seed, "entity|" + c) < best
    )
    doc["entity_pool"] = sorted([*doc["entity_pool"], extra])


TAMPERINGS: list[tuple[str, Callable[[dict[str, Any]], None], set[str]]] = [
    (
        "secret",
        lambda doc: doc.update(secret=_flip(doc["secret"])),
        {"commitment", "seed", "selection", "assignments"},
    ),
    (
        "entropy",
        lambda doc: doc.update(entropy=doc["entropy"] + "!"),
        {"seed", "selection", "assignments"},
    ),
    ("seed", lambda doc: doc.update(seed=_flip(doc["seed"])), {"seed"}),
    ("commitment", lambda doc: doc.update(commitment=_flip(doc["commitment"])), {"commitment"}),
    ("selection order", _swap_first_two, {"selection", "assignments"}),
    ("selection dropped", lambda doc: doc["selected"].pop(), {"selection", "assignments"}),
    ("inspector swapped", _swap_inspector, {"assignments"}),
    ("inspector order", lambda doc: doc["selected"][0]["inspectors"].reverse(), {"assignments"}),
    ("conflicted inspector", _assign_conflicted, {"assignments", "conflicts"}),
    ("entity pool unsorted", lambda doc: doc["entity_pool"].reverse(), {"pools"}),
    ("inspector pool unsorted", lambda doc: doc["inspector_pool"].reverse(), {"pools"}),
    ("code appended", lambda doc: doc["entity_pool"].append("AAA"), {"pools"}),
    ("duplicate code", lambda doc: doc["entity_pool"].insert(0, doc["entity_pool"][0]), {"pools"}),
    ("winning code added", _add_winning_code, {"selection", "assignments"}),
    ("select_count", lambda doc: doc.update(select_count=4), {"selection", "assignments"}),
    (
        "select_count too large",
        lambda doc: doc.update(select_count=41),
        {"parameters", "selection", "assignments"},
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in TAMPERINGS], ids=[n for n, _, _ in TAMPERINGS]
)
def test_verify_rejects_tampering(
    mutate: Callable[[dict[str, Any]], None], expected: set[str]
) -> None:
    doc = revealed_document()
    assert d.verify(doc).ok
    mutate(doc)
    report = d.verify(doc)
    assert not report.ok
    assert failing(report) == expected, report.checks


def test_pool_edited_after_publication_is_caught_against_the_published_document() -> None:
    setup = make_setup()
    published = committed_document(setup)
    doc = revealed_document(setup, bound=True)
    # An enterprise quietly dropped after commitment; here it was not going to be
    # selected anyway, so the revealed document is self-consistent...
    chosen = {s["entity"] for s in doc["selected"]}
    dropped = next(e for e in doc["entity_pool"] if e not in chosen)
    doc["entity_pool"].remove(dropped)
    doc["conflicts"] = [c for c in doc["conflicts"] if c["entity"] != dropped]
    assert d.verify(doc).ok
    # ...and only the comparison with what was published at commit time reveals it.
    report = d.verify(doc, published=published, observed_entropy=ENTROPY)
    assert failing(report) == {"published"}
    assert "entity_pool" in next(c.detail for c in report.checks if c.code == "published")


def test_code_added_after_publication_is_caught_against_the_published_document() -> None:
    setup = make_setup()
    published = committed_document(setup)
    doc = revealed_document(setup, bound=True)
    seed = ref_seed(SECRET, ENTROPY)
    last = ref_hmac(seed, "entity|" + doc["selected"][-1]["entity"])
    # A code that would not have been selected, inserted in sorted position.
    extra = next(
        c for c in (f"ENT9{k:03d}" for k in range(1000)) if ref_hmac(seed, "entity|" + c) > last
    )
    doc["entity_pool"] = sorted([*doc["entity_pool"], extra])
    assert d.verify(doc).ok  # self-consistent on its own
    report = d.verify(doc, published=published, observed_entropy=ENTROPY)
    assert failing(report) == {"published"}


@pytest.mark.parametrize(
    "mutate",
    [
        lambda doc: doc.pop("seed"),
        lambda doc: doc.update(status="draft"),
        lambda doc: doc.update(secret=None),
        lambda doc: doc.update(secret=doc["secret"].upper()),
        lambda doc: doc.update(select_count="5"),
        lambda doc: doc.update(select_count=True),
        lambda doc: doc.update(entity_pool="ENT0001"),
        lambda doc: doc.update(entity_pool=[1, 2]),
        lambda doc: doc.update(conflicts=[["ENT0000", "INS000"]]),
        lambda doc: doc.update(selected=[{"entity": "ENT0000"}]),
        lambda doc: doc.update(entropy="\ud800"),
        lambda doc: doc.update(id=None),
    ],
)
def test_verify_reports_malformed_documents_without_raising(
    mutate: Callable[[dict[str, Any]], Any],
) -> None:
    doc = revealed_document()
    mutate(doc)
    report = d.verify(doc)
    assert not report.ok
    assert [c.code for c in report.checks] == ["document"]


def test_verify_of_non_object() -> None:
    report = d.verify([])  # type: ignore[arg-type]
    assert not report.ok and report.draw_id is None


def test_committed_document_checks_only_well_formedness() -> None:
    setup = make_setup()
    committed = d.to_document(7, setup, d.commitment(SECRET))
    assert d.verify(committed).ok
    committed["inspector_pool"].reverse()
    assert failing(d.verify(committed)) == {"pools"}


# --- verify_source / format_report --------------------------------------------------------------


def test_verify_source_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(revealed_document(), ensure_ascii=False), encoding="utf-8")
    report = verify_cli.verify_source(str(path))
    assert report.ok

    text = verify_cli.format_report(report)
    lines = text.splitlines()
    assert lines[0] == "Draw 7 (status: revealed)"
    assert sum(line.startswith("✓ ") for line in lines) == len(report.checks) == 8
    # On its own a document only shows it is consistent: the entropy is not yet confirmed.
    assert lines[-1].startswith("CONSISTENT ONLY")

    path.write_text(json.dumps(revealed_document(bound=True), ensure_ascii=False), "utf-8")
    committed = tmp_path / "committed.json"
    committed.write_text(json.dumps(committed_document(), ensure_ascii=False), "utf-8")
    report = verify_cli.verify_source(str(path), committed=str(committed), entropy=ENTROPY)
    assert report.ok, report.checks
    assert verify_cli.format_report(report).splitlines()[-1].startswith("VERIFIED")
    forged = verify_cli.verify_source(str(path), committed=str(committed), entropy="其他")
    assert verify_cli.format_report(forged).splitlines()[-1].startswith("FAILED")


def test_verify_source_reports_a_tampered_file(tmp_path: Path) -> None:
    doc = revealed_document()
    _swap_first_two(doc)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = verify_cli.verify_source(str(path))
    text = verify_cli.format_report(report)
    assert "✗ selection: expected [" in text
    assert text.splitlines()[-1].startswith("FAILED")


def test_format_report_for_committed_document(tmp_path: Path) -> None:
    path = tmp_path / "committed.json"
    path.write_text(json.dumps(d.to_document("A-1", make_setup(), d.commitment(SECRET))))
    text = verify_cli.format_report(verify_cli.verify_source(str(path)))
    assert text.splitlines()[0] == "Draw A-1 (status: committed)"
    assert "not yet revealed" in text.splitlines()[-1]


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"{not json", "bad_json"), (b"\xff\xfe", "bad_json"), (b"[1, 2]", "not_object")],
)
def test_verify_source_bad_content(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(verify_cli.SourceError) as info:
        verify_cli.verify_source(str(path))
    assert info.value.code == code


def test_verify_source_missing_file(tmp_path: Path) -> None:
    with pytest.raises(verify_cli.SourceError) as info:
        verify_cli.verify_source(str(tmp_path / "absent.json"))
    assert info.value.code == "unreadable"


def test_verify_source_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_cli, "MAX_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"padding": "x" * 200}))
    with pytest.raises(verify_cli.SourceError) as info:
        verify_cli.verify_source(str(path))
    assert info.value.code == "too_large"


def test_verify_source_url_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps(revealed_document()).encode()
    seen: dict[str, Any] = {}

    class FakeResponse(io.BytesIO):
        def __enter__(self) -> FakeResponse:
            return self

    def fake_urlopen(request: urllib.request.Request, timeout: float) -> FakeResponse:
        seen["url"], seen["timeout"] = request.full_url, timeout
        return FakeResponse(body)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    report = verify_cli.verify_source("https://example.org/draws/7.json")
    assert report.ok
    assert seen == {"url": "https://example.org/draws/7.json", "timeout": 10}


# --- the entropy is bound to its source and moment (issue 15 #7) -------------------------


def _substituted(setup: d.DrawSetup, entropy: str) -> dict[str, Any]:
    """What a forger makes: another entropy, the selection recomputed to match."""
    return revealed_document(setup, entropy=entropy, bound=True)


def test_a_substituted_entropy_with_a_recomputed_selection_fails_against_the_source() -> None:
    setup = make_setup()
    published = committed_document(setup)
    honest = revealed_document(setup, bound=True)
    assert d.verify(honest, published=published, observed_entropy=ENTROPY).ok
    forged = _substituted(setup, "福彩3D 2025145期 382")
    assert forged["selected"] != honest["selected"]
    # Every self-consistency check passes: only the source can tell.
    assert d.verify(forged).ok
    report = d.verify(forged, published=published, observed_entropy=ENTROPY)
    assert failing(report) == {"entropy"}
    assert "the source published" in next(c.detail for c in report.checks if c.code == "entropy")


def test_without_the_observed_value_a_revealed_draw_is_not_confirmed() -> None:
    setup = make_setup()
    report = d.verify(revealed_document(setup, bound=True), published=committed_document(setup))
    assert failing(report) == {"entropy"}
    assert "not confirmed" in next(c.detail for c in report.checks if c.code == "entropy")


def test_the_observed_value_is_compared_in_canonical_form() -> None:
    setup = make_setup()
    doc = revealed_document(setup, entropy="3 8 1", bound=True)
    report = d.verify(doc, published=committed_document(setup), observed_entropy=" ３  ８ 1 ")
    assert report.ok, report.checks
    assert d.canonical_entropy("\u3000３\t8  1 ") == "3 8 1"


def test_a_commitment_that_names_no_source_or_a_moment_before_it_does_not_bind() -> None:
    setup = make_setup()
    doc = revealed_document(setup, bound=True)
    unbound = json.loads(json.dumps(d.to_document(7, setup, d.commitment(SECRET))))
    report = d.verify(doc, published=unbound, observed_entropy=ENTROPY)
    assert "entropy_source" in failing(report)
    early = committed_document(setup, entropy_source=d.EntropySource(SOURCE.name, COMMITTED_AT))
    report = d.verify(doc, published=early, observed_entropy=ENTROPY)
    assert "entropy_source" in failing(report)


def test_the_source_cannot_be_changed_after_the_commitment() -> None:
    setup = make_setup()
    published = committed_document(setup)
    doc = revealed_document(setup, bound=True)
    doc["entropy_source"]["name"] = "另一个来源"
    report = d.verify(doc, published=published, observed_entropy=ENTROPY)
    assert failing(report) == {"entropy_source"}


def test_a_reveal_dated_before_the_entropy_was_public_fails() -> None:
    setup = make_setup()
    doc = revealed_document(setup, bound=True)
    doc["revealed_at"] = "2025-06-02T12:00:00Z"
    report = d.verify(doc, published=committed_document(setup), observed_entropy=ENTROPY)
    assert failing(report) == {"entropy_source"}


def test_an_announced_pattern_fixes_how_the_value_is_written() -> None:
    source = d.EntropySource("福彩3D", SOURCE.at, r"[0-9] [0-9] [0-9]")
    assert d.entropy_problem(source, "3 8 1") is None
    assert d.entropy_problem(source, "381") is not None
    assert d.entropy_problem(source, "3  8 1") is not None  # not canonical
