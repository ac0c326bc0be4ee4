"""RQ jobs for surveys: move pending answers into responses in shuffled batches; e-mail links.

Enqueued after an answer once a campaign has enough pending, and swept every
five minutes by cron (core/jobs.py), which also flushes campaigns that closed.
Idempotent: a second run finds nothing pending. Links are e-mailed when the office
asks, and cron finishes every open campaign's mailing every ten minutes.
"""

from __future__ import annotations

from typing import Any

from dudao.core.jobs import job_runtime
from dudao.surveys.batches import move_all

#: A mailing sends one e-mail per member, far longer than RQ's default 180 s; a job its
#: timeout kills in the middle of a unit leaves those members marked without a link.
MAILING_TIMEOUT = 1800


def move_pending_responses(campaign_id: int | None = None) -> dict[str, int]:
    """Move every due campaign's pending answers (or only `campaign_id`'s)."""
    report = move_all(job_runtime().session_factory, campaign_id)
    return {"batches": report.batches, "moved": report.moved}


def email_invitations(campaign_id: int, base_url: str) -> dict[str, Any]:
    """E-mail a link to every roster member with an address not yet mailed (surveys/mailing.py);
    idempotent: a member is mailed once per campaign."""
    from dudao.surveys.mailing import send_invitations

    runtime = job_runtime()
    return send_invitations(runtime.session_factory, runtime.settings, campaign_id, base_url)


def finish_invitation_emails() -> dict[str, int]:
    """The periodic sweep: e-mail whoever is still due in every open campaign the office
    asked to e-mail (a worker that died half-way, members added since); never twice."""
    from dudao.surveys.mailing import finish_mailings

    runtime = job_runtime()
    return finish_mailings(runtime.session_factory, runtime.settings)
