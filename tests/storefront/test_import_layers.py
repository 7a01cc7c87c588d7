"""The order code has no import circle: each storefront module imports alone in a fresh
interpreter, and no storefront module imports (even lazily, inside a function) one that
imports it back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "storefront"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every storefront module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_sees_a_lazy_circle():
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_storefront_modules_import_without_circles():
    graph = {name: imports_of(path) - {name} for name, path in MODULES.items()}
    assert find_cycle(graph) is None


ORDER_MODULES = ["storefront.orders", "storefront.confirmation", "storefront.shipments",
                 "storefront.serializers", "storefront.order_mail", "storefront.checkout",
                 "storefront.payments", "storefront.payments.bank_transfer",
                 "storefront.payments.statements", "storefront.payments.webhook"]


def test_each_order_module_imports_alone_in_a_fresh_interpreter():
    running = {name: subprocess.Popen([sys.executable, "-c", f"import {name}"], cwd=ROOT,  # noqa: S603 (our own module names)
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in ORDER_MODULES}
    failures = {}
    for name, process in running.items():
        _out, err = process.communicate(timeout=300)
        if process.returncode != 0:
            failures[name] = err[-1500:]
    assert failures == {}
