"""Label payloads: content, order, confidentiality, clipping, selection, preview."""

from __future__ import annotations

import sqlite3

import pytest
import qrcode
import zxingcpp
from PIL import Image
from qrcode.constants import ERROR_CORRECT_Q

import labels_territory as territory
from vigikfield import i18n
from vigikfield.domain import label_render, labels
from vigikfield.domain.model import NOT_ON_LABELS
from vigikfield.domain.search import code_candidate, search


def _hall(store, hall_id):
    return store.get("halls", hall_id)


def test_payload_lines_in_order_code_first(store):
    (hall_id,) = territory.build(store, 1)
    code = _hall(store, hall_id)["code"]
    label, encoded = labels.for_hall(store.conn, code.lower())
    assert encoded
    assert label.payload == "\n".join([
        code,
        "Habitat 77 — Office Public de l…",     # clipped to 32 characters
        "Les Œillets",
        "12 rue de l'Église, Dammarie-lès-Lys",
        "Hall A — cage d'escalier n°0",
        "Encodé le 12/03/2025",
        f"Contact : {territory.PHONE}",
    ])
    assert code_candidate(label.payload) == code
    assert search(store.conn, label.payload)[0].hall_id == hall_id


def test_payload_in_english(store):
    (hall_id,) = territory.build(store, 1)
    i18n.set_language("en")
    label, _ = labels.for_hall(store.conn, _hall(store, hall_id)["code"])
    assert label.lines[-2:] == ("Encoded 12 Mar 2025", f"Contact: {territory.PHONE}")


def test_no_confidential_column_is_ever_read(store):
    """An SQLite authorizer records every column the selections read."""
    ids = territory.build(store, 3)
    code = _hall(store, ids[0])["code"]
    reads: set[tuple[str, str]] = set()

    def watch(action, table, column, _db, _source):
        if action == sqlite3.SQLITE_READ:
            reads.add((table, column))
        return sqlite3.SQLITE_OK

    store.conn.set_authorizer(watch)
    try:
        selected = [labels.for_hall(store.conn, code)[0]]
        selected += labels.for_residence(store.conn, "les oeillets")
        selected += labels.encoded_since(store.conn, "2025-01-01")
        selected += labels.every_encoded(store.conn)
    finally:
        store.conn.set_authorizer(None)
    assert ("residences", "name") in reads  # the watch works
    leaked = {(t, c) for t, c in reads if c in NOT_ON_LABELS.get(t, set())}
    assert leaked == set()
    for label in selected:
        assert territory.SECRET_FINGERPRINT not in label.payload
        assert "4" not in label.payload.split("\n")[1:5]  # no bare site level line
        assert "niveau" not in label.payload.lower()


def test_capacity_matches_qrcode():
    """CAPACITY_BYTES is exactly what version MAX_VERSION holds at level Q."""
    def version(n: int) -> int:
        qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
        qr.add_data("é" * (n // 2) + "x" * (n % 2), optimize=0)
        qr.make(fit=True)
        return qr.version

    assert version(labels.CAPACITY_BYTES) == labels.MAX_VERSION
    assert version(labels.CAPACITY_BYTES + 1) == labels.MAX_VERSION + 1


def test_long_lines_are_clipped_deterministically_and_bounded():
    long = "Œuvre Sociale du Logement à Dammarie-lès-Lys et Environs " * 5
    kwargs = dict(landlord=long, residence=long, address=long, hall=long,
                  encoded_at="2025-03-12", phone="+33 1 60 12 35 78 poste 1234 5678")
    first = labels.build("id", "Z8XJ9Y9", **kwargs)
    again = labels.build("id", "Z8XJ9Y9", **kwargs)
    assert first == again
    assert len(first.payload.encode()) <= labels.CAPACITY_BYTES
    assert first.lines[0] == "Z8XJ9Y9"
    assert first.lines[-2] == "Encodé le 12/03/2025"
    assert all(line.endswith("…") for line in first.lines[1:5])
    assert len(label_render.qr_matrix(first.payload)) <= 17 + 4 * labels.MAX_VERSION


def test_line_breaks_in_fields_cannot_forge_lines():
    label = labels.build("id", "Z8XJ9Y9", landlord="Bailleur\nZZZZZZZ", hall="Hall\r\n B")
    assert label.lines == ("Z8XJ9Y9", "Bailleur ZZZZZZZ", "Hall B")


def test_missing_facts_are_left_out(store):
    hall = store.create("halls", {"label": "Hall seul"})
    label, encoded = labels.for_hall(store.conn, store.get("halls", hall)["code"])
    assert not encoded
    assert label.lines == (store.get("halls", hall)["code"], "Hall seul")


def test_replaced_centrale_no_longer_counts_as_encoded(store):
    ids = territory.build(store, 2)
    (centrale,) = store.conn.execute(
        "SELECT id FROM centrales WHERE hall_id = ?", (ids[0],)).fetchone()
    store.update("centrales", centrale, {"active": 0}, reason="vandalisée, remplacée")
    assert [lb.hall_id for lb in labels.every_encoded(store.conn)] == [ids[1]]


def test_selection_by_residence_since_and_errors(store):
    ids = territory.build(store, 6, residences=2)
    assert {lb.hall_id for lb in labels.for_residence(store.conn, "LES OEILLETS 2")} == set(
        ids[1::2])
    assert len(labels.encoded_since(store.conn, "2025-03-12")) == 6
    with pytest.raises(labels.LabelError) as err:
        labels.encoded_since(store.conn, "2025-03-13")
    assert err.value.exit_code == 1 and "13" in str(err.value)
    with pytest.raises(labels.LabelError) as err:
        labels.encoded_since(store.conn, "12/03/2025")
    assert err.value.exit_code == 2
    with pytest.raises(labels.LabelError) as err:
        labels.for_residence(store.conn, "Les Lilas")
    assert "Les Lilas" in str(err.value)
    with pytest.raises(labels.LabelError) as err:
        labels.for_hall(store.conn, "ABCDEFG")
    assert err.value.exit_code == 2


def test_terminal_preview_decodes():
    payload = "Z8XJ9Y9\nHabitat 77\nLes Œillets\nEncodé le 12/03/2025"
    text = label_render.terminal_preview(payload)
    rows = text.split("\n")
    assert set(text) <= set("█▀▄ \n")
    assert len({len(r) for r in rows}) == 1
    # Back to pixels: a drawn half is light, a blank half is dark (dark terminal).
    image = Image.new("L", (len(rows[0]), 2 * len(rows)), 0)
    for y, row in enumerate(rows):
        for x, char in enumerate(row):
            if char in "█▀":
                image.putpixel((x, 2 * y), 255)
            if char in "█▄":
                image.putpixel((x, 2 * y + 1), 255)
    big = image.resize((image.width * 6, image.height * 6), Image.NEAREST)
    results = zxingcpp.read_barcodes(big, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in results] == [payload]
