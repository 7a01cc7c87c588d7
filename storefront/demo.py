"""Demo data of the storefront package, loaded by `flask --app wsgi seed-demo` after the catalog."""

from sqlalchemy.orm import Session


def seed(session: Session) -> None:
    """Idempotent: running it twice changes nothing."""
