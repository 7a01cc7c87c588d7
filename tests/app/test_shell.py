"""The application shell: health, errors, OpenAPI."""

from sqlalchemy.exc import OperationalError


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from app.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_healthz_trusts_a_database_that_answered_for_one_second_only(client, monkeypatch, count_queries):
    """A load balancer polling many times a second costs one query a second per worker; a
    database that then fails is reported 503 within that second, and its recovery at once."""
    from app import meta
    from app.extensions import db

    moment = [1000.0]
    monkeypatch.setattr(meta, "clock", lambda: moment[0])
    assert client.get("/healthz").status_code == 200
    with count_queries() as counter:
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    assert [s for s in counter.statements if "SELECT 1" in s] == []

    healthy_execute = db.session.execute

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    moment[0] += 0.9
    assert client.get("/healthz").status_code == 200  # still within the second it answered
    moment[0] += 0.1
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 503  # a failure is never remembered
    monkeypatch.setattr(db.session, "execute", healthy_execute)
    assert client.get("/healthz").status_code == 200


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_unknown_page_is_friendly_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "Traceback" not in response.get_data(as_text=True)


def test_openapi_document_lists_the_contract_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert "get" in paths["/api/v1/products"]
    assert "get" in paths["/api/v1/products/{slug}"]
    assert "post" in paths["/api/v1/admin/certificates"]
    assert "patch" in paths["/api/v1/seller/products/{slug}"]
    body = paths["/api/v1/seller/products"]["post"]["requestBody"]
    schema_name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "price_vnd" in doc["components"]["schemas"][schema_name]["properties"]
