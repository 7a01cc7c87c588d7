"""The layout's arrows: app.accounts is part of the shell and never imports a domain
package (the domain registers hooks with accounts); sales points are served by showrooms;
the role guard lives with the access helpers, not in a views module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_PACKAGES = {"catalog", "storefront", "showrooms", "traceability", "backoffice", "evaluation"}


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_accounts_imports_no_domain_package():
    files = sorted((ROOT / "app" / "accounts").rglob("*.py"))
    assert files
    offending = {f"{path.relative_to(ROOT)}: {name}" for path in files
                 for name in _imported_modules(path) if name.split(".")[0] in DOMAIN_PACKAGES}
    assert offending == set()


def test_the_import_check_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from catalog.models import Producer\n    import showrooms.points\n")
    assert _imported_modules(sample) == {"catalog.models", "showrooms.points"}


def test_roles_required_lives_with_the_access_helpers():
    from app.accounts import access, views

    assert not hasattr(views, "roles_required")
    assert access.roles_required.__module__ == "app.accounts.access"


def test_sales_points_are_served_by_showrooms(app):
    modules = {app.view_functions[rule.endpoint].__module__ for rule in app.url_map.iter_rules()
               if "/sales-points" in rule.rule and rule.rule.startswith("/api/v1")}
    assert "showrooms.api" in modules and not any(m.startswith("catalog") for m in modules), modules
