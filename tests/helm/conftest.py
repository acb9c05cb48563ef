"""Shared helpers for the chart tests.

The chart is rendered by Helm itself: helm-python-sdk binds Helm's Go library
(libhelm_c, shipped inside the wheel), so no `helm` binary and no cluster are
needed. `Chart.render` is what `helm template` does (values merged with the
chart defaults, checked against values.schema.json, templates executed);
`helm_python.lint` is `helm lint`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import helm_python as helm
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART_DIR = REPO / "helm" / "portail"
PRODUCTION_VALUES_FILE = CHART_DIR / "values-production.yaml"

RELEASE = "demo"
NAMESPACE = "famille"
FULLNAME = "demo-portail"


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object of a render, with the template it came from."""

    source: str
    obj: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.obj["kind"]

    @property
    def name(self) -> str:
        return self.obj["metadata"]["name"]

    @property
    def annotations(self) -> dict[str, str]:
        return self.obj["metadata"].get("annotations") or {}

    @property
    def is_hook(self) -> bool:
        return "helm.sh/hook" in self.annotations


class Render:
    """The objects of one render, with lookups by kind and name."""

    def __init__(self, files: dict[str, str]):
        self.files = files
        self.notes = next((text for path, text in files.items() if path.endswith("NOTES.txt")), "")
        self.manifests: list[Manifest] = []
        for path, text in sorted(files.items()):
            if path.endswith("NOTES.txt"):
                continue
            for obj in yaml.safe_load_all(text):
                if obj:
                    self.manifests.append(Manifest(path, obj))

    def __iter__(self) -> Iterator[Manifest]:
        return iter(self.manifests)

    def of_kind(self, kind: str) -> list[Manifest]:
        return [m for m in self.manifests if m.kind == kind]

    def one(self, kind: str, name: str | None = None) -> Manifest:
        found = [m for m in self.of_kind(kind) if name is None or m.name == name]
        assert len(found) == 1, f"expected one {kind} {name or ''}, found {[m.name for m in found]}"
        return found[0]

    def kinds(self) -> set[str]:
        return {m.kind for m in self.manifests}

    @property
    def deployment(self) -> dict[str, Any]:
        return self.one("Deployment").obj

    @property
    def migration_job(self) -> dict[str, Any]:
        return self.one("Job").obj


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture(scope="session")
def chart() -> Iterator[helm.Chart]:
    loaded = helm.Chart.load(CHART_DIR)
    try:
        yield loaded
    finally:
        loaded.close()


@pytest.fixture(scope="session")
def production_values() -> dict[str, Any]:
    return yaml.safe_load(PRODUCTION_VALUES_FILE.read_text())


@pytest.fixture(scope="session")
def render(chart: helm.Chart):
    """render(values=None) -> Render, through Helm's own engine."""

    def _render(values: dict[str, Any] | None = None) -> Render:
        return Render(chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True))

    return _render


@pytest.fixture(scope="session")
def default_render(render) -> Render:
    return render(None)


@pytest.fixture(scope="session")
def production_render(render, production_values) -> Render:
    return render(production_values)
