"""Settings from `DUDAO_*` environment variables, with defaults that need no set-up."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dudao.core.errors import ConfigError

ENV_PREFIX = "DUDAO_"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_SCHEMES = ("redis", "rediss", "unix")
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    timezone: str
    data_dir: Path
    #: The organisation's definitions folder: `init` and `forms sync` load it.
    forms_dir: Path = PROJECT_ROOT / "forms"
    smtp_url: str | None = None
    mail_from: str = "dudao@localhost"
    #: The site's public address (https://host[/prefix]): e-mailed notifications link to it.
    site_url: str | None = None
    behind_https: bool = False
    #: A TrueType font (.ttf, or .ttc with "#index") for PDF reports; docs/reports.md.
    pdf_font: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _env(name: str, environ: dict[str, str]) -> str | None:
    value = environ.get(ENV_PREFIX + name, "").strip()
    return value or None


def typed(value: str) -> str:
    """A value quoted as it was typed ('Mars/Olympus'), not as repr writes it (which doubles
    a backslash and puts "…" around an apostrophe); only what would break the line is
    escaped (a newline as \\n)."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in value) + "'"


def setting(name: str, value: str) -> str:
    """A `DUDAO_*` variable and its value as the operator set it: DUDAO_TIMEZONE='Mars'.

    These sentences stay in English (docs/i18n.md): the same one stops a command and
    gunicorn (which has no --lang), often beside a driver's own English reason; the
    variable and its value read the same in any language."""
    return f"{ENV_PREFIX}{name}={typed(value)}"


def masked(url: str) -> str:
    """The URL with its password replaced by ***, for messages and logs."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _secret_key(instance_path: Path, environ: dict[str, str]) -> str:
    """Use the configured key, else one generated once and kept in the instance folder.

    The file is created readable by its owner only (0600) and atomically, so two
    processes starting at once (web and worker) end up with the same key.
    """
    configured = _env("SECRET_KEY", environ)
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    try:
        if not key_file.exists():
            instance_path.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(prefix=".secret_key.", dir=instance_path)
            draft = Path(name)  # mkstemp creates it readable by its owner only (0600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(draft, key_file)  # fails if another process was first: use theirs
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        key = key_file.read_text().strip()
    except OSError as exc:
        raise ConfigError(
            f"Cannot keep a secret key in {key_file} ({exc.strerror or exc}); "
            "set DUDAO_SECRET_KEY or make the instance folder writable."
        ) from exc
    if not key:
        raise ConfigError(f"The secret key file {key_file} is empty; delete it to make a new one.")
    return key


def forms_dir(environ: dict[str, str] | None = None) -> Path:
    """DUDAO_FORMS_DIR, else the shipped forms/: one folder is the organisation's definitions,
    since syncing a folder retires what it lacks."""
    environ = dict(os.environ if environ is None else environ)
    return Path(_env("FORMS_DIR", environ) or PROJECT_ROOT / "forms").resolve()


def check_data_dir(settings: Settings) -> None:
    """Write and remove a file in the data folder, so a start that could not keep a photo,
    an upload or a report stops with one sentence rather than at the first upload."""
    folder = settings.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(prefix=".writable.", dir=folder)
        os.close(descriptor)
        os.unlink(name)
    except OSError as exc:
        raise ConfigError(
            f"Cannot write files in {folder} (DUDAO_DATA_DIR): {exc.strerror or exc}. Photos, "
            "uploads and reports are kept there: make it writable for this user, or set "
            "DUDAO_DATA_DIR to a folder that is."
        ) from exc


def _timezone(environ: dict[str, str]) -> str:
    timezone = _env("TIMEZONE", environ) or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError(
            f"{setting('TIMEZONE', timezone)} is not a known time zone (use a name such as "
            "'Asia/Shanghai' or 'UTC')."
        ) from exc
    return timezone


def _redis_url(environ: dict[str, str]) -> str | None:
    """Check the Redis URL's form here, so every process fails the same clear way."""
    url = _env("REDIS_URL", environ)
    if url is None:
        return None
    shown = setting("REDIS_URL", masked(url))
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES:
        raise ConfigError(
            f"{shown} is not a Redis URL: it must start with redis://, rediss:// or unix://."
        )
    if parts.scheme == "unix":
        if not parts.path:
            raise ConfigError(f"{shown} names no socket path.")
        return url
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as exc:
        raise ConfigError(f"{shown} has a port that is not a number.") from exc
    if not parts.hostname:
        raise ConfigError(f"{shown} names no host.")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ConfigError(f"{shown} ends in {typed(database)}; the database must be a number.")
    return url


def _site_url(environ: dict[str, str]) -> str | None:
    url = _env("SITE_URL", environ)
    if url is None:
        return None
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", url):
        raise ConfigError(
            f"{setting('SITE_URL', url)} must be the site's address, like "
            "https://dudao.example.org."
        )
    return url.rstrip("/")


def _smtp_url(environ: dict[str, str]) -> str | None:
    """Checked at the start, not at the first e-mail a worker tries to send hours later."""
    url = _env("SMTP_URL", environ)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(
                f"{setting('SMTP_URL', masked(url))} must look like smtp://host:port."
            )
    return url


ON, OFF = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def _switch(name: str, environ: dict[str, str]) -> bool:
    """An on/off setting: "maybe" is said, not read as off."""
    value = (_env(name, environ) or "").lower()
    if value not in ON | OFF:
        raise ConfigError(f"{setting(name, value)} must be 1 or 0 (also true/false, yes/no).")
    return value in ON


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read every `DUDAO_*` setting; a value that cannot work raises ConfigError (one sentence)."""
    environ = dict(os.environ if environ is None else environ)
    instance_path = Path(_env("INSTANCE_PATH", environ) or PROJECT_ROOT / "instance").resolve()
    timezone = _timezone(environ)
    database_url = _env("DATABASE_URL", environ) or f"sqlite:///{instance_path / 'dudao.sqlite'}"
    return Settings(
        instance_path=instance_path,
        database_url=database_url,
        redis_url=_redis_url(environ),
        secret_key=_secret_key(instance_path, environ),
        timezone=timezone,
        data_dir=Path(_env("DATA_DIR", environ) or instance_path / "data").resolve(),
        forms_dir=forms_dir(environ),
        smtp_url=_smtp_url(environ),
        mail_from=_env("MAIL_FROM", environ) or "dudao@localhost",
        site_url=_site_url(environ),
        behind_https=_switch("BEHIND_HTTPS", environ),
        pdf_font=_env("PDF_FONT", environ),
    )
