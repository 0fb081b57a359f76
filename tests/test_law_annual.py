"""The annual report counts advice followed and not followed by hand, shows the free allocation room used,
counts placements apart, and has a fairness section with small-count suppression."""

from __future__ import annotations

import pytest

from conftest import OB, run
from rules_engine.stock.annual import annual_report
from rules_engine.api import load_policy
from rules_engine.allocation.decision_log import read_log
from rules_engine.stock.fairness import CAUTION, fairness_counts
from rules_engine.load.occupancy import load_occupancy

# (household, category, size, income, unit, letting date, route, review) -- a small year, counted by hand below.
# ZW-ASN-01-A01 and -B01 have 2 or 3 rooms; A03, A07 and B02 4 or 5 (woninggrootte advises against one person).
YEAR = [
    ("hh-p1", "actief", 2, 40000, "ZW-ASN-01-A01", "2025-02-01", None, ("--followed",)),            # passend, followed
    ("hh-p2", "actief", 2, 40000, "ZW-ASN-01-B01", "2025-02-15", None, None),                       # passend, no review
    ("hh-w1", "regulier", 1, 45000, "ZW-ASN-01-A03", "2025-04-01", None, None),                     # ontraden, let anyway
    ("hh-w2", "regulier", 1, 45000, "ZW-ASN-01-A07", "2025-05-01", None,
     ("--deviated", "--outcome", "passend", "--reason", "doorstroming")),                            # ontraden, deviated
    ("hh-w3", "regulier", 1, 45000, "ZW-ASN-01-B02", "2025-07-01", None, ("--followed",)),          # ontraden 'followed', let
    ("hh-r1", "actief", 2, 60000, "ZW-ASN-01-B03", "2025-08-01", None,
     ("--deviated", "--outcome", "passend", "--reason", "urgentie", "--free-room", "daeb", "--force")),  # niet toegestaan
    ("hh-u1", "aandacht", 2, 24500, "ZW-ASN-01-B08", "2025-10-01", "urgentie", ("--followed",)),   # plaatsing
]
NO_LOG = ("hh-n1", "aandacht", "ZW-ASN-01-B05", "2025-11-01")  # a letting without a logged advice


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("year")
    occ = tmp / "occ.yaml"
    rows = [f"  - {{unit: {u}, household: {h}, category: {c}, valid_from: {d}}}\n" for h, c, _, _, u, d, _, _ in YEAR]
    rows.append("  - {unit: %s, household: %s, category: %s, valid_from: %s}\n" % (NO_LOG[2], NO_LOG[0], NO_LOG[1],
                                                                                   NO_LOG[3]))
    occ.write_text("occupancy:\n" + "".join(rows), encoding="utf-8")
    log = tmp / "d.log"
    advice = {}
    for h, c, size, income, unit, date, route, review in YEAR:
        f = tmp / f"{h}.yaml"
        f.write_text(f"id: {h}\nsize: {size}\nincome: {income}\ncategory: {c}\n" + (f"route: {route}\n" if route else ""),
                     encoding="utf-8")
        res = run("evaluate", OB, "--unit", unit, "--household", f, "--date", date, "--occupancy", occ, "--log", log)
        assert res.exit_code == 0, res.output
        rec = read_log(str(log)).records[-1]
        advice[h] = rec["outcome"]
        if review:
            res = run("log", "review", rec["decision_id"], *review, "--reviewer", "mw-7", "--log", log, "--lang", "en")
            assert res.exit_code == 0, res.output
    # the advice each letting got, as the example policy gives it on an almost empty complex
    assert advice == {"hh-p1": "passend", "hh-p2": "passend", "hh-w1": "ontraden", "hh-w2": "ontraden",
                      "hh-w3": "ontraden", "hh-r1": "niet_toegestaan", "hh-u1": "plaatsing"}
    program = load_policy(str(OB))
    return annual_report(program.policy, load_occupancy(str(occ), program.policy), 2025, str(log)), occ, log


