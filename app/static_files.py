"""Static files that browsers keep: every `url_for('static', …)` carries `?v=<mtime>`, so a
file can be cached for a year and a changed file is a new URL; HTML, CSS, JS and JSON are
compressed (Brotli or gzip, Flask-Compress) for clients that accept it."""

from __future__ import annotations

import os

from flask import Flask

YEAR = 365 * 24 * 3600
_versions: dict[str, str] = {}


def init_static(app: Flask) -> None:
    from app.extensions import compress

    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:  # Flask's default: revalidate
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = YEAR
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Files sent as streams (static files) stay as they are: nginx serves them precompressed
    # in production, and re-reading a file stream here would leave it unclosed.
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
        "image/svg+xml", "text/csv", "application/xml", "text/xml", "text/calendar"])
    compress.init_app(app)

    @app.url_defaults
    def version_static(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        filename = values["filename"]
        version = _versions.get(filename)
        if version is None:
            try:
                version = str(int(os.stat(os.path.join(app.static_folder, filename)).st_mtime))
            except OSError:
                return
            if not app.debug:  # with the reloader, a changed file shows at once
                _versions[filename] = version
        values["v"] = version
