"""Reading definitions and versions, and the pinned `Definition` of a version id."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, defer, load_only

from dudao.auth.models import User
from dudao.core.errors import NotFound
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.spec import Definition


@dataclass(frozen=True)
class DefinitionRow:
    definition: FormDefinition
    version_count: int
    last_version_at: datetime | None


@dataclass(frozen=True)
class VersionRow:
    version: DefinitionVersion
    created_by_name: str | None


def list_definitions(session: Session, include_retired: bool = True) -> list[DefinitionRow]:
    """Every definition with its number of versions, in one query."""
    counts = (
        select(
            DefinitionVersion.definition_id,
            func.count(DefinitionVersion.id).label("n"),
            func.max(DefinitionVersion.created_at).label("last_at"),
        )
        .group_by(DefinitionVersion.definition_id)
        .subquery()
    )
    query = (
        select(FormDefinition, func.coalesce(counts.c.n, 0), counts.c.last_at)
        .outerjoin(counts, counts.c.definition_id == FormDefinition.id)
        .order_by(FormDefinition.retired, FormDefinition.kind, FormDefinition.key)
    )
    if not include_retired:
        query = query.where(FormDefinition.retired.is_(False))
    return [DefinitionRow(d, n, at) for d, n, at in session.execute(query)]


def by_key(session: Session, key: str) -> FormDefinition | None:
    return session.scalar(select(FormDefinition).where(FormDefinition.key == key))


def titles(session: Session, keys: Iterable[str], locale: str) -> dict[str, str]:
    """Definitions' titles in `locale` by key, in one query, for pages that hold only keys
    (a schedule, a draw); a key naming nothing is left out, for the caller to show as is."""
    wanted = set(keys)
    if not wanted:
        return {}
    found = session.scalars(select(FormDefinition).where(FormDefinition.key.in_(wanted)))
    return {definition.key: definition.title(locale) for definition in found}


def versions_of(session: Session, definition_id: int) -> list[VersionRow]:
    """A definition's versions, newest first, without loading their data."""
    query = (
        select(DefinitionVersion, User.username)
        .outerjoin(User, User.id == DefinitionVersion.created_by)
        .where(DefinitionVersion.definition_id == definition_id)
        .options(defer(DefinitionVersion.data))
        .order_by(DefinitionVersion.number.desc())
    )
    return [VersionRow(v, name) for v, name in session.execute(query)]


def current_version(
    session: Session, key: str, kind: str | None = None
) -> DefinitionVersion | None:
    """The version a new inspection or response of `key` should pin (None if retired).

    `kind` ("checklist"/"questionnaire") also answers None for a definition of the
    other kind, so a command typed with a questionnaire's key cannot make inspections.
    """
    query = (
        select(DefinitionVersion)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(
            FormDefinition.key == key,
            FormDefinition.retired.is_(False),
            DefinitionVersion.number == FormDefinition.current_number,
        )
    )
    if kind is not None:
        query = query.where(FormDefinition.kind == kind)
    return session.scalar(query)


def version_by_number(session: Session, definition_id: int, number: int) -> DefinitionVersion:
    found = session.scalar(
        select(DefinitionVersion).where(
            DefinitionVersion.definition_id == definition_id, DefinitionVersion.number == number
        )
    )
    if found is None:
        raise NotFound(f"Definition {definition_id} has no version {number}.")
    return found


_CACHE_SIZE = 256
_cache: OrderedDict[str, Definition] = OrderedDict()
_cache_lock = Lock()
_SESSION_CACHE = "dudao.pinned_definitions"


def pinned(session: Session, version_id: int, content_hash: str | None = None) -> Definition:
    """The `Definition` of an immutable version, built once and then cached.

    Within a session the cache is keyed by version id (no query at all); across
    sessions by content hash, because version ids repeat between databases (tests,
    a restored backup) while a hash always names the same content. A caller that read
    the version's `content_hash` with its subject gives it, and no query is needed.
    """
    per_session: dict[int, Definition] = session.info.setdefault(_SESSION_CACHE, {})
    if version_id in per_session:
        return per_session[version_id]
    digest = content_hash
    if digest is None:
        # From the identity map when the caller loaded the version with its subject.
        version = session.get(
            DefinitionVersion, version_id, options=[load_only(DefinitionVersion.content_hash)]
        )
        if version is None:
            raise NotFound(f"Definition version {version_id} does not exist.")
        digest = version.content_hash
    with _cache_lock:
        definition = _cache.get(digest)
        if definition is not None:
            _cache.move_to_end(digest)
    if definition is None:
        from dudao.definitions.loader import from_data

        definition = from_data(session.get(DefinitionVersion, version_id).data)
        with _cache_lock:
            _cache[digest] = definition
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    per_session[version_id] = definition
    return definition


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _transaction: object) -> None:
    """A rolled-back version's id can be reused (SQLite), so its cache entry must go."""
    session.info.pop(_SESSION_CACHE, None)


def clear_pinned_cache() -> None:
    with _cache_lock:
        _cache.clear()