def test_followed_and_not_followed_against_hand_counted_figures(year):
    r, _, _ = year
    # followed: hh-p1 (reviewed), hh-p2 (passend, no review). Not followed: hh-w1 (ontraden, let without a
    # review), hh-w2 (deviated), hh-w3 (recorded as followed, but the household moved in against ontraden),
    # hh-r1 (niet toegestaan, deviated in the free room). Apart: hh-u1 (plaatsing), hh-n1 (no advice logged).
    assert r.advice_counts() == {"followed": 2, "overridden": 4, "placement": 1, "no_advice": 1}
    assert sum(r.advice_counts().values()) == len(r.lettings) == 8
    md = run("report", "annual", OB, "--year", "2025", "--occupancy", year[1], "--log", year[2],
             "--format", "markdown").output
    assert "| opgevolgd | 2 |" in md
    assert "| niet opgevolgd (afgeweken, of verhuurd tegen het advies in) | 4 |" in md
    assert "| plaatsing via een route (apart geteld) | 1 |" in md
    assert "| geen advies vastgelegd | 1 |" in md


def test_the_annual_report_shows_the_free_room_used_against_its_limit(year):
    r, occ, log = year
    rooms = {x.key: x for x in r.rooms}
    # 8 lettings: 7,5 % is 0,6, so the DAEB room holds no letting; hh-r1 used it (recorded with --force)
    assert (rooms["daeb"].lettings, rooms["daeb"].allowed, rooms["daeb"].used, rooms["daeb"].beyond) == (8, 0, 1, 1)
    assert not rooms["daeb"].within and rooms["passend_toewijzen"].used == 0 and rooms["passend_toewijzen"].within
    md = run("report", "annual", OB, "--year", "2025", "--occupancy", occ, "--log", log, "--format", "markdown",
             "--lang", "en").output
    assert "## Free allocation room" in md
    assert "| daeb | 7.5% | 8 | 0 | 1 | 1 | room exceeded |" in md, md
    assert "| passend_toewijzen | 5.0% | 8 | 0 | 0 | 0 | within the room |" in md


def test_the_fairness_section_counts_per_category_and_period(year):
    r, occ, log = year
    counts = fairness_counts(r)
    # regulier: three candidates in Q2-Q3, all advised against; one of the two reviewed deviated
    assert [counts[(m, "regulier", "jaar")] for m in ("candidates", "against", "reviewed", "deviated", "lettings")] \
        == [3, 3, 2, 1, 3]
    assert (counts[("candidates", "regulier", "Q2")], counts[("candidates", "regulier", "Q3")]) == (2, 1)
    # actief: hh-p1, hh-p2 (Q1, passend) and hh-r1 (Q3, niet toegestaan, deviated)
    assert [counts[(m, "actief", "jaar")] for m in ("candidates", "against", "reviewed", "deviated")] == [3, 1, 2, 1]
    # aandacht: the placement (not advised against) and the letting without logged advice
    assert (counts[("candidates", "aandacht", "jaar")], counts[("against", "aandacht", "jaar")],
            counts[("lettings", "aandacht", "jaar")]) == (1, 0, 2)
    md = run("report", "annual", OB, "--year", "2025", "--occupancy", occ, "--log", log, "--format",
             "markdown").output
    assert "## Hoe elke categorie het vergaat" in md
    assert "| Regulier | jaar | 3 | 3 | 100,0 % | 2 | 1 | 50,0 % | 3 | 37,5 % |" in md, md
    assert "| Regulier | Q2 | 2 | 2 | 100,0 % | 1 | 1 | 100,0 % | 2 | 100,0 % |" in md
    assert CAUTION[0][:60] in md


def test_the_public_report_suppresses_the_small_counts_of_the_fairness_section(year):
    _, occ, log = year
    md = run("report", "annual", OB, "--year", "2025", "--occupancy", occ, "--log", log, "--format", "markdown",
             "--public", "--lang", "en").output
    section = md.split("## How each category fares", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| Regular") or line.startswith("| Active")]
    assert rows and all(cell.strip() in ("&lt;5", "-", "Q1", "Q2", "Q3", "Q4", "year", "Regular", "Active", "0",
                                         "x", "")
                        for row in rows for cell in row.split("|")), rows
    assert "| Regular | year | &lt;5 | &lt;5 | - | &lt;5 | &lt;5 | - | &lt;5 | - |" in section  # Markdown-escaped <5
    assert CAUTION[1][:60] in md
    csv = run("report", "annual", OB, "--year", "2025", "--occupancy", occ, "--log", log, "--format", "csv",
              "--public").output
    assert "fairness;Regulier;jaar;<5;<5;-;<5;<5;-;<5;-" in csv
    assert "fairness_caution;" in csv
