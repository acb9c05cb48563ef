"""The image (deploy/Dockerfile) and the chart agree on how the binary runs.

No Docker engine is needed: these read the Dockerfile and the workspace
manifest, so a new workspace member or a changed port is caught here.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from conftest import CHART_DIR, REPO

DOCKERFILE = (REPO / "deploy" / "Dockerfile").read_text()
RUNTIME_STAGE = DOCKERFILE[DOCKERFILE.index(" AS runtime"):]
DOCKERIGNORE = (REPO / ".dockerignore").read_text().splitlines()
WORKSPACE = tomllib.loads((REPO / "Cargo.toml").read_text())


def instructions(name, text=DOCKERFILE):
    """Arguments of every `NAME ...` instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.*)$", joined, flags=re.MULTILINE)]


def build_args():
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE, flags=re.MULTILINE))


def test_the_build_and_runtime_bases_are_the_agreed_ones():
    args = build_args()
    stages = [line.replace("${RUST_VERSION}", args["RUST_VERSION"]).replace("${DEBIAN_SUITE}", args["DEBIAN_SUITE"])
              for line in instructions("FROM")]
    assert stages == ["rust:1.95-slim-bookworm AS build", "debian:bookworm-slim AS runtime"]


def test_dependencies_are_cached_before_the_sources_of_every_workspace_member():
    members = WORKSPACE["workspace"]["members"]
    copies = instructions("COPY")
    manifest_copies = [f"{member}/Cargo.toml {member}/Cargo.toml" for member in members]
    for copy in ["Cargo.toml Cargo.lock ./", *manifest_copies]:
        assert copy in copies, f"missing: COPY {copy}"
    first_source_copy = min(copies.index(f"{member} {member}") for member in members)
    assert all(copies.index(copy) < first_source_copy for copy in manifest_copies)
    builds = [run for run in instructions("RUN") if "cargo build" in run]
    assert len(builds) == 2
    assert all("cargo build --release --locked -p portail" in run for run in builds)


def test_the_runtime_runs_the_binary_as_the_chart_expects():
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    assert instructions("ENTRYPOINT", RUNTIME_STAGE) == ['["/usr/local/bin/portail"]']
    assert instructions("CMD", RUNTIME_STAGE) == ['["serve"]']
    [user] = instructions("USER", RUNTIME_STAGE)
    uid, gid = (int(part) for part in user.split(":"))
    assert uid == values["podSecurityContext"]["runAsUser"] == values["containerSecurityContext"]["runAsUser"]
    assert gid == values["podSecurityContext"]["runAsGroup"]
    assert instructions("EXPOSE", RUNTIME_STAGE) == [str(values["containerPorts"]["http"])]
    [env] = instructions("ENV", RUNTIME_STAGE)
    assert dict(pair.split("=", 1) for pair in env.split()) == {
        "LISTEN_ADDR": f"0.0.0.0:{values['containerPorts']['http']}",
        "LOG_FORMAT": values["config"]["logFormat"],
        "MAIL_DIR": values["config"]["mailDir"],
    }
    assert "ca-certificates" in " ".join(instructions("RUN", RUNTIME_STAGE))


def test_the_image_carries_oci_labels():
    labels = " ".join(instructions("LABEL", RUNTIME_STAGE))
    for key in ("title", "description", "version", "revision", "created", "source", "licenses", "vendor"):
        assert f"org.opencontainers.image.{key}=" in labels


def test_the_chart_app_version_is_the_workspace_version():
    chart = yaml.safe_load((CHART_DIR / "Chart.yaml").read_text())
    assert chart["appVersion"] == WORKSPACE["workspace"]["package"]["version"]
    assert build_args()["VERSION"] == chart["appVersion"]


@pytest.mark.parametrize("pattern", ["target/", ".git/", "node_modules/", ".venv*/"])
def test_the_build_context_leaves_out_heavy_folders(pattern):
    assert pattern in DOCKERIGNORE


def test_the_build_context_keeps_what_cargo_needs():
    for needed in ["Cargo.toml", "Cargo.lock", *WORKSPACE["workspace"]["members"]]:
        assert needed not in DOCKERIGNORE and f"{needed}/" not in DOCKERIGNORE
