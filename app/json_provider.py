"""JSON reading with a bounded nesting depth. The standard parser recurses once per level and
a body of 100,000 `[` raises RecursionError (not ValueError) — a 500. Every JSON body of the
app is read here (`request.get_json`, `app.api.parse_body`), so too deep a body is just
invalid JSON: 400/422 with a clear message."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class TooDeep(ValueError):
    """A JSON document nested beyond what the parser can follow."""


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise TooDeep("The JSON document is nested too deeply.") from None
