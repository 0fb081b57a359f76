"""click's own usage errors (an unknown option, a missing argument, a bad value) are shown Dutch first, then in
English, like every other message; the exit code stays 2 and no traceback is shown."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import OB, ROOT, run
from rules_engine.cli.usage_words import dutch


@pytest.mark.parametrize("args, nl, en", [
    (["evaluate", OB, "--nope"], "Fout: onbekende optie '--nope'.", "Error: No such option '--nope'."),
    (["evaluate"], "Fout: het argument 'POLICY' ontbreekt.", "Error: Missing argument 'POLICY'."),
    (["evaluate", OB, "--batch", "x.csv", "--jobs", "0"],
     "Fout: ongeldige waarde voor '--jobs': 0 ligt niet in het bereik 1<=x<=64.",
     "Error: Invalid value for '--jobs': 0 is not in the range 1<=x<=64."),
    (["nosuch"], "Fout: onbekende opdracht 'nosuch'.", "Error: No such command 'nosuch'."),
    (["evaluate", OB, "--unit", "X"], "Fout: geef --unit en --household (of --batch BESTAND)",
     "Error: give --unit and --household (or --batch FILE)"),
])
def test_usage_errors_are_dutch_first(args, nl, en):
    result = run(*args)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert nl in lines and en in lines and lines.index(nl) == lines.index(en) - 1
    assert "Traceback" not in result.output


def test_the_installed_command_shows_it_on_standard_error():
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "evaluate", str(OB), "--nope"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "Zie 'cli.py evaluate --help' voor hulp" in done.stderr
    assert "Fout: onbekende optie '--nope'.\nError: No such option '--nope'." in done.stderr


def test_json_error_document_has_the_dutch():
    result = run("evaluate", OB, "--nope", "--format", "json")
    start = result.output.index("{")
    doc = json.loads(result.output[start:result.output.rindex("}") + 1])
    assert doc["errors"][0]["message"]["nl"].endswith("onbekende optie '--nope'.")


def test_an_unknown_message_is_not_half_translated():
    assert dutch("Something click may say one day.") is None
    assert dutch("No such option '--x'. Did you mean --unit?") == "onbekende optie '--x'. Bedoelt u --unit?"
