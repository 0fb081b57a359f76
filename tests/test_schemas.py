"""Every schema is valid 2020-12, every property is described, and every example file validates."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from conftest import POLICIES, ROOT
from rules_engine.load.load import read_document
from rules_engine.load.schemas_check import KINDS, schema_text

SCHEMA_FILES = sorted((ROOT / "schemas").glob("*.json"))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_2020_12(path):
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _properties(node, path=""):
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{path}/{name}", sub
        for key, sub in node.items():
            yield from _properties(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{path}/{i}")


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_property_is_described_and_objects_are_closed(path):
    schema = json.loads(path.read_text())
    for where, prop in _properties(schema):
        assert "description" in prop, where

    def closed(node, where=""):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, where
            for k, v in node.items():
                closed(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                closed(v, f"{where}/{i}")
    closed(schema)


def test_every_kind_has_a_schema_file():
    for kind in KINDS:
        if (ROOT / "schemas" / f"{kind}.json").exists():
            assert json.loads(schema_text(kind))["$id"].endswith(f"/{kind}.json")


def _example_files():
    for policy in sorted(p for p in POLICIES.iterdir() if p.is_dir()):
        yield policy / "policy.yaml", "policy"
        yield policy / "parameters.yaml", "parameters"
        yield policy / "rules.yaml", "rules"
        yield policy / "occupancy.yaml", "occupancy"
        for f in sorted((policy / "complexes").glob("*.yaml")):
            yield f, "complex"
        for f in sorted((policy / "examples" / "households").glob("*.yaml")):
            yield f, "household"
        for f in sorted((policy / "tests").glob("*.yaml")):
            yield f, "testcase"
    for f in sorted((ROOT / "rules_engine" / "scaffold" / "policy").rglob("*.yaml")):
        kind = {"policy.yaml": "policy", "parameters.yaml": "parameters", "rules.yaml": "rules",
                "occupancy.yaml": "occupancy"}.get(f.name, "testcase" if f.parent.name == "tests" else "complex")
        yield f, kind


@pytest.mark.parametrize("path,kind", list(_example_files()), ids=lambda v: str(v)[-40:])
def test_example_file_validates(path, kind):
    source, problems = read_document(str(path), kind)
    assert problems == [], [p.format("en") for p in problems]
    assert source is not None
