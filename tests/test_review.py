"""Decision review records: followed or deviated, by whom and when, reason codes, and the free allocation room."""

from __future__ import annotations

import json

import pytest

from conftest import OB, mutate, run
from rules_engine.api import load_policy
from rules_engine.allocation.decision_log import append_records, read_log, review_record
from rules_engine.model.deviations import note_warnings
from rules_engine.diagnostics import PolicyError
from rules_engine.allocation.reviews import latest_reviews, room_use


def _decide(tmp_path, name: str, income: int, unit: str = "ZW-ASN-01-A01", date: str = "2025-05-01",
            log: str = "d.log") -> dict:
    """Log one decision for a two-person actief household and return its record."""
    h = tmp_path / f"{name}.yaml"
    h.write_text(f"id: {name}\nsize: 2\nincome: {income}\ncategory: actief\n", encoding="utf-8")
    res = run("evaluate", OB, "--unit", unit, "--household", h, "--date", date, "--log", tmp_path / log)
    assert res.exit_code == 0, res.output
    return read_log(str(tmp_path / log)).records[-1]


@pytest.fixture(scope="module")
def program():
    return load_policy(str(OB))


def _review(program, decision, **kw):
    args = dict(followed=False, outcome="passend", reviewer="mw-0042", reason=None, note=None, free_room=None)
    args.update(kw)
    return review_record(decision, program=program, **args)


def _refusal(program, decision, **kw) -> str:
    with pytest.raises(PolicyError) as err:
        _review(program, decision, **kw)
    return " ".join(d.format("en") for d in err.value.diagnostics)


def test_review_record_has_the_agreed_shape_and_its_refusals(tmp_path, program):
    legal = _decide(tmp_path, "hh-rich", 60000)  # above the DAEB limit of 2025 for two (54.847): niet toegestaan
    assert legal["outcome"] == "niet_toegestaan"
    rec = _review(program, legal, reason="urgentie", free_room="daeb", note="  ")
    assert set(rec) == {"type", "record_version", "review_id", "decision_id", "timestamp", "advice", "followed",
                        "outcome", "reviewer", "reason", "note", "free_room"}
    assert (rec["type"], rec["advice"], rec["followed"], rec["outcome"], rec["reviewer"], rec["reason"],
            rec["note"], rec["free_room"]) == ("review", "niet_toegestaan", False, "passend", "mw-0042",
                                               "urgentie", None, "daeb")
    assert rec["review_id"].startswith("r-") and rec["decision_id"] == legal["decision_id"]
    assert "give the code of the reason" in _refusal(program, legal, free_room="daeb")
    assert "'geen-code' is not an allowed value; choose from: urgentie, maatwerk-wijkteam" in \
        _refusal(program, legal, reason="geen-code", free_room="daeb")
    assert "only within the free allocation room: name which (--free-room)" in _refusal(program, legal, reason="urgentie")
    assert "reason 'doorstroming' may not be used to deviate from a legal outcome" in \
        _refusal(program, legal, reason="doorstroming", free_room="daeb")
    assert "the legal rule that decided uses the room daeb, not passend_toewijzen" in \
        _refusal(program, legal, reason="urgentie", free_room="passend_toewijzen")
    assert "'landelijk' is not an allowed value; choose from: daeb, passend_toewijzen" in \
        _refusal(program, legal, reason="urgentie", free_room="landelijk")
    assert "followed, but the outcome 'passend' is not the advice 'niet_toegestaan'" in \
        _refusal(program, legal, followed=True)
    assert "deviated, but the outcome 'niet_toegestaan' is the advice itself" in \
        _refusal(program, legal, outcome="niet_toegestaan", reason="urgentie", free_room="daeb")
    assert "--reviewer" in _refusal(program, legal, reason="urgentie", free_room="daeb", reviewer="Jan de Vries")
    ok = _decide(tmp_path, "hh-ok", 40000)
    assert ok["outcome"] == "passend"
    followed = _review(program, ok, followed=True)
    assert (followed["followed"], followed["outcome"], followed["reason"]) == (True, "passend", None)
    assert "uses no free allocation room" in _refusal(program, ok, outcome="ontraden", reason="doorstroming",
                                                       free_room="daeb")
    assert _review(program, ok, outcome="ontraden", reason="doorstroming")["reason"] == "doorstroming"


