"""An org chart file kept between its check on the web and the import that follows it.

After a dry run finds a file correct, the page offers to import that file without
choosing it again: the file is kept under `data_dir/org-imports/<user id>/<token>` and the
confirm form names the token (a random name; CSRF protects the form). Another user's
token finds nothing. The import reads and checks the kept file again, since the tree may
have changed in between, and forgets it once imported. A kept file is forgotten after
KEPT_FOR anyway, the next time anyone's file is kept (`keep` sweeps the folder).
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta
from pathlib import Path

KEPT_FOR = timedelta(days=1)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
FOLDER = "org-imports"


def keep(data_dir: Path, user_id: int, data: bytes) -> str:
    """Keep `data` for `user_id`; the token that names it."""
    _sweep(data_dir / FOLDER)
    token = secrets.token_urlsafe(32)
    folder = data_dir / FOLDER / str(user_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / token).write_bytes(data)
    return token


def kept(data_dir: Path, user_id: int, token: str) -> bytes | None:
    """The file `user_id` kept under `token`, or None (never kept, forgotten, or not a token)."""
    path = _path(data_dir, user_id, token)
    try:
        return path.read_bytes() if path is not None else None
    except FileNotFoundError:
        return None


def forget(data_dir: Path, user_id: int, token: str) -> None:
    path = _path(data_dir, user_id, token)
    if path is not None:
        path.unlink(missing_ok=True)


def _path(data_dir: Path, user_id: int, token: str) -> Path | None:
    return data_dir / FOLDER / str(user_id) / token if TOKEN.match(token) else None


def _sweep(root: Path) -> None:
    """Forget every kept file older than KEPT_FOR."""
    oldest = time.time() - KEPT_FOR.total_seconds()
    for path in root.glob("*/*"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:  # another request swept it first
            continue
