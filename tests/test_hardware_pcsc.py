"""The service-card reader and registry against the real pcscd + vpcd, with
virtual cards running as separate processes (killing one = pulling the card)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from hwkit.pcscd import PrivatePcscd, wait_line
from vigikfield.hardware.errors import CardRemoved, NoCard, NoReader, PcscdDown
from vigikfield.domain.identity import fingerprint
from vigikfield.hardware.pcsc import PcscReader
from vigikfield.hardware.reader import CardEvent
from hwkit.vcard import DEFAULT_ATR

pytestmark = pytest.mark.hardware

UID = "04A1B2C3D4E5F6"
OTHER_UID = "04FFEEDDCCBBAA"
POLICE = "Police — code inter-bailleurs"


@pytest.fixture(scope="session")
def pcscd():
    daemon = PrivatePcscd()
    daemon.start()
    yield daemon
    daemon.cleanup()


@pytest.fixture
def landlords(store):
    habitat = store.create("landlords", {"name": "Habitat 77"})
    other = store.create("landlords", {"name": "Les Foyers de Seine-et-Marne"})
    return habitat, other


def fp(uid: str) -> str:
    return fingerprint(bytes.fromhex(DEFAULT_ATR), bytes.fromhex(uid))


def test_reads_atr_and_uid(pcscd):
    with pcscd.card(uid=UID):
        info = PcscReader().read(timeout=5)
    assert info.reader == pcscd.reader
    assert info.atr == bytes.fromhex(DEFAULT_ATR)
    assert info.uid == bytes.fromhex(UID)
    assert info.unique and info.fingerprint == fp(UID)


@pytest.mark.parametrize("refusal", ["6A81", "6D00"])
def test_card_refusing_get_data_is_known_by_atr_and_answer(pcscd, refusal):
    with pcscd.card(uid=None, refuse=refusal):
        info = PcscReader().read(timeout=5)
    assert info.uid is None and not info.unique
    assert info.answer == bytes.fromhex(refusal)
    assert info.fingerprint == fingerprint(bytes.fromhex(DEFAULT_ATR), None, bytes.fromhex(refusal))


def test_enroll_check_revoke_through_the_cli(pcscd, landlords, cli):
    with pcscd.card(uid=UID):
        enrolled = cli("card", "enroll", "--landlord", "habitat 77", "--service", POLICE)
        assert enrolled.exit_code == 0, enrolled.output
        assert fp(UID) in enrolled.output and "Habitat 77" in enrolled.output

        ok = cli("card", "check", "--landlord", "Habitat 77")
        assert ok.exit_code == 0, ok.output
        assert POLICE in ok.output and "active" in ok.output

        other = cli("card", "check", "--landlord", "Les Foyers de Seine-et-Marne")
        assert other.exit_code == 1
        assert "pas celle de Les Foyers" in other.output

        again = cli("card", "enroll", "--landlord", "Habitat 77", "--service", POLICE)
        assert again.exit_code == 2 and "déjà enrôlée" in again.output

        revoked = cli("card", "revoke", fp(UID).lower().replace("-", ""), "--reason", "perdue le 3 mars")
        assert revoked.exit_code == 0, revoked.output
        refused = cli("card", "check")
        assert refused.exit_code == 1
        assert "RÉVOQUÉE" in refused.output and "perdue le 3 mars" in refused.output

    listing = cli("card", "list")
    assert listing.exit_code == 0 and fp(UID) in listing.output and "révoquée" in listing.output
    assert cli("journal", "verify").exit_code == 0


def test_unknown_card_is_refused(pcscd, landlords, cli):
    with pcscd.card(uid=OTHER_UID):
        result = cli("card", "check")
    assert result.exit_code == 1
    assert "inconnue du registre" in result.output and fp(OTHER_UID) in result.output


def test_no_card_and_unknown_reader_are_plain_messages(pcscd, landlords, cli):
    empty = cli("card", "check", "--wait", "0.2")
    assert empty.exit_code == 1 and "Aucune carte sur le lecteur" in empty.output
    wrong = cli("card", "check", "--reader", "Lecteur inexistant", "--wait", "0")
    assert wrong.exit_code == 1 and "Lecteur inexistant" in wrong.output
    with pytest.raises(NoReader):
        PcscReader().read("Lecteur inexistant", timeout=0)
    assert "Traceback" not in empty.output + wrong.output


def test_card_pulled_during_the_read(pcscd):
    card = pcscd.card(uid=UID, hang=True)
    outcome: dict[str, BaseException] = {}

    def read() -> None:
        try:
            PcscReader(call_timeout=20).read(timeout=5)
        except BaseException as exc:  # what the read ended with
            outcome["error"] = exc

    reader = threading.Thread(target=read)
    reader.start()
    assert wait_line(card.process.stdout, "APDU", 10), "the card never got the GET DATA"
    card.remove()
    reader.join(15)
    assert not reader.is_alive()
    assert isinstance(outcome.get("error"), CardRemoved), outcome
    assert "retirée pendant la lecture" in str(outcome["error"])


def test_watch_reports_insertion_and_removal(pcscd):
    events: list[CardEvent] = []
    seen = threading.Condition()

    def on_event(event: CardEvent) -> None:
        with seen:
            events.append(event)
            seen.notify_all()

    watch = PcscReader().watch(on_event, pcscd.reader)
    try:
        card = pcscd.card(uid=UID)
        with seen:
            assert seen.wait_for(lambda: any(e.kind == "inserted" for e in events), 10)
        card.remove()
        with seen:
            assert seen.wait_for(lambda: any(e.kind == "removed" for e in events), 10)
    finally:
        watch.stop()
    assert events[0].atr == bytes.fromhex(DEFAULT_ATR)


def test_pcscd_not_running_is_a_plain_message(pcscd, landlords, db_path, tmp_path):
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(tmp_path / "nobody-listens.comm")}
    result = subprocess.run(
        [sys.executable, "-m", "vigikfield", "--db", str(db_path), "card", "check", "--wait", "0"],
        env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "pcscd" in result.stderr and "systemctl start pcscd" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_pcscd_stopping_then_coming_back(pcscd):
    pcscd.stop()
    try:
        with pytest.raises(PcscdDown):
            PcscReader().read(timeout=1)
    finally:
        pcscd.start()
    with pytest.raises(NoCard):
        PcscReader().read(timeout=0.2)


def test_hw_check_lists_the_reader_and_its_card(pcscd, cli):
    empty = cli("hw", "check")
    assert f"Lecteur « {pcscd.reader} » : prêt, aucune carte posée." in empty.output
    with pcscd.card(uid=UID):
        present = cli("hw", "check")
    assert f"Lecteur « {pcscd.reader} » : une carte est posée (ATR {DEFAULT_ATR})" in present.output
    assert "Traceback" not in empty.output + present.output
