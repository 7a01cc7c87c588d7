from flask import Blueprint
bp = Blueprint("fairs", __name__)
@bp.get("/fairs/<slug>")
def fair_page(slug):
    return ""
