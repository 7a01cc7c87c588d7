"""Command-line commands of the storefront package."""

commands: list = []
