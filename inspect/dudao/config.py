"""Settings from `DUDAO_*` environment variables, with defaults that need no set-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dudao.core.errors import ConfigError

ENV_PREFIX = "DUDAO_"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    timezone: str
    data_dir: Path
    smtp_url: str | None = None
    mail_from: str = "dudao@localhost"
    behind_https: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _env(name: str, environ: dict[str, str]) -> str | None:
    value = environ.get(ENV_PREFIX + name, "").strip()
    return value or None


def _secret_key(instance_path: Path, environ: dict[str, str]) -> str:
    """Use the configured key, else one generated once and kept in the instance folder."""
    configured = _env("SECRET_KEY", environ)
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    instance_path = Path(_env("INSTANCE_PATH", environ) or PROJECT_ROOT / "instance").resolve()
    timezone = _env("TIMEZONE", environ) or "Asia/Shanghai"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"DUDAO_TIMEZONE={timezone!r} is not a known time zone.") from exc
    database_url = _env("DATABASE_URL", environ) or f"sqlite:///{instance_path / 'dudao.sqlite'}"
    return Settings(
        instance_path=instance_path,
        database_url=database_url,
        redis_url=_env("REDIS_URL", environ),
        secret_key=_secret_key(instance_path, environ),
        timezone=timezone,
        data_dir=Path(_env("DATA_DIR", environ) or instance_path / "data").resolve(),
        smtp_url=_env("SMTP_URL", environ),
        mail_from=_env("MAIL_FROM", environ) or "dudao@localhost",
        behind_https=(_env("BEHIND_HTTPS", environ) or "").lower() in {"1", "true", "yes"},
    )
