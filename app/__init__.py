"""The application factory (flaskr / microblog style): extensions bound with init_app,
one blueprint per feature, configuration from the environment."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from dotenv import load_dotenv
from flask import Flask, current_app, g, request

from app import config as config_module
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.json_provider import BoundedJSONProvider

# Each feature package owns its blueprints (`bp`, or `blueprints` for several).
BLUEPRINT_MODULES = [
    "app.meta",
    "app.accounts.views",
    "catalog.views",
    "catalog.api",
    "storefront.views",
    "storefront.shop_views",
    "storefront.api",
    "traceability.views",
    "traceability.api",
    "showrooms.views",
    "showrooms.api",
    "showrooms.fair_views",
    "showrooms.fair_api",
    "showrooms.counter_api",
    "showrooms.counter_views",
    "showrooms.fair_sales_api",
    "showrooms.booth_views",
    "backoffice.views",
    "evaluation.views",
    "evaluation.api",
    "backoffice.office.views",
    "backoffice.office.api",
    "storefront.promotion.views",
    "storefront.promotion.api",
]

# Domain modules that register hooks with the shell (app.accounts knows no domain package:
# each domain tells accounts what its users are attached to).
HOOK_MODULES = ["catalog.user_roles", "showrooms.user_roles"]

# Domain modules answering a request of theirs before Flask (WSGI middleware, `install(app)`).
LANE_MODULES = ["traceability.scanlane"]

# Every package's models, in an order where each module's own imports are already loaded.
MODEL_MODULES = [
    "app.audit", "app.accounts.models", "app.outbox.models", "catalog.models", "catalog.timeline",
    "showrooms.models", "showrooms.counter_models", "showrooms.fair_models", "storefront.models",
    "traceability.models", "evaluation.models", "backoffice.office.models",
    "storefront.promotion.models",
]

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


class OcopFlask(Flask):
    """Flask, with the embedded database's last line of defence: a request that still meets
    SQLite's write lock (after waiting the busy timeout) is retried once from a clean
    session, then answered 503 with Retry-After — never a 500 (see app/database.py).
    JSON bodies are read with a bounded depth (app/json_provider.py)."""

    json_provider_class = BoundedJSONProvider

    def dispatch_request(self):
        from app.database import is_lock_error
        from app.errors import DatabaseBusy

        for attempt in (1, 2):
            try:
                return super().dispatch_request()
            except Exception as err:
                if not is_lock_error(err):
                    raise
                db.session.rollback()
                if attempt == 2:
                    raise DatabaseBusy() from err
                logging.getLogger(__name__).warning("database locked; retrying %s once", request.path)
        raise AssertionError("unreachable")


def _declare_write_intent() -> None:
    """Transactions of a request that writes begin IMMEDIATE on SQLite (app/database.py)."""
    from app.database import SAFE_METHODS, intend_to_write

    view = current_app.view_functions.get(request.endpoint or "")
    if request.method not in SAFE_METHODS or getattr(view, "writes_database", False):
        g.write_intent_token = intend_to_write(True)


def _forget_write_intent(_exc=None) -> None:
    from app.database import write_intent

    token = g.pop("write_intent_token", None)
    if token is not None:
        write_intent.reset(token)


def create_app(overrides: dict | None = None) -> Flask:
    load_dotenv()
    app = OcopFlask(__name__, instance_path=str(config_module.INSTANCE))
    app.config.from_mapping(config_module.from_environment())
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app.log import configure_logging

    configure_logging(app)
    from app import security

    security.init_app(app)  # refuses a weak SECRET_KEY outside development; headers, cookies, sizes
    from app.sessions import init_sessions

    init_sessions(app)
    _init_extensions(app)

    from app.errors import register_error_handlers

    register_error_handlers(app)
    app.before_request(_declare_write_intent)
    app.teardown_request(_forget_write_intent)
    from app import audit

    audit.init_app(app)

    from app import faults

    faults.register(app)
    from app import fastlane

    fastlane.install(app)  # inside ProxyFix: it keys pages by the host and scheme Flask sees
    for name in LANE_MODULES:  # inside ProxyFix too: they read the address Flask sees
        importlib.import_module(name).install(app)
    _trust_proxy(app)
    import_models()
    from app.converters import register_converters

    register_converters(app)
    for name in HOOK_MODULES:
        importlib.import_module(name)
    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(name)
        for bp in getattr(module, "blueprints", None) or [module.bp]:
            app.register_blueprint(bp)

    from app.ratelimit import check_only_limited_routes

    check_only_limited_routes(app, limiter)  # after the blueprints: their limits are known
    from app.cli import register_commands
    from app.templating import register_template_helpers

    register_commands(app)
    register_template_helpers(app)
    logging.getLogger(__name__).debug("app created")
    return app


def _init_extensions(app: Flask) -> None:
    from app.database import configure_engine_events
    from app.i18n import install_request_translations, select_locale, select_timezone

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():  # the primary, and a read replica if any
            configure_engine_events(engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_request_translations(app)
    from app import ratelimit  # noqa: F401 — registers the `sqlite://` storage of the limits

    limiter.init_app(app)
    from app.cache import init_cache
    from app.static_files import init_static

    init_cache(app)
    init_static(app)


def _trust_proxy(app: Flask) -> None:
    """X-Forwarded-For/Proto/Host are believed only when PROXY_FIX_* say how many proxies
    (nginx: 1) stand in front; without them a client cannot forge its address or scheme."""
    hops = {key: app.config.get(f"PROXY_FIX_{key.upper()}", 0) for key in ("x_for", "x_proto", "x_host")}
    if any(hops.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)


def import_models() -> None:
    """Make every model known to SQLAlchemy (and Alembic) whatever was imported first: a
    string relationship (User.sales_point → "SalesPoint") resolves only once its target's
    package is imported. Called by create_app, and by anything that may configure the
    mappers before an app exists (tests/conftest.py)."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
