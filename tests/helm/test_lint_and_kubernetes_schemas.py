"""The chart passes `helm lint` and renders objects Kubernetes accepts."""

from __future__ import annotations

import helm_python as helm
import kubernetes_validate
import pytest

from conftest import CHART_DIR, NAMESPACE

# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the
# newest one kubernetes-validate ships schemas for.
KUBERNETES_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]

# Objects of a CustomResourceDefinition: Kubernetes ships no schema for them.
CUSTOM_RESOURCES = {("monitoring.coreos.com/v1", "ServiceMonitor")}


def lint_problems(values):
    report = helm.lint(CHART_DIR, values, strict=True, namespace=NAMESPACE, kube_version="v1.29.0")
    # Severity 1 is informational (e.g. "icon is recommended").
    return report["errors"] + [m for m in report["messages"] if m["severity"] >= 2]


def test_helm_lint_passes_in_strict_mode_with_the_default_values():
    assert lint_problems(None) == []


def test_helm_lint_passes_in_strict_mode_with_the_production_values(production_values):
    assert lint_problems(production_values) == []


def test_helm_lint_reports_values_of_the_wrong_type():
    problems = lint_problems({"replicaCount": "two"})
    assert any("replicaCount" in str(problem) for problem in problems)


@pytest.mark.parametrize("kube_version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values_name", ["default", "production"])
def test_every_rendered_object_validates_against_the_kubernetes_schemas(
    values_name, kube_version, default_render, production_render
):
    rendered = default_render if values_name == "default" else production_render
    checked = 0
    for manifest in rendered:
        if (manifest.obj["apiVersion"], manifest.kind) in CUSTOM_RESOURCES:
            continue
        try:
            # strict: unknown fields (typos, misplaced keys) are errors too.
            kubernetes_validate.validate(manifest.obj, kube_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            pytest.fail(f"{manifest.source}: {manifest.kind}/{manifest.name} at {path}: {error.message}")
        checked += 1
    assert checked >= 8


def test_the_service_monitor_has_the_prometheus_operator_shape(production_render):
    monitor = production_render.one("ServiceMonitor").obj
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["namespace"] == "monitoring"
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    spec = monitor["spec"]
    assert spec["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    service = production_render.one("Service").obj
    selector = spec["selector"]["matchLabels"]
    assert selector.items() <= service["metadata"]["labels"].items()
    [endpoint] = spec["endpoints"]
    assert endpoint["port"] == "http"
    assert endpoint["path"] == "/metrics"
    assert endpoint["interval"] == "30s"
    assert set(endpoint) <= {
        "port", "path", "scheme", "interval", "scrapeTimeout", "honorLabels",
        "relabelings", "metricRelabelings",
    }
    assert endpoint["relabelings"][0]["targetLabel"] == "node"


def test_a_client_side_install_accepts_the_production_values_and_prints_the_notes(chart, production_values):
    # The same pipeline as `helm install --dry-run=client`: Chart.yaml's
    # kubeVersion, the schema, the templates, hook sorting.
    with helm.Config(storage_driver="memory", namespace=NAMESPACE, kubeconfig_path="/nonexistent") as config:
        release = config.install(chart, "demo", production_values, dry_run="client")
    assert release["status"] == "pending-install"
    assert "kind: Deployment" in release["manifest"]
    assert "portail tenant create" in release["notes"]


VARIANTS = {
    "no autoscaler, one replica": {"autoscaling": {"enabled": False}, "replicaCount": 1},
    "pdb by maxUnavailable": {"pdb": {"minAvailable": None, "maxUnavailable": "50%"}},
    "recreate strategy": {"updateStrategy": {"type": "Recreate"}},
    "pre-made service account": {"serviceAccount": {"create": False, "name": "portail-sa"}},
    "memory /tmp, pinned digest": {
        "tmpVolume": {"medium": "Memory", "sizeLimit": "64Mi"},
        "image": {"registry": "registry.example.fr/", "digest": "sha256:" + "a" * 64},
    },
    "network policy with defaults": {"networkPolicy": {"enabled": True}},
    "probes off, no preStop": {
        "livenessProbe": {"enabled": False},
        "readinessProbe": {"enabled": False},
        "startupProbe": {"enabled": False},
        "preStopSleepSeconds": 0,
    },
    "check on start without hook": {"migrations": {"enabled": False, "checkOnStart": True}},
    "check on start": {"migrations": {"checkOnStart": True}},
    "everything labelled": {
        "commonLabels": {"tier": "front"},
        "commonAnnotations": {"owner": "dsi"},
        "nameOverride": "famille",
    },
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_other_value_combinations_render_valid_objects(variant, render):
    rendered = render(VARIANTS[variant])
    for manifest in rendered:
        if (manifest.obj["apiVersion"], manifest.kind) in CUSTOM_RESOURCES:
            continue
        try:
            kubernetes_validate.validate(manifest.obj, "1.29.0", strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            pytest.fail(f"{manifest.source}: {manifest.kind}/{manifest.name} at {path}: {error.message}")
    assert lint_problems(VARIANTS[variant]) == []
