"""values.schema.json types every value, and README.md documents every value."""

from __future__ import annotations

import json
import re

import helm_python as helm
import jsonschema
import pytest
import yaml

from conftest import CHART_DIR, deep_merge

SCHEMA = json.loads((CHART_DIR / "values.schema.json").read_text())
DEFAULTS = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
README = (CHART_DIR / "README.md").read_text()

WRONG_VALUES = [
    {"replicaCount": "two"},
    {"replicaCount": -1},
    {"image": {"tag": 1.2}},
    {"image": {"pullPolicy": "Sometimes"}},
    {"autoscaling": {"enabled": "yes"}},
    {"autoscaling": {"minReplicas": 0}},
    {"autoscaling": {"targetMemoryUtilizationPercentage": "80%"}},
    {"pdb": {"minAvailable": "half"}},
    {"config": {"logFormat": "xml"}},
    {"config": {"publicUrl": "portail.example.fr"}},
    {"config": {"shutdownGraceSeconds": "25"}},
    {"config": {"mailDir": "/var/mail"}},
    {"config": {"extra": {"DATABASE_URL": "postgres://leak"}}},
    {"config": {"extra": {"bad name": "x"}}},
    {"secrets": {"databaseUrl": "mysql://db/portail"}},
    {"secrets": {"redisUrl": "http://cache"}},
    {"secrets": {"extra": {"REDIS_URL": "redis://other"}}},
    {"existingSecret": True},
    {"resources": {"limits": {"memory": "lots"}}},
    {"resources": {"limit": {"memory": "1Gi"}}},
    {"containerPorts": {"http": 70000}},
    {"service": {"type": "ExternalName"}},
    {"ingress": {"enabled": True, "hosts": [{"host": "Portail_Example", "paths": [{"path": "/"}]}]}},
    {"ingress": {"tls": "portail-tls"}},
    {"livenessProbe": {"successThreshold": 2}},
    {"readinessProbe": {"periodSeconds": "5s"}},
    {"containerSecurityContext": {"readOnlyRootFilesystem": "true"}},
    {"podSecurityContext": {"runAsUser": "10001"}},
    {"topologySpread": {"zone": {"whenUnsatisfiable": "Sometimes"}}},
    {"networkPolicy": {"egress": {"postgresql": {"ports": ["5432"]}}}},
    {"networkPolicy": {"egress": {"smtp": {"cidrs": ["smtp.example.fr"]}}}},
    {"metrics": {"serviceMonitor": {"interval": 30}}},
    {"migrations": {"hookWeight": "0"}},
    {"migrations": {"enabled": "true"}},
    {"nodeSelector": {"zone": 1}},
    {"tolerations": {"key": "x"}},
    {"replicas": 2},
]


@pytest.mark.parametrize("values", WRONG_VALUES, ids=lambda v: json.dumps(v)[:70])
def test_rendering_refuses_values_of_the_wrong_type(chart, values):
    with pytest.raises(helm.HelmValuesError, match="schema"):
        chart.render(values, name="demo", namespace="famille")


@pytest.mark.parametrize("values", WRONG_VALUES, ids=lambda v: json.dumps(v)[:70])
def test_the_schema_itself_refuses_them(values):
    # The same verdict from an independent draft-07 validator, so the schema
    # does not depend on one implementation's leniency.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(deep_merge(DEFAULTS, values))


def test_the_schema_is_a_valid_draft_07_schema_that_accepts_the_shipped_values():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert SCHEMA["additionalProperties"] is False
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.Draft7Validator(SCHEMA).validate(DEFAULTS)
    production = yaml.safe_load((CHART_DIR / "values-production.yaml").read_text())
    jsonschema.Draft7Validator(SCHEMA).validate(deep_merge(DEFAULTS, production))


def _schema_node(path):
    node = SCHEMA
    for key in path:
        while "$ref" in node or "allOf" in node:
            if "$ref" in node:
                node = SCHEMA["definitions"][node["$ref"].rsplit("/", 1)[1]]
            else:
                node = node["allOf"][0]
        node = node.get("properties", {}).get(key)
        if node is None:
            return None
    return node


def _leaves(values, prefix=()):
    """Paths of the documented values: nested maps are walked, except free-form
    ones (empty in values.yaml); lists and scalars are leaves."""
    for key, value in values.items():
        path = prefix + (key,)
        if isinstance(value, dict) and value:
            yield from _leaves(value, path)
        else:
            yield path


VALUE_PATHS = [".".join(path) for path in _leaves(DEFAULTS)]


def test_every_value_has_a_type_in_the_schema():
    untyped = [path for path in _leaves(DEFAULTS) if _schema_node(path) is None]
    assert untyped == []


def test_the_schema_describes_no_value_that_does_not_exist():
    for key in SCHEMA["properties"]:
        assert key in DEFAULTS or key == "global", key


def _readme_table_names():
    return set(re.findall(r"^\| `([^`]+)` \|", README, flags=re.MULTILINE))


def test_every_value_is_documented_in_the_readme_table():
    documented = _readme_table_names()
    missing = [path for path in VALUE_PATHS if path not in documented]
    assert missing == []


def test_the_readme_documents_no_value_that_does_not_exist():
    known = set(VALUE_PATHS) | {"global"}
    assert sorted(_readme_table_names() - known) == []


def test_the_readme_table_shows_the_real_defaults():
    rows = dict(re.findall(r"^\| `([^`]+)` \| .*? \| `(.*)` \|$", README, flags=re.MULTILINE))
    for path in VALUE_PATHS:
        value = DEFAULTS
        for key in path.split("."):
            value = value[key]
        shown = rows.get(path)
        assert shown is not None, f"{path}: no default column"
        assert yaml.safe_load(shown) == value, f"{path}: README says {shown}, values.yaml says {value!r}"


def test_every_value_has_a_param_comment_in_values_yaml():
    text = (CHART_DIR / "values.yaml").read_text()
    params = set(re.findall(r"^\s*## @param (\S+) ", text, flags=re.MULTILINE))
    assert sorted(set(VALUE_PATHS) - params) == []
    assert sorted(params - set(VALUE_PATHS)) == []
