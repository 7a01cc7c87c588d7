"""The JSON API toolkit: `api_route` parses and validates input with pydantic, checks the
bearer token, commits once at the boundary, and records each operation so that
`/api/v1/openapi.json` is generated from the code itself (never a hand-kept file).

Each package keeps its own `api.py` with a blueprint made by `api_blueprint()`:

    bp = api_blueprint("catalog_api", __name__)

    @api_route(bp, "/products/<slug>", methods=["PATCH"], body=ProductPatch, auth="producer",
               summary="Update a product", tags=["seller"])
    def patch_product(slug: str, body: ProductPatch):
        ...
        return {"slug": product.slug}          # dict → 200 JSON; (dict, 201) → 201
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify, request
from pydantic import BaseModel, ConfigDict, ValidationError, create_model, field_validator
from pydantic.fields import FieldInfo

from app.converters import MAX_DB_INT
from app.errors import Forbidden, InvalidInput, Unauthorized
from app.extensions import csrf, db
from app.json_provider import TooDeep

API_PREFIX = "/api/v1"


class _DatabaseInts(BaseModel):
    """Every integer of the API's input fits the database's INTEGER (±2**31 − 1): a bigger
    one could not be stored nor compared by PostgreSQL (NumericValueOutOfRange, a 500)."""

    @field_validator("*", mode="after")
    @classmethod
    def _fits_the_database(cls, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple | set) else (value,):
            if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_DB_INT:
                raise ValueError(f"an integer of at most {MAX_DB_INT:,}")
        return value


class Schema(_DatabaseInts):
    """A JSON request body: strict JSON types (a string is not a number), unknown fields
    refused, so a typo gets a 422 instead of being silently ignored."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)


def _unset_is_not_null(schema: dict) -> None:
    """A PATCH field left out is unchanged (None in Python): that None is no JSON default."""
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None and "anyOf" not in prop:
            del prop["default"]


class PatchSchema(Schema):
    """A PATCH body: only the fields sent change. A field typed without `| None` (a column
    that is NOT NULL) may be left out but not sent as null — 422, never a half-written row."""

    model_config = ConfigDict(**Schema.model_config, json_schema_extra=_unset_is_not_null)


def patch_of(source: type[BaseModel], name: str, *, base: type[PatchSchema] = PatchSchema,
             nullable: Iterable[str] = (), doc: str | None = None) -> type[PatchSchema]:
    """The PATCH body of a create body `source`: its fields with their limits (one copy of
    each rule), all optional. A field `source` types without `| None` may be left out but
    not sent as null, unless named in `nullable`. `base` may add fields of its own (they come
    first); `source`'s validators are not carried over (the service checks the values)."""
    nullable = set(nullable)
    fields: dict[str, Any] = {}
    for field_name, info in source.model_fields.items():
        annotation = info.annotation
        if field_name in nullable:
            annotation = annotation | None
        fields[field_name] = (annotation, FieldInfo.merge_field_infos(info, default=None))
    return create_model(name, __base__=base, __doc__=doc, __module__=source.__module__, **fields)


