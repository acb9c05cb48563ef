"""What a cluster operator would notice in the rendered release."""

from __future__ import annotations

import json

import pytest

from conftest import FULLNAME, NAMESPACE

DATABASE_URL = "postgres://portail:s3cret-db@db.internal:5432/portail"
REDIS_URL = "redis://:s3cret-redis@cache.internal:6379/0"
SMTP_URL = "smtp://mailer:s3cret-smtp@smtp.internal:587"
CREDENTIALS = {
    "secrets": {
        "databaseUrl": DATABASE_URL,
        "redisUrl": REDIS_URL,
        "smtpUrl": SMTP_URL,
        "extra": {"OIDC_DEMO_SECRET": "s3cret-oidc"},
    }
}

# The routes the binary serves (see deploy/README.md).
HEALTH_ROUTES = {"/healthz", "/readyz"}
METRICS_ROUTE = "/metrics"


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def containers(workload, include_init=True):
    spec = pod_spec(workload)
    found = list(spec["containers"])
    if include_init:
        found += spec.get("initContainers", [])
    return found


def app_container(render):
    [container] = [c for c in pod_spec(render.deployment)["containers"] if c["name"] == "portail"]
    return container


def secret_refs(container):
    return [source["secretRef"]["name"] for source in container.get("envFrom", []) if "secretRef" in source]


# --- the default release is production-shaped --------------------------------


def test_default_values_render_a_complete_release(default_render):
    assert default_render.kinds() == {
        "ServiceAccount", "ConfigMap", "Secret", "Service", "Deployment",
        "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job",
    }


def test_default_release_runs_two_replicas_under_an_autoscaler(default_render):
    hpa = default_render.one("HorizontalPodAutoscaler").obj
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["minReplicas"] == 2
    assert hpa["spec"]["maxReplicas"] >= 2
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": FULLNAME}
    [cpu] = hpa["spec"]["metrics"]
    assert cpu["resource"]["name"] == "cpu"
    # The autoscaler owns the replica count, so an upgrade does not reset it.
    assert "replicas" not in default_render.deployment["spec"]


def test_without_autoscaler_the_deployment_runs_two_replicas(render):
    rendered = render({"autoscaling": {"enabled": False}})
    assert rendered.deployment["spec"]["replicas"] == 2
    assert rendered.of_kind("HorizontalPodAutoscaler") == []


def test_the_autoscaler_can_also_target_memory(production_render):
    metrics = production_render.one("HorizontalPodAutoscaler").obj["spec"]["metrics"]
    targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in metrics}
    assert targets == {"cpu": 65, "memory": 80}


