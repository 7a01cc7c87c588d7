"""How long `certificates import` takes on a big council file.

    .venv/bin/python bench/certificate_import.py [ROWS]

Builds a CSV of ROWS decisions (default 5,000: 1,000 new producers with 5 products each) in
a temporary SQLite database migrated to head, then times a first import (everything
created), a re-import (everything updated) and a validation-only pass of a file with one bad
line. Prints the figures; nothing outside /tmp is touched.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from catalog.importer import COLUMNS, import_csv_text

WARDS = [(92, 31135), (91, 31078), (15, 2839), (37, 14638), (51, 23479)]
GROUPS = ["food", "beverage", "herbal", "textile", "craft"]


def build_csv(rows: int) -> str:
    lines = [",".join(COLUMNS)]
    for n in range(rows):
        producer = n // 5
        province, ward = WARDS[producer % len(WARDS)]
        lines.append(",".join([
            f"{1000 + producer}/QĐ-UBND", "2026-10-15", "UBND tỉnh Thử Nghiệm", "province",
            f"Sản phẩm số {n}", f"Hợp tác xã Thử Nghiệm {producer}", "cooperative",
            f"{4000000000 + producer:010d}", str(province), str(ward), GROUPS[n % 5], "4", "80", "",
        ]))
    return "\n".join(lines) + "\n"


def timed(label: str, fn):
    started = time.perf_counter()
    outcome = fn()
    elapsed = time.perf_counter() - started
    print(f"{label:<34} {elapsed:6.2f} s   imported {outcome.imported}, updated {outcome.updated},"
          f" errors {len(outcome.errors)}")
    return outcome


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    workdir = Path(tempfile.mkdtemp(prefix="ocop-bench-import-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
                      "SEARCH_INDEX_DIR": str(workdir / "index"), "LOG_LEVEL": "WARNING",
                      "SECRET_KEY": secrets.token_urlsafe(32)})
    text = build_csv(rows)
    bad = text.replace("4000000007,", "400000007,", 1)
    with app.app_context():
        upgrade()
        print(f"{rows} rows, {rows // 5} producers, SQLite at {workdir}")
        timed("first import (all created)", lambda: import_csv_text(db.session, text))
        db.session.commit()
        timed("re-import (all updated)", lambda: import_csv_text(db.session, text))
        db.session.commit()
        timed("one bad line (nothing written)", lambda: import_csv_text(db.session, bad))
        db.session.rollback()


if __name__ == "__main__":
    main()
