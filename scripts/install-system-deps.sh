#!/usr/bin/env sh
# System packages ProfessorAI needs beyond its Python wheels. Idempotent: installs only what
# is missing, so it is safe to run on every setup or image build.
#
# - espeak-ng: the always-available offline text-to-speech engine (Piper, the natural voice,
#   is an optional Python extra and needs nothing from the system).
#   Everything else audio-related (PyAV's ffmpeg, LAME, libsndfile) ships inside wheels.
set -eu

missing=""
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"

if [ -z "$missing" ]; then
    echo "system dependencies already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "please install:$missing (no apt-get on this system)" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

# Update the package lists only when the install cannot find the package without it
# (fresh containers ship with empty lists).
# shellcheck disable=SC2086
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; then
    $SUDO apt-get update
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
