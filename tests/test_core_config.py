"""Settings from DUDAO_* variables, and one clear sentence when a URL cannot work."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dudao.config import load_settings, masked
from dudao.core.database import make_engine
from dudao.core.errors import ConfigError
from tests.conftest import TEST_DATABASE_URL


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_defaults_need_no_set_up(tmp_path):
    settings = load_settings({"DUDAO_INSTANCE_PATH": str(tmp_path / "inst")})
    instance = (tmp_path / "inst").resolve()
    assert settings.instance_path == instance
    assert settings.database_url == f"sqlite:///{instance / 'dudao.sqlite'}"
    assert settings.redis_url is None
    assert settings.timezone == "Asia/Shanghai" and settings.tz.key == "Asia/Shanghai"
    assert settings.data_dir == instance / "data"
    assert (settings.smtp_url, settings.mail_from, settings.behind_https) == (
        None,
        "dudao@localhost",
        False,
    )


def test_reads_only_dudao_prefixed_variables(tmp_path):
    settings = load_settings(
        {
            "DUDAO_INSTANCE_PATH": str(tmp_path),
            "DUDAO_DATABASE_URL": " postgresql+psycopg://u@db/dudao ",
            "DUDAO_REDIS_URL": "redis://cache:6380/2",
            "DUDAO_SECRET_KEY": "s3cret",
            "DUDAO_TIMEZONE": "Europe/Berlin",
            "DUDAO_DATA_DIR": str(tmp_path / "files"),
            "DUDAO_BEHIND_HTTPS": "yes",
            "DUDAO_MAIL_FROM": "",
            "DATABASE_URL": "sqlite:///ignored",
            "TIMEZONE": "UTC",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@db/dudao"
    assert settings.redis_url == "redis://cache:6380/2"
    assert settings.secret_key == "s3cret"
    assert settings.timezone == "Europe/Berlin"
    assert settings.data_dir == (tmp_path / "files").resolve()
    assert settings.behind_https is True
    assert settings.mail_from == "dudao@localhost"  # empty counts as unset
    assert not (tmp_path / "secret_key").exists()  # a configured key writes no file


def test_reads_the_process_environment_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("DUDAO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DUDAO_TIMEZONE", "UTC")
    assert load_settings().timezone == "UTC"


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    environ = {"DUDAO_INSTANCE_PATH": str(tmp_path / "new" / "inst")}
    first = load_settings(environ).secret_key
    key_file = tmp_path / "new" / "inst" / "secret_key"
    assert len(first) == 64 and int(first, 16) >= 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings(environ).secret_key == first
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secret_key"]


def test_processes_starting_together_share_one_key(tmp_path):
    environ = {"DUDAO_INSTANCE_PATH": str(tmp_path)}
    keys: list[str] = []
    threads = [
        threading.Thread(target=lambda: keys.append(load_settings(environ).secret_key))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert (tmp_path / "secret_key").read_text() == keys[0]


def test_unusable_secret_key_file_is_one_sentence(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(ConfigError, match=r"secret_key is empty; delete it"):
        load_settings({"DUDAO_INSTANCE_PATH": str(tmp_path)})
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(ConfigError, match=r"^Cannot keep a secret key in .*DUDAO_SECRET_KEY"):
        load_settings({"DUDAO_INSTANCE_PATH": str(blocked / "inst")})


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "America", "Asia/Shanghai/", "../etc/passwd", "/etc/localtime"]
)
def test_unknown_time_zone_is_one_sentence(tmp_path, zone):
    with pytest.raises(ConfigError) as caught:
        load_settings({"DUDAO_INSTANCE_PATH": str(tmp_path), "DUDAO_TIMEZONE": zone})
    message = str(caught.value)
    assert message.startswith(f"DUDAO_TIMEZONE={zone!r} is not a known time zone")
    assert message.endswith(".") and "\n" not in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("localhost:6379", "is not a Redis URL: it must start with redis://"),
        ("http://cache:6379/0", "is not a Redis URL"),
        ("redis://cache:port/0", "has a port that is not a number"),
        ("redis:///0", "names no host"),
        ("redis://cache:6379/zero", "ends in 'zero'; the database must be a number"),
        ("unix://", "names no socket path"),
    ],
)
def test_malformed_redis_url_is_one_sentence(tmp_path, url, expected):
    with pytest.raises(ConfigError, match=expected):
        load_settings({"DUDAO_INSTANCE_PATH": str(tmp_path), "DUDAO_REDIS_URL": url})


@pytest.mark.parametrize(
    "url", ["redis://cache", "rediss://:pw@cache:6380/3", "unix:///run/redis.sock?db=2"]
)
def test_wellformed_redis_urls_pass(tmp_path, url):
    assert load_settings({"DUDAO_INSTANCE_PATH": str(tmp_path), "DUDAO_REDIS_URL": url}).redis_url


def test_passwords_are_masked_in_messages():
    assert masked("postgresql+psycopg://u:pa:ss@h/db") == "postgresql+psycopg://u:***@h/db"
    assert masked("redis://:pw@h:6379/0") == "redis://:***@h:6379/0"
    assert masked("sqlite:///a:b/c.sqlite") == "sqlite:///a:b/c.sqlite"
    with pytest.raises(ConfigError) as caught:
        make_engine("mysql://root:hunter2@db/x")
    assert "hunter2" not in str(caught.value) and "'mysql'" in str(caught.value)


def test_a_bad_setting_is_named_with_its_value_as_typed(tmp_path):
    """DUDAO_X='value' as the operator typed it, not Python's repr of it (a doubled
    backslash, "…" around an apostrophe); only a line break is escaped."""

    def refusal(name: str, value: str) -> str:
        with pytest.raises(ConfigError) as caught:
            load_settings({"DUDAO_INSTANCE_PATH": str(tmp_path), name: value})
        return str(caught.value)

    zone = refusal("DUDAO_TIMEZONE", "Asia\\Shanghai")
    assert zone.startswith("DUDAO_TIMEZONE='Asia\\Shanghai' is not a known time zone")
    redis = refusal("DUDAO_REDIS_URL", "redis://cache:6379/o'clock")
    assert redis == (
        "DUDAO_REDIS_URL='redis://cache:6379/o'clock' ends in 'o'clock'; "
        "the database must be a number."
    )
    site = refusal("DUDAO_SITE_URL", "https://a.example.org/\nb")
    assert site.startswith("DUDAO_SITE_URL='https://a.example.org/\\nb' must be the site's")
    with pytest.raises(ConfigError) as caught:
        make_engine("mysql://root:hunter2@db/x")
    assert str(caught.value).startswith(
        "DUDAO_DATABASE_URL='mysql://root:***@db/x' names the database 'mysql'; "
    )


# --- whole commands, as a user would run them -------------------------------------------


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DUDAO_")}
    environ |= {"DUDAO_INSTANCE_PATH": str(tmp_path / "inst"), **env}
    return subprocess.run(
        [sys.executable, "-m", "dudao", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _assert_one_sentence(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert "secret" not in lines[0]


def _database_cases() -> list[tuple[str, str]]:
    """`{closed}` becomes a closed port at run time (ids must match across xdist workers)."""
    cases = [
        ("not a url", "is not a valid database URL"),
        ("oracle://u:secret@db/x", "names the database 'oracle'"),
        ("postgresql://u:secret@db:port/x", "is not a valid database URL"),
        ("postgresql://u:secret@127.0.0.1:{closed}/x", "(DUDAO_DATABASE_URL): "),
    ]
    if TEST_DATABASE_URL:
        missing = make_url(TEST_DATABASE_URL).set(database="dudao_no_such_database")
        cases.append(
            (
                missing.render_as_string(hide_password=False),
                "the database 'dudao_no_such_database' does not exist",
            )
        )
    return cases


@pytest.mark.parametrize(("url", "expected"), _database_cases())
def test_init_with_a_bad_database_url_says_so_in_one_sentence(tmp_path, url, expected):
    url = url.replace("{closed}", str(_closed_port()))
    _assert_one_sentence(_run(tmp_path, "init", DUDAO_DATABASE_URL=url), expected)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("memcached://cache:11211", "is not a Redis URL"),
        ("redis://:secret@127.0.0.1:six/0", "has a port that is not a number"),
        ("redis://:secret@127.0.0.1:{closed}/0", "Cannot connect to Redis at redis://"),
    ],
)
def test_worker_with_a_bad_redis_url_says_so_in_one_sentence(tmp_path, url, expected):
    url = url.replace("{closed}", str(_closed_port()))
    _assert_one_sentence(_run(tmp_path, "worker", "--burst", DUDAO_REDIS_URL=url), expected)


def test_bad_setting_stops_a_command_in_one_sentence_in_process(tmp_path):
    from click.testing import CliRunner

    from dudao.cli import cli

    env = {"DUDAO_INSTANCE_PATH": str(tmp_path), "DUDAO_TIMEZONE": "Mars/Olympus"}
    result = CliRunner().invoke(cli, ["init"], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: DUDAO_TIMEZONE='Mars/Olympus' is not a known time zone "
        "(use a name such as 'Asia/Shanghai' or 'UTC')."
    )


def test_a_data_folder_that_cannot_be_written_stops_init_before_the_database(tmp_path):
    """Found at the start, not at the first photo (root writes anywhere: a file in the way)."""
    from click.testing import CliRunner

    from dudao.cli import cli

    (tmp_path / "taken").write_text("a file, not a folder")
    env = {"DUDAO_INSTANCE_PATH": str(tmp_path / "inst"),
           "DUDAO_DATA_DIR": str(tmp_path / "taken" / "data")}  # fmt: skip
    result = CliRunner().invoke(cli, ["init"], env=env)
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: Cannot write files in {tmp_path / 'taken' / 'data'} (DUDAO_DATA_DIR): Not a "
        "directory. Photos, uploads and reports are kept there"
    )
    assert not (tmp_path / "inst" / "dudao.sqlite").exists()


def test_worker_burst_runs_with_good_settings_on_a_migrated_database(tmp_path, redis_url):
    """On a database not migrated (yet) every job would fail on a missing column: the worker
    does not start, and says what to run."""
    refused = _run(tmp_path, "worker", "--burst", "--simple", DUDAO_REDIS_URL=redis_url)
    assert refused.returncode == 1 and "run `dudao db upgrade`" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _run(tmp_path, "db", "upgrade").returncode == 0
    result = _run(tmp_path, "worker", "--burst", "--simple", DUDAO_REDIS_URL=redis_url)
    assert result.returncode == 0, result.stderr


def test_site_url_is_the_public_address(tmp_path):
    settings = load_settings(
        {"DUDAO_INSTANCE_PATH": str(tmp_path), "DUDAO_SITE_URL": "https://dudao.example.org/"}
    )
    assert settings.site_url == "https://dudao.example.org"
    assert load_settings({"DUDAO_INSTANCE_PATH": str(tmp_path)}).site_url is None
    for wrong in ("dudao.example.org", "ftp://dudao.example.org", "https://"):
        with pytest.raises(ConfigError, match=r"DUDAO_SITE_URL='.*' must be the site's address"):
            load_settings({"DUDAO_INSTANCE_PATH": str(tmp_path), "DUDAO_SITE_URL": wrong})


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="a restart of the server is PostgreSQL's case")
def test_a_connection_the_server_dropped_is_replaced_not_a_failed_request(database_template):
    """After a database restart every pooled connection is dead: the next use reconnects."""
    from sqlalchemy import text

    engine = make_engine(database_template)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with make_engine(database_template).connect() as other:  # the restart, for that one
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_an_smtp_url_or_a_switch_that_cannot_work_stops_the_start(tmp_path):
    """Said when the process starts, not at the first e-mail hours later, nor read as off."""
    base = {"DUDAO_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(ConfigError, match=r"DUDAO_SMTP_URL='notsmtp' must look like smtp://"):
        load_settings({**base, "DUDAO_SMTP_URL": "notsmtp"})
    with pytest.raises(ConfigError, match=r"DUDAO_BEHIND_HTTPS='maybe' must be 1 or 0"):
        load_settings({**base, "DUDAO_BEHIND_HTTPS": "maybe"})
    assert load_settings({**base, "DUDAO_BEHIND_HTTPS": "Yes"}).behind_https is True
    assert load_settings({**base, "DUDAO_BEHIND_HTTPS": "0"}).behind_https is False
    assert load_settings({**base, "DUDAO_SMTP_URL": "smtp://mail:587"}).smtp_url
