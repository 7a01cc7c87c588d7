"""Command-line commands of the traceability package."""

commands: list = []
