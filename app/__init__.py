"""The application factory (flaskr / microblog style): extensions bound with init_app,
one blueprint per feature, configuration from the environment."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from dotenv import load_dotenv
from flask import Flask

from app import config as config_module
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

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
    "backoffice.views",
]

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    load_dotenv()
    app = Flask(__name__, instance_path=str(config_module.INSTANCE))
    app.config.from_mapping(config_module.from_environment())
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app.log import configure_logging

    configure_logging(app)
    _init_extensions(app)

    from app.errors import register_error_handlers

    register_error_handlers(app)
    _import_models()
    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(name)
        for bp in getattr(module, "blueprints", None) or [module.bp]:
            app.register_blueprint(bp)

    from app.cli import register_commands
    from app.templating import register_template_helpers

    register_commands(app)
    register_template_helpers(app)
    logging.getLogger(__name__).debug("app created")
    return app


def _init_extensions(app: Flask) -> None:
    from app.database import configure_engine_events
    from app.i18n import select_locale, select_timezone

    db.init_app(app)
    with app.app_context():
        configure_engine_events(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)


def _import_models() -> None:
    """Make every model known to SQLAlchemy (and Alembic) whatever was imported first."""
    for name in ("app.accounts.models", "catalog.models", "showrooms.models",
                 "showrooms.fair_models", "storefront.models", "traceability.models"):
        importlib.import_module(name)
