"""What the flag page and the queue show beyond the rows: a flag's age against its deadline,
history lines, the evidence links, and the wording of bulk refusals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, render_template, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.database import org_timezone, utcnow
from dudao.core.errors import shown
from dudao.core.permissions import Permission, scope_paths
from dudao.inspections.views import describe
from dudao.trends.models import Flag
from dudao.triage import evidence, evidence_chart, queries, rectify, services
from dudao.triage.evidence_periods import campaign_period, marked
from dudao.triage.forms import CommentForm, RectifyForm
from dudao.web.context import db
from dudao.web.setup import select_locale, unit_name
from dudao.workflow import engine
from dudao.workflow.actions import ActionForm
from dudao.workflow.registry import get_workflow
from dudao.workflow.spec import Workflow

Page = str | tuple[str, int] | Response


@dataclass(frozen=True)
class Age:
    """Days the flag has been open (or took, once closed) and days left to its deadline
    (negative: overdue; None: no deadline, or closed)."""

    days: int
    left: int | None
    open: bool


def age(flag: Flag, now: datetime, zone: ZoneInfo) -> Age:
    """Counted in days of the organisation's time zone."""
    today = now.astimezone(zone).date()
    end = today if flag.is_open else flag.state_changed_at.astimezone(zone).date()
    left = (flag.due_date - today).days if flag.due_date and flag.is_open else None
    return Age(max(0, (end - flag.created_at.astimezone(zone).date()).days), left, flag.is_open)


def clock() -> tuple[datetime, ZoneInfo]:
    """Now and the organisation's time zone, for `age`."""
    return utcnow(), ZoneInfo(org_timezone(db()))


def links(flag: Flag) -> list[tuple[str, list[tuple[str, str]]]]:
    """The records behind the flag as (heading, [(text, url)]): inspections, the survey
    results (only as the anonymised results page; never a response, named by its period),
    feedback and overdue rectification tasks."""
    e = flag.evidence or {}
    campaign = e.get("campaign_id")
    found = [
        (_("Inspections behind it"), "inspections.show", "inspection_id",
         [(f"#{i}", i) for i in e.get("inspection_ids") or []]),
        (_("Feedback behind it"), "feedback.show", "feedback_id",
         [(f"#{i}", i) for i in e.get("feedback_ids") or []]),
        (_("Overdue rectification tasks"), "rectifications.show", "rectification_id",
         [(f"#{i}", i) for i in e.get("rectification_ids") or []]),
        (_("Questionnaire results"), "survey_results.results", "campaign_id",
         [(f"#{campaign} {campaign_period(e.get('period_label', ''))}".strip(), campaign)]
         if campaign else []),
    ]  # fmt: skip
    return [
        (heading, [(text, url_for(endpoint, **{arg: i})) for text, i in ids])
        for heading, endpoint, arg, ids in found
        if ids
    ]


def describe_flag_event(event: AuditEvent, workflow: Workflow, people: dict[int, User]) -> str:
    """A history line: detection events of trend analysis, triage notes, else the
    workflow's wording."""
    action = event.action.rsplit(".", 1)[-1]
    after = event.after or {}
    if action == "create":
        return _("Detected (first in %(period)s)", period=after.get("first_detected", "?"))
    if action == "cleared":
        return _("No longer detected")
    if action == "update" and after.get("detected") is False:
        if (event.before or {}).get("detected"):  # a clearing, as it was recorded until Nov 2026
            return _("No longer detected")
        return _("Updated, still not detected (last in %(period)s)",
                 period=after.get("last_detected", "?"))  # fmt: skip
    if action == "update":
        return _("Detected again (last in %(period)s)", period=after.get("last_detected", "?"))
    if action == "recurred":
        return _("Detected again after it was resolved: reopened")
    if action == "assign":
        uid = after.get("assignee")
        who = people[uid].display_name if uid in people else _("nobody")
        line = _("Assigned to: %(names)s", names=who)
        if "due_date" in after:
            line += " · " + _("deadline %(date)s", date=after["due_date"] or "—")
        return line
    if action == "comment":
        return _("Comment")
    if action == "rectify":
        return _("Rectification task #%(id)s opened for %(unit)s, deadline %(date)s",
                 id=after.get("rectification"), unit=after.get("unit"),
                 date=after.get("deadline"))  # fmt: skip
    return describe(event, workflow, people)


