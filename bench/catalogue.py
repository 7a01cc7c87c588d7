"""Catalogues of a given size for the benchmarks, built once and cached under bench/out/.

    .venv/bin/python bench/catalogue.py --db sqlite|postgres --size demo|1000|50000 [--force]

A catalogue is the demo data set (`seed-demo`: 81 products, photos, users, showrooms, lots
and stamps) grown to SIZE products with synthetic council decisions imported through
`catalog.importer` (the whole file validated by the importer's rules, then written by the
catalogue services: producers, products, certificates), then priced, described, given a
photo and published through `catalog.services.update_product`. One product in twenty also
carries an expired certificate before its current one, one in forty only an expired one,
one in a hundred a revoked one (through `revoke_certificate`): the gate has history to sort.
For the traceability and order benchmarks, a lot of BENCH_STAMPS stamps is issued and 200
products are stocked (`showrooms.stock.record_movement`) with plenty of units.
Finally the Whoosh index is built (`catalog.search.reindex`) and kept in bench/out/index-DIGEST,
DIGEST hashing every indexed field of every product, ids included: a catalogue with the same
products (the other database, or a rebuild after a schema change) copies it instead of
indexing again, which takes minutes at 50,000 products.

Cached results (the key hashes this file, the demo modules and the migrations, so a schema
or generator change rebuilds):
- SQLite:     bench/out/sqlite-SIZE-KEY/ocop.sqlite3 and its search-index/ folder;
- PostgreSQL: the database `test_bench_tpl_SIZE` (a template: every run works on a copy) and
              bench/out/postgres-SIZE-KEY/search-index/, the key in bench/out/postgres-SIZE.key.

`prepare(db, size, workdir)` hands a fresh working copy (database URL, index folder) to a run.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import random
import secrets
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: not bench/, whose profile.py shadows the stdlib's
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
# Engineers sharing one server set their own prefix (BENCH_PG_PREFIX=test_<name>_bench).
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "test_bench")
SIZES = {"demo": 0, "1000": 1000, "50000": 50000}
BENCH_STAMPS = 5000
STOCKED_PRODUCTS = 200
STOCK_UNITS = 1_000_000
CHUNK = 2500  # rows per imported file (one transaction each)
GROUP_OF_PRODUCER = 5  # products per synthetic producer
GENERATOR = "4"  # change it when what is built changes: the cached catalogues are rebuilt


def size_value(size: str) -> int:
    if size not in SIZES:
        raise SystemExit(f"unknown size {size!r}: use one of {', '.join(SIZES)}")
    return SIZES[size]


def cache_key() -> str:
    """Changes when the generator (GENERATOR), the demo data or the schema changes."""
    digest = hashlib.sha256(GENERATOR.encode())
    files = [ROOT / "app" / "demo.py", *sorted(ROOT.glob("*/demo.py")),
             *sorted(ROOT.glob("*/demo_data/*.csv")), *sorted(ROOT.glob("*/*/demo_data/*.csv")),
             *sorted((ROOT / "migrations" / "versions").glob("*.py"))]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _app(url: str, index_dir: Path, *, search_backend: str = "whoosh"):
    from app import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(index_dir),
        "SEARCH_BACKEND": search_backend, "LOG_LEVEL": "WARNING",
        "MAIL_OUTBOX_DIR": str(index_dir.parent / "outbox"), "SECRET_KEY": secrets.token_urlsafe(32),
    })


# --- Synthetic council decisions ----------------------------------------------------------

def _demo_material():
    """Names, descriptions, photos, units and places of the demo catalogue to recombine."""
    from catalog import demo

    products = [p for p in demo.PRODUCTS if p.group != "tourism" and p.price_vnd]
    places = sorted({(p.province_code, p.ward_code) for p in demo.PRODUCERS if p.ward_code})
    words = sorted({w for p in demo.PRODUCERS for w in p.name.split()[2:] if w.isalpha()})
    return products, places, words


def decision_rows(first: int, count: int, rng: random.Random):
    """`count` CSV rows (one certificate each, five products per producer), numbered from
    `first`. Returns (csv text, extras) where extras says which products get more history."""
    from catalog.importer import COLUMNS

    products, places, words = _demo_material()
    today = _today()
    lines = [",".join(COLUMNS)]
    extras = {}
    for n in range(first, first + count):
        producer = n // GROUP_OF_PRODUCER
        prng = random.Random(producer)
        province, ward = prng.choice(places)
        spec = rng.choice(products)
        stars = rng.choices((3, 4, 5), weights=(45, 45, 10))[0]
        low, high = {3: (50, 69), 4: (70, 89), 5: (90, 100)}[stars]
        # 3★ and 4★ from the province, 5★ from the central level (1489/QĐ-TTg, DOMAIN §2).
        level = "central" if stars == 5 else "province"
        issuer = "Bộ Nông nghiệp và Môi trường" if stars == 5 else "UBND tỉnh Thử Nghiệm"
        history = rng.random()
        if history < 0.025:  # only an expired certificate: not listable
            issued_on = today - timedelta(days=rng.randint(1200, 1600))
            kind = "expired"
        else:
            issued_on = today - timedelta(days=rng.randint(10, 900))
            kind = "upgrade" if history < 0.075 else "revoked" if history < 0.085 else "plain"
        product_name = f"{spec.name} {prng.choice(words)} {n}"
        producer_name = f"Hợp tác xã {prng.choice(words)} {prng.choice(words)} số {producer}"
        row = [f"{1000 + n}/QĐ-BENCH", issued_on.isoformat(), issuer, level, product_name,
               producer_name, "cooperative", f"{5000000000 + producer:010d}", str(province),
               str(ward), spec.group, str(stars), str(rng.randint(low, high)), ""]
        lines.append(",".join(f'"{v}"' if "," in v else v for v in row))
        if kind != "plain":
            extras[product_name] = kind
        extras.setdefault("_spec", {})[product_name] = spec
    return "\n".join(lines) + "\n", extras


def _today():
    from app.clock import today

    return today()


def _unique_slug(taken: set[str], name: str) -> str:
    """`catalog.services.unique_slug` without its query per row: the taken slugs in memory."""
    from catalog.text import slugify

    base = slugify(name)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def import_decisions(session, total: int, seed: int = 2026, progress=print) -> int:
    """Import `total` synthetic decisions in files of CHUNK rows. Each file is validated by
    the importer (`parse_csv`: every field by the catalogue's rules; `check_rows`: the rows
    against each other and the database), then written with multi-row Core INSERTs (the
    service path makes a few queries per row, minutes at 50,000) and committed: producers,
    published and priced products with a photo, certificates (some with an expired
    predecessor, some revoked), and the gate's timeline of those products
    (`catalog.timeline.rebuild`). The database's constraints check every row again."""
    from sqlalchemy import insert, select

    from catalog import timeline
    from catalog.importer import check_rows, parse_csv
    from catalog.models import Certificate, Producer, Product, ProductPhoto

    rng = random.Random(seed)
    today = _today()
    now = datetime.now(UTC)
    taken = {"producers": set(session.scalars(select(Producer.slug))),
             "products": set(session.scalars(select(Product.slug)))}
    done = 0
    started = time.perf_counter()
    while done < total:
        count = min(CHUNK, total - done)
        text, extras = decision_rows(done, count, rng)
        specs = extras.pop("_spec")
        rows, errors = parse_csv(text)
        errors += check_rows(session, rows)
        if errors:
            raise RuntimeError("the importer refused the synthetic file: "
                               + "; ".join(str(e) for e in errors[:5]))
        connection = session.connection()
        producers = {}
        for row in rows:
            producers.setdefault(row.tax_code, {
                "slug": _unique_slug(taken["producers"], row.producer), "name": row.producer,
                "kind": row.producer_kind, "tax_code": row.tax_code,
                "province_code": row.province_code, "ward_code": row.ward_code,
                "address": "", "active": True, "created_at": now})
        connection.execute(insert(Producer.__table__), list(producers.values()))
        producer_ids = dict(session.execute(select(Producer.tax_code, Producer.id)
                                            .where(Producer.tax_code.in_(list(producers)))).all())
        products = []
        for n, row in enumerate(rows):
            spec = specs[row.product]
            created = now - timedelta(days=rng.randint(0, 700), seconds=n)
            products.append({
                "slug": _unique_slug(taken["products"], row.product), "name": row.product,
                "producer_id": producer_ids[row.tax_code], "group": row.group,
                "name_en": f"{spec.name_en} {done + n}" if spec.name_en else None,
                "description": spec.description, "description_en": spec.description_en,
                "unit": spec.unit, "unit_en": spec.unit_en, "price_vnd": spec.price_vnd,
                "published": True, "created_at": created, "updated_at": created})
        connection.execute(insert(Product.__table__), products)
        product_ids = dict(session.execute(select(Product.slug, Product.id).where(
            Product.slug.in_([p["slug"] for p in products]))).all())
        photos, certificates = [], []
        for row, product in zip(rows, products, strict=True):
            product_id = product_ids[product["slug"]]
            spec = specs[row.product]
            photos.append({"product_id": product_id, "path": spec.photo, "width": 480,
                           "height": 480, "position": 0, "alt": f"Ảnh minh hoạ: {row.product}"})
            cert = {"product_id": product_id, "decision_number": row.decision_number,
                    "issuer": row.issuer, "level": row.level, "stars": row.stars,
                    "score": row.score, "issued_on": row.issued_on,
                    "valid_until": row.valid_until, "revoked_on": None, "revoke_reason": None}
            kind = extras.get(row.product)
            if kind == "revoked":
                cert.update(revoked_on=max(row.issued_on, today - timedelta(days=3)),
                            revoke_reason="Vi phạm tiêu chuẩn (bench)")
            certificates.append(cert)
            if kind == "upgrade":  # an older, expired certificate before the current one
                certificates.append({
                    **cert, "decision_number": f"{row.decision_number}-cu", "stars": 3,
                    "score": 60, "level": "province", "issuer": "UBND tỉnh Thử Nghiệm",
                    "issued_on": row.issued_on - timedelta(days=1100),
                    "valid_until": row.issued_on - timedelta(days=5)})
        connection.execute(insert(ProductPhoto.__table__), photos)
        connection.execute(insert(Certificate.__table__), certificates)
        # Core INSERTs bypass the ORM flush that keeps the gate's timeline: rebuild it for
        # these products, and raise the catalogue's version (cache keys), in the same transaction.
        timeline.rebuild(connection, product_ids.values())
        timeline.bump_version(connection)
        session.commit()
        done += count
        elapsed = time.perf_counter() - started
        progress(f"  imported {done:,}/{total:,} decisions ({elapsed:.0f} s)")
    return done