def test_log_review_command_chains_records_and_log_list_shows_them(tmp_path):
    ok = _decide(tmp_path, "hh-ok", 40000)
    log = tmp_path / "d.log"
    start = ok["decision_id"][:8]  # a unique start names the decision, as for log override
    res = run("log", "review", start, "--followed", "--reviewer", "mw-0042", "--log", log, "--lang", "en")
    assert res.exit_code == 0 and res.output.startswith("logged: r-"), res.output
    bad = run("log", "review", ok["decision_id"], "--deviated", "--outcome", "ontraden", "--reviewer", "mw-0042",
              "--log", log, "--lang", "en")
    assert bad.exit_code == 2 and "--reason: bad-input: give the code of the reason" in bad.output
    assert run("log", "review", ok["decision_id"], "--reviewer", "mw-1", "--log", log).exit_code == 2  # neither flag
    assert run("log", "review", "d-nope", "--followed", "--reviewer", "mw-1", "--log", log).exit_code == 2
    records = read_log(str(log)).records
    assert [r["type"] for r in records] == ["decision", "review"] and records[1]["hash"]
    assert records[1]["decision_id"] == ok["decision_id"]
    assert run("log", "replay", log, "--verify").exit_code == 0
    assert f"{ok['decision_id']}" in run("log", "list", log, "--lang", "en").output
    assert "passend  -> passend (followed)" in run("log", "list", log, "--lang", "en").output


def test_a_decision_is_reviewed_once(tmp_path):
    # a later review would silently undo an earlier deviation (and its use of the free room) in the annual report
    rich = _decide(tmp_path, "hh-rich", 60000)
    log = tmp_path / "d.log"
    deviated = run("log", "review", rich["decision_id"], "--deviated", "--outcome", "passend", "--reason", "urgentie",
                   "--free-room", "daeb", "--reviewer", "mw-1", "--log", log, "--force", "--lang", "en")
    assert deviated.exit_code == 0, deviated.output
    again = run("log", "review", rich["decision_id"], "--followed", "--reviewer", "mw-2", "--log", log, "--lang", "en")
    assert again.exit_code == 2 and f"decision {rich['decision_id']} is reviewed already" in again.output
    assert [r["type"] for r in read_log(str(log)).records] == ["decision", "review"]
    assert "(followed)" not in run("log", "list", log, "--lang", "en").output


def test_a_legal_deviation_beyond_the_free_room_is_refused_unless_forced(tmp_path):
    log = tmp_path / "d.log"
    # 2025: 20 lettings followed as advised; 7,5 % of 20 is 1,5: room for one deviation from niet toegestaan.
    for i in range(20):
        rec = _decide(tmp_path, f"hh-{i}", 40000)
        assert run("log", "review", rec["decision_id"], "--followed", "--reviewer", "mw-1", "--log", log).exit_code == 0
    rich = [_decide(tmp_path, f"hh-rich{i}", 60000) for i in range(2)]
    args = ("--deviated", "--outcome", "passend", "--reason", "urgentie", "--free-room", "daeb", "--reviewer",
            "mw-1", "--log", log, "--lang", "en")
    first = run("log", "review", rich[0]["decision_id"], *args)
    assert first.exit_code == 0 and "free allocation room daeb 2025: 1 / 1" in first.output, first.output
    second = run("log", "review", rich[1]["decision_id"], *args)
    assert second.exit_code == 2
    assert "the DAEB free allocation room (7.5% of 22 lettings = 1) is used up in 2025" in second.output
    assert "use --force" in second.output
    assert len(read_log(str(log)).records) == 22 + 21  # nothing written
    forced = run("log", "review", rich[1]["decision_id"], *args, "--force")
    assert forced.exit_code == 0 and "free allocation room daeb 2025: 2 / 1" in forced.output
    last = read_log(str(log)).records[-1]
    assert last["beyond_room"] is True and last["free_room"] == "daeb"
    use = room_use(read_log(str(log)).records, load_policy(str(OB)).policy, "daeb", 2025)
    assert (use.used, use.lettings, use.allowed) == (2, 22, 1)


def test_older_override_records_are_read_as_reviews(tmp_path):
    rec = _decide(tmp_path, "hh-x", 40000)
    log = tmp_path / "d.log"
    assert run("log", "override", rec["decision_id"], "--outcome", "ontraden", "--reason", "vrije tekst",
               "--log", log).exit_code == 0
    review = latest_reviews(read_log(str(log)).records)[rec["decision_id"]]
    assert (review["followed"], review["outcome"], review["reason"], review["advice"]) == \
        (False, "ontraden", "vrije tekst", "passend")


