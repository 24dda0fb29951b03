"""Typed settings, read once from environment variables and an optional `.env` file.

The embedded default needs no variable at all: every field has a default that runs
on one machine with SQLite, Huey on SQLite, milvus-lite and offline AI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- where things live -------------------------------------------------------
    data_dir: Path = Field(default=Path("var"), description="Root for the embedded stores and uploads.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db. Default: SQLite in DATA_DIR.",
    )
    redis_url: str | None = Field(default=None, description="Huey on Redis when set; Huey on SQLite otherwise.")
    queue_name: str = Field(default="profai", description="Huey queue name; deployments sharing a Redis differ here.")
    milvus_uri: str = Field(
        default="http://127.0.0.1:19530",
        description="Milvus server or the milvus-lite server that `profai up` starts.",
    )
    milvus_token: SecretStr | None = None
    milvus_collection: str = "profai_chunks"
    upload_dir: Path | None = Field(default=None, description="Uploaded files. Default: DATA_DIR/uploads.")
    db_pool_size: int = Field(default=20, ge=1, description="Database connections kept open per process.")
    db_max_overflow: int = Field(default=0, ge=0, description="Extra connections a busy process may open.")

    # --- network -------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_workers: int = 1
    # Longer than clients' and load balancers' idle gaps (ALB: 60 s): a client that sends on a
    # kept-alive connection just as the server closes it sees "connection reset" (uvicorn: 5 s).
    api_keepalive_seconds: int = Field(default=75, ge=1)
    # A client gets this long to send a request's line and headers (then 408), and this many KB of
    # them (then 431): a slow or huge header holds a connection and its buffer (backend/timeouts.py).
    api_header_timeout_seconds: float = Field(default=10.0, gt=0, description="Time to send a request's headers.")
    api_max_header_kb: int = Field(default=32, ge=1, description="Size of a request's line and headers.")
    # A body must keep arriving (no pause longer than IDLE) and be complete within TIMEOUT.
    api_body_idle_seconds: float = Field(default=30.0, gt=0, description="Longest pause inside a request body.")
    api_body_timeout_seconds: float = Field(default=600.0, gt=0, description="Time to send a whole request body.")
    api_url: str = Field(default="http://127.0.0.1:8000", description="Where the UIs reach the API.")
    ui_host: str = "127.0.0.1"
    ui_teacher_port: int = 8501
    ui_student_port: int = 7860
    milvus_lite_port: int = 19530
    cors_origins: list[str] = Field(default_factory=list)
    hsts_max_age: int = Field(
        default=0, ge=0, description="Strict-Transport-Security max-age on every API response; 0: no HSTS header."
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="When set, GET /metrics needs `Authorization: Bearer <this token>`."
    )

    # --- auth ------------------------------------------------------------------------
    token_ttl_seconds: int = 7 * 24 * 3600
    ui_student_storage_secret: SecretStr | None = Field(
        default=None,
        description="Key of the student app's remembered login in the browser; unset: random per process.",
    )
    ui_teacher_storage_secret: SecretStr | None = Field(
        default=None,
        description="Key of the teacher console's remembered login (an encrypted cookie); unset: random per process.",
    )

    # --- rate limits ("N/period", e.g. "5/15 minutes"; "off" disables one) ------------------
    # Shared by every API process through Redis when REDIS_URL is set; per process otherwise.
    rate_limit_login_account: str = Field(
        default="5/15 minutes", description="Failed logins per account; then 429, even with the right password."
    )
    rate_limit_login_ip: str = Field(default="50/15 minutes", description="Failed logins per client IP.")
    rate_limit_register_ip: str = Field(default="60/hour", description="Registrations per client IP.")
    rate_limit_register_account: str = Field(default="10/hour", description="Registrations per email address.")
    rate_limit_enroll: str = Field(default="20/hour", description="Enrollment attempts (with a code) per user.")
    rate_limit_chat: str = Field(default="30/minute", description="Tutor questions per user (HTTP and websocket).")
    rate_limit_audio: str = Field(default="30/minute", description="Speech requests (TTS, STT, lesson audio) per user.")
    rate_limit_upload: str = Field(default="60/hour", description="Upload requests per user.")
    rate_limit_page_render: str = Field(
        default="60/minute", description="Page images rendered per user (a cached page does not count)."
    )
    # At once per user: a refusal is a 429 with Retry-After. Shared through Redis when set.
    max_concurrent_uploads: int = Field(default=4, ge=1, description="Upload requests in flight per user.")
    max_concurrent_streams: int = Field(
        default=4, ge=1, description="Open answer streams (SSE, websocket, audio) per user."
    )

    # --- uploads and parsing limits -------------------------------------------------
    max_file_mb: float = 50.0
    max_files_per_request: int = 20
    max_request_mb: float = 200.0
    max_pages: int = 1500
    parse_timeout_seconds: int = 300
    parse_max_memory_mb: int = Field(default=1536, description="Memory cap of the child process parsing one file.")
    partial_file_max_age_seconds: float = Field(
        default=3600, gt=0, description="An upload's `.part` file older than this is a dead request's: swept."
    )

    # --- page images (a cited PDF page as a PNG) -------------------------------------
    page_image_max_pixels: int = Field(default=4_000_000, ge=10_000, description="Pixels of one rendered page.")
    page_image_max_side_px: int = Field(default=8000, ge=100, description="Longest side of a rendered page.")
    page_image_cache_max_mb: float = Field(
        default=512, ge=0, description="Disk the rendered pages may use; least recently used go first. 0: no limit."
    )

    # --- jobs --------------------------------------------------------------------
    worker_threads: int = 2
    worker_nice: int = Field(
        default=10, ge=0, le=19, description="CPU priority offset of worker processes: the API stays responsive."
    )
    job_max_attempts: int = 3
    job_heartbeat_seconds: float = 5.0
    job_stale_seconds: float = 60.0
    job_retry_backoff_seconds: float = 5.0
    reaper_interval_seconds: float = 15.0
    job_outage_wait_seconds: float = Field(
        default=600.0,
        ge=0,
        description="How long a job waits for the database, queue or vector store to come back "
        "(its attempts untouched) before the outage counts as a failed attempt.",
    )

    # --- AI providers ------------------------------------------------------------
    embedding_provider: Literal["local", "openai"] = "local"
    embedding_model: str = "text-embedding-3-small"
    embedding_batch_size: int = 32
    llm_provider: Literal["offline", "openai"] = "offline"
    tutor_multilingual: bool = Field(
        default=True,
        description="Cross-lingual tutor: a multilingual-e5 vector per chunk (the ingest job's last step) "
        "and per question, so a question in one language finds pages written in another.",
    )
    llm_model: str = "gpt-4o-mini"
    llm_concurrency: int = 4
    llm_timeout_seconds: float = 60.0
    llm_max_retries: int = 2
    # Caps a tutor answer: bounds the cost and the time of one chat with any provider.
    llm_max_answer_tokens: int = Field(default=600, ge=16, le=8192)
    openai_base_url: str | None = Field(default=None, description="Any OpenAI-compatible endpoint.")
    openai_api_key: SecretStr | None = None
    embedding_base_url: str | None = Field(default=None, description="Defaults to OPENAI_BASE_URL.")
    embedding_api_key: SecretStr | None = None

    # --- audio -------------------------------------------------------------------
    # Speech out: "auto" is Piper (optional GPL extra) when installed, else espeak-ng.
    tts_provider: Literal["auto", "piper", "espeak", "openai", "sarvam"] = "auto"
    # Speech in: faster-whisper on the bundled tiny.en model needs no network.
    stt_provider: Literal["whisper", "openai", "sarvam"] = "whisper"
    tts_voice: str | None = Field(default=None, description="Engine voice; default per engine.")
    tts_model: str | None = Field(default=None, description="Remote TTS model, e.g. tts-1 or bulbul:v2.")
    stt_model: str | None = Field(default=None, description="Remote STT model, e.g. whisper-1 or saarika:v2.5.")
    sarvam_api_key: SecretStr | None = None
    sarvam_base_url: str = "https://api.sarvam.ai"
    max_tts_chars: int = 5000
    max_audio_mb: float = 15.0
    max_audio_seconds: float = 300.0
    audio_concurrency: int = Field(default=2, description="TTS/STT runs at once per API process (CPU-bound).")
    audio_timeout_seconds: float = 120.0
    audio_cache_max_mb: float = Field(
        default=2048, ge=0, description="Disk the speech cache may use; least recently used go first. 0: no limit."
    )

    # --- generation ----------------------------------------------------------------
    chunk_tokens: int = 300
    chunk_overlap_tokens: int = 40
    module_quiz_questions: int = 10
    final_quiz_questions: int = 20

    # --- cache -------------------------------------------------------------------
    cache_ttl_seconds: float = 30.0
    # The API's response cache (with Redis only): an entry lives until a commit it depends on,
    # and at most this long; the cache holds at most this many entries (least recent go first).
    response_cache_ttl_seconds: float = Field(default=300.0, gt=0)
    response_cache_max_entries: int = Field(default=50_000, ge=0)

    # --- patches of dependencies (core/patches/) ---------------------------------------
    # Read by core/patches from the process's environment (they apply in the milvus-lite
    # server and parser processes, before anything reads settings); declared here so that
    # a typo in its value fails like any other setting's.
    profai_patches_off: bool = False

    log_level: str = "INFO"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'profai.db').resolve()}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def resolved_upload_dir(self) -> Path:
        return (self.upload_dir or self.data_dir / "uploads").resolve()

    @property
    def is_sqlite(self) -> bool:
        # Asked per request: no path resolution here (resolved_database_url resolves one).
        return not self.database_url or normalise_database_url(self.database_url).startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Accept the URLs operators paste (postgres://, postgresql://) and pick async drivers."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def load_settings() -> Settings:
    """Read the environment (and `.env`) now. Each process calls this once, in its entry point,
    and passes the result on (profai/container.py): nothing reads settings behind its back."""
    return Settings()
