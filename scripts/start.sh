#!/usr/bin/env bash
# Sets up ProfessorAI and starts the whole platform on the embedded default (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/profai up