def test_a_note_with_a_name_or_health_term_gets_a_warning():
    found = note_warnings("Overleg met Mevrouw Bakker over haar depressie en de GGZ.")
    texts = [d.format("en") for d in found]
    assert len(found) == 2 and all(d.severity == "warning" for d in found)
    assert "depressie" in texts[0] and "ggz" in texts[0]
    assert "Mevrouw" in texts[1] and "Bakker" in texts[1]
    assert note_warnings("Afspraak met wijkteam gemaakt. Huur wordt per maand betaald via DAEB-regeling.") == []
    assert note_warnings(None) == []


def test_log_review_warns_about_the_note_but_records_it(tmp_path):
    rec = _decide(tmp_path, "hh-x", 40000)
    log = tmp_path / "d.log"
    res = run("log", "review", rec["decision_id"], "--followed", "--reviewer", "mw-1", "--note",
              "gesprek met meneer Pietersen", "--log", log, "--lang", "en")
    assert res.exit_code == 0 and "the note seems to hold a name (Pietersen)" in res.output
    assert read_log(str(log)).records[-1]["note"] == "gesprek met meneer Pietersen"


def test_policy_keys_are_checked(policy_copy):
    p = policy_copy / "policy.yaml"
    mutate(p, "  daeb: 7.5 ", "  daeb: 20 ")
    res = run("validate", "pol", "--lang", "en")
    assert res.exit_code == 1 and "pol/policy.yaml:" in res.output and "20" in res.output, res.output
    mutate(p, "  daeb: 20 ", "  daeb: 0.075 ")  # meant as 7.5 %, read as 0.075 %: a warning naming it
    res = run("validate", "pol", "--lang", "en")
    assert res.exit_code == 0 and "daeb: 0.075 is 0.075 % of the year's lettings" in res.output, res.output
    assert "did you mean 7.5?" in res.output and run("validate", "pol", "--strict").exit_code == 1
    mutate(p, "  daeb: 0.075 ", "  daeb: 7.5 ")
    mutate(p, "  - id: doorstroming\n", "  - id: urgentie\n")
    res = run("validate", "pol", "--lang", "en")
    assert res.exit_code == 1 and "deviation reason 'urgentie' occurs twice" in res.output
    text = p.read_text(encoding="utf-8").replace("    legal: true", "    legal: false")
    p.write_text(text.replace("  - id: urgentie\n    nl: Doorstroming", "  - id: doorstroming\n    nl: Doorstroming"),
                 encoding="utf-8")
    res = run("validate", "pol", "--lang", "en")
    assert res.exit_code == 0 and "no deviation reason has legal: true" in res.output, res.output
    policy = load_policy(str(policy_copy)).policy
    assert [r.id for r in policy.deviation_reasons][:3] == ["urgentie", "maatwerk-wijkteam", "doorstroming"]
    assert json.loads(json.dumps({k: str(v) for k, v in policy.free_allocation_room.items()})) == \
        {"daeb": "15/2", "passend_toewijzen": "5"}


def test_a_rule_names_the_free_room_its_deviations_use(policy_copy):
    rules = policy_copy / "rules.yaml"
    mutate(rules, "    free_room: daeb  #", "    free_room: passend  #")
    res = run("validate", "pol", "--lang", "en")
    assert res.exit_code == 1 and "'passend' is not an allowed value; choose from: daeb, passend_toewijzen" in res.output
    mutate(rules, "    free_room: passend  #", "    free_room: daeb  #")
    mutate(rules, "  - id: portiek-limiet\n", "  - id: portiek-limiet\n    free_room: daeb\n")
    res = run("validate", "pol", "--lang", "en")
    assert res.exit_code == 1 and "rule 'portiek-limiet': free_room belongs to a legal rule only" in res.output


def test_a_review_whose_followed_flag_contradicts_its_outcome_breaks_the_chain_check(tmp_path):
    rec = _decide(tmp_path, "hh-x", 40000)
    log = str(tmp_path / "d.log")
    append_records(log, [{"type": "review", "review_id": "r-1", "decision_id": rec["decision_id"], "advice": "passend",
                          "followed": True, "outcome": "ontraden", "reason": None}])
    res = run("log", "replay", log, "--verify", "--lang", "en")
    assert res.exit_code == 1 and "review without a valid outcome" in res.output


def test_log_override_warns_about_a_free_text_reason_that_names_someone(tmp_path):
    rec = _decide(tmp_path, "hh-x", 40000)
    log = tmp_path / "d.log"
    res = run("log", "override", rec["decision_id"], "--outcome", "ontraden", "--reason",
              "mevrouw is net uit het ziekenhuis", "--log", log, "--lang", "en")
    assert res.exit_code == 0 and "--reason: bad-input (warning): the note seems to hold health or care details " \
        "(ziekenhuis)" in res.output and "the note seems to hold a name (mevrouw/meneer)" in res.output, res.output
