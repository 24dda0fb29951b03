"""The console's own settings: where the API is, the remembered login. It reads nothing else of the platform's."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    api_url: str = "http://127.0.0.1:8000"
    # Encrypts the remembered login (a cookie); give every console process the same value.
    ui_teacher_storage_secret: SecretStr | None = None
    # How long the browser remembers a login: the API's token lifetime, no longer.
    token_ttl_seconds: int = 7 * 24 * 3600
