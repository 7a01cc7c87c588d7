"""Registers each package's click commands on `flask --app wsgi …`."""

from __future__ import annotations

import importlib

from flask import Flask

COMMAND_MODULES = [
    "app.accounts.cli",
    "catalog.cli",
    "catalog.search.cli",
    "storefront.cli",
    "traceability.cli",
    "showrooms.cli",
    "evaluation.cli",
    "app.demo",
]


def register_commands(app: Flask) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in module.commands:
            app.cli.add_command(command)
