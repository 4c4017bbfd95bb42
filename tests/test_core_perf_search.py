"""Search ranks in the FTS table before joining: same hits, same order as joining first."""

from __future__ import annotations

from vigikfield.domain import search
from vigikfield.domain.store import Store

from tinyterritory import build

# What search() ran before it ranked in a subquery (join every match, then
# sort), with each hit's score: equal scores may come in any order.
_JOIN_FIRST = search._SELECT.replace(
    "SELECT h.id,", "SELECT h.id, bm25(halls_fts, 10.0, 5.0, 2.0, 3.0, 1.0, 1.0) AS score,"
).replace("FROM halls h", "FROM halls_fts f JOIN halls h ON h.rowid = f.rowid") + (
    " WHERE halls_fts MATCH ? ORDER BY score"
)


def _more_halls(store: Store, ids: dict[str, str]) -> None:
    """Enough halls with distinct texts that short prefixes match many, with distinct ranks."""
    for n in range(60):
        store.create("halls", {"residence_id": ids["plein_ciel" if n % 2 else "mezereaux"],
                               "label": f"Bâtiment {n}",
                               "address": f"{n} " + "rue de la Dîme " * (1 + n % 5)})


def test_short_prefixes_give_the_hits_of_a_join_first_query(store):
    ids = build(store)
    _more_halls(store, ids)
    for text in ("d", "de", "la", "ru", "me", "Mé", "bat", "rue de", "alouettes", "plein c"):
        query = search.fts_query(text)
        want = [row[:2] for row in store.conn.execute(_JOIN_FIRST, (query,))]
        score = dict(want)
        got = [hit.hall_id for hit in search.search(store.conn, text, limit=10)]
        assert len(got) == min(10, len(want)) and got, text
        assert [score[hall] for hall in got] == [s for _, s in want[: len(got)]], text


def test_exact_code_first_accents_and_case_ignored(store):
    ids = build(store)
    _more_halls(store, ids)
    code = store.get("halls", ids["al_b"])["code"]
    for typed in (code, code.lower(), f"{code[:3]}-{code[3:]}", f"{code}\nLes Alouettes B"):
        assert search.search(store.conn, typed)[0].hall_id == ids["al_b"]
    plain = {h.hall_id for h in search.search(store.conn, "MEZEREAUX")}
    accented = {h.hall_id for h in search.search(store.conn, "mézereaux")}
    assert plain == accented and {ids["mez_a"], ids["mez_b"], ids["mez_c"]} <= plain
