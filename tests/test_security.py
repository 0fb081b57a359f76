"""Issue 16: the attack review, one test per finding, each through the real command.

Every test asserts the refusal (or that the attack has no effect), no traceback, and no side effect:
no file written, no code run, no line of a file outside the policy printed.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

from conftest import ROOT, mutate, run
from rules_engine.load import cache, cache_key

PASSWD = "/etc/passwd"
needs_passwd = pytest.mark.skipif(not os.path.isfile(PASSWD), reason="needs /etc/passwd")


def _clean(result) -> str:
    """The output of a command, asserting it holds no traceback and no internal error."""
    assert "Traceback" not in result.output and "interne fout" not in result.output, result.output
    return result.output


def _no_passwd_lines(output: str) -> None:
    with open(PASSWD, encoding="utf-8", errors="replace") as fh:
        lines = [line.strip() for line in fh if len(line.strip()) > 8]
    assert not any(line in output for line in lines), output


# --- 2. no code from data: the policy cache ---------------------------------------------------------------

class _Ref:
    """A global named by a dotted path: the old unpickler resolved 'Policy.__init__.__class__' to FunctionType."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):
        raise AssertionError("only pickled, never called here")


def _save_ref(pickler, obj):
    pickler.save(obj.module)
    pickler.save(obj.name)
    pickler.write(pickle.STACK_GLOBAL)


class _Pickler(pickle._Pickler):
    dispatch = pickle._Pickler.dispatch.copy()
    dispatch[_Ref] = _save_ref


def _code_args(code) -> tuple:
    c = code
    if sys.version_info >= (3, 11):
        return (c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_nlocals, c.co_stacksize, c.co_flags,
                c.co_code, c.co_consts, c.co_names, c.co_varnames, c.co_filename, c.co_name, c.co_qualname,
                c.co_firstlineno, c.co_linetable, c.co_exceptiontable, c.co_freevars, c.co_cellvars)
    return (c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_nlocals, c.co_stacksize, c.co_flags,
            c.co_code, c.co_consts, c.co_names, c.co_varnames, c.co_filename, c.co_name, c.co_firstlineno,
            c.co_linetable if sys.version_info >= (3, 10) else c.co_lnotab, c.co_freevars, c.co_cellvars)


class _Code:
    def __init__(self, source: str):
        self.source = source

    def __reduce__(self):
        return _Ref("rules_engine.model.policy", "Policy.__init__.__code__.__class__"), _code_args(compile(self.source, "x", "exec"))


class _Function:
    def __init__(self, source: str):
        self.source = source

    def __call__(self):
        raise AssertionError("only pickled, never called here")

    def __reduce__(self):
        return _Ref("rules_engine.model.policy", "Policy.__init__.__class__"), (_Code(self.source), {})


class _Run:
    def __init__(self, source: str):
        self.source = source

    def __reduce__(self):
        return _Function(self.source), ()  # unpickling calls the function built from the code


def _payload(marker) -> bytes:
    """A pickle that, read by the old unpickler, writes marker: CodeType and FunctionType reached through model."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=4).dump(_Run(f"open({str(marker)!r}, 'w').write('pwned')"))
    return buffer.getvalue()


def test_the_payload_runs_code_in_a_plain_unpickler(tmp_path):
    """The payload is real: pickle itself runs it (so the tests below can fail)."""
    marker = tmp_path / "marker"
    pickle.loads(_payload(marker))
    assert marker.read_text() == "pwned"


@pytest.fixture
def cache_env(policy_copy, tmp_path, monkeypatch):
    """A cache and a configuration folder of this test, in this process and in the commands it starts."""
    env = {**os.environ, "MAGICMIX_CACHE_DIR": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("MAGICMIX_CACHE", None)
    for name in ("MAGICMIX_CACHE_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.delenv("MAGICMIX_CACHE", raising=False)
    (tmp_path / "cache").mkdir(mode=0o700)
    return env


def _status(env, cwd):
    """magicmix status in a separate process, as staff would run it."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "status", "pol", "--date", "2025-06-01"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("with_the_key", [False, True], ids=["forged", "signed-with-a-stolen-key"])