def stock_and_stamps(session) -> None:
    """Stock for the order benchmark and a big lot of stamps for the trace benchmark."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from catalog.gate import listability
    from catalog.models import Product
    from showrooms.stock import record_movement, warehouse_of
    from traceability import services as trace_services

    on = _today()
    candidates = session.scalars(
        select(Product).where(Product.published.is_(True)).order_by(Product.id)
        .limit(STOCKED_PRODUCTS * 3)
        .options(selectinload(Product.certificates), selectinload(Product.producer)))
    listable = [p for p in candidates if not p.is_service and listability(p, on).listable]
    for product in listable[:STOCKED_PRODUCTS]:
        record_movement(session, location=warehouse_of(session, product.producer),
                        product=product, kind="receive", quantity=STOCK_UNITS,
                        reason="bench stock")
    lot = trace_services.create_lot(session, listable[0], lot_number="BENCH-01",
                                    produced_on=on - timedelta(days=5),
                                    best_before=on + timedelta(days=360),
                                    quantity=BENCH_STAMPS)
    trace_services.insert_stamps(session, lot, BENCH_STAMPS)
    session.commit()


def build(db: str, size: str, url: str, index_dir: Path, progress=print) -> dict:
    """Migrate `url` (empty), seed the demo, import up to `size` products, stock, stamp,
    index. Returns a few facts about what was built."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from app.demo import seed_all
    from app.extensions import db as flask_db
    from catalog.models import Certificate, Product
    from catalog.search import reindex

    steps: dict[str, float] = {}
    clock = [time.perf_counter()]

    def step(name: str) -> None:
        now = time.perf_counter()
        steps[name] = round(now - clock[0], 1)
        clock[0] = now

    # Building: the Whoosh hook is off (SEARCH_BACKEND=postgres), one reindex at the end.
    app = _app(url, index_dir, search_backend="postgres")
    with app.app_context():
        upgrade()
        step("migrate")
        session = flask_db.session
        seed_all(session)
        session.commit()
        step("demo")
        demo_count = session.scalar(select(func.count(Product.id)))
        wanted = max(0, size_value(size) - demo_count)
        progress(f"  demo seeded: {demo_count} products; importing {wanted:,} more")
        if wanted:
            import_decisions(session, wanted, progress=progress)
        step("import")
        stock_and_stamps(session)
        step("stock_stamps")
        facts = {"products": session.scalar(select(func.count(Product.id))),
                 "certificates": session.scalar(select(func.count(Certificate.id)))}
        session.close()
        flask_db.engine.dispose()
    facts["index_digest"] = index_digest(url)
    stored = OUT / f"index-{facts['index_digest'][:16]}"
    app = _app(url, index_dir, search_backend="whoosh")
    with app.app_context():
        if (stored / "done").exists():  # the same products were indexed before: same index
            shutil.copytree(stored, index_dir, ignore=shutil.ignore_patterns("done"))
            facts["indexed"] = facts["products"]
            facts["index_reused"] = stored.name
        else:
            facts["indexed"] = reindex(flask_db.session)
            shutil.rmtree(stored, ignore_errors=True)
            shutil.copytree(index_dir, stored)
            (stored / "done").touch()
        flask_db.session.commit()
        flask_db.session.close()
        if db == "sqlite":  # one self-contained file to copy
            flask_db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        flask_db.session.close()
        if db == "postgres":
            # Fresh statistics for the planner (without them it guesses 71 rows where a broad
            # search matches 2,069), and the GIN index's pending list merged (a bulk load
            # leaves hundreds of pages that every search would scan): the copies made from
            # this template inherit both, as a production database gets them from autovacuum.
            with flask_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        flask_db.engine.dispose()
    step("search_index")
    facts["seconds"] = round(sum(steps.values()), 1)
    facts["steps"] = steps
    return facts


