"""The demo catalogue: producers, products and certificates of the five founding provinces."""

from sqlalchemy.orm import Session


def seed(session: Session) -> None:
    """Idempotent: running it twice changes nothing."""
