"""The committee's report: the figures of the pilot's desk gathered for one page.

Nothing is computed here that another module defines: the progress and the
coverage are the dashboard's (`dashboard`, over the one status definition), the
money is the costs' (`costs`, rounded once), the late residences are
`lateness`'s, the map's points are `geo`'s. `exports.committee_pdf` draws it.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date

from ..exports import committee_pdf as pdf
from ..i18n import t
from . import costs, dashboard, geo


def _payer(line: costs.Line) -> str:
    return line.payer if line.payer is not None else t(f"costs.payer.{line.payer_kind}")


def build(conn: sqlite3.Connection, today: date, *, with_map: bool = False,
          include_confidential: bool = False) -> pdf.Committee:
    board = dashboard.load(conn, today)
    whole = board.territory
    found = costs.report(conn)
    # the classification (confidential): only when the pilot asks, to flag late sites
    levels = dict(conn.execute("SELECT id, site_level FROM residences WHERE site_level IS NOT NULL")
                  ) if include_confidential else {}
    landlords = [pdf.LandlordBar(g.name or t("committee.no_landlord"), g.halls, g.encoded,
                                 g.failed, g.incompatible, g.no_access, g.dwellings,
                                 g.dwellings_covered)
                 for g in board.groups["landlord"]]
    report = pdf.Committee(
        territory=whole.name or "—", day=today, halls=whole.halls, encoded=whole.encoded,
        failed=whole.failed, incompatible=whole.incompatible, no_access=whole.no_access,
        pending=whole.pending,
        dwellings_qpv=board.coverage["qpv"].dwellings, covered_qpv=board.coverage["qpv"].covered,
        goal_qpv=board.coverage["qpv"].goal if board.coverage["qpv"].goal_set else None,
        dwellings_outside=board.coverage["outside"].dwellings,
        covered_outside=board.coverage["outside"].covered,
        goal_outside=(board.coverage["outside"].goal if board.coverage["outside"].goal_set
                      else None),
        landlords=landlords,
        costs=[pdf.CostLine(_payer(line), line.planned_ht, line.planned_ttc, line.incurred_ht,
                            line.incurred_ttc) for line in found.by_payer()],
        late=[pdf.LateLine(x.name or "—", x.landlord, x.planned_date, x.halls, x.encoded,
                           levels.get(x.residence_id)) for x in board.late],
        confidential=include_confidential,
    )
    if with_map:
        placement = geo.placed_halls(conn)
        report.dots = [pdf.Dot(h.lon, h.lat, h.status) for h in placement.placed]
        report.unplaced = placement.unplaced
        by_commune: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for h in placement.placed:
            by_commune[h.commune or "—"].append((h.lon, h.lat))
        report.places = [pdf.Place(name, sum(p[0] for p in points) / len(points),
                                   sum(p[1] for p in points) / len(points))
                         for name, points in sorted(by_commune.items())]
    return report