def index_digest(url: str) -> str:
    """A digest of everything a Whoosh document is made of (catalog.search.whoosh_backend
    .document), product by product: equal digests mean equal indexes."""
    from sqlalchemy import create_engine, select

    from catalog.models import Producer, Product

    engine = create_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        rows = conn.execute(
            select(Product.id, Product.name, Product.name_en, Product.description,
                   Product.description_en, Product.group, Producer.name, Producer.name_en,
                   Producer.craft_village, Producer.historical_origin, Producer.ward_code,
                   Producer.province_code)
            .join(Producer, Producer.id == Product.producer_id).order_by(Product.id))
        for row in rows:
            digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


# --- Cache --------------------------------------------------------------------------------

def _pg_admin():
    from sqlalchemy import create_engine

    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def pg_create(name: str, template: str | None = None) -> None:
    from sqlalchemy import text

    engine = _pg_admin()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'
                          + (f' TEMPLATE "{template}"' if template else "")))
    engine.dispose()


def pg_exists(name: str) -> bool:
    from sqlalchemy import text

    engine = _pg_admin()
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    engine.dispose()
    return found is not None


def pg_drop(name: str) -> None:
    from sqlalchemy import text

    engine = _pg_admin()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def cached(db: str, size: str, *, force: bool = False, progress=print) -> dict:
    """Build the cached catalogue unless it exists for the current key. Returns its place.
    One builder at a time per database and size: a second caller waits, then reuses it."""
    size_value(size)
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / f".lock-{db}-{size}").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _cached(db, size, force=force, progress=progress)


