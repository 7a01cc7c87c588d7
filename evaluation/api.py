from app.api import api_blueprint
bp = api_blueprint("evaluation_api", __name__)
