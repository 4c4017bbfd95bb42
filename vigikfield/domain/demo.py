"""The demo territory (DESIGN.md §7), written through the op log.

`vigikfield demo` must show the tool working with no file and no hardware, and
the benchmarks need a territory the size of Île-de-France. Both come from one
generator. It is deterministic: a fixed seed, ids that are UUID5 of stable
names, fixed dates, so that the same command gives the same state tables
(only the ops' own ids and clocks differ). Everything is one transaction.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from . import demo_data as data
from . import reasons
from .demo_data import SCALES, Scale
from .identity import fingerprint
from .journal import Change
from .model import ORDER
from .store import Store

NAMESPACE = uuid.UUID("5f0b8e1c-6a2d-5c3e-9b47-77a1e0c4d288")
SEED = 77288
ALWAYS = {"days": "1111111", "windows": [["00:00", "24:00"]]}
MON_SAT = {"days": "1111110", "windows": [["06:00", "20:00"]]}
CAMPAIGN_START = date(2026, 10, 5)
CAMPAIGN_END = date(2026, 11, 27)
HOLIDAYS = {date(2026, 11, 11)}
WINTER_TIME = date(2026, 10, 25)  # Paris goes from +02:00 to +01:00
CHUNK = 500_000  # changes per journal.append call: bounds memory at idf scale


def _card(landlord: str, uid: str) -> dict[str, str]:
    return {
        "landlord": landlord, "service": data.SERVICE, "atr": data.CARD_ATR, "uid": uid,
        "fingerprint": fingerprint(bytes.fromhex(data.CARD_ATR), bytes.fromhex(uid)),
    }


DEMO_CARDS: list[dict[str, str]] = [
    _card(name, uid) for (name, _phone, _share), uid in zip(data.LANDLORDS, data.CARD_UIDS)
]


def _stamp(day: date, minute: int) -> str:
    """A visit at `minute` past midnight, Paris time, in UTC as the wizard records it."""
    paris = timezone(timedelta(hours=2 if day < WINTER_TIME else 1))
    local = datetime.combine(day, time(minute // 60, minute % 60), paris)
    return local.astimezone(timezone.utc).isoformat()


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


class _Picker:
    """Weighted choice with precomputed cumulative weights (fast over thousands)."""

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cum = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


class _Builder:
    """Accumulates the territory's rows, table by table, parents first."""

    def __init__(self, store: Store, scale: Scale, project_id: str) -> None:
        self.store = store
        self.scale = scale
        self.project_id = project_id
        self.rng = random.Random(SEED)
        self.police_rng = random.Random(SEED + 1)  # the police side, drawn apart
        self.upkeep_rng = random.Random(f"{SEED}/upkeep")  # readers' upkeep, drawn apart
        self.authorisation_rng = random.Random(SEED + 3)  # the landlords' decisions, apart
        self.rows: dict[str, list[tuple[str, dict[str, Any]]]] = {t: [] for t in ORDER}

    def add(self, table: str, entity_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        self.rows[table].append((entity_id, fields))
        return fields

    # -- reference data -------------------------------------------------------
    def communes(self) -> None:
        rng, wanted = self.rng, self.scale.communes
        rows = [(insee, name, lat, lon, share) for insee, name, lat, lon, share in data.COMMUNES]
        names = [c + s for s in data.COMMUNE_SUFFIXES for c in data.COMMUNE_STEMS]
        rng.shuffle(names)
        used = {r[0] for r in rows}
        serial = dict.fromkeys(data.DEPARTMENTS, 100)
        for name in names[: max(0, wanted - len(rows))]:
            dep = rng.choice(data.DEPARTMENTS)
            while f"{dep}{serial[dep]:03d}" in used:
                serial[dep] += 1
            insee = f"{dep}{serial[dep]:03d}"
            used.add(insee)
            rows.append((insee, name, rng.uniform(48.40, 49.05), rng.uniform(1.85, 3.15), 0))
        if len(rows) > len(data.COMMUNES):  # at large scale every commune weighs alike-ish
            rows = [(*r[:4], rng.lognormvariate(0, 0.6)) for r in rows]
        self.commune_list = []
        for insee, name, lat, lon, share in rows:
            cid = _id("commune", insee)
            self.add("communes", cid, {"insee": insee, "name": name})
            self.commune_list.append({"id": cid, "insee": insee, "name": name,
                                      "lat": lat, "lon": lon, "qpvs": []})
        self.pick_commune = _Picker(self.commune_list, [r[4] for r in rows])

    def landlords(self) -> None:
        rng = self.rng
        rows = list(data.LANDLORDS)
        known = {r[0] for r in rows}
        tails = [f"{h} {t}" for h in data.LANDLORD_HEADS for t in data.LANDLORD_TAILS
                 if f"{h} {t}" not in known]
        rng.shuffle(tails)
        for name in tails[: max(0, self.scale.landlords - len(rows))]:
            phone = "01 {:02d} {:02d} {:02d} {:02d}".format(
                rng.randrange(30, 70), *(rng.randrange(100) for _ in range(3)))
            rows.append((name, phone, rng.lognormvariate(1, 0.8)))
        self.landlord_list = []
        for name, phone, _share in rows:
            lid = _id("landlord", name)
            self.add("landlords", lid, {"project_id": self.project_id, "name": name,
                                        "phone": phone})
            self.landlord_list.append({"id": lid, "name": name})
        self.pick_landlord = _Picker(self.landlord_list, [r[2] for r in rows])

    def qpvs(self) -> None:
        by_insee = {c["insee"]: c for c in self.commune_list}
        rows = [(by_insee[i], code, name) for i, code, name in data.QPVS]
        serial = 100
        while len(rows) < self.scale.qpvs:
            commune = self.pick_commune(self.rng)
            serial += 1
            name = self.rng.choice(["Quartier des {p}", "{n}", "Les {p} — {n}"]).format(
                p=self.rng.choice(data.RESIDENCE_PLURALS), n=self.rng.choice(data.RESIDENCE_PLACES))
            rows.append((commune, f"QP0{commune['insee'][:2]}{serial:03d}", name))
        for commune, code, name in rows:
            qid = _id("qpv", code)
            self.add("qpvs", qid, {"commune_id": commune["id"], "code": code, "name": name})
            commune["qpvs"].append(qid)

    def police_offices(self) -> None:
        by_insee = {c["insee"]: c for c in self.commune_list}
        rows = [(by_insee[i], name, kind, addr) for i, name, kind, addr in data.POLICE_OFFICES]
        extra = self.commune_list[len(data.COMMUNES):]
        kinds = [("commissariat", "Commissariat de police de"),
                 ("commissariat_annexe", "Commissariat annexe de"),
                 ("police_municipale", "Police municipale de")]
        wanted = max(0, self.scale.police_offices - len(rows))
        for commune in self.rng.sample(extra, min(wanted, len(extra))):
            kind, title = self.rng.choices(kinds, weights=[2, 3, 5])[0]
            rows.append((commune, f"{title} {commune['name']}", kind, self._address()))
        for commune, name, kind, address in rows:
            self.add("police_offices", _id("police", name), {
                "commune_id": commune["id"], "name": name, "kind": kind, "address": address,
                **self._police_equipment(name, kind)})

    def _police_equipment(self, name: str, kind: str) -> dict[str, Any]:
        """Stations, computers, badges: the demo's table, else drawn (idf scale) from a
        generator of its own, so that the rest of the territory stays as it was."""
        if name in data.POLICE_EQUIPMENT:
            row = data.POLICE_EQUIPMENT[name]
        else:
            rng = self.police_rng
            stations = rng.choice([0, 1, 1, 2]) if kind != "police_municipale" else rng.choice([0, 1])
            installed = rng.randint(0, stations)
            planned = (CAMPAIGN_START + timedelta(rng.randrange(0, 120))).isoformat() \
                if stations else None
            done = (date.fromisoformat(planned) + timedelta(rng.randrange(0, 10))).isoformat() \
                if installed else None
            row = (stations, installed, planned, done, stations, rng.randrange(2, 20))
        return dict(zip(("stations", "stations_installed", "station_planned",
                         "station_installed", "computers", "agent_badges"), row))

    def _place_name(self) -> str:
        rng = self.rng
        return rng.choice(data.RESIDENCE_PATTERNS).format(
            p=rng.choice(data.RESIDENCE_PLURALS), n=rng.choice(data.RESIDENCE_PLACES))

    def _address(self) -> str:
        return f"{self.rng.randrange(1, 120)} {self.rng.choice(data.STREETS)}"

    def _person(self) -> str:
        return f"{self.rng.choice(data.FIRST_NAMES)} {self.rng.choice(data.LAST_NAMES)}"

    # -- residences and halls -------------------------------------------------
    def residences(self) -> None:
        rng, scale = self.rng, self.scale
        sizes = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20]
        size_weights = [6, 10, 14, 14, 12, 12, 10, 8, 6, 5, 3]
        self.residence_list: list[dict[str, Any]] = []
        self.hall_list: list[dict[str, Any]] = []
        seen: set[tuple[str, str, str]] = set()
        while len(self.hall_list) < scale.halls:
            commune, landlord = self.pick_commune(rng), self.pick_landlord(rng)
            base = name = self._place_name()
            for n in itertools.count(2):  # one landlord's residences differ within a commune
                if (landlord["id"], commune["id"], name) not in seen:
                    break
                name = f"{base} {n}"
            seen.add((landlord["id"], commune["id"], name))
            rid = _id("residence", landlord["name"], commune["insee"], name)
            street, number = rng.choice(data.STREETS), rng.randrange(1, 90)
            authorised = rng.random() < 0.85
            residence = {
                "id": rid, "landlord": landlord, "commune": commune, "halls": [],
                "fields": {
                    "landlord_id": landlord["id"], "commune_id": commune["id"],
                    "qpv_id": rng.choice(commune["qpvs"])
                    if commune["qpvs"] and rng.random() < 0.5 else None,
                    "name": name, "address": f"{number} {street}", "dwellings": 0,
                    "lat": round(commune["lat"] + rng.gauss(0, 0.006), 6),
                    "lon": round(commune["lon"] + rng.gauss(0, 0.009), 6),
                    "site_level": None,
                    "authorized_by": f"{self._person()}, {rng.choice(data.MANAGER_ROLES)}"
                    if authorised else None,
                    "authorized_at": f"2026-09-{rng.randrange(1, 29):02d}"
                    if authorised else None,
                    "windows": (MON_SAT if rng.random() < 0.08 else ALWAYS)
                    if authorised else None,
                },
            }
            self.residence_list.append(residence)
            count = min(rng.choices(sizes, size_weights)[0], scale.halls - len(self.hall_list))
            per_hall = rng.choice([(3, 6), (8, 16), (8, 16), (25, 60)])
            model = self._model()
            for i, label in enumerate(self._labels(count)):
                hall = self._hall(residence, label, f"{number + 2 * i} {street}", model)
                hall["weight"] = rng.randint(*per_hall)
                residence["halls"].append(hall)
                self.hall_list.append(hall)
        levels = rng.sample(self.residence_list, min(4 * scale.per_site_level,
                                                     len(self.residence_list)))
        for i, residence in enumerate(levels):
            residence["fields"]["site_level"] = i % 4 + 1
        self._share_dwellings()

    # One fact behind each demo site level (seed 002's grid gives that level).
    _FACT_FOR_LEVEL = {
        1: ("tags", "faible", "ponctuelle"),
        2: ("jets de détritus ou dépôts d'ordures", "faible", "quotidienne"),
        3: ("petits trafics", "moyenne", "quotidienne"),
        4: ("trafics fortement implantés et organisés", "extreme", "reguliere"),
    }

    def site_facts(self) -> None:
        """The facts that give the classified residences their level, before the campaign."""
        for residence in self.residence_list:
            level = residence["fields"]["site_level"]
            if level is None:
                continue
            fact, gravity, frequency = self._FACT_FOR_LEVEL[level]
            day = CAMPAIGN_START - timedelta(days=7 * level + 14)
            self.add("site_facts", _id("site_fact", residence["id"]), {
                "residence_id": residence["id"], "fact": fact, "gravity": gravity,
                "frequency": frequency, "observed_on": day.isoformat(),
                "source": "diagnostic inter-bailleurs"})

    def _model(self) -> tuple[str, str, int, int]:
        return self.rng.choices(data.COMPATIBLE_MODELS, [m[3] for m in data.COMPATIBLE_MODELS])[0]

    def _labels(self, count: int) -> list[str]:
        style = self.rng.random()
        if count <= 8 and style < 0.65:
            return [chr(ord("A") + i) for i in range(count)]
        if style < 0.85:
            per = self.rng.randint(2, 4)
            return [f"Bât. {i // per + 1} — entrée {i % per + 1}" for i in range(count)]
        return [f"Entrée {i + 1}" for i in range(count)]

    def _hall(self, residence: dict, label: str, address: str, model: tuple) -> dict:
        rng = self.rng
        draw = rng.random()
        if draw < 0.75:
            vigik = "compatible"
            if rng.random() < 0.15:  # most halls of a residence share one installer's model
                model = self._model()
            brand, name, capacity = model[0], model[1], model[2]
        elif draw < 0.85:
            vigik, capacity = "incompatible", None
            brand, name = rng.choice(data.INCOMPATIBLE_MODELS)
        else:
            vigik, capacity, name = "unknown", None, None
            brand = rng.choice(data.UNKNOWN_BRANDS) if rng.random() < 0.5 else None
        hall_id = _id("hall", residence["id"], label)
        return {
            "id": hall_id, "residence": residence, "capacity": capacity,
            "fields": {
                "residence_id": residence["id"],
                "code": self.store.free_hall_code(hall_id, self.taken),
                "label": label, "address": address, "dwellings": 0,
                "brand": brand, "model": name, "vigik": vigik,
                "centrale_location": rng.choice(data.CENTRALE_LOCATIONS),
                "notes": rng.choice(data.HALL_NOTES) if rng.random() < 0.04 else None,
            },
        }

    def _share_dwellings(self) -> None:
        """Spread the exact total over the halls in proportion to their weights."""
        halls, total = self.hall_list, self.scale.dwellings
        if total < 2 * len(halls):
            raise ValueError(f"{total} dwellings cannot fill {len(halls)} halls (2 each at least)")
        weight = sum(h["weight"] for h in halls)
        shares = [max(2, math.floor(h["weight"] * total / weight)) for h in halls]
        order = list(range(len(halls)))
        self.rng.shuffle(order)
        gap, cursor = total - sum(shares), 0
        while gap:
            i = order[cursor % len(order)]
            cursor += 1
            if gap > 0:
                shares[i], gap = shares[i] + 1, gap - 1
            elif shares[i] > 2:
                shares[i], gap = shares[i] - 1, gap + 1
        for hall, share in zip(halls, shares):
            hall["fields"]["dwellings"] = share
            hall["residence"]["fields"]["dwellings"] += share

    def replacements(self) -> None:
        """Planned replacements of incompatible systems (no draw: the territory is unchanged)."""
        with_incompatible = [r for r in self.residence_list
                             if any(h["fields"]["vigik"] == "incompatible" for h in r["halls"])]
        for residence, planned in zip(with_incompatible, data.REPLACEMENT_PLANNED):
            for hall in residence["halls"]:
                if hall["fields"]["vigik"] == "incompatible":
                    hall["fields"]["replacement_planned"] = planned
        first = next(h for h in with_incompatible[0]["halls"]
                     if h["fields"]["vigik"] == "incompatible") if with_incompatible else None
        if first is not None:
            # replaced: the landlord says so; a technician's visit confirms it is compatible
            first["fields"]["replaced_on"] = data.REPLACED_ON

    def upkeep(self) -> None:
        """Vigik Plus readiness and the readers' last yearly maintenance (docs/vigik-plus.md),
        drawn with their own generator: the rest of the territory is unchanged. A residence's
        halls are kept under one contract (the same visit, give or take a few days); one
        residence in six has no date on record; some contracts have lapsed (overdue)."""
        rng = self.upkeep_rng
        for residence in self.residence_list:
            recorded = rng.random() >= 1 / 6
            visit = CAMPAIGN_START - timedelta(days=rng.randrange(0, 420))
            retrofitted = rng.random()  # the landlord's retrofit progress for this residence
            for hall in residence["halls"]:
                fields = hall["fields"]
                if fields["vigik"] == "compatible":
                    draw = rng.random()
                    fields["vigik_plus"] = (1 if draw < retrofitted * 0.8 else
                                            None if draw > 0.85 else 0)
                elif fields["vigik"] == "incompatible":
                    fields["vigik_plus"] = 0 if rng.random() < 0.7 else None
                if recorded:
                    day = visit + timedelta(days=rng.randrange(0, 8))
                    fields["last_maintenance"] = min(day, CAMPAIGN_START).isoformat()

    # -- equipment and campaign -----------------------------------------------
    def equipment(self) -> None:
        for hall in self.hall_list:
            fields = hall["fields"]
            if fields["vigik"] == "incompatible":
                continue
            serial = None
            if fields["model"]:
                serial = f"{fields['brand'][:3].upper()}-{self.rng.randrange(10**6, 10**7)}"
            hall["centrale_id"] = _id("centrale", hall["id"])
            self.add("centrales", hall["centrale_id"], {
                "hall_id": hall["id"], "brand": fields["brand"], "model": fields["model"],
                "serial": serial, "capacity": hall["capacity"], "active": 1,
            })

    def cards(self) -> dict[str, str]:
        """landlord id -> fingerprint: the kit's five, one more per landlord at large scale."""
        cards = list(DEMO_CARDS)
        if self.scale.landlords > len(DEMO_CARDS) * 3:
            for landlord in self.landlord_list[len(DEMO_CARDS):]:
                cards.append(_card(landlord["name"], f"{self.rng.getrandbits(32):08X}"))
        by_name = {landlord["name"]: landlord["id"] for landlord in self.landlord_list}
        for card in cards:
            self.add("service_cards", _id("card", card["fingerprint"]), {
                "landlord_id": by_name[card["landlord"]], "fingerprint": card["fingerprint"],
                "service": card["service"], "status": "active",
                "enrolled_at": data.CARD_ENROLLED_AT,
            })
        return {by_name[c["landlord"]]: c["fingerprint"] for c in cards}

    def campaign(self, cards: dict[str, str]) -> None:
        """About a quarter of compatible halls done, residence by residence."""
        rng, scale = self.rng, self.scale
        target = round(0.25 * sum(h["fields"]["vigik"] == "compatible" for h in self.hall_list))
        techs = (data.TECHNICIANS if scale.technicians <= len(data.TECHNICIANS)
                 else [f"{a} {b}" for a, b in zip(data.FIRST_NAMES * 2, data.LAST_NAMES * 2)]
                 )[: scale.technicians]
        days = [CAMPAIGN_START + timedelta(n) for n in range((CAMPAIGN_END - CAMPAIGN_START).days)]
        days = [d for d in days if d.weekday() < 5 and d not in HOLIDAYS]
        per_tech = target * 1.1 / len(techs)
        per_day = max(8, math.ceil(per_tech / len(days)))
        step = max(1, len(days) // max(1, math.ceil(per_tech / per_day)))
        clock = {t: [0, 0] for t in techs}  # technician -> [day index, halls that day]
        orders: dict[str, list[str]] = {t: [] for t in techs}
        candidates = [r for r in self.residence_list
                      if r["fields"]["authorized_by"] and r["landlord"]["id"] in cards]
        rng.shuffle(candidates)
        done = visited = 0
        while visited < len(candidates) and done < target:
            residence, tech = candidates[visited], techs[visited % len(techs)]
            orders[tech].append(residence["id"])
            visited += 1
            for hall in residence["halls"]:
                if hall["fields"]["vigik"] != "compatible":
                    continue
                day, count = clock[tech]
                if count >= per_day:
                    day, count = day + rng.randint(max(1, step - 1), step + 1), 0
                clock[tech] = [day, count + 1]
                minute = 8 * 60 + 30 + count * (450 // per_day) + rng.randrange(10)
                when = _stamp(days[min(day, len(days) - 1)], minute)
                done += self._encoding(hall, tech, when, cards[residence["landlord"]["id"]])
        planned = candidates[visited : visited + max(len(techs), visited // 2)]
        for n, residence in enumerate(planned):  # still to visit: most halls stay pending
            orders[techs[n % len(techs)]].append(residence["id"])
        self.ordered = {rid for ids in orders.values() for rid in ids}
        for tech, residence_ids in orders.items():
            self.add("work_orders", _id("work_order", tech), {
                "project_id": self.project_id, "technician": tech,
                "residence_ids": residence_ids, "planned_date": CAMPAIGN_START.isoformat(),
                "status": "issued",  # as `bundle workorder` issues them
            })

    def _encoding(self, hall: dict, tech: str, when: str, card: str) -> int:
        """Record one visit; 1 when the hall ended up encoded."""
        rng, draw = self.rng, self.rng.random()
        fields: dict[str, Any] = {"centrale_id": hall["centrale_id"], "hall_id": hall["id"],
                                  "technician": tech, "encoded_at": when, "label_attached": 0}
        if draw < 0.05:
            reason = "memory_full" if hall["capacity"] == 255 and rng.random() < 0.7 \
                else rng.choice(data.FAILURE_REASONS)
            fields.update(outcome="failed", failure_reason=reason, card_fingerprint=card,
                          door_opened=0)
        elif draw < 0.09:
            fields.update(outcome="no_access", notes=rng.choice(data.NO_ACCESS_NOTES))
        else:
            decided = hall["residence"]["fields"]["windows"]
            fields.update(outcome="encoded", days=decided["days"], windows=decided["windows"],
                          card_fingerprint=card, door_opened=1, label_attached=1)
        self.add("encodings", _id("encoding", hall["id"]), fields)
        return fields["outcome"] == "encoded"

    def build(self) -> None:
        self.taken: set[str] = set()
        self.communes()
        self.landlords()
        self.qpvs()
        self.police_offices()
        self.residences()
        for residence in self.residence_list:
            self.add("residences", residence["id"], residence["fields"])
        self.replacements()
        self.upkeep()
        for hall in self.hall_list:
            self.add("halls", hall["id"], hall["fields"])
        self.site_facts()
        self.equipment()
        self.campaign(self.cards())
        self.failure_reports()
        self.authorisations()

    def failure_reports(self) -> None:
        """A few access failures on encoded halls (one in 40, a couple twice), most of
        them closed: drawn with a generator of their own, so the rest is unchanged."""
        rng = random.Random(SEED + 2)
        encoded = sorted((f["hall_id"], f["encoded_at"][:10])
                         for _, f in self.rows["encodings"] if f.get("outcome") == "encoded")
        if not encoded:
            return
        chosen = rng.sample(encoded, max(3, len(encoded) // 40))
        twice = chosen[:2]
        services = _Picker(["police_nationale", "police_municipale", "gendarmerie", "pompiers",
                            "samu"], [4, 3, 0.5, 2, 1])
        kinds = _Picker(["badge_refused", "door_broken", "centrale_dead", "reader_damaged",
                         "other"], [5, 2, 1, 1, 0.5])
        for n, (hall_id, since) in enumerate([*chosen, *twice]):
            start = date.fromisoformat(since) + timedelta(days=1)
            span = max(0, (CAMPAIGN_END - start).days)
            day = start + timedelta(days=rng.randint(0, span))
            fields: dict[str, Any] = {
                "hall_id": hall_id, "reported_on": day.isoformat(), "service": services(rng),
                "what": kinds(rng), "reported_by":
                    f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}"}
            if n < len(chosen) and rng.random() < 0.6:  # the second report of a hall stays open
                closed = min(CAMPAIGN_END, day + timedelta(days=rng.randint(0, 6)))
                fields.update(closure=rng.choice(["re_encoded", "repaired", "not_reproduced"]),
                              closed_on=max(closed, day).isoformat(), closed_by=data.PILOT)
            self.add("failure_reports", _id("failure", hall_id, str(n)), fields)

    def authorisations(self) -> None:
        """The landlords' decisions (domain/authorisations.py): every residence authorised on
        its record gets its grant as an entity; among those no work order holds, a few
        grants have expired and a few residences were refused (the others stay pending).
        Drawn with a generator of their own: the rest of the territory is unchanged."""
        rng = self.authorisation_rng
        for residence in self.residence_list:
            fields, rid = residence["fields"], residence["id"]
            free = rid not in self.ordered
            if fields["authorized_by"]:
                decided = fields["windows"] or ALWAYS
                expired = free and rng.random() < 0.04
                self.add("authorisations", _id("authorisation", rid), {
                    "residence_id": rid, "decision": "granted",
                    "decided_by": fields["authorized_by"], "decided_on": fields["authorized_at"],
                    "days": decided["days"], "windows": decided["windows"],
                    "until": "2026-11-15" if expired else None})
            elif free and rng.random() < 0.3:
                person = f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}"
                self.add("authorisations", _id("authorisation", rid), {
                    "residence_id": rid, "decision": "refused",
                    "decided_by": f"{person}, {rng.choice(data.MANAGER_ROLES)}",
                    "decided_on": f"2026-10-{rng.randrange(1, 29):02d}",
                    "note": rng.choice(data.REFUSAL_NOTES)})

    def changes(self) -> Iterator[Change]:
        """Parents first; by id within a table, so index inserts stay local (fast)."""
        for table in ORDER:
            for entity_id, fields in sorted(self.rows[table], key=lambda row: row[0]):
                for name, value in fields.items():
                    if value is not None:
                        yield Change(table, entity_id, name, value, new=True)


def ensure(store: Store, scale: str | Scale = "demo") -> bool:
    """Create the demo territory unless the database already has halls.

    `scale` is a name from SCALES, or a `Scale` (tests use a small idf-like one).
    """
    if isinstance(scale, str):
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r} (one of {', '.join(SCALES)})")
        scale = SCALES[scale]
    if store.conn.execute("SELECT 1 FROM halls LIMIT 1").fetchone():
        return False
    (cache,) = store.conn.execute("PRAGMA cache_size").fetchone()
    # A big transaction spills dirty pages to the WAL again and again with the
    # default 2 MB cache; 512 MB keeps the op indexes in memory (idf: 6.7 GB
    # written -> about the database's size).
    store.conn.execute("PRAGMA cache_size = -524288")
    try:
        _write(store, scale)
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return True


def _write(store: Store, scale: Scale) -> None:
    with store.transaction():
        if store.profile.role is None and store.profile.name is None:
            store.set_profile(name=data.PILOT, role="pilot")
        project_id = store.ensure_project(data.PROJECT, data.TERRITORY, entity_id=_id("project"))
        builder = _Builder(store, scale, project_id)
        builder.build()
        changes = builder.changes()
        while chunk := list(itertools.islice(changes, CHUNK)):
            store.record(chunk, reason=reasons.code("reason.demo"))


def work_order_residences(store: Store, technician: str) -> int:
    """How many residences the technician's open work orders hold (what the route shows
    them; the whole territory when there is none, see `progress.route`)."""
    (n,) = store.conn.execute(
        "SELECT count(DISTINCT j.value) FROM work_orders w, json_each(w.residence_ids) j "
        "WHERE w.technician = ? AND coalesce(w.status, 'open') != 'closed'", (technician,),
    ).fetchone()
    return n


def counts(store: Store) -> dict[str, int]:
    """What the territory holds, for the command's summary line."""
    row = store.conn.execute(
        "SELECT (SELECT count(*) FROM landlords), (SELECT count(*) FROM communes), "
        "(SELECT count(*) FROM residences), (SELECT count(*) FROM halls), "
        "(SELECT coalesce(sum(dwellings), 0) FROM halls)"
    ).fetchone()
    return dict(zip(("landlords", "communes", "residences", "halls", "dwellings"), row))
