"""Deployment files: Dockerfile, compose.yml, deploy/k8s (kustomize).

Offline checks only (no Docker engine, no cluster):
  * the kustomize builds (base, example overlay, base + worker-hpa component) render, and
    every object validates against the Kubernetes JSON schemas bundled in
    `kubernetes-validate` (strict: unknown fields fail); KEDA objects against
    tests/deploy/schemas/keda-scaledobject.json;
  * compose.yml validates against the Compose Specification schema
    (tests/deploy/schemas/compose-spec.json) and has the structure we rely on;
  * consistency with the code: commands are `profai` subcommands, env var names are
    Settings fields (or known third-party variables), probe paths are routes of the app,
    ports are the Settings defaults.

Tools: scripts/install-deploy-tools.sh. Without them the tests skip locally and fail in CI.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).resolve().parent / "schemas"
K8S = ROOT / "deploy" / "k8s"
COMPOSE_FILE = ROOT / "compose.yml"
COMPOSE_ENV_EXAMPLE = ROOT / "deploy" / "compose.env.example"
DOCKERFILE = ROOT / "Dockerfile"

# Oldest Kubernetes minor the manifests must be valid for.
K8S_VERSION = "1.30"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

APP_SERVICES = ("migrate", "api", "worker", "scheduler", "ui-teacher", "ui-student")
APP_DEPLOYMENTS = {
    "profai-api": "api",
    "profai-worker": "worker",
    "profai-scheduler": "scheduler",
    "profai-ui-teacher": "ui-teacher",
    "profai-ui-student": "ui-student",
}

# Env vars that are not Settings fields but are read by a third-party component.
THIRD_PARTY_ENV = re.compile(
    r"^(DO_NOT_TRACK|HF_HUB_OFFLINE|TRANSFORMERS_OFFLINE"
    r"|STREAMLIT_[A-Z0-9_]+|GRADIO_[A-Z0-9_]+"
    r"|POSTGRES_[A-Z0-9_]+|MINIO_[A-Z0-9_]+|ETCD_[A-Z0-9_]+)$"
)


def _missing_tool(what: str) -> NoReturn:
    msg = f"{what} is not installed: run scripts/install-deploy-tools.sh"
    if IN_CI:
        pytest.fail(msg)
    pytest.skip(msg)


# --------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _kustomize_command() -> tuple[str, ...] | None:
    candidates = [shutil.which("kubectl"), str(Path(sys.executable).parent / "kubectl")]
    for kubectl in candidates:
        if kubectl and Path(kubectl).is_file() and os.access(kubectl, os.X_OK):
            return (kubectl, "kustomize")
    kustomize = shutil.which("kustomize")
    if kustomize:
        return (kustomize, "build")
    return None


def _kustomize(directory: Path) -> list[dict[str, Any]]:
    cmd = _kustomize_command()
    if cmd is None:
        _missing_tool("kubectl (or kustomize)")
    proc = subprocess.run([*cmd, str(directory)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"kustomize build of {directory} failed:\n{proc.stderr}"
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


@functools.cache
def _render_cached(target: str, tmp: str) -> tuple[str, ...]:
    if target == "base":
        directory = K8S / "base"
    elif target == "example":
        directory = K8S / "overlays" / "example"
    elif target == "worker-hpa":
        # base + the KEDA-less fallback component. kustomize refuses absolute paths.
        directory = Path(tmp) / "worker-hpa"
        directory.mkdir(parents=True, exist_ok=True)
        base = os.path.relpath(K8S / "base", directory)
        component = os.path.relpath(K8S / "components" / "worker-hpa", directory)
        (directory / "kustomization.yaml").write_text(f"resources:\n  - {base}\ncomponents:\n  - {component}\n")
    else:  # pragma: no cover
        raise ValueError(target)
    return tuple(json.dumps(doc) for doc in _kustomize(directory))


TARGETS = ("base", "example", "worker-hpa")


@pytest.fixture(scope="session")
def render(tmp_path_factory: pytest.TempPathFactory):
    tmp = str(tmp_path_factory.mktemp("kustomize"))

    def _render(target: str) -> list[dict[str, Any]]:
        return [json.loads(doc) for doc in _render_cached(target, tmp)]

    return _render


def _objects(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _pod_specs(docs: list[dict]) -> dict[str, dict]:
    """name -> pod spec of every workload."""
    out = {}
    for doc in docs:
        if doc["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            out[doc["metadata"]["name"]] = doc["spec"]["template"]["spec"]
    return out


def _configmap_data(docs: list[dict]) -> dict[str, str]:
    (cm,) = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("profai-config")]
    return cm["data"]


# --------------------------------------------------------------------------------------
# (1) + (2) kustomize builds; objects validate against the Kubernetes schemas
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_kustomize_builds(render, target):
    docs = render(target)
    kinds = {d["kind"] for d in docs}
    expected = {
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "Secret",
        "PersistentVolumeClaim",
        "Job",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
    }
    assert expected <= kinds, f"missing kinds: {expected - kinds}"
    assert set(_objects(docs, "Deployment")) == set(APP_DEPLOYMENTS)
    assert set(_objects(docs, "Job")) == {"profai-migrate"}
    names = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(names) == len(set(names)), "duplicate objects"
    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    (ns,) = [d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"]
    assert namespaces == {ns}, "every object lives in the Namespace the build creates"


@pytest.mark.parametrize("target", TARGETS)
def test_objects_validate_against_schemas(render, target):
    kv = pytest.importorskip("kubernetes_validate") if not IN_CI else importlib.import_module("kubernetes_validate")
    import jsonschema

    keda_schema = json.loads((SCHEMAS / "keda-scaledobject.json").read_text())
    keda_validator = jsonschema.Draft202012Validator(keda_schema)
    errors = []
    for doc in render(target):
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        if doc["apiVersion"].startswith("keda.sh/"):
            # KEDA CRDs are not in the Kubernetes schemas: our shipped schema covers them.
            assert doc["kind"] == "ScaledObject", f"no schema shipped for {name}"
            errors += [f"{name}: {e.message}" for e in keda_validator.iter_errors(doc)]
            continue
        try:
            kv.validate(doc, K8S_VERSION, strict=True)
        except kv.ValidationError as exc:
            errors.append(f"{name}: {exc.message}")
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------------------
# manifests: behaviour we rely on
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, expect", [("base", "ScaledObject"), ("example", "ScaledObject"), ("worker-hpa", "HorizontalPodAutoscaler")]
)
def test_exactly_one_worker_autoscaler(render, target, expect):
    docs = render(target)
    scalers = [
        d["kind"]
        for d in docs
        if d["kind"] in {"ScaledObject", "HorizontalPodAutoscaler"}
        and d["spec"]["scaleTargetRef"]["name"] == "profai-worker"
    ]
    assert scalers == [expect]


@pytest.mark.parametrize("target", ("base", "example"))
def test_keda_scales_workers_on_the_job_backlog(render, target):
    """The code uses PriorityRedisHuey (a sorted set KEDA's redis/LLEN scaler cannot read),
    so KEDA counts outstanding rows of the `jobs` table instead."""
    docs = render(target)
    (so,) = _objects(docs, "ScaledObject").values()
    (trigger,) = so["spec"]["triggers"]
    assert trigger["type"] == "postgresql"
    meta = trigger["metadata"]
    # the env var KEDA reads must be in the worker's env (the Secret) and be a Settings field
    (secret,) = _objects(docs, "Secret").values()
    assert meta["connectionFromEnv"] in secret["stringData"]
    assert meta["connectionFromEnv"].lower() == "database_url"
    match = re.fullmatch(r"SELECT COUNT\(\*\) FROM (\w+) WHERE status IN \(([^)]*)\)", meta["query"])
    assert match, meta["query"]
    statuses = set(re.findall(r"'(\w+)'", match.group(2)))
    assert statuses == {"queued", "running"}
    # ... and the table and statuses are the ones of the code
    import core.db.models.jobs as jobs_model

    assert jobs_model.Job.__tablename__ == match.group(1)
    assert statuses <= {s.value for s in jobs_model.JobStatus}
    # one replica per WORKER_THREADS outstanding jobs
    assert float(meta["targetQueryValue"]) == float(_configmap_data(docs)["WORKER_THREADS"])


@pytest.mark.parametrize("target", TARGETS)
def test_hpa_and_pdb_targets_exist(render, target):
    docs = render(target)
    deployments = _objects(docs, "Deployment")
    hpas = _objects(docs, "HorizontalPodAutoscaler")
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()}
    assert targets <= set(deployments)
    assert {"profai-api", "profai-ui-teacher", "profai-ui-student"} <= targets
    for hpa in hpas.values():
        assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    for pdb in _objects(docs, "PodDisruptionBudget").values():
        sel = pdb["spec"]["selector"]["matchLabels"]
        assert any(sel.items() <= d["spec"]["template"]["metadata"]["labels"].items() for d in deployments.values()), (
            f"PDB {pdb['metadata']['name']} selects no pods"
        )
        assert "profai-scheduler" not in sel.values(), "a PDB on the single scheduler blocks drains"


@pytest.mark.parametrize("target", TARGETS)
def test_scheduler_is_a_singleton(render, target):
    docs = render(target)
    sched = _objects(docs, "Deployment")["profai-scheduler"]
    assert sched["spec"]["replicas"] == 1
    assert sched["spec"]["strategy"]["type"] == "Recreate"
    scaled = {
        d["spec"]["scaleTargetRef"]["name"] for d in docs if d["kind"] in {"HorizontalPodAutoscaler", "ScaledObject"}
    }
    assert "profai-scheduler" not in scaled


@pytest.mark.parametrize("target", TARGETS)
def test_pods_are_locked_down(render, target):
    docs = render(target)
    (sa,) = _objects(docs, "ServiceAccount").values()
    assert sa["automountServiceAccountToken"] is False
    for name, pod in _pod_specs(docs).items():
        assert pod["serviceAccountName"] == sa["metadata"]["name"], name
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == 10001, name
        volumes = {v["name"]: v for v in pod["volumes"]}
        for c in pod["containers"]:
            where = f"{name}/{c['name']}"
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["capabilities"]["drop"] == ["ALL"], where
            mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
            assert "emptyDir" in volumes[mounts["/tmp"]], f"{where}: /tmp must be an emptyDir"
            assert "/data" in mounts, f"{where}: DATA_DIR must be writable"
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][part]), f"{where}: {part}"
            assert c["envFrom"][0]["configMapRef"]["name"].startswith("profai-config"), where
            assert c["envFrom"][1]["secretRef"]["name"] == "profai-secrets", where


@pytest.mark.parametrize("target", TARGETS)
def test_probes(render, target):
    pods = _pod_specs(render(target))
    api = pods["profai-api"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert api["livenessProbe"]["httpGet"]["path"] == "/health/live"
    teacher = pods["profai-ui-teacher"]["containers"][0]
    assert teacher["readinessProbe"]["httpGet"]["path"].endswith("/_stcore/health")
    student = pods["profai-ui-student"]["containers"][0]
    assert student["readinessProbe"]["httpGet"]["path"] == "/"
    for name in ("profai-worker", "profai-scheduler"):  # no HTTP server: documented, no probes
        c = pods[name]["containers"][0]
        assert not {"livenessProbe", "readinessProbe", "ports"} & set(c), name


@pytest.mark.parametrize("target", TARGETS)
def test_workers_shut_down_gracefully(render, target):
    pod = _pod_specs(render(target))["profai-worker"]
    assert pod["terminationGracePeriodSeconds"] >= 900  # > the longest job


@pytest.mark.parametrize("target", TARGETS)
def test_uploads_volume_is_shared_rwx(render, target):
    docs = render(target)
    (pvc,) = _objects(docs, "PersistentVolumeClaim").values()
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    upload_dir = _configmap_data(docs)["UPLOAD_DIR"]
    pods = _pod_specs(docs)
    for name in ("profai-api", "profai-worker"):
        pod = pods[name]
        claim = {
            v["name"]
            for v in pod["volumes"]
            if v.get("persistentVolumeClaim", {}).get("claimName") == pvc["metadata"]["name"]
        }
        mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"] if m["name"] in claim}
        assert mounts == {upload_dir}, name


@pytest.mark.parametrize("target", TARGETS)
def test_services_and_ingress_wiring(render, target):
    docs = render(target)
    deployments = _objects(docs, "Deployment")
    services = _objects(docs, "Service")
    for svc in services.values():
        selected = [
            d
            for d in deployments.values()
            if svc["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(selected) == 1, f"Service {svc['metadata']['name']} must select one Deployment"
        port_names = {p["name"] for p in selected[0]["spec"]["template"]["spec"]["containers"][0]["ports"]}
        assert {p["targetPort"] for p in svc["spec"]["ports"]} <= port_names
    routes = {}
    for ing in _objects(docs, "Ingress").values():
        assert ing["spec"]["ingressClassName"] == "nginx"
        for rule in ing["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                backend = p["backend"]["service"]
                assert backend["name"] in services
                assert backend["port"]["name"] in {sp["name"] for sp in services[backend["name"]]["spec"]["ports"]}
                routes[p["path"]] = (backend["name"], ing["metadata"].get("annotations", {}))
    assert routes["/api"][0] == "profai-api"
    assert int(routes["/api"][1]["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # websockets
    ui_routes = [r for path, r in routes.items() if path.startswith(("/teacher", "/student"))]
    assert {r[0] for r in ui_routes} == {"profai-ui-teacher", "profai-ui-student"}
    for _, ui_annotations in ui_routes:  # sticky sessions for the websocket UIs
        assert ui_annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
        assert ui_annotations["nginx.ingress.kubernetes.io/affinity-mode"] == "persistent"


@pytest.mark.parametrize("target", TARGETS)
def test_ui_base_paths_match_ingress(render, target):
    docs = render(target)
    data = _configmap_data(docs)
    paths = [
        p["path"]
        for ing in _objects(docs, "Ingress").values()
        for r in ing["spec"]["rules"]
        for p in r["http"]["paths"]
    ]
    teacher_prefix = "/" + data["STREAMLIT_SERVER_BASE_URL_PATH"].strip("/")
    assert teacher_prefix in paths
    assert any(p.startswith(data["GRADIO_ROOT_PATH"]) for p in paths)
    teacher = _pod_specs(docs)["profai-ui-teacher"]["containers"][0]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert teacher[probe]["httpGet"]["path"] == f"{teacher_prefix}/_stcore/health"


def test_secret_template_has_no_real_values(render):
    for target in TARGETS:
        (secret,) = _objects(render(target), "Secret").values()
        assert "data" not in secret, "base64 data in a template hides real values"
        assert secret["stringData"], "the template lists the secret keys"
        for key, value in secret["stringData"].items():
            assert value == "REPLACE_ME", f"{target}: Secret key {key} must be a placeholder"


def test_example_overlay_changes_what_it_says(render):
    base, example = render("base"), render("example")
    images = {c["image"] for pod in _pod_specs(example).values() for c in pod["containers"]}
    assert len(images) == 1 and not images.pop().endswith(":latest"), "the overlay pins the image"
    hosts = {r.get("host") for ing in _objects(example, "Ingress").values() for r in ing["spec"]["rules"]}
    assert None not in hosts and len(hosts) == 1
    assert {d["metadata"]["namespace"] for d in example if d["kind"] != "Namespace"} != {
        d["metadata"]["namespace"] for d in base if d["kind"] != "Namespace"
    }
    b_api = _objects(base, "HorizontalPodAutoscaler")["profai-api"]["spec"]
    e_api = _objects(example, "HorizontalPodAutoscaler")["profai-api"]["spec"]
    assert e_api["minReplicas"] > b_api["minReplicas"]


# --------------------------------------------------------------------------------------
# (3) compose
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())  # resolves the `<<:` merge keys


def _env_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path.name}: not KEY=VALUE: {line!r}"
            assert key not in out, f"{path.name}: {key} twice"
            out[key] = value
    return out


def test_compose_validates_against_compose_spec():
    import jsonschema

    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    validator = jsonschema.Draft201909Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_compose())]
    assert not errors, "\n".join(errors)


def test_compose_structure():
    services = _compose()["services"]
    assert set(APP_SERVICES) | {"postgres", "redis", "milvus", "etcd", "minio"} == set(services)
    assert not [n for n, s in services.items() if "container_name" in s], "container_name breaks --scale"
    assert services["postgres"]["image"].split(":")[1].startswith("16")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["image"].split(":")[1].startswith("7")
    assert services["redis"]["command"][1:3] == ["--appendonly", "yes"]
    assert re.match(r"milvusdb/milvus:v2\.5\.", services["milvus"]["image"])
    assert services["milvus"]["command"] == ["milvus", "run", "standalone"]
    for name in ("postgres", "redis", "milvus", "etcd", "minio", "api", "ui-teacher", "ui-student"):
        hc = services[name]["healthcheck"]
        assert not hc.get("disable") and hc["test"], f"{name} needs a health check"
    for name in APP_SERVICES:
        s = services[name]
        assert s["env_file"] == ".env.compose", name
        assert s["read_only"] is True and "/tmp" in s["tmpfs"], name
        deps = s["depends_on"]
        if name in {"migrate", "api", "worker", "scheduler"}:
            assert deps["postgres"]["condition"] == "service_healthy", name
        if name in {"api", "worker", "scheduler"}:
            assert deps["migrate"]["condition"] == "service_completed_successfully", name
            assert deps["redis"]["condition"] == deps["milvus"]["condition"] == "service_healthy", name
    for name in ("ui-teacher", "ui-student"):
        assert services[name]["depends_on"]["api"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    # workers: scalable, graceful
    worker = services["worker"]
    assert "ports" not in worker
    # jobs/worker.py: SIGTERM drains (graceful), SIGINT stops at once
    assert worker["stop_signal"] == "SIGTERM"
    assert re.fullmatch(r"\d+m", worker["stop_grace_period"]) and int(worker["stop_grace_period"][:-1]) >= 10


def test_compose_volumes_and_shared_uploads():
    compose = _compose()
    services = compose["services"]
    volumes = set(compose["volumes"])
    assert {"pg-data", "redis-data", "milvus-data", "etcd-data", "minio-data", "uploads"} <= volumes
    for service in services.values():
        for v in service.get("volumes", []):
            source = v.split(":")[0]
            assert source in volumes, f"{source} is not a named volume"
    upload_dir = _env_file(COMPOSE_ENV_EXAMPLE)["UPLOAD_DIR"]
    for name in ("api", "worker"):
        assert f"uploads:{upload_dir}" in services[name]["volumes"], name
    assert {"uploads"} == {
        v.split(":")[0] for n, s in services.items() for v in s.get("volumes", []) if v.startswith("uploads:")
    } and all("uploads:" in " ".join(services[n]["volumes"]) for n in ("api", "worker"))


def test_dockerfile():
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I)
    assert len(stages) >= 2, "multi-stage build"
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", text, re.M)
    assert re.search(r"^USER 10001(:10001)?$", text, re.M)
    assert 'ENTRYPOINT ["profai"]' in text and 'CMD ["api"]' in text
    assert re.search(r"^\s+DO_NOT_TRACK=1\b", text, re.M) and re.search(r"^\s+HF_HUB_OFFLINE=1\b", text, re.M)
    assert re.search(r"^\s+DATA_DIR=/data\b", text, re.M) and 'VOLUME ["/data"]' in text
    assert "espeak-ng" in text
    assert re.search(r"^HEALTHCHECK .*\\\n\s+CMD .*urllib.*/health/live", text, re.M)


# --------------------------------------------------------------------------------------
# (4) consistency with the code
# --------------------------------------------------------------------------------------


def _settings_fields() -> set[str]:
    from core.settings import Settings

    return {name.upper() for name in Settings.model_fields}


def _all_env_sources(render) -> dict[str, dict[str, str]]:
    sources = {"deploy/compose.env.example": _env_file(COMPOSE_ENV_EXAMPLE)}
    for name, service in _compose()["services"].items():
        if name in APP_SERVICES and service.get("environment"):
            sources[f"compose.yml:{name}"] = dict(service["environment"])
    for target in ("base", "example"):
        docs = render(target)
        sources[f"ConfigMap ({target})"] = _configmap_data(docs)
        (secret,) = _objects(docs, "Secret").values()
        sources[f"Secret ({target})"] = secret["stringData"]
        for pod_name, pod in _pod_specs(docs).items():
            for c in pod["containers"]:
                sources[f"{pod_name} env ({target})"] = {e["name"]: e.get("value", "") for e in c.get("env", [])}
    return sources


def test_env_var_names_are_settings_or_known_third_party(render):
    fields = _settings_fields()
    unknown = [
        f"{where}: {key}"
        for where, env in _all_env_sources(render).items()
        for key in env
        if key.upper() not in fields and not THIRD_PARTY_ENV.match(key)
    ]
    assert not unknown, "not a Settings field nor a documented third-party variable:\n" + "\n".join(unknown)


def test_env_values_parse_as_settings(render, monkeypatch):
    """The values we ship are valid for Settings (types, literals)."""
    from pydantic import ValidationError

    from core.settings import Settings

    fields = _settings_fields()
    for where, env in _all_env_sources(render).items():
        for key in list(os.environ):
            if key.upper() in fields:
                monkeypatch.delenv(key)
        values = {k: v for k, v in env.items() if k.upper() in fields}
        with monkeypatch.context() as m:
            for k, v in values.items():
                m.setenv(k, v)
            try:
                Settings(_env_file=None)  # type: ignore[call-arg]
            except ValidationError as exc:
                pytest.fail(f"{where}: {exc}")


def _cli_subcommands() -> set[str]:
    import profai.cli as cli

    parser = cli.build_parser()
    commands: set[str] = set()
    for action in parser._actions:  # argparse keeps subparsers here
        if isinstance(action, argparse._SubParsersAction):
            commands |= set(action.choices)
    assert commands, "build_parser() has no subcommands"
    return commands


def _used_commands(render) -> dict[str, str]:
    used = {}
    for name, service in _compose()["services"].items():
        if name in APP_SERVICES:
            used[f"compose.yml:{name}"] = service["command"][0]
    for target in ("base", "example", "worker-hpa"):
        for pod_name, pod in _pod_specs(render(target)).items():
            for c in pod["containers"]:
                assert "command" not in c, f"{pod_name}: use args, the image's ENTRYPOINT is `profai`"
                used[f"{pod_name} ({target})"] = c["args"][0]
    used["Dockerfile CMD"] = _first_group(r'^CMD \["([^"]+)"', DOCKERFILE.read_text(), re.M)
    return used


def test_commands_are_cli_subcommands(render):
    used = _used_commands(render)
    assert {"api", "worker", "scheduler", "ui-teacher", "ui-student", "migrate"} <= set(used.values())
    commands = _cli_subcommands()
    wrong = [f"{where}: {cmd}" for where, cmd in used.items() if cmd not in commands]
    assert not wrong, f"not a subcommand of profai ({sorted(commands)}):\n" + "\n".join(wrong)


def _first_group(pattern: str, text: str, flags: int = 0) -> str:
    match = re.search(pattern, text, flags)
    assert match is not None, f"{pattern!r} not found"
    return match.group(1)


def _probe_paths(render) -> dict[str, str]:
    paths = {}
    for target in ("base", "example"):
        api = _pod_specs(render(target))["profai-api"]["containers"][0]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            paths[f"api {probe} ({target})"] = api[probe]["httpGet"]["path"]
    paths["Dockerfile HEALTHCHECK"] = _first_group(r"http://127\.0\.0\.1:[^/]+(/[\w/]+)", DOCKERFILE.read_text())
    compose_hc = " ".join(_compose()["services"]["api"]["healthcheck"]["test"])
    paths["compose api healthcheck"] = _first_group(r"http://127\.0\.0\.1:\d+(/[\w/]+)", compose_hc)
    return paths


def test_probe_paths_are_app_routes(render, tmp_path):
    probe_paths = _probe_paths(render)
    assert {"/health/live", "/health/ready"} <= set(probe_paths.values())
    from backend.app import create_app
    from core.settings import Settings
    from profai.container import build

    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    routes = {route.path for route in create_app(settings, build(settings)).routes}
    assert "/metrics" in routes
    missing = [f"{where}: {path}" for where, path in probe_paths.items() if path not in routes]
    assert not missing, "probe paths that are not routes of the app:\n" + "\n".join(missing)


def test_ports_match_settings_defaults(render):
    from core.settings import Settings

    defaults = {
        "api": Settings.model_fields["api_port"].default,
        "ui-teacher": Settings.model_fields["ui_teacher_port"].default,
        "ui-student": Settings.model_fields["ui_student_port"].default,
    }
    setting_of = {"api": "API_PORT", "ui-teacher": "UI_TEACHER_PORT", "ui-student": "UI_STUDENT_PORT"}
    # Kubernetes: containerPort, Service port, ConfigMap value
    for target in TARGETS:
        docs = render(target)
        data = _configmap_data(docs)
        pods = _pod_specs(docs)
        services = _objects(docs, "Service")
        for part, port in defaults.items():
            (container_port,) = [p["containerPort"] for p in pods[f"profai-{part}"]["containers"][0]["ports"]]
            assert container_port == port, f"{target} {part}"
            assert [p["port"] for p in services[f"profai-{part}"]["spec"]["ports"]] == [port]
            assert int(data.get(setting_of[part], port)) == port
        assert data["API_URL"].endswith(f":{defaults['api']}")
    # compose: container side of published ports, health-check URLs, env example
    services = _compose()["services"]
    env = _env_file(COMPOSE_ENV_EXAMPLE)
    for part, port in defaults.items():
        (mapping,) = services[part]["ports"]
        assert mapping.rsplit(":", 1)[1] == str(port), part
        hc = " ".join(services[part]["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/" in hc, part
        assert int(env.get(setting_of[part], port)) == port
    assert env["API_URL"] == f"http://api:{defaults['api']}"
    # Dockerfile
    text = DOCKERFILE.read_text()
    exposed = {int(p) for line in re.findall(r"^EXPOSE (.+)$", text, re.M) for p in line.split()}
    assert set(defaults.values()) <= exposed
    assert re.search(rf"^\s+API_PORT={defaults['api']}\b", text, re.M)


@pytest.mark.parametrize("target", ("base", "example"))
def test_migration_job_can_be_applied_first(render, target):
    """docs/operations.md applies `-l app.kubernetes.io/component in (base,migrate)` first:
    that subset must contain everything the Job needs."""
    docs = render(target)
    first = {
        (d["kind"], d["metadata"]["name"])
        for d in docs
        if d["metadata"].get("labels", {}).get("app.kubernetes.io/component") in {"base", "migrate"}
    }
    kinds = {kind for kind, _ in first}
    assert {"Namespace", "ServiceAccount", "ConfigMap", "Secret", "Job"} <= kinds
    assert not kinds & {"Deployment", "HorizontalPodAutoscaler", "ScaledObject", "Ingress"}
    job = _objects(docs, "Job")["profai-migrate"]["spec"]["template"]["spec"]
    for source in job["containers"][0]["envFrom"]:
        ref = source.get("configMapRef") or source.get("secretRef")
        assert any(name == ref["name"] for _, name in first), ref
