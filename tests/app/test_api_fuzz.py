"""API fuzzing (issue 15): schemathesis generates requests for every operation of
`/api/v1/openapi.json`, loaded from the Flask app itself (WSGI, no server), each with a valid
token of a role the operation accepts, and checks that no answer is a 5xx, that every status
and body is the one the document declares, and that the document itself is valid OpenAPI.

Bounded for CI (docs/api-fuzzing.md): a few derandomized examples per operation, no
shrinking. The seeded world (one of each role, a certified product with stock, a lot with
stamps, a sales point, a fair) lives in one module-wide transaction; each example runs in a
savepoint rolled back after its request, so whatever it creates or breaks is gone before the
next one. Path parameters are often swapped for the world's real ids, so operations get past
their 404 and into their rules.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from flask_sqlalchemy.session import _app_ctx_id
from hypothesis import HealthCheck, Phase, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import scoped_session, sessionmaker

from app import BLUEPRINT_MODULES
from app.accounts.models import ROLES
from app.accounts.services import create_token, create_user
from app.api import openapi_document
from app.extensions import db
from catalog.search import hooks as search_hooks
from tests.conftest import test_config as config_in
from tests.factories import make_lot, make_product, make_sales_point, make_stamps, receive_stock
from tests.showrooms.fair_factories import grid, make_fair

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    known: dict[tuple[str, str], str] = field(default_factory=dict)  # (path prefix, param) → value
    connection: object = None


def _seed(world: World) -> None:
    product = make_product(price_vnd=95_000)
    producer = product.producer
    receive_stock(product, 50)
    lot = make_lot(product)
    stamp = make_stamps(lot, 2)[0]
    point = make_sales_point()
    users = {
        "producer": dict(producer_tax_code=producer.tax_code),
        "sales_point": dict(sales_point_code=point.code),
        "commune_officer": dict(ward_code=31135),
    }
    for role in ROLES:
        user = create_user(db.session, email=f"fuzz-{role}@example.com", password="fuzzing-2026",
                           role=role, **users.get(role, {}))
        world.tokens[role] = create_token(db.session, user.email)
        if role == "organizer":
            fair = make_fair(user, booths=grid(3))
    world.known = {
        ("/api/v1/products/", "slug"): product.slug,
        ("/api/v1/seller/products/", "slug"): product.slug,
        ("/api/v1/services/", "slug"): product.slug,
        ("/api/v1/admin/producers/", "slug"): producer.slug,
        ("/api/v1/fairs/", "slug"): fair.slug,
        ("/api/v1/seller/booths/", "slug"): fair.slug,
        ("/api/v1/fairs/", "code"): "B1",
        ("/api/v1/seller/booths/", "code"): "B1",
        ("/api/v1/sales-points/", "code"): point.code,
        ("/api/v1/trace/", "code"): stamp.code,
        ("/api/v1/seller/stamps/", "code"): stamp.code,
        ("/api/v1/seller/lots/", "lot_id"): str(lot.id),
    }


@pytest.fixture(scope="module")
def world(app):
    """The seeded world in one transaction, rolled back when the module ends. The Whoosh
    index is not written meanwhile: it would record rows the savepoints roll back, and its
    background writer trips over itself when hundreds of commits follow each other
    (docs/api-fuzzing.md, finding for the search index)."""
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_hooks, "_enabled", lambda: False)
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id)
        try:
            seeded = World(connection=connection)
            _seed(seeded)
            db.session.commit()  # releases the session's savepoint: still inside `outer`
            yield seeded
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/v1/openapi.json").get_json() == DOCUMENT


def test_openapi_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert len(operations) > 100
    for op in operations:
        assert op.get("security") is None or op["x-roles"], op["operationId"]
        for status, answer in op["responses"].items():
            if status.startswith("4") or status.startswith("5"):
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error"
    pdf = document["paths"]["/api/v1/seller/lots/{lot_id}/stamps.pdf"]["get"]["responses"]["200"]
    assert list(pdf["content"]) == ["application/pdf"]
    export = document["paths"]["/api/v1/admin/certificates/export"]["get"]["responses"]["200"]
    assert list(export["content"]) == ["text/csv"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def _swap_known_path_parameters(case, world: World) -> None:
    """Half the time (decided by the generated value, so runs repeat), a path parameter the
    world knows is replaced by a real id, slug or code."""
    for name, value in list((case.path_parameters or {}).items()):
        for (prefix, param), known in world.known.items():
            if param == name and case.path.startswith(prefix):
                if hashlib.sha256(str(value).encode()).digest()[0] % 2 == 0:
                    case.path_parameters[name] = known
                break


def _document() -> dict:
    """The document, built at collection time from the registered operations without a whole
    app (schemathesis makes one test per operation from it; its lazy `from_fixture` loader
    does not run on pytest 9). `test_the_fuzzed_document_is_the_served_one` proves it is the
    document `/api/v1/openapi.json` serves."""
    for name in BLUEPRINT_MODULES:
        importlib.import_module(name)
    shell = Flask(__name__)
    shell.config["BASE_URL"] = config_in(Path("."))["BASE_URL"]
    return openapi_document(shell)


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented_and_never_5xx(case, app, world):
    roles = case.operation.definition.raw.get("x-roles")
    # Uncompressed answers: the WSGI transport hands schemathesis the raw (Brotli) bytes.
    headers = {"Accept-Encoding": "identity"}
    if roles:
        headers["Authorization"] = f"Bearer {world.tokens[roles[0]]}"
    _swap_known_path_parameters(case, world)
    savepoint = world.connection.begin_nested()
    try:
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)
    finally:
        db.session.remove()
        savepoint.rollback()
