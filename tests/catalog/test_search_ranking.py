"""The Whoosh ranking keeps only a page's worth of the listable matches (a bounded heap over
the docnums the gate lets through): it must give the same first pages as ranking every
match and then dropping the unlisted ones, for any query, any listable subset, any page."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from catalog.search import whoosh_backend
from catalog.search.analysis import name_key, nfc

WORDS = ["mật", "ong", "rừng", "trà", "shan", "tuyết", "gạo", "thơm", "nước", "mắm", "cá",
         "linh", "bánh", "tráng", "cơm", "cháy", "mâm", "tuyêt"]


def _documents(count: int = 120) -> list[dict]:
    rng = random.Random(9)
    documents = []
    for product_id in range(1, count + 1):
        name = " ".join(rng.sample(WORDS, rng.randint(1, 4)))
        english = rng.choice(["", "honey", "tea", "rice", "fish sauce"])
        body = " ".join(rng.sample(WORDS, rng.randint(0, 6)))
        documents.append({
            "id": product_id, "name_hash": whoosh_backend.name_hash(name_key(name)),
            "name_key": name_key(name), "name_exact": nfc(name), "name": nfc(name),
            "name_en": english, "all": nfc(f"{name} {english} {body}"),
        })
    return documents


def test_bounded_ranking_gives_the_pages_of_the_full_ranking(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), whoosh_backend.schema(),
                                indexname=whoosh_backend.INDEX_NAME)
    documents = _documents()
    # Two commits: the ranking must also hold across segments, with a deleted document.
    whoosh_backend.write_documents(ix, documents[:70])
    whoosh_backend.write_documents(ix, documents[70:])
    writer = ix.writer()
    writer.delete_by_term("id", 5)
    writer.commit()
    queries = ["mat ong", "tra", "mắm", "mam ca", "banh trang", "tuyeet", "com chay ong",
               "nuoc mam ca linh", "tea", "gao thom"]

    with ix.searcher() as searcher:
        ids = whoosh_backend.product_ids(searcher)

        @settings(max_examples=150, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(q=st.sampled_from(queries), keep=st.integers(0, 2**32 - 1),
               limit=st.integers(1, 40))
        def check(q, keep, limit):
            docnums, fuzzy = whoosh_backend.matches(searcher, q)
            rng = random.Random(keep)
            listable = {d for d in docnums if rng.random() < 0.7}
            full = [i for i in whoosh_backend.ranking(searcher, q, fuzzy=fuzzy, full=True)
                    if i in {ids[d] for d in listable}]
            bounded = whoosh_backend.ranking(searcher, q, fuzzy=fuzzy, within=listable,
                                             limit=limit)
            assert bounded == full[:limit]
            assert sorted(full) == sorted(ids[d] for d in listable)  # every match is ranked

        check()
