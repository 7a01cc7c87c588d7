"""Catalog files served over HTTP: uploaded product photos."""

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("catalog", __name__, template_folder="templates")


@bp.get("/media/<path:name>")
def media(name: str):
    # send_from_directory refuses paths that escape the folder.
    return send_from_directory(current_app.config["PHOTO_DIR"], name, max_age=31_536_000)
