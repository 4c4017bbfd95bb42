"""Scanners (serial through a real pty, keyboard wedge), the simulated reader,
the manual and simulated centrale links, the factory, `hw check`, and the
registry's bad-input cases."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tty

import pytest

from vigikfield.domain import cards
from vigikfield.domain.store import Store
from vigikfield.domain.windows import Schedule
from vigikfield.hardware.errors import MemoryFull, NeedsStatement, NoCard, Unplugged
from vigikfield.hardware.factory import ConfigError, HardwareConfig, build, demo_config
from vigikfield.hardware.links import ManualLink, SimLink
from vigikfield.hardware.reader import CardEvent
from vigikfield.hardware.scanner import SerialScanner, WedgeScanner
from vigikfield.hardware.sim_reader import SimReader
from vigikfield.hardware.simulator import CentraleUnit

ALWAYS = Schedule.parse("Mo-Su", ["00:00-24:00"])
CARDS = [{"landlord": "Habitat 77", "service": "Police", "atr": "3B8F8001", "uid": "04AA"},
         {"landlord": "Autre", "service": "Police", "atr": "3B8F8001", "uid": None}]


@pytest.fixture
def code(store):
    residence = store.create("residences", {"name": "Les Tilleuls"})
    hall = store.create("halls", {"residence_id": residence, "label": "Hall A"})
    return store.get("halls", hall)["code"]


@pytest.fixture
def pty_pair():
    master, slave = os.openpty()
    tty.setraw(slave)
    yield master, os.ttyname(slave)
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


def test_serial_scanner_reads_lines_through_a_pty(pty_pair, code):
    master, path = pty_pair
    scanner = SerialScanner(path)
    try:
        assert scanner.read(0.2) is None
        os.write(master, b"NOT-A-CODE\r")
        os.write(master, code.lower().encode() + b"\r\nResidence Les Tilleuls\r\n")
        assert scanner.read_code(5) == code
        assert scanner.read(5) == "Residence Les Tilleuls"
        os.write(master, code.encode() + b"\n")
        assert scanner.read_code(5) == code
    finally:
        scanner.close()


def test_serial_scanner_unplugged(pty_pair):
    master, path = pty_pair
    scanner = SerialScanner(path)
    os.close(master)
    with pytest.raises(Unplugged):
        scanner.read(2)
    scanner.close()


def test_wedge_scanner_collects_typed_lines(code):
    wedge = WedgeScanner()
    assert wedge.feed(code[:3]) == []
    assert wedge.feed(code[3:] + "\r") == [code]
    assert wedge.feed("bonjour\n") == []
    assert wedge.read(0) == code and wedge.read(0) == "bonjour" and wedge.read(0) is None


def test_sim_reader_insert_remove_and_events():
    reader = SimReader(CARDS)
    events: list[CardEvent] = []
    watch = reader.watch(events.append)
    with pytest.raises(NoCard):
        reader.read(timeout=0)
    threading.Timer(0.05, reader.insert, args=(0,)).start()
    info = reader.read(timeout=5)           # waits for the insertion
    assert info.uid == bytes.fromhex("04AA") and info.unique
    second = reader.insert(1)               # swap: removal then insertion
    assert not second.unique and second.fingerprint != info.fingerprint
    reader.remove()
    watch.stop()
    reader.insert(0)
    assert [e.kind for e in events] == ["inserted", "removed", "inserted", "removed"]


def test_manual_link_records_what_the_technician_says():
    link = ManualLink()
    link.state_identity("Urmet", "1045", capacity=255)
    with pytest.raises(NeedsStatement):
        link.add_service("Police", ALWAYS)
    link.state_outcome("added", "badge testé, porte ouverte")
    assert link.add_service("Police", ALWAYS).outcome == "added"
    link.state_outcome("refused")
    assert link.add_service("Autre", ALWAYS).outcome == "refused"
    info = link.identify()
    assert (info.brand, info.model, info.capacity) == ("Urmet", "1045", 255)
    assert link.verify_service("Police").schedule == ALWAYS and link.verify_service("Autre") is None
    assert [s.what for s in link.statements] == ["identity", "outcome", "outcome"]
    prompted = ManualLink(confirm=lambda name, schedule: "already_present")
    assert prompted.add_service("Police", ALWAYS).outcome == "unchanged"


def test_sim_link_speaks_frames_to_an_in_process_unit():
    link = SimLink(CentraleUnit("VX-4"))
    for i in range(4):
        link.add_service(f"S{i}", ALWAYS)
    with pytest.raises(MemoryFull):
        link.add_service("S5", ALWAYS)
    assert link.identify().used == 4


def test_factory_from_environment():
    config = HardwareConfig.from_env({"VIGIKFIELD_CENTRALE": "serial:/dev/ttyUSB0"})
    assert (config.reader, config.centrale, config.scanner) == ("pcsc", "serial:/dev/ttyUSB0", "wedge")
    hardware = build(HardwareConfig("none", "sim", "wedge"))
    assert hardware.reader is None and isinstance(hardware.centrale, SimLink)
    hardware.close()
    with pytest.raises(ConfigError, match="VIGIKFIELD_READER"):
        build(HardwareConfig("usb", "manual", "wedge"))
    assert demo_config().reader == "sim"


def test_hw_check_says_pcscd_is_down_and_how_to_fix(tmp_path):
    # a subprocess: libpcsclite keeps the first socket path it sees for the process
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(tmp_path / "none.comm")}
    result = subprocess.run([sys.executable, "-m", "vigikfield", "hw", "check"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "VIGIKFIELD_READER" in result.stdout
    assert "✗" in result.stdout and "sudo systemctl start pcscd" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_card_reader_disabled_and_registry_bad_input(cli, store, monkeypatch):
    store.create("landlords", {"name": "Habitat 77"})
    store.create("landlords", {"name": "Habitat Sud"})
    monkeypatch.setenv("VIGIKFIELD_READER", "none")
    unknown = cli("card", "enroll", "--landlord", "Inconnu", "--service", "Police")
    assert unknown.exit_code == 2 and "Habitat 77" in unknown.output
    ambiguous = cli("card", "enroll", "--landlord", "habitat", "--service", "Police")
    assert ambiguous.exit_code == 2 and "Plusieurs bailleurs" in ambiguous.output
    disabled = cli("card", "check")
    assert disabled.exit_code == 1 and "désactivé" in disabled.output
    assert cli("card", "list").output.strip() == "Aucune carte de service enrôlée."
    with pytest.raises(cards.CardRegistryError):
        cards.revoke(store, "0000-0000", "perdue")
    with pytest.raises(cards.CardRegistryError):
        cards.revoke(store, "0000-0000", "  ")


def test_sim_reader_enroll_then_check(store: Store):
    store.create("landlords", {"name": "Habitat 77"})
    reader = SimReader(CARDS)
    info = reader.insert(0)
    card = cards.enroll(store, info.fingerprint, "Habitat 77", "Police — code inter-bailleurs")
    assert cards.check(store.conn, info.fingerprint, "habitat 77").ok
    assert cards.check(store.conn, reader.insert(1).fingerprint).outcome == "unknown"
    cards.revoke(store, card.fingerprint, "volée")
    verdict = cards.check(store.conn, info.fingerprint)
    assert verdict.outcome == "revoked" and verdict.card.revoked_reason == "volée"


def test_sim_reader_presents_the_demo_cards():
    from vigikfield.domain.demo import DEMO_CARDS

    reader = build(demo_config(), sim_cards=DEMO_CARDS).reader  # the factory receives them
    assert len(reader.cards) == len(DEMO_CARDS) == 5
    for index, card in enumerate(DEMO_CARDS):
        assert reader.insert(index).fingerprint == card["fingerprint"]


def test_without_pyscard_the_message_says_how_to_enable_pcsc(db_path):
    code = ("import sys; sys.modules['smartcard'] = None\n"
            "from vigikfield.cli import main\n"
            f"main(['--db', {str(db_path)!r}, 'card', 'check', '--wait', '0'])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "pip install -e .[pcsc]" in result.stderr and "VIGIKFIELD_READER=sim" in result.stderr
    assert "Traceback" not in result.stderr
