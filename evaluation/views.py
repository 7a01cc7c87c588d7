from flask import Blueprint
bp = Blueprint("evaluation", __name__, template_folder="templates")