def _cached(db: str, size: str, *, force: bool, progress) -> dict:
    key = cache_key()
    folder = OUT / f"{db}-{size}-{key}"
    facts_file = folder / "facts.json"
    template = f"{PG_PREFIX}_tpl_{size}"
    if facts_file.exists() and not force and (db == "sqlite" or pg_exists(template)):
        return {"folder": folder, "template": template, **json.loads(facts_file.read_text())}
    for old in OUT.glob(f"{db}-{size}-*"):
        shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True)
    progress(f"building the {db} catalogue of size {size} (cache key {key}) …")
    if db == "sqlite":
        url = f"sqlite:///{folder / 'ocop.sqlite3'}"
    else:
        pg_create(template)
        url = f"{PG_SERVER}/{template}"
    facts = build(db, size, url, folder / "search-index", progress=progress)
    facts_file.write_text(json.dumps(facts))
    progress(f"  built in {facts['seconds']} s: {facts}")
    return {"folder": folder, "template": template, **facts}


def prepare(db: str, size: str, workdir: Path, progress=print) -> dict:
    """A working copy of the cached catalogue: {'url', 'index_dir', 'facts'}."""
    place = cached(db, size, progress=progress)
    work = workdir / f"{db}-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(place["folder"] / "search-index", work / "search-index")
    if db == "sqlite":
        for suffix in ("", "-wal"):  # the WAL is checkpointed after a build; copied if not
            source = place["folder"] / f"ocop.sqlite3{suffix}"
            if source.exists():
                shutil.copy2(source, work / source.name)
        url = f"sqlite:///{work / 'ocop.sqlite3'}"
    else:
        name = f"{PG_PREFIX}_run_{os.getpid()}"
        pg_create(name, template=place["template"])
        url = f"{PG_SERVER}/{name}"
    return {"url": url, "index_dir": work / "search-index", "work": work, "db": db,
            "facts": {k: v for k, v in place.items() if k not in ("folder", "template")}}


def release(copy: dict) -> None:
    """Drop a working copy made by prepare()."""
    if copy["db"] == "postgres":
        pg_drop(copy["url"].rsplit("/", 1)[1])
    shutil.rmtree(copy["work"], ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--size", default="demo", choices=list(SIZES))
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args()
    place = cached(args.db, args.size, force=args.force)
    print(place)


if __name__ == "__main__":
    main()
