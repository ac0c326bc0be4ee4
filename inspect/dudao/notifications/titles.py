"""A notification's title about a workflow subject, written in the reader's language.

The notification keeps what the title is made of (subject type, id, unit), not only the
words: the inbox and the e-mail write it when shown, in the reader's language (the
subject's noun, the unit's name), "检查 #7 · A1-1 甲一厂第一党支部" or "Inspection #7 ·
A1-1 First branch". The stored `title` is the same in the default language (a job has
no reader, docs/i18n.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dudao.core.language import DEFAULT_LOCALE
from dudao.notifications.models import Notification
from dudao.notifications.services import Message
from dudao.org.models import Unit
from dudao.workflow.subjects import SubjectType, subject_types


def subject_title(kind: SubjectType, subject_id: int, unit: Unit | None, locale: str) -> str:
    where = f" · {unit.code} {unit.name_in(locale)}" if unit is not None else ""
    return f"{kind.noun_in(locale)} #{subject_id}{where}"


def subject_message(
    user_id: int,
    key: str,
    notice: str,
    kind: SubjectType,
    subject: Any,
    body: str = "",
    due_on: date | None = None,
    audience: str = "",
) -> Message:
    """The notification `notice` about `subject` (of type `kind`) for one user of
    `audience` (its link: `SubjectType.link_for`); a timer's gives the due date (`due_on`),
    which is shown in the reader's language."""
    return Message(
        user_id, key, notice, subject_title(kind, subject.id, subject.unit, DEFAULT_LOCALE),
        body, kind.link_for(audience, subject.id), kind.table, subject.id, subject.unit.id,
        due_on,
    )  # fmt: skip


def title_in(notification: Notification, locale: str) -> str:
    """The title a reader of `locale` sees; a notification about no subject (an alert, or
    one made before subjects were kept that the migration could not place) keeps its own."""
    kind = subject_types().get(notification.subject_type or "")
    if kind is None or notification.subject_id is None:
        return notification.title
    return subject_title(kind, notification.subject_id, notification.unit, locale)
