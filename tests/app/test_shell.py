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
