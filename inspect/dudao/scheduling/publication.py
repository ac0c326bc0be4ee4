"""Which roles see the publication page of draws: workflows/publication/publication.yaml.

The file is small and read again whenever it changes (by modification time), so an
administrator's edit takes effect without a restart. A bad file is a ConfigError
naming file, line and field; a missing file means the default roles.
"""

from __future__ import annotations

from pathlib import Path

from dudao.config import PROJECT_ROOT
from dudao.core.enums import Role
from dudao.core.errors import ConfigError
from dudao.definitions.problems import DefinitionError
from dudao.definitions.yamlsource import parse

PUBLICATION_FILE = PROJECT_ROOT / "workflows" / "publication" / "publication.yaml"
DEFAULT_ROLES = frozenset({Role.OFFICE, Role.ADMIN, Role.INSPECTOR, Role.UNIT_LEAD})
_cache: dict[Path, tuple[int, frozenset[Role]]] = {}


def load_roles(path: Path) -> frozenset[Role]:
    """The roles listed under `roles:` in `path`; ConfigError with file:line if wrong."""
    try:
        source = parse(path.read_text(encoding="utf-8"), str(path))
    except DefinitionError as exc:
        raise ConfigError(str(exc.problems[0])) from None
    data = source.data
    if not isinstance(data, dict) or set(data) != {"roles"} or not isinstance(data["roles"], list):
        raise ConfigError(f"{source.problem((), 'expected exactly one field, roles: [a list]')}")
    roles = set()
    for index, name in enumerate(data["roles"]):
        if name not in {role.value for role in Role}:
            known = ", ".join(role.value for role in Role)
            raise ConfigError(
                str(source.problem(("roles", index), f"unknown role {name!r} ({known})"))
            )
        roles.add(Role(name))
    return frozenset(roles)


def publication_roles(path: Path | None = None) -> frozenset[Role]:
    path = path or PUBLICATION_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return DEFAULT_ROLES
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = _cache[path] = (mtime, load_roles(path))
    return cached[1]
