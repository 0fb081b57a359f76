"""A policy file the author meant to be read is never dropped in silence: complexes/x.YAML or a subfolder of
complexes/ or rules/ refuses the policy at that file, in Dutch and English, also when the policy was cached."""

from __future__ import annotations

import shutil

import pytest

from conftest import OB, run


@pytest.fixture
def pol(tmp_path):
    root = tmp_path / "pol"
    shutil.copytree(OB, root)
    return root


def test_upper_case_extension_is_refused_at_the_file(pol):
    assert run("validate", pol).exit_code == 0  # read once, so that a kept result exists
    (pol / "complexes" / "zw-asn-01.yaml").rename(pol / "complexes" / "zw-asn-01.YAML")
    result = run("validate", pol)
    assert result.exit_code == 1
    assert f"{pol}/complexes/zw-asn-01.YAML: policy-file-not-read: dit bestand wordt niet gelezen" in result.output
    assert "hernoem het naar zw-asn-01.yaml" in result.output
    english = run("validate", pol, "--lang", "en")
    assert "this file is not read: complexes/ reads only files ending in .yaml or .yml" in english.output


def test_a_subfolder_of_complexes_is_refused(pol):
    (pol / "complexes" / "nieuw").mkdir()
    shutil.move(pol / "complexes" / "zw-asn-02.yaml", pol / "complexes" / "nieuw" / "zw-asn-02.yaml")
    result = run("evaluate", pol, "--unit", "ZW-ASN-01-A01", "--household",
                 OB / "examples" / "households" / "regulier-1p.yaml")
    assert result.exit_code != 0
    assert f"{pol}/complexes/nieuw: policy-folder-not-read" in result.output
    assert "Traceback" not in result.output


def test_hidden_and_lower_case_files_are_as_before(pol):
    (pol / "complexes" / ".zw-asn-01.yaml.swp").write_text("x", encoding="utf-8")
    (pol / "complexes" / "zw-asn-01.yaml").rename(pol / "complexes" / "zw-asn-01.yml")
    assert run("validate", pol).exit_code == 0
