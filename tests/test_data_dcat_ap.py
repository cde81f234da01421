"""The open-data catalog against the official DCAT-AP 3.0.1 SHACL shapes (tests/dcat_ap/,
copied from SEMICeu/DCAT-AP, see NOTES.md there) with pySHACL, and every catalogued table
against its CSVW description with the `csvw` processor.

Mandatory (shapes.ttl), range (range.ttl) and vocabulary (mdr-vocabularies.shape.ttl)
shapes must report nothing. The recommended shapes (shapes_recommended.ttl) are warnings; the
ones that cannot apply are listed in RECOMMENDED_NOT_APPLICABLE with the reason.

The official validator loads the EU vocabularies through owl:imports; offline, `_imports()`
adds the triples those imports give for the IRIs the catalog uses (NOTES.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from tests.demo_site import BASE_URL

pytestmark = pytest.mark.validator

SHAPES = Path(__file__).resolve().parent / "dcat_ap"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SH = Namespace("http://www.w3.org/ns/shacl#")

# Recommended properties the portal cannot fill, and why (checked: only these may warn).
RECOMMENDED_NOT_APPLICABLE: dict[str, str] = {}


def _catalog(client) -> Graph:
    response = client.get("/data/catalog.jsonld")
    assert response.status_code == 200
    graph = Graph()
    graph.parse(data=response.get_data(as_text=True), format="json-ld", base=BASE_URL)
    return graph


ADMS = "http://purl.org/adms/"


def _imports(graph: Graph) -> Graph:
    """What owl:imports of the EU vocabularies would give for the IRIs used: each concept a
    skos:Concept with its scheme and a label; IANA media types dct:MediaType."""
    extra = Graph()
    extra.add((DCAT.DatasetSeries, RDFS.subClassOf, DCAT.Dataset))
    for obj in set(graph.objects()):
        if not isinstance(obj, URIRef):
            continue
        iri = str(obj)
        if iri.startswith(EU) and iri.count("/") > EU.count("/"):
            scheme = URIRef(EU + iri[len(EU) :].split("/")[0])
        elif iri.startswith(ADMS) and iri.count("/") > ADMS.count("/"):
            scheme = URIRef(ADMS + iri[len(ADMS) :].split("/")[0] + "/1.0")
        else:
            if iri.startswith(IANA):
                extra.add((obj, RDF.type, DCT.MediaType))
            continue
        extra.add((obj, RDF.type, SKOS.Concept))
        extra.add((obj, SKOS.inScheme, scheme))
        extra.add((obj, SKOS.prefLabel, Literal(iri.rsplit("/", 1)[-1], lang="en")))
        extra.add((scheme, RDF.type, SKOS.ConceptScheme))
        extra.add((scheme, DCT.title, Literal(str(scheme).rsplit("/", 2)[-2], lang="en")))
    return extra


def _validate(graph: Graph, *shape_files: str):
    import pyshacl

    shapes = Graph()
    for name in shape_files:
        shapes.parse(SHAPES / name, format="turtle")
    conforms, results, text = pyshacl.validate(
        graph + _imports(graph), shacl_graph=shapes, inference="rdfs", allow_warnings=True
    )
    return conforms, results, text


def _results(results: Graph, severity: URIRef) -> list[URIRef]:
    """Top-level results of that severity (nested sh:detail results belong to their parent,
    whose severity is the one the shape declares)."""
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    return [
        r
        for r in results.objects(report, SH.result)
        if results.value(r, SH.resultSeverity) == severity
    ]


def _violations(results: Graph) -> list[str]:
    out = []
    for result in _results(results, SH.Violation):
        if True:
            out.append(
                f"{results.value(result, SH.focusNode)} {results.value(result, SH.resultPath)}: "
                f"{results.value(result, SH.resultMessage)}"
            )
    return sorted(set(out))


@pytest.mark.parametrize("shape_file", ["shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl"])
def test_the_catalog_meets_the_dcat_ap_shapes(demo_app, shape_file):
    graph = _catalog(demo_app.test_client())
    _conforms, results, _text = _validate(graph, shape_file)
    assert _violations(results) == []


# Recommended properties that cannot apply here, with the reason. Anything else the
# recommended shapes report fails the test.
RECOMMENDED_NOT_APPLICABLE = {
    # A site's history spans whatever quarters it was sampled in, which the water feature
    # does not yet expose per site; a wrong period would be worse than none.
    ("http://purl.org/dc/terms/temporal", "/data/water-sites"),
    # A series carries no downloads itself (its members do, one per quarter or site):
    # an HTML page as a distribution would mislead harvesters.
    ("http://www.w3.org/ns/dcat#distribution", "/data/water-quarters"),
    ("http://www.w3.org/ns/dcat#distribution", "/data/water-sites"),
}
# Vocabulary warnings that cannot apply: the bureau is a Chinese regional authority, not
# an entry of the EU corporate-body list (its ADMS publisher type is given instead).
# Nor is the region an EU place or a GeoNames IRI the portal could cite with confidence.
VOCABULARY_NOT_APPLICABLE = {
    ("http://purl.org/dc/terms/publisher", "/data/"),
    ("http://purl.org/dc/terms/spatial", "/data/"),
}
# dcat:byteSize is left out: every download is generated per request (its size changes at
# each publication and with the filters), so no size is known when the catalog is built.


def _warnings(results: Graph) -> set[tuple[str, str]]:
    found = set()
    for result in _results(results, SH.Warning):
        focus = str(results.value(result, SH.focusNode)).removeprefix(BASE_URL)
        path = str(results.value(result, SH.resultPath))
        for _p, prefix in RECOMMENDED_NOT_APPLICABLE | VOCABULARY_NOT_APPLICABLE:
            if focus.startswith(prefix) and (path, prefix) in (
                RECOMMENDED_NOT_APPLICABLE | VOCABULARY_NOT_APPLICABLE
            ):
                break
        else:
            found.add((path, focus))
    return found


def test_recommended_shapes_warn_only_where_they_cannot_apply(demo_app):
    graph = _catalog(demo_app.test_client())
    _c, results, _t = _validate(graph, "shapes_recommended.ttl", "mdr-vocabularies.shape.ttl")
    assert _warnings(results) == set()


def test_series_have_no_html_distributions_and_report_statistics_are_catalogued(demo_app):
    client = demo_app.test_client()
    doc = client.get("/data/catalog.jsonld").get_json()
    by_id = {d["dct:identifier"]: d for d in doc["dcat:dataset"] if "dcat:inSeries" not in d}
    for node in doc["dcat:dataset"]:
        if node["@type"] == "dcat:DatasetSeries":
            assert "dcat:distribution" not in node
        for dist in node.get("dcat:distribution", []):
            assert client.get(dist["dcat:accessURL"]["@id"].removeprefix(BASE_URL)).mimetype != (
                "text/html"
            )
            assert "csv-metadata" not in json.dumps(dist.get("dct:conformsTo", {}))
    stats = by_id["report-statistics"]
    assert {d["dct:title"] for d in stats["dcat:distribution"]} == {"CSV", "JSON"}
    assert stats["dct:publisher"]["dct:type"]["@id"].startswith("http://purl.org/adms/")
    assert stats["dcat:contactPoint"] and stats["dct:spatial"] and stats["dct:temporal"]


# --- CSVW ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_portal(tmp_path_factory):
    """The demo portal served over HTTP with BASE_URL = its own address, so the csvw
    processor can follow the Link headers and metadata URLs the way it does on the web."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from portal import create_app
    from portal.core.demo import load_all
    from portal.core.extensions import db

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, lambda e, s: [], handler_class=Quiet)
    base = f"http://127.0.0.1:{server.server_port}"
    root = tmp_path_factory.mktemp("csvw-site")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "csvw",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'p.db'}",
            "INSTANCE_PATH": str(root),
            "UPLOAD_DIR": str(root / "u"),
            "MAIL_DIR": str(root / "m"),
            "BASE_URL": base,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        load_all()
        db.session.remove()
    server.set_app(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, base
    server.shutdown()
    server.server_close()


def _catalogued_csvs(app) -> list[str]:
    doc = app.test_client().get("/data/catalog.jsonld").get_json()
    return sorted(
        {
            dist["dcat:downloadURL"]["@id"]
            for node in doc["dcat:dataset"]
            for dist in node.get("dcat:distribution", [])
            if dist["dct:title"] == "CSV"
        }
    )


def test_every_catalogued_table_is_valid_against_the_metadata_its_link_names(live_portal):
    from csvw.metadata import CSVW

    app, base = live_portal
    urls = _catalogued_csvs(app)
    assert f"{base}/enforcement/cards.csv?list=lifted" in urls
    assert f"{base}/reports/stats.csv" in urls
    problems = {}
    for url in urls:
        table = CSVW(url, validate=True)
        if table.no_metadata or not table.is_valid:
            problems[url] = [str(w.message) for w in table.warnings][:3] or ["no metadata"]
    assert problems == {}


def test_the_statistics_metadata_follows_the_csv_writers_columns(app_factory):
    from portal.reports import queries

    app = app_factory()
    client = app.test_client()
    header = (
        client.get("/reports/stats.csv").get_data(as_text=True).lstrip("\ufeff").split("\r\n")[0]
    )
    meta = client.get("/data/report-statistics.csv-metadata.json").get_json()
    names = [c["name"] for c in meta["tableSchema"]["columns"]]
    assert names == [c.key for c in queries.STAT_COLUMNS]
    assert len(header.split(",")) == len(names)
