"""The student app's own settings: where the API is, where the app listens, the storage key."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class StudentAppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    api_url: str = "http://127.0.0.1:8000"
    ui_host: str = "127.0.0.1"
    ui_student_port: int = 7860
    # Scrambles the remembered login in the browser; give every process the same value.
    ui_student_storage_secret: SecretStr | None = None
