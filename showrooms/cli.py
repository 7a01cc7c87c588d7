"""Command-line commands of the showrooms package."""

commands: list = []
