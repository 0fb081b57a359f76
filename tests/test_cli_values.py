"""Option values that would silently mean something else are refused: --top of 0 or less, a mistyped --head."""

from __future__ import annotations

from conftest import OB, run


def test_top_below_one_is_refused():
    for top in ("0", "-1"):
        r = run("rank", str(OB), "--unit", "ZW-ASN-01-A09", "--candidates", str(OB / "examples" / "kandidaten.yaml"),
                "--date", "2025-06-01", "--top", top)
        assert r.exit_code == 2 and "--top" in r.output and "Invalid value" in r.output, r.output


def test_a_mistyped_head_is_no_tampering_alarm(tmp_path):
    log = tmp_path / "decisions.log"
    r = run("evaluate", str(OB), "--unit", "ZW-ASN-01-A09", "--household",
            str(OB / "examples" / "households" / "aandacht-2p.yaml"), "--date", "2025-06-01", "--log", str(log))
    assert r.exit_code == 0, r.output
    r = run("log", "replay", str(log), "--verify", "--head", "sha256:zz")
    assert r.exit_code == 2 and "--head" in r.output and "log-head-missing" not in r.output, r.output
