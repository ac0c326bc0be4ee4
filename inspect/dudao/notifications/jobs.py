"""Notification jobs: after a transition, the periodic sweep, and e-mail.

`enqueue_transition` is one of the workflow engine's after-commit listeners
(`engine.LISTENER_NAMES`): every committed transition enqueues
`notify_transition(audit_event_id)`.
"""

from __future__ import annotations

from typing import Any

from dudao.config import Settings
from dudao.core.jobs import job_runtime, job_session
from dudao.core.queue import enqueue
from dudao.notifications import mail, transitions


def notify_transition(audit_event_id: int) -> int:
    """Notify whoever the transition concerns; the same event twice notifies nobody again."""
    with job_session() as session:
        created = transitions.notify_events(session, [audit_event_id])
    _mail_soon(job_runtime().settings, created)
    return created


def sweep_transition_notifications() -> int:
    """Finish what lost `notify_transition` jobs missed (transitions of the last 3 days)."""
    with job_session() as session:
        created = transitions.sweep(session)
    _mail_soon(job_runtime().settings, created)
    return created


def send_pending_emails() -> int:
    """E-mail every notification not yet e-mailed, to users with an address (SMTP only)."""
    runtime = job_runtime()
    return mail.send_pending(runtime.session_factory, runtime.settings)


def _mail_soon(settings: Settings, created: int) -> None:
    if created and settings.smtp_url:
        enqueue(settings, send_pending_emails)


def enqueue_transition(settings: Settings | None, applied: Any) -> None:
    """The engine's after-commit listener; without settings the sweep does the work. An
    action that tells nobody (e.g. "start") enqueues nothing: a job would find nobody."""
    if applied.action in transitions.RULES:
        enqueue_event(settings, applied.audit_event_id)


def enqueue_event(settings: Settings | None, audit_event_id: int) -> None:
    """After commit: notify whoever the audited event concerns (the sweep, without settings)."""
    if settings is not None:
        enqueue(settings, notify_transition, audit_event_id)
