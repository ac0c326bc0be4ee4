"""Which roles see what is published (阳光下运行): workflows/publication/publication.yaml.

`roles` lists who sees the published spot-check draws; `results` and `rankings` who
sees the inspection result summaries and the assessment's rankings and tiers on the
publication page (assessment/public_views.py). A section not listed is shown to
nobody. The file is small and read again whenever it changes (by modification time),
so an administrator's edit takes effect without a restart. A bad file is a
ConfigError naming file, line and field; a missing file means the default roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dudao.config import PROJECT_ROOT
from dudao.core.enums import Role
from dudao.core.errors import N_, ConfigError, Message, name_list
from dudao.core.filecache import when_changed
from dudao.definitions.problems import DefinitionError
from dudao.definitions.yamlsource import Source, parse

PUBLICATION_FILE = PROJECT_ROOT / "workflows" / "publication" / "publication.yaml"
DEFAULT_ROLES = frozenset({Role.OFFICE, Role.ADMIN, Role.INSPECTOR, Role.UNIT_LEAD})
SECTIONS = ("roles", "results", "rankings")


@dataclass(frozen=True)
class Publication:
    """Who sees each part of the publication page."""

    draws: frozenset[Role]
    results: frozenset[Role] = frozenset()
    rankings: frozenset[Role] = frozenset()


DEFAULT = Publication(DEFAULT_ROLES)


def _roles(source: Source, data: dict, field: str) -> frozenset[Role]:
    if not isinstance(data[field], list):
        expected = Message(N_("expected a list of roles"))
        raise ConfigError(source.problem((field,), expected).as_message())
    roles = set()
    for index, name in enumerate(data[field]):
        if name not in {role.value for role in Role}:
            known = name_list(role.value for role in Role)
            unknown = Message(N_("unknown role '%(name)s' (one of: %(choices)s)"), name=name,
                              choices=known)  # fmt: skip
            raise ConfigError(source.problem((field, index), unknown).as_message())
        roles.add(Role(name))
    return frozenset(roles)


def load_publication(path: Path) -> Publication:
    """Every section's roles in `path`; ConfigError with file:line if wrong."""
    try:
        source = parse(path.read_text(encoding="utf-8"), str(path))
    except DefinitionError as exc:
        raise ConfigError(exc.problems[0].as_message()) from None
    data = source.data
    if not isinstance(data, dict) or "roles" not in data:
        mapping = Message(N_("expected a mapping with roles: [a list]"))
        raise ConfigError(source.problem((), mapping).as_message())
    for name in data:
        if name not in SECTIONS:
            message = Message(N_("unknown field '%(name)s' (one of: %(choices)s)"), name=name,
                              choices=name_list(SECTIONS))  # fmt: skip
            raise ConfigError(source.problem((name,), message, key=True).as_message())
    found = {name: _roles(source, data, name) for name in SECTIONS if name in data}
    return Publication(found.pop("roles"), **found)


def load_roles(path: Path) -> frozenset[Role]:
    """The roles that see the published draws."""
    return load_publication(path).draws


def publication_config(path: Path | None = None) -> Publication:
    path = path or PUBLICATION_FILE
    try:
        return when_changed(path, load_publication)
    except FileNotFoundError:
        return DEFAULT


def publication_roles(path: Path | None = None) -> frozenset[Role]:
    return publication_config(path).draws