def test_a_crafted_cache_entry_never_runs_code(cache_env, tmp_path, with_the_key):
    marker = tmp_path / "marker"
    key = cache.policy_key("pol")
    head = cache._MAGIC + key.encode("ascii")
    data = head + b"\0" * cache._MAC + _payload(marker)
    if with_the_key:  # even an attacker who could read the key gets only data built: the unpickler names exact classes
        secret = cache_key.entry_key(cache_env["MAGICMIX_CACHE_DIR"])
        data = head + cache._mac(secret, data, len(head) + cache._MAC) + data[len(head) + cache._MAC:]
    entry = tmp_path / "cache" / f"policy-{key}.pickle"
    entry.write_bytes(data)
    os.chmod(entry, 0o600)
    proc = _status(cache_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    assert "Traceback" not in proc.stderr and "interne fout" not in proc.stderr
    assert not entry.exists() or entry.read_bytes() != data  # refused and removed


def test_the_cache_key_is_private_and_outside_the_cache(cache_env, tmp_path):
    secret = cache_key.entry_key(cache_env["MAGICMIX_CACHE_DIR"])
    path = tmp_path / "config" / "magicmix" / "cache.key"
    assert secret is not None and len(secret) == 32 and path.read_bytes() == secret
    assert os.stat(path).st_mode & 0o777 == 0o600 and os.stat(path.parent).st_mode & 0o077 == 0
    assert cache_key.entry_key(cache_env["MAGICMIX_CACHE_DIR"]) == secret  # made once
    os.chmod(path, 0o644)
    assert cache_key.entry_key(cache_env["MAGICMIX_CACHE_DIR"]) is None  # readable by others: not used


def test_no_cache_when_the_key_would_lie_in_the_cache_folder(cache_env, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cache" / "config"))
    run("validate", "pol")  # validate does not cache; status does
    from rules_engine import load_policy

    load_policy("pol")
    assert list((tmp_path / "cache").glob("policy-*.pickle")) == []
    assert not (tmp_path / "cache" / "config" / "magicmix" / "cache.key").exists()


def test_the_cache_key_covers_modules_in_subpackages(tmp_path, monkeypatch):
    package = tmp_path / "rules_engine"
    shutil.copytree(os.path.dirname(cache.__file__), package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "sub").mkdir(exist_ok=True)
    (package / "sub" / "moved.py").write_text("X = 1\n")
    monkeypatch.setattr(cache, "_PACKAGE", str(package))
    assert "sub/moved.py" in cache._modules(str(package))
    cache._code_digest.cache_clear()
    before = cache._code_digest()
    (package / "sub" / "moved.py").write_text("X = 2\n")
    cache._code_digest.cache_clear()
    try:
        assert cache._code_digest() != before
    finally:
        cache._code_digest.cache_clear()


# --- 4. git: revisions are checked wherever they come from -----------------------------------------------

def _git(*args, cwd):
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def repo(policy_copy, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git("init", "-q", cwd=tmp_path)
    _git("add", "-A", cwd=tmp_path)
    _git("commit", "-qm", "beleid", cwd=tmp_path)
    return tmp_path


def test_a_log_record_cannot_make_git_write_a_file(repo):
    log = repo / "besluiten.jsonl"
    _clean(run("evaluate", "pol", "--unit", "ZW-ASN-01-A09", "--household", "pol/examples/households/aandacht-2p.yaml",
               "--date", "2025-06-01", "--log", log))
    records = [json.loads(line) for line in log.read_text().splitlines()]
    target = repo / "x.tar"
    for rec in records:
        if rec.get("type") == "decision":
            rec["policy"]["git"].update(commit=f"--output={target}", path="HEAD")
    log.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run("log", "replay", log)
    out = _clean(result)
    assert not target.exists() and not (repo / "pol" / "x.tar").exists()
    assert "--output" in out and ("unknown revision" in out or "onbekende revisie" in out)


def test_a_diff_revision_cannot_be_an_option_of_git(repo):
    target = repo / "y.tar"
    result = run("diff", f"git:--output={target}:pol", "pol")
    assert result.exit_code == 2 and "onbekende revisie" in _clean(result)
    assert not target.exists()


# --- 3. files: only regular files, inside the policy --------------------------------------------------------

@needs_passwd
@pytest.mark.parametrize("where", ["examples/households/x.yaml", "complexes/zz.yaml", "occupancy.yaml"])
def test_a_link_out_of_the_policy_is_refused_and_never_echoed(policy_copy, where):
    link = policy_copy / where
    if link.exists():
        link.unlink()
    os.symlink(PASSWD, link)
    result = run("validate", "pol")
    out = _clean(result)
    assert result.exit_code == 1 and "outside-policy" in out
    _no_passwd_lines(out)


def test_a_link_inside_the_policy_is_read(policy_copy):
    households = policy_copy / "examples" / "households"
    os.symlink(households / "aandacht-2p.yaml", households / "kopie.yaml")
    assert run("validate", "pol").exit_code == 0


@needs_passwd
def test_a_test_case_cannot_name_a_file_outside_the_policy(policy_copy):
    (policy_copy / "tests" / "buiten.yaml").write_text(
        "tests:\n  - name: buiten\n    given:\n"
        "      household: {size: 2, income: 24500, category: aandacht}\n"
        "      unit: ZW-ASN-01-A09\n      date: 2025-06-01\n"
        "      occupancy: {file: ../../../../../../../../etc/passwd}\n"
        "    expect:\n      outcome: ontraden\n", encoding="utf-8")
    result = run("test", "pol")
    out = _clean(result)
    assert result.exit_code == 1 and "buiten de beleidsmap" in out
    _no_passwd_lines(out)


# --- 5. hangs: pipes, devices, growing numbers, deep nesting --------------------------------------------

@pytest.mark.hang_guard(30)
@pytest.mark.parametrize("where", ["occupancy.yaml", "complexes/zz.yaml"])
@pytest.mark.parametrize("command", ["validate", "status"])
def test_a_fifo_in_the_policy_is_refused_without_blocking(policy_copy, where, command):
    path = policy_copy / where
    if path.exists():
        path.unlink()
    os.mkfifo(path)
    args = ["status", "pol", "--date", "2025-06-01"] if command == "status" else ["validate", "pol"]
    result = run(*args)
    assert result.exit_code in (1, 2) and "not-regular-file" in _clean(result)


@pytest.mark.hang_guard(30)
def test_a_link_to_a_device_is_refused_without_reading(policy_copy):
    if not os.path.exists("/dev/zero"):
        pytest.skip("needs /dev/zero")
    os.symlink("/dev/zero", policy_copy / "complexes" / "zz.yaml")
    os.symlink("/dev/zero", "huishouden.yaml")  # named on the command line: refused as a device, not read
    result = run("validate", "pol")
    assert result.exit_code == 1 and "outside-policy" in _clean(result)
    os.unlink(policy_copy / "complexes" / "zz.yaml")
    result = run("evaluate", "pol", "--unit", "ZW-ASN-01-A09", "--household", "huishouden.yaml", "--date", "2025-06-01")
    assert result.exit_code == 2 and "not-regular-file" in _clean(result)


def _squaring_definitions(policy, n: int) -> None:
    defs = "".join(f"  kwadraat{i}:\n    label: {{nl: k, en: k}}\n    unit: number\n    cases:\n"
                   f"      - otherwise: {'household.income' if i == 0 else f'def.kwadraat{i - 1} * def.kwadraat{i - 1}'}\n"
                   for i in range(n))
    mutate(policy / "rules.yaml", "definitions:\n", "definitions:\n" + defs)
    mutate(policy / "rules.yaml", "    condition: unit.rent > def.aftoppingsgrens\n",
           f"    condition: unit.rent > def.aftoppingsgrens and def.kwadraat{n - 1} > 0\n")


@pytest.mark.hang_guard(30)
def test_definitions_that_square_each_other_are_refused_quickly(policy_copy):
    _squaring_definitions(policy_copy, 30)
    start = time.monotonic()
    result = run("validate", "pol")
    out = _clean(result)
    assert result.exit_code == 1 and "64" in out and "factoren" in out
    assert "rules.yaml:" in out  # file:line:column
    assert time.monotonic() - start < 10


def test_a_short_squaring_chain_is_fine(policy_copy):
    _squaring_definitions(policy_copy, 5)  # 16 factors
    assert run("validate", "pol").exit_code == 0


def test_numbers_too_large_to_compute_are_unknown_not_computed(policy_copy):
    big = " * ".join(["999999999999999999999999999999999999999"] * 30)  # 30 factors: allowed, but 1,170 digits
    mutate(policy_copy / "rules.yaml", "    condition: unit.rent > def.aftoppingsgrens\n",
           f"    condition: unit.rent * {big} > def.aftoppingsgrens\n")
    assert run("validate", "pol").exit_code == 0
    result = run("evaluate", "pol", "--unit", "ZW-ASN-01-A09", "--household",
                 "pol/examples/households/regulier-1p.yaml", "--date", "2025-06-01", "--details")
    assert "meer dan 1000 cijfers" in _clean(result)


@pytest.mark.hang_guard(30)
def test_ten_thousand_brackets_in_a_household_are_refused_quickly(policy_copy):
    (policy_copy / "examples" / "households" / "diep.yaml").write_text("[" * 10_000 + "\n")
    start = time.monotonic()
    result = run("validate", "pol")
    assert result.exit_code == 1 and "too-deep" in _clean(result)
    assert time.monotonic() - start < 5


# --- 9. crashes become refusals ----------------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_deep_json_in_a_saved_report_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "besluit.json").write_text(DEEP)
    result = run("report", "besluit.json")
    assert result.exit_code == 2 and "te diep" in _clean(result)


def test_deep_json_in_a_decision_log_is_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "besluiten.jsonl").write_text('{"type": "decision", "x": ' + DEEP + "}\n")
    for command in ("list", "replay"):
        result = run("log", command, "besluiten.jsonl")
        assert result.exit_code in (0, 1, 2) and "overgeslagen" in _clean(result)


def test_deep_json_in_a_batch_row_skips_that_row(policy_copy):
    row = {"id": "h1", "size": 2, "income": 24500, "category": "aandacht", "unit": "ZW-ASN-01-A09"}
    (policy_copy.parent / "rijen.jsonl").write_text(json.dumps(row) + "\n" + '{"id": ' + DEEP + "}\n")
    result = run("evaluate", "pol", "--batch", "rijen.jsonl", "--date", "2025-06-01")
    out = _clean(result)
    assert result.exit_code in (0, 1) and '"row": 1' in out and "rijen.jsonl:2" in out


@pytest.mark.parametrize("condition", ["1*" * 599 + "1 > 0", "household.size" + ".a" * 900 + " > 0",
                                       " and ".join(["true"] * 150)],
                         ids=["600-factors", "900-attributes", "150-ands"])
def test_a_condition_with_too_many_operations_is_refused(policy_copy, condition):
    mutate(policy_copy / "rules.yaml", "    condition: unit.rent > def.aftoppingsgrens\n",
           f"    condition: \"{condition}\"\n")
    result = run("validate", "pol")
    out = _clean(result)
    assert result.exit_code == 1 and "rules.yaml:" in out and ("bewerkingen" in out or "te lang" in out)


def _damaged_workbook(path, damage) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["unit", "household", "category", "valid_from"])
    book.save(path)
    data = bytearray(path.read_bytes())
    damage(data, data.find(b"PK\x01\x02"))  # the first entry of the central directory
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [
    lambda d, at: d.__setitem__(at + 6, 145),  # 'version needed to extract' 14.5: NotImplementedError
    lambda d, at: (d.__setitem__(slice(at + 8, at + 10), (0x0800).to_bytes(2, "little")),
                   d.__setitem__(at + 46, 0xFF)),  # a UTF-8 name that is not UTF-8: UnicodeDecodeError
], ids=["version", "name"])
def test_a_workbook_with_a_damaged_zip_header_is_refused(policy_copy, damage):
    path = policy_copy.parent / "bezetting.xlsx"
    _damaged_workbook(path, damage)
    with pytest.raises((NotImplementedError, UnicodeDecodeError)):
        zipfile.ZipFile(path)  # what used to escape as an internal error
    result = run("status", "pol", "--occupancy", "bezetting.xlsx", "--date", "2025-06-01")
    assert result.exit_code == 2 and "Excel" in _clean(result)


@pytest.mark.hang_guard(30)
@pytest.mark.parametrize("args", [
    ("status", "pol", "--date", "2025-06-01", "--occupancy", "export.csv"),
    ("evaluate", "pol", "--batch", "export.csv", "--date", "2025-06-01"),
])
def test_a_fifo_named_on_the_command_line_is_refused_without_blocking(policy_copy, args):
    os.mkfifo("export.csv")  # an occupancy export or a batch file that is a pipe: nobody ever writes to it
    result = run(*args)
    assert result.exit_code == 2 and "export.csv: not-regular-file" in _clean(result)
