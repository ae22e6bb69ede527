"""The container image definition and the compose file: they cannot run here (no Docker), so they are
checked with the field's linters (hadolint; the compose spec's JSON schema) and against tolk itself
(the settings they pass exist, the commands they run parse)."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tolk.config import Settings, load

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


def test_the_dockerfile_passes_hadolint() -> None:
    done = subprocess.run([BIN / "hadolint", ROOT / "Dockerfile"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_file_follows_the_compose_spec() -> None:
    done = subprocess.run(
        [
            BIN / "check-jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            ROOT / "deploy" / "compose.yaml",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_file_runs_what_tolk_has(monkeypatch: pytest.MonkeyPatch) -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "rabbitmq", "redis", "api", "worker"} <= set(services)
    env = compose["x-tolk"]["environment"]
    for name, value in env.items():
        if name.startswith("TOLK_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("TOLK_CONFIG", str(ROOT / "deploy" / "tolk.toml"))
    s = load()
    assert s.store.startswith("postgresql://") and s.cache == env["TOLK_CACHE"]
    assert s.agent.bus == env["TOLK_AGENT__BUS"] and isinstance(s, Settings)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOLK_")} | {"TOLK_CONFIG": ""}
    for service in ("api", "worker"):  # each command is one tolk knows, with options it has
        command = services[service]["command"]
        words = list(itertools.takewhile(lambda c: not c.startswith("-"), command))
        done = subprocess.run(
            [sys.executable, "-m", "tolk", *words, "--help"],
            capture_output=True,
            text=True,
            env=clean,
            timeout=60,
        )
        assert done.returncode == 0, (service, done.stderr)
        options = [c for c in command if c.startswith("--")]
        assert all(o in done.stdout for o in options), (service, options)


# --- Kubernetes: the workers, the API and KEDA's ScaledObject (deploy/k8s/) -------------------------------

K8S = ROOT / "deploy" / "k8s"
KUBERNETES = "1.30"


def _manifests() -> list[dict[str, Any]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return found


def test_the_kubernetes_manifests_follow_the_kubernetes_schemas() -> None:
    """Every built-in kind against the API's own OpenAPI schemas (kubernetes-validate, strict: an
    unknown or misspelt field fails); a misspelt field is caught, so the check can fail."""
    import kubernetes_validate

    built_in = [d for d in _manifests() if not d["apiVersion"].startswith(("keda.sh/", "kustomize."))]
    assert {d["kind"] for d in built_in} == {"Deployment", "Service"}
    for doc in built_in:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    broken = json.loads(json.dumps(built_in[0]))
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_keda_scales_the_worker_deployment_on_tolks_own_queues_and_metrics(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ScaledObject points at the Deployment that runs `tolk agent run`, its RabbitMQ triggers name
    the queues tolk declares for deploy/tolk.toml, and its Prometheus query reads a metric tolk serves."""
    from tolk.agent import topology
    from tolk.telemetry import Telemetry

    docs = {(d["kind"], d["metadata"]["name"]): d for d in _manifests() if "metadata" in d}
    scaled = docs[("ScaledObject", "tolk-translator")]
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    target = docs[("Deployment", scaled["spec"]["scaleTargetRef"]["name"])]
    container = target["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:2] == ["agent", "run"]
    assert target["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 30  # the worker's grace
    spec = scaled["spec"]
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
    monkeypatch.setenv("TOLK_CONFIG", str(ROOT / "deploy" / "tolk.toml"))
    s = load()
    queues = [f"{s.agent.namespace}.{q}" for q in topology.of(s).queues]
    triggers = spec["triggers"]
    assert sorted(t["metadata"]["queueName"] for t in triggers if t["type"] == "rabbitmq") == sorted(queues)
    for t in triggers:
        if t["type"] == "rabbitmq":
            assert t["metadata"]["mode"] == "QueueLength" and int(t["metadata"]["value"]) > 0
            auth = docs[("TriggerAuthentication", t["authenticationRef"]["name"])]
            assert auth["spec"]["secretTargetRef"][0]["parameter"] == "host"
    assert {t["type"] for t in triggers} == {"rabbitmq", "cpu", "prometheus"}
    served = {m.name for m in Telemetry().registry.collect()}
    (query,) = [t["metadata"]["query"] for t in triggers if t["type"] == "prometheus"]
    named = re.findall(r"(tolk_[a-z_]+?)_bucket", query)
    assert named and set(named) <= served, (named, sorted(served))
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )
    (generated,) = kustomization["configMapGenerator"]
    assert (K8S / generated["files"][0].split("=", 1)[1]).resolve() == ROOT / "deploy" / "tolk.toml"
