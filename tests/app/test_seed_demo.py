"""`flask seed-demo` (CONTRACT §2): the whole demo data set, read from each package's data
files; running it twice changes nothing in any table."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db


def _rows_per_table(session) -> dict[str, int]:
    return {table.name: session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_seed_demo_loads_once_and_running_it_again_changes_nothing(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "demo data loaded" in first.output
    loaded = _rows_per_table(db_session)
    assert loaded["producers"] >= 30 and loaded["certificates"] >= 80
    assert loaded["sales_points"] == 5 and loaded["stock_movements"] > 0

    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0 and "database not empty" in skipped.output
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert _rows_per_table(db_session) == loaded
