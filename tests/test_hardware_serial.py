"""The serial centrale driver against the simulator on a real pseudo-terminal:
identify, add, verify, every fault, reconnect after unplug, memory full."""

from __future__ import annotations

import pytest

from hwkit.centrale import simulated_centrale
from vigikfield.domain.windows import Schedule
from vigikfield.hardware.errors import (
    DeviceRefused, Garbled, MemoryFull, NoAnswer, PortUnavailable, Unplugged,
)
from vigikfield.hardware.serial_link import SerialLink

pytestmark = pytest.mark.hardware

POLICE = "Police — code inter-bailleurs"
ALWAYS = Schedule.parse("Mo-Su", ["00:00-24:00"])


@pytest.fixture
def link_to():
    links: list[SerialLink] = []

    def make(path: str, **options) -> SerialLink:
        links.append(SerialLink(path, **options))
        return links[-1]

    yield make
    for link in links:
        link.close()


def test_identify_add_verify(link_to):
    with simulated_centrale("VX-255") as path:
        link = link_to(path)
        info = link.identify()
        assert (info.brand, info.model, info.capacity, info.used) == ("SIMULEC", "VX-255", 255, 0)
        names = {s.name for s in info.services if s.native}
        assert {"La Poste", "Enedis-GRDF", "Orange", "Police-Gendarmerie"} <= names
        assert info.service("la poste").schedule == Schedule.parse("Mo-Sa", ["06:00-20:00"])

        night = Schedule.parse("Lu-Ve", ["22:00-06:00", "12:00-13:00"])
        result = link.add_service(POLICE, night)
        assert result.outcome == "added"
        assert result.entry.schedule == night and not result.entry.native
        assert link.verify_service(POLICE).schedule == night
        assert link.add_service(POLICE, night).outcome == "unchanged"
        assert link.add_service(POLICE, ALWAYS).outcome == "updated"
        assert link.identify().used == 1
        assert link.verify_service("Service inconnu") is None
        assert any(POLICE in text for _, text in link.events())


def test_native_service_cannot_be_changed(link_to):
    with simulated_centrale() as path:
        with pytest.raises(DeviceRefused) as refused:
            link_to(path).add_service("La Poste", ALWAYS)
    assert refused.value.code == 22 and "d'origine" in str(refused.value)


def test_memory_full_is_refused_without_changing_the_unit(link_to):
    with simulated_centrale("VX-4") as path:
        link = link_to(path)
        for i in range(4):
            assert link.add_service(f"Bailleur {i}", ALWAYS).outcome == "added"
        before = link.identify()
        with pytest.raises(MemoryFull) as full:
            link.add_service(POLICE, ALWAYS)
        assert "Mémoire de la centrale pleine" in str(full.value)
        assert link.identify() == before
        assert link.verify_service(POLICE) is None


def test_fault_full(link_to):
    with simulated_centrale("VX-4", "full") as path:
        link = link_to(path)
        before = link.identify()
        assert before.used == before.capacity == 4
        with pytest.raises(MemoryFull):
            link.add_service(POLICE, ALWAYS)
        assert link.identify() == before


def test_fault_silent_is_no_answer(link_to):
    with simulated_centrale(fault="silent") as path:
        with pytest.raises(NoAnswer) as silent:
            link_to(path, timeout=0.5).identify()
    assert "ne répond pas" in str(silent.value) and path in str(silent.value)


def test_fault_garbage_is_garbled(link_to):
    with simulated_centrale(fault="garbage") as path:
        with pytest.raises(Garbled) as garbled:
            link_to(path, timeout=0.5).identify()
    assert "illisible" in str(garbled.value)


def test_fault_slow_times_out_short_and_succeeds_with_patience(link_to):
    with simulated_centrale(fault="slow") as path:
        link = link_to(path, timeout=0.3)
        with pytest.raises(NoAnswer):
            link.add_service(POLICE, ALWAYS)
        link.timeout = 5
        # the late answer to the abandoned request is discarded by its sequence number
        assert link.verify_service(POLICE).schedule == ALWAYS
        with pytest.raises(PortUnavailable) as busy:
            link_to(path).identify()     # the port is ours: a second user is told so
        assert "déjà utilisé" in str(busy.value)


def test_fault_unplug_then_reconnect(link_to):
    with simulated_centrale(fault="unplug") as path:
        link = link_to(path, timeout=2, reconnect_timeout=5)
        with pytest.raises(Unplugged) as unplugged:
            link.identify()
        assert "débranché" in str(unplugged.value)
        info = link.identify()      # reopens the port once it is back
        assert info.model == "VX-255"
        assert link.add_service(POLICE, ALWAYS).outcome == "added"


def test_missing_port_is_a_plain_error(tmp_path):
    with pytest.raises(PortUnavailable) as missing:
        SerialLink(str(tmp_path / "ttyUSB9"), reconnect_timeout=0.2).identify()
    assert "ttyUSB9" in str(missing.value)


def test_centrale_commands(cli):
    with simulated_centrale("VX-4") as path:
        identify = cli("centrale", "identify", "--port", path)
        assert identify.exit_code == 0, identify.output
        assert "SIMULEC VX-4" in identify.output and "La Poste" in identify.output
        added = cli("centrale", "add-service", "--port", path, "--service", POLICE,
                    "--days", "Mo-Su", "--window", "22:00-06:00", "--window", "08:00-09:00")
        assert added.exit_code == 0, added.output
        assert "ajouté et vérifié" in added.output and "22:00-06:00" in added.output
        overlap = cli("centrale", "add-service", "--port", path, "--service", "X",
                      "--days", "Mo-Su", "--window", "22:00-06:00", "--window", "05:00-07:00")
        assert overlap.exit_code == 2 and "se chevauchent" in overlap.output
        four = cli("centrale", "add-service", "--port", path, "--service", "X", "--days", "Lu",
                   "--window", "01:00-02:00", "--window", "03:00-04:00",
                   "--window", "05:00-06:00", "--window", "07:00-08:00")
        assert four.exit_code == 2 and "au plus 3" in four.output
    with simulated_centrale(fault="silent") as path:
        silent = cli("centrale", "identify", "--port", path, "--timeout", "0.3")
        assert silent.exit_code == 1 and "ne répond pas" in silent.output
        assert "Traceback" not in silent.output