def why(code: str, person: User | None = None) -> str:
    """A bulk refusal in the reader's language (the engine's own Message otherwise)."""
    name = person.display_name if person is not None else ""
    return {
        services.STALE: _("changed by someone else meanwhile"),
        services.CLOSED: _("it is resolved or dismissed"),
        services.NO_ROLE: _("you have no triage role on its unit"),
        services.WRONG_STATE: _("it is no longer new"),
        services.OUT_OF_REACH: _("%(name)s cannot act on its unit", name=name),
        services.UNCHANGED: _("already assigned so"),
    }.get(code) or shown(code, get_translations())


def flash_skipped(result: services.BulkResult, verb: str, person: User | None = None) -> None:
    """One message per reason listing the flags left unchanged, e.g. "2 flags not
    acknowledged (changed by someone else meanwhile): #3, #9"."""
    grouped: dict[str, list[int]] = defaultdict(list)
    for flag_id in sorted(result.refused):
        grouped[result.refused[flag_id]].append(flag_id)
    for code, ids in grouped.items():
        numbers = ", ".join(f"#{i}" for i in ids)
        if verb == "acknowledge":
            text = ngettext("%(num)d flag not acknowledged (%(reason)s): %(ids)s",
                            "%(num)d flags not acknowledged (%(reason)s): %(ids)s",
                            len(ids), reason=why(code, person), ids=numbers)  # fmt: skip
        else:
            text = ngettext("%(num)d flag not assigned (%(reason)s): %(ids)s",
                            "%(num)d flags not assigned (%(reason)s): %(ids)s",
                            len(ids), reason=why(code, person), ids=numbers)  # fmt: skip
        flash(text, "error")


def render_flag(flag: Flag, forms: dict[str, Any] | None = None, status: int = 200) -> Page:
    """The flag page; `forms` carries refused forms (workflow actions by action, and
    `_comment` / `_rectify`) so their errors show beside their fields."""
    workflow = get_workflow(flag.workflow)
    actions = engine.available_actions(current_user, flag)
    forms = dict(forms or {})
    known = evidence.names(db(), [flag], select_locale())
    said = evidence.sentence(flag, known)
    title, labels = known.get(flag.definition_key or "", (flag.definition_key, {}))
    comment_form = forms.pop("_comment", None) or CommentForm(formdata=None)
    rectify_form = forms.pop("_rectify", None) or RectifyForm(
        formdata=None, description=said, deadline=flag.due_date
    )
    for transition in actions:
        forms.setdefault(
            transition.action,
            ActionForm(formdata=None, action=transition.action, expected_version=flag.version),
        )
    now, zone = clock()
    series = evidence_chart.series(flag, now.astimezone(zone).strftime("%Y-%m"))
    events = queries.history(db(), flag.id)
    mentioned = {
        uid
        for e in events
        for side in (e.before or {}, e.after or {})
        for uid in [side.get("assignee")]
        if isinstance(uid, int)
    }
    actors = {e.actor_id for e in events if e.actor_id}  # named in the history by display name
    named = queries.users_by_id(db(), mentioned | actors | flag.assignee_ids)
    triage = services.may_triage(current_user, flag)
    anchors = rectify.findings_by_unit(db(), flag) if triage and flag.is_open else {}
    related, related_total = queries.related(
        db(), flag, scope_paths(current_user, Permission.VIEW_OFFICE)
    )
    rectify_form.unit.choices = [
        (i, f"{f.unit.code} {unit_name(f.unit)}") for i, f in anchors.items()
    ]
    return render_template(
        "triage/flag.html", flag=flag, workflow=workflow, actions=actions, forms=forms,
        events=events, sentence=said, named=named, checklist=title,
        item_label=labels.get(flag.item_key or "", flag.item_key),
        candidates=queries.office_users(db(), [flag.unit.path]) if flag.is_open else [],
        numbers=evidence.numbers(flag), series=series,
        chart=evidence_chart.chart_svg(series) if series else "", links=links(flag),
        related=related, related_total=related_total, marked=marked,
        locale=select_locale(), describe=describe_flag_event, triage=triage,
        comment_form=comment_form,
        rectify_form=rectify_form, tasks=rectify.tasks(db(), flag.id),
        task_workflow=get_workflow("rectification"), age=age(flag, now, zone),
    ), status  # fmt: skip