class QuerySchema(_DatabaseInts):
    """Query-string arguments: everything arrives as text, so types are coerced."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def api_blueprint(name: str, import_name: str, url_prefix: str = API_PREFIX) -> Blueprint:
    """A JSON blueprint: token-authenticated, so exempt from CSRF."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    csrf.exempt(bp)
    return bp


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    tags: list[str]
    auth: tuple[str, ...] | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    status: int
    responses: dict[int, str] = field(default_factory=dict)
    description: str = ""
    # Media types of the success answer, each with its JSON schema (`None`: not described).
    produces: dict[str, dict | None] = field(default_factory=lambda: {"application/json": None})
    # A request body read by the view itself (CSV, multipart…): media type → schema or model.
    consumes: dict[str, dict | type[BaseModel]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # request headers: name → description


OPERATIONS: list[Operation] = []


def _pydantic_message(err: ValidationError) -> tuple[str, list[dict]]:
    problems = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "body"
        problems.append({"field": where, "message": e["msg"]})
    message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return message, problems


def parse_model(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate `data` into `model`, or raise InvalidInput naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        message, problems = _pydantic_message(err)
        raise InvalidInput(message, details={"fields": problems}) from None


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The request's JSON body validated in JSON mode (ISO dates are fine, "12" is not 12)."""
    raw = request.get_data(cache=True) or b"{}"
    try:
        data = current_app.json.loads(raw)
    except TooDeep as err:
        raise InvalidInput(str(err), code="invalid_json") from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The request body is not valid JSON.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object.", code="invalid_json")
    try:
        return model.model_validate_json(raw)
    except ValidationError as err:
        message, problems = _pydantic_message(err)
        raise InvalidInput(message, details={"fields": problems}) from None


def _query_args(model: type[BaseModel]) -> dict:
    args: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        annotation = model.model_fields.get(key)
        is_list = annotation is not None and "list" in str(annotation.annotation)
        args[key] = values if is_list else values[-1]
    return args


def authenticate(roles: Iterable[str] | None):
    """Resolve `Authorization: Bearer <token>` to a user, or raise 401/403."""
    from app.accounts.services import user_for_token

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
    user = user_for_token(db.session, token.strip())
    if user is None:
        raise Unauthorized("The API token is unknown or revoked.")
    if roles and user.role not in roles:
        raise Forbidden(f"This needs a {' or '.join(roles)} token.")
    g.api_user = user
    from app.audit import set_actor

    set_actor(user)  # the audit log knows who acts for the rest of the request
    return user


def current_api_user():
    return g.get("api_user")


def api_route(
    bp: Blueprint,
    rule: str,
    *,
    methods: list[str] | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    auth: str | Iterable[str] | None = None,
    summary: str = "",
    tags: list[str] | None = None,
    status: int = 200,
    responses: dict[int, str] | None = None,
    produces: dict[str, dict | None] | None = None,
    consumes: dict[str, dict | type[BaseModel]] | None = None,
    headers: dict[str, str] | None = None,
) -> Callable:
    """Register a JSON endpoint. The view receives `body=` / `query=` validated models and
    returns a dict (or `(dict, status)`); the transaction is committed when it returns.

    For the OpenAPI document: `responses` are the other answers the operation really gives
    (status → description), `produces` the success media types when not only JSON
    (`{"application/pdf": None}`), `consumes` a body the view reads itself, `headers` the
    request headers it reads."""
    methods = methods or ["GET"]
    roles = (auth,) if isinstance(auth, str) else (tuple(auth) if auth else None)
    prefix = (bp.url_prefix or "").rstrip("/")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(**kwargs):
            if roles is not None:
                authenticate(roles)
            if body is not None:
                kwargs["body"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_model(query, _query_args(query))
            result = view(**kwargs)
            db.session.commit()
            if isinstance(result, tuple):
                payload, code = result
            else:
                payload, code = result, status
            if isinstance(payload, dict | list):
                return jsonify(payload), code
            return payload, code

        wrapper.roles = roles  # who may call it (None: anyone); read by the access tests
        bp.add_url_rule(rule, view_func=wrapper, methods=methods)
        for method in methods:
            OPERATIONS.append(
                Operation(
                    path=prefix + rule,
                    method=method.lower(),
                    summary=summary or (view.__doc__ or "").strip().split("\n")[0],
                    description=(view.__doc__ or "").strip(),
                    tags=tags or [bp.name.removesuffix("_api")],
                    auth=roles,
                    body=body,
                    query=query,
                    status=status,
                    responses=responses or {},
                    produces=produces or {"application/json": None},
                    consumes=consumes or {},
                    headers=headers or {},
                )
            )
        return wrapper

    return decorator


# --- OpenAPI -----------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    import re

    from app.converters import MAX_DB_INT

    params = []

    def repl(m: re.Match) -> str:
        converter, name = m.group(1), m.group(2)
        if converter == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": MAX_DB_INT}
        else:
            # Flask's default converter: any text without a slash.
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule), params


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _success_response(description: str, produces: dict[str, dict | None]) -> dict:
    content = {}
    for media_type, schema in produces.items():
        if schema is None and media_type == "application/json":
            schema = {"type": ["object", "array"]}
        content[media_type] = {"schema": schema} if schema is not None else {}
    return {"description": description, "content": content}


def _operation(op: Operation, schemas: dict) -> tuple[str, dict]:
    path, params = _openapi_path(op.path)
    item: dict[str, Any] = {
        "summary": op.summary,
        "tags": op.tags,
        "operationId": f"{op.method}_{path}".replace("/", "_").replace("{", "").replace("}", "")
                       .replace(".", "_").replace("-", "_"),
        "responses": {str(op.status): _success_response("Success", op.produces)},
    }
    if op.description:
        item["description"] = op.description
    if op.query is not None:
        for name, fld in op.query.model_fields.items():
            schema = schemas.get(op.query.__name__, {}).get("properties", {}).get(name, {})
            params.append({"name": name, "in": "query", "required": fld.is_required(),
                           "schema": schema, "description": fld.description or ""})
    for name, text in op.headers.items():
        params.append({"name": name, "in": "header", "required": False,
                       "schema": {"type": "string"}, "description": text})
    if params:
        item["parameters"] = params
    content: dict[str, dict] = {}
    if op.body is not None:
        content["application/json"] = {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}
    for media_type, schema in op.consumes.items():
        if isinstance(schema, type):
            schema = {"$ref": f"#/components/schemas/{schema.__name__}"}
        content.setdefault(media_type, {"schema": schema})
    if content:
        item["requestBody"] = {"required": op.body is not None or bool(op.consumes),
                               "content": content}
    responses = item["responses"]
    if op.body is not None or op.query is not None or op.consumes:
        responses["422"] = _error_response(
            "Invalid input (`invalid_input` naming every bad field, `invalid_json`, …)")
    if any(p["in"] == "path" for p in params):
        responses["404"] = _error_response("Unknown or not yours (`not_found`)")
    if op.auth:
        item["security"] = [{"bearer": []}]
        item["x-roles"] = list(op.auth)  # the roles whose token this operation accepts
        responses["401"] = _error_response("Missing or unknown token (`unauthorized`)")
        responses["403"] = _error_response(f"Needs role: {', '.join(op.auth)} (`forbidden`)")
    for code, text in op.responses.items():
        responses[str(code)] = (_error_response(text) if code >= 400
                                else _success_response(text, op.produces))
    # The embedded database may stay locked by other writers (app/database.py).
    responses["503"] = _error_response("`busy`: the database is busy; retry after Retry-After")
    item["responses"] = dict(sorted(responses.items()))
    return path, item


def openapi_document(app: Flask) -> dict:
    """Build the OpenAPI 3.1 document from the registered operations and their models."""
    from pydantic.json_schema import models_json_schema

    models = {op.body for op in OPERATIONS if op.body} | {op.query for op in OPERATIONS if op.query}
    models |= {m for op in OPERATIONS for m in op.consumes.values() if isinstance(m, type)}
    _, defs = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    schemas = defs.get("$defs", {})
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path, item = _operation(op, schemas)
        paths.setdefault(path, {})[op.method] = item
    schemas["Error"] = ERROR_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OCOP Market API",
            "version": "1.0.0",
            "description": "Certified OCOP products, orders, traceability, sales points and fairs. "
                           "Errors are `{\"error\": {\"code\", \"message\"}}` with a 4xx status.",
        },
        "servers": [{"url": app.config["BASE_URL"]}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "`flask tokens create --email E`"}},
        },
    }
