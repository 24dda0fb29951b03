#!/usr/bin/env bash
# Re-resolves every dependency into requirements.lock (uv, universal: any OS and CPU the
# project supports, Python 3.11+). setup.sh, CI and the image install with it as pip
# constraints, so every machine gets the same versions. Run after changing pyproject.toml;
# `./scripts/lock.sh --upgrade` moves everything to the newest versions the ranges allow.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null || python3 -m pip install --quiet uv
uv pip compile --quiet --universal --python-version 3.11 --extra dev pyproject.toml "$@" \
    -o requirements.lock