def test_a_disruption_budget_keeps_one_pod_during_drains(default_render):
    pdb = default_render.one("PodDisruptionBudget").obj
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["minAvailable"] == 1
    pod_labels = default_render.deployment["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_the_configmap_holds_the_non_secret_settings(default_render):
    config = default_render.one("ConfigMap", FULLNAME).obj["data"]
    assert config == {
        "PUBLIC_URL": "http://127.0.0.1:8080",
        "LOG_FORMAT": "json",
        "RUST_LOG": "info",
        "LISTEN_ADDR": "0.0.0.0:8080",
        "SHUTDOWN_GRACE_SECONDS": "25",
        "MAIL_DIR": "/tmp/mail",
        "MAX_UPLOAD_BYTES": "10485760",
        "TRUSTED_PROXIES": "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fd00::/8",
        "HOUSEHOLD_QUOTA_BYTES": "209715200",
        "DATABASE_POOLER": "direct",
        "UPLOAD_CONCURRENCY": "8",
    }


def test_the_public_url_follows_the_ingress_host_and_its_tls(render):
    rendered = render({
        "ingress": {
            "enabled": True,
            "hosts": [{"host": "famille.example.fr", "paths": [{"path": "/", "pathType": "Prefix"}]}],
            "tls": [{"secretName": "tls", "hosts": ["famille.example.fr"]}],
        }
    })
    assert rendered.one("ConfigMap").obj["data"]["PUBLIC_URL"] == "https://famille.example.fr"
    explicit = render({"config": {"publicUrl": "https://portail.ville.fr/"}})
    assert explicit.one("ConfigMap").obj["data"]["PUBLIC_URL"] == "https://portail.ville.fr"


def test_pods_read_the_configmap_and_the_secret(default_render):
    sources = app_container(default_render)["envFrom"]
    assert {"configMapRef": {"name": FULLNAME}} in sources
    assert {"secretRef": {"name": FULLNAME}} in sources


def test_extra_provider_secrets_reach_the_secret_not_the_configmap(render):
    rendered = render(CREDENTIALS)
    secret = rendered.one("Secret", FULLNAME).obj
    assert secret["stringData"]["OIDC_DEMO_SECRET"] == "s3cret-oidc"
    assert secret["stringData"]["SMTP_URL"] == SMTP_URL
    assert "OIDC_DEMO_SECRET" not in rendered.one("ConfigMap").obj["data"]


def test_behind_a_transaction_pooler_the_session_url_reaches_the_app_and_the_migrations(render):
    session = "postgres://portail:pw@postgresql.db:5432/portail"
    rendered = render({
        "config": {"databasePooler": "transaction"},
        "secrets": {"databaseUrl": "postgres://portail:pw@pgbouncer.db:6432/portail", "databaseSessionUrl": session},
    })
    assert rendered.one("ConfigMap", FULLNAME).obj["data"]["DATABASE_POOLER"] == "transaction"
    assert rendered.one("Secret", FULLNAME).obj["stringData"]["DATABASE_SESSION_URL"] == session
    migrate_secrets = [s for s in rendered.of_kind("Secret") if s.name != FULLNAME]
    assert [s.obj["stringData"]["DATABASE_SESSION_URL"] for s in migrate_secrets] == [session]
    assert "DATABASE_SESSION_URL" not in render({}).one("Secret", FULLNAME).obj["stringData"]
    with pytest.raises(Exception, match="databasePooler"):
        render({"config": {"databasePooler": "session"}})


# --- migrations run in a hook, never at pod start ----------------------------


def test_migrations_run_in_a_pre_install_and_pre_upgrade_hook_job(default_render):
    job = default_render.migration_job
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(annotations["helm.sh/hook-weight"]) == 0
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    [container] = containers(job)
    assert container.get("args") == ["migrate"]
    assert "command" not in container  # the image's ENTRYPOINT is the binary
    assert pod_spec(job)["restartPolicy"] == "Never"


def test_the_deployment_never_migrates(default_render, production_render):
    for rendered in (default_render, production_render):
        [app] = pod_spec(rendered.deployment)["containers"]
        assert app["args"] == ["serve"]
        for container in containers(rendered.deployment):
            argv = container.get("command", []) + container.get("args", [])
            # Production enables a `migrate --check` init container: it only checks.
            if "migrate" in argv:
                assert argv == ["migrate", "--check"], argv


def test_by_default_pods_start_without_init_containers(default_render):
    assert "initContainers" not in pod_spec(default_render.deployment)


def test_the_migration_job_reads_a_hook_secret_created_before_it(render):
    """On a first install the release's Secret does not exist yet when the
    pre-install hook runs, so the Job reads a hook Secret of lower weight."""
    rendered = render(CREDENTIALS)
    job = rendered.migration_job
    [container] = containers(job)
    [secret_name] = secret_refs(container)
    assert secret_name != FULLNAME
    hook_secret = rendered.one("Secret", secret_name)
    assert hook_secret.annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(hook_secret.annotations["helm.sh/hook-weight"]) < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    assert set(hook_secret.annotations["helm.sh/hook-delete-policy"].split(",")) >= {"before-hook-creation", "hook-succeeded"}
    assert hook_secret.obj["stringData"]["DATABASE_URL"] == DATABASE_URL
    # ... and it needs nothing else from the release: no ConfigMap reference,
    # the settings are inlined.
    assert not any("configMapRef" in source for source in container["envFrom"])
    inline = {env["name"]: env["value"] for env in container["env"]}
    assert inline["LOG_FORMAT"] == "json"
    assert inline["PUBLIC_URL"] == "http://127.0.0.1:8080"


def test_the_migration_job_does_not_use_the_release_service_account(default_render):
    # The chart's ServiceAccount is created after pre-install hooks run.
    assert pod_spec(default_render.migration_job)["serviceAccountName"] == "default"


def test_hook_weight_is_configurable_and_keeps_the_secret_first(render):
    rendered = render({"migrations": {"hookWeight": 7}})
    weights = {m.kind: int(m.annotations["helm.sh/hook-weight"]) for m in rendered if m.is_hook}
    assert weights == {"Job": 7, "Secret": 2}


def test_migrations_can_be_disabled(render):
    rendered = render({"migrations": {"enabled": False}})
    assert rendered.of_kind("Job") == []
    assert not any(m.is_hook for m in rendered)


def test_the_hooks_are_the_only_hook_objects(default_render):
    hooks = sorted((m.kind, m.name) for m in default_render if m.is_hook)
    assert hooks == [("Job", f"{FULLNAME}-migrate"), ("Secret", f"{FULLNAME}-migrate")]


# --- probes, ports, shutdown -------------------------------------------------


def test_probes_hit_the_health_routes_on_the_http_port(default_render):
    container = app_container(default_render)
    [port] = container["ports"]
    assert port == {"name": "http", "containerPort": 8080, "protocol": "TCP"}
    probes = {kind: container[kind]["httpGet"] for kind in ("livenessProbe", "readinessProbe", "startupProbe")}
    assert probes == {
        "livenessProbe": {"path": "/healthz", "port": "http"},
        "readinessProbe": {"path": "/readyz", "port": "http"},
        "startupProbe": {"path": "/healthz", "port": "http"},
    }
    assert {probe["path"] for probe in probes.values()} == HEALTH_ROUTES
    listen = default_render.one("ConfigMap").obj["data"]["LISTEN_ADDR"]
    assert listen == f"0.0.0.0:{port['containerPort']}"


def test_the_service_targets_the_http_port_of_web_pods_only(default_render):
    service = default_render.one("Service").obj
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    selector = service["spec"]["selector"]
    web_labels = default_render.deployment["spec"]["template"]["metadata"]["labels"]
    job_labels = default_render.migration_job["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= web_labels.items()
    assert not selector.items() <= job_labels.items()


def test_kubernetes_waits_longer_than_the_graceful_shutdown(default_render, production_render):
    for rendered in (default_render, production_render):
        grace = int(rendered.one("ConfigMap").obj["data"]["SHUTDOWN_GRACE_SECONDS"])
        spec = pod_spec(rendered.deployment)
        pre_stop = app_container(rendered)["lifecycle"]["preStop"]["exec"]["command"]
        assert pre_stop[0] == "/bin/sleep"
        assert spec["terminationGracePeriodSeconds"] > grace + int(pre_stop[1])


def test_a_grace_period_shorter_than_the_shutdown_is_refused(render):
    with pytest.raises(Exception, match="terminationGracePeriodSeconds"):
        render({"terminationGracePeriodSeconds": 25})


# --- hardening ---------------------------------------------------------------

POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


@pytest.mark.parametrize("values_name", ["default", "production"])
def test_every_pod_runs_hardened(values_name, default_render, production_render):
    rendered = default_render if values_name == "default" else production_render
    workloads = [rendered.deployment, rendered.migration_job]
    for workload in workloads:
        spec = pod_spec(workload)
        assert spec["securityContext"].items() >= POD_SECURITY.items()
        assert spec["automountServiceAccountToken"] is False
        for container in containers(workload):
            assert container["securityContext"].items() >= CONTAINER_SECURITY.items(), container["name"]
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
            assert container["resources"]["requests"] and container["resources"]["limits"]
        [tmp] = [volume for volume in spec["volumes"] if volume["name"] == "tmp"]
        assert "emptyDir" in tmp


def test_the_service_account_mounts_no_token(default_render):
    account = default_render.one("ServiceAccount").obj
    assert account["automountServiceAccountToken"] is False
    assert pod_spec(default_render.deployment)["serviceAccountName"] == account["metadata"]["name"]


def test_pods_spread_across_nodes_and_optionally_zones(default_render, production_render):
    def keys(rendered):
        return [c["topologyKey"] for c in pod_spec(rendered.deployment)["topologySpreadConstraints"]]

    assert keys(default_render) == ["kubernetes.io/hostname"]
    assert keys(production_render) == ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
    pod_labels = default_render.deployment["spec"]["template"]["metadata"]["labels"]
    [constraint] = pod_spec(default_render.deployment)["topologySpreadConstraints"]
    assert constraint["labelSelector"]["matchLabels"].items() <= pod_labels.items()


def test_pods_roll_when_settings_or_credentials_change(render, default_render):
    annotations = default_render.deployment["spec"]["template"]["metadata"]["annotations"]
    changed_config = render({"config": {"rustLog": "debug"}}).deployment["spec"]["template"]["metadata"]["annotations"]
    changed_secret = render(CREDENTIALS).deployment["spec"]["template"]["metadata"]["annotations"]
    assert changed_config["checksum/config"] != annotations["checksum/config"]
    assert changed_config["checksum/secret"] == annotations["checksum/secret"]
    assert changed_secret["checksum/secret"] != annotations["checksum/secret"]


# --- secrets -----------------------------------------------------------------


def test_connection_strings_never_appear_outside_secrets(render):
    rendered = render(CREDENTIALS)
    secret_values = [DATABASE_URL, REDIS_URL, SMTP_URL, "s3cret"]
    for manifest in rendered:
        if manifest.kind == "Secret":
            continue
        text = json.dumps(manifest.obj)
        for value in secret_values:
            assert value not in text, f"{value!r} leaks into {manifest.kind}/{manifest.name}"
    assert not any(value in rendered.notes for value in secret_values)


def test_with_an_existing_secret_no_secret_is_rendered(render):
    rendered = render({"existingSecret": "portail-env", **CREDENTIALS})
    assert rendered.of_kind("Secret") == []
    assert secret_refs(app_container(rendered)) == ["portail-env"]
    [migrate] = containers(rendered.migration_job)
    assert secret_refs(migrate) == ["portail-env"]
    assert "checksum/secret" not in rendered.deployment["spec"]["template"]["metadata"]["annotations"]
    assert not any(DATABASE_URL in json.dumps(m.obj) for m in rendered)


def test_production_values_use_the_existing_secret_and_extra_env(production_render):
    assert production_render.of_kind("Secret") == []
    container = app_container(production_render)
    assert secret_refs(container) == ["portail-env", "portail-payment-providers"]
    assert container["env"][0]["name"] == "OIDC_FRANCECONNECT_SECRET"
    [migrate] = containers(production_render.migration_job)
    assert secret_refs(migrate) == ["portail-env", "portail-payment-providers"]
    [init] = pod_spec(production_render.deployment)["initContainers"]
    assert secret_refs(init) == ["portail-env", "portail-payment-providers"]


def test_missing_connection_strings_are_refused(render):
    with pytest.raises(Exception, match="databaseUrl"):
        render({"secrets": {"databaseUrl": ""}})


# --- optional objects render only when enabled -------------------------------

OPTIONAL = {
    "NetworkPolicy": {"networkPolicy": {"enabled": True}},
    "ServiceMonitor": {"metrics": {"serviceMonitor": {"enabled": True}}},
    "Ingress": {"ingress": {"enabled": True}},
}


@pytest.mark.parametrize("kind", sorted(OPTIONAL))
def test_optional_objects_render_only_when_enabled(kind, render, default_render):
    assert default_render.of_kind(kind) == []
    enabled = render(OPTIONAL[kind])
    assert [m for m in enabled.of_kind(kind) if not m.is_hook]


def test_production_ingress_has_a_class_and_tls(production_render):
    ingress = production_render.one("Ingress").obj["spec"]
    assert ingress["ingressClassName"] == "nginx"
    assert ingress["tls"] == [{"hosts": ["portail.example.fr"], "secretName": "portail-example-fr-tls"}]
    [rule] = ingress["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": FULLNAME, "port": {"name": "http"}}
    assert production_render.one("ConfigMap").obj["data"]["PUBLIC_URL"] == "https://portail.example.fr"


def test_network_policy_admits_only_the_http_port_and_allows_dependencies(production_render):
    policy = production_render.one("NetworkPolicy", FULLNAME).obj["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    [ingress] = policy["ingress"]
    assert ingress["ports"] == [{"port": "http", "protocol": "TCP"}]
    assert len(ingress["from"]) == 2
    egress_ports = {(p["port"], p["protocol"]) for rule in policy["egress"] for p in rule["ports"]}
    assert {(53, "UDP"), (53, "TCP"), (6432, "TCP"), (6379, "TCP"), (587, "TCP"), (443, "TCP")} <= egress_ports
    smtp = [rule for rule in policy["egress"] if rule["ports"][0]["port"] == 587][0]
    assert smtp["to"] == [{"ipBlock": {"cidr": "192.0.2.25/32"}}]


def test_the_migration_job_gets_its_own_hook_network_policy(production_render):
    policy = production_render.one("NetworkPolicy", f"{FULLNAME}-migrate")
    assert policy.annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    job_labels = production_render.migration_job["spec"]["template"]["metadata"]["labels"]
    assert policy.obj["spec"]["podSelector"]["matchLabels"].items() <= job_labels.items()
    ports = {p["port"] for rule in policy.obj["spec"]["egress"] for p in rule["ports"]}
    assert ports == {53, 6432}


def test_the_service_monitor_scrapes_the_metrics_route(render):
    monitor = render(OPTIONAL["ServiceMonitor"]).one("ServiceMonitor").obj
    [endpoint] = monitor["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["path"]) == ("http", METRICS_ROUTE)
    assert monitor["metadata"]["namespace"] == NAMESPACE


def test_production_pods_follow_the_scheduling_settings(production_render):
    spec = pod_spec(production_render.deployment)
    assert spec["nodeSelector"]["node.example.fr/pool"] == "apps"
    assert spec["tolerations"][0]["key"] == "node.example.fr/dedicated"
    assert "nodeAffinity" in spec["affinity"]
    assert spec["priorityClassName"] == "portail-critical"
    annotations = production_render.deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"] == "true"
    assert production_render.deployment["spec"]["template"]["metadata"]["labels"]["team"] == "portail-famille"


# --- notes -------------------------------------------------------------------


def test_the_notes_explain_how_to_reach_the_service_and_create_a_tenant(default_render):
    notes = default_render.notes
    assert f"port-forward svc/{FULLNAME} 8080:80" in notes
    assert "kubectl --namespace famille cp ./stsouveurenue.toml" in notes
    assert "portail tenant create stsouveurenue --config /tmp/stsouveurenue.toml" in notes
    assert f"kubectl --namespace famille run {FULLNAME}-tenant-create" in notes
    # The kubectl run variant embeds a JSON pod override: it must parse.
    start = notes.index("--overrides='") + len("--overrides='")
    override = json.loads(notes[start:notes.index("'", start)])
    [container] = override["spec"]["containers"]
    assert container["args"][:2] == ["tenant", "create"]
    assert {"secretRef": {"name": FULLNAME}} in container["envFrom"]


def test_the_notes_show_the_ingress_address_when_there_is_one(production_render):
    assert "https://portail.example.fr/" in production_render.notes
    assert "WARNING" not in production_render.notes


def test_production_sets_the_mail_sender_and_the_upload_limit_in_the_configmap(production_render):
    config = production_render.one("ConfigMap", FULLNAME).obj["data"]
    assert config["MAIL_FROM"] == "Portail Famille <no-reply@famille.example.fr>"
    assert config["MAX_UPLOAD_BYTES"] == "10485760"


def test_the_hardening_settings_follow_the_values_and_the_ingress_hosts(render):
    rendered = render({
        "config": {
            "trustedProxies": "10.42.0.0/16",
            "extraHosts": ["famille.example.fr"],
            "clamdAddress": "clamd.antivirus:3310",
            "householdQuotaBytes": 52428800,
        },
        "ingress": {
            "enabled": True,
            "hosts": [
                {"host": "portail.example.fr", "paths": [{"path": "/", "pathType": "Prefix"}]},
                {"host": "famille.example.fr", "paths": [{"path": "/", "pathType": "Prefix"}]},
            ],
        },
    })
    config = rendered.one("ConfigMap", FULLNAME).obj["data"]
    assert config["TRUSTED_PROXIES"] == "10.42.0.0/16"
    assert config["EXTRA_HOSTS"] == "famille.example.fr,portail.example.fr"
    assert config["CLAMD_ADDRESS"] == "clamd.antivirus:3310"
    assert config["HOUSEHOLD_QUOTA_BYTES"] == "52428800"


def test_trusting_no_proxy_leaves_trusted_proxies_out(render):
    config = render({"config": {"trustedProxies": ""}}).one("ConfigMap", FULLNAME).obj["data"]
    assert "TRUSTED_PROXIES" not in config
    assert "EXTRA_HOSTS" not in config
