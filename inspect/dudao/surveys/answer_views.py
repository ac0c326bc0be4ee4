"""Answering a questionnaire: public, no sign-in, mobile-first (docs/anonymity.md).

/s/<token>   an invitation link (one answer)
/s           type the short code from a paper slip (the code travels only in POST bodies)
/s/o/<token> a unit's open link: capped at the headcount and rate limited (weaker)
Every failure (unknown, used, expired, full, removed) gets the same page and status; an
open link's says so for a shared link, and that answers it was just sent were not recorded.
Two are said as they are: a campaign not open yet (when it opens), and answers sent to one
that has ended (not recorded, because it ended).

These pages check their CSRF token themselves instead of through CSRFProtect: a phone that
closed its browser has lost the session cookie the token was tied to, and the member gets
the page back with everything they typed (400) instead of an error page that loses it.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import format_date, get_timezone
from werkzeug.wrappers import Response as HttpResponse

from dudao.auth.forms import ConfirmForm
from dudao.core.database import utcnow
from dudao.core.effects import after_commit
from dudao.core.language import LOCALES
from dudao.core.queue import enqueue
from dudao.definitions.formbuilder import build_form
from dudao.definitions.queries import pinned
from dudao.surveys import answering
from dudao.surveys.answering import Ended, NotYetOpen, Refused, Ticket
from dudao.surveys.batches import BATCH_MIN
from dudao.surveys.models import Campaign
from dudao.surveys.queries import pending_count
from dudao.web.access import public
from dudao.web.context import db, runtime
from dudao.web.extensions import csrf, limiter
from dudao.web.setup import select_locale

#: The shared static files again under /s/assets/, so that an answering page's own requests
#: are all /s requests, which the access log writes without the member's address.
bp = Blueprint(
    "answer",
    __name__,
    url_prefix="/s",
    template_folder="templates",
    static_folder=str(Path(__file__).resolve().parents[1] / "web" / "static"),
    static_url_path="/assets",
)

Page = str | tuple[str, int] | HttpResponse
#: Open links are shared; this bounds how many answers one address adds (a meeting room
#: shares one). Only answers taken count, not a page refused for a missing answer.
OPEN_LINK_LIMIT = "30 per hour"
#: Bounds guessing: only codes refused count, so a room of members on one network, each
#: typing a good code, is never stopped.
CODE_LIMIT = "20 per minute; 100 per hour"
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.context_processor
def _anonymous() -> dict[str, bool]:
    """The layout's logo is no link on these pages: "/" is the sign-in page, a dead end for
    a member, and a request the access log would write with their address."""
    return {"anonymous_page": True}


def _batch_due(pending: int) -> bool:
    """Enqueue the batch job once a batch is possible, not after every answer: while the
    worker keeps up that is once per batch; behind, once per BATCH_MIN more (and the sweep)."""
    return pending >= BATCH_MIN and (pending < 2 * BATCH_MIN or pending % BATCH_MIN == 0)


def refused(why: Refused | None = None) -> tuple[str, int, dict[str, str]]:
    """The one page for every code that cannot be used, whatever the reason, but two.

    A campaign not open yet says when it opens (403). Answers sent to a campaign that has
    ended are told plainly that they were not recorded, and why. On an open link the page
    speaks of a shared link (the address tells that anyway): a refused POST there recorded
    nothing, whereas a slip's may be the same answers sent twice."""
    if isinstance(why, NotYetOpen):
        page = render_template("surveys/answer_not_open.html", opens=_opens(why.campaign))
        return page, 403, NO_STORE
    open_link = request.endpoint == "answer.open_link"
    sent = (
        request.method == "POST" and request.form.get("switch_lang") is None
        and request.form.get("step") != "code"
    )  # fmt: skip
    ended = sent and isinstance(why, Ended)
    page = render_template("surveys/answer_refused.html", open_link=open_link,
                           sent=sent and open_link, ended=ended)  # fmt: skip
    return page, 404, NO_STORE


def _opens(campaign: Campaign) -> str | None:
    """When the window begins, in the page's language ("2026年12月10日", a time only when
    not midnight); None when it has begun (a campaign the office has not opened yet)."""
    if campaign.opens_at <= utcnow():
        return None
    local = campaign.opens_at.astimezone(get_timezone())
    day = format_date(local.date(), "long")
    return day if local.time() == time(0) else f"{day} {local:%H:%M}"


def _taken(response: HttpResponse) -> bool:
    return response.status_code == 302


def _refused_code(response: HttpResponse) -> bool:
    return response.status_code == 404


def _form_page(
    ticket: Ticket, action: str, hidden_code: str | None = None, *, busy: bool = False
) -> Page:
    """The questionnaire; `busy`: refused by a rate limit, shown again with what was typed."""
    switching = request.method == "POST" and request.form.get("switch_lang") in LOCALES
    if switching:  # the page's language switch: the answers come back in the other one
        session["lang"] = request.form["switch_lang"]
    definition = pinned(db(), ticket.campaign.definition_version_id)
    form = build_form(definition, select_locale())
    answering_now = (
        request.method == "POST" and request.form.get("step") != "code" and not busy
        and not switching
    )  # fmt: skip
    if answering_now and form.validate():
        try:
            answering.submit_answer(db(), ticket, form.clean_answers)
        except Refused as why:
            db().rollback()
            return refused(why)
        campaign_id = ticket.campaign.id
        if _batch_due(pending_count(db(), campaign_id)):
            from dudao.surveys.jobs import move_pending_responses

            after_commit(db(), enqueue, runtime().settings, move_pending_responses, campaign_id)
        db().commit()
        return redirect(url_for("answer.thanks"))
    stale = answering_now and "csrf_token" in form.errors
    status = 429 if busy else 400 if stale else 422 if form.item_errors else 200
    page = render_template(
        "surveys/answer.html",
        form=form,
        ticket=ticket,
        definition=definition,
        locale=select_locale(),
        action=action,
        hidden_code=hidden_code,
        not_sent="busy" if busy else "stale" if stale else None,
    )
    return page, status, NO_STORE  # type: ignore[return-value]


@bp.route("/<token>", methods=["GET", "POST"])
@csrf.exempt
@public
def by_token(token: str) -> Page:
    try:
        ticket = answering.ticket_for_token(db(), token)
    except Refused as why:
        return refused(why)
    return _form_page(ticket, request.path)


@bp.route("/o/<token>", methods=["GET", "POST"])
@csrf.exempt
@public
@limiter.limit(OPEN_LINK_LIMIT, methods=["POST"], deduct_when=_taken)
def open_link(token: str) -> Page:
    try:
        ticket = answering.ticket_for_open_link(db(), token)
    except Refused as why:
        return refused(why)
    return _form_page(ticket, request.path)


@bp.route("", methods=["GET", "POST"])
@csrf.exempt
@public
@limiter.limit(CODE_LIMIT, methods=["POST"], deduct_when=_refused_code)
def by_code() -> Page:
    if request.method == "GET":
        return render_template("surveys/answer_code.html"), 200, NO_STORE
    code = request.form.get("code", "")
    if request.form.get("step") == "code" and not ConfirmForm().validate():
        page = render_template("surveys/answer_code.html", code=code, not_sent="stale")
        return page, 400, NO_STORE
    try:
        ticket = answering.ticket_for_code(db(), code)
    except Refused as why:
        return refused(why)
    return _form_page(ticket, url_for("answer.by_code"), hidden_code=code)


@bp.errorhandler(429)
def too_many(_exc: Exception) -> Page:
    """A rate limit refused the POST before the view: the page again, with what was typed
    (a refusal page would lose a whole questionnaire), and nothing recorded."""
    if request.endpoint == "answer.by_code":
        # The code page, the code and any answers carried in it: looking the code up here
        # would tell a guesser past the limit which codes exist.
        carried = [(k, v) for k, v in request.form.items(multi=True)
                   if k not in ("csrf_token", "step", "code")]  # fmt: skip
        page = render_template("surveys/answer_code.html", code=request.form.get("code", ""),
                               carried=carried, not_sent="busy")  # fmt: skip
        return page, 429, NO_STORE
    try:
        token = (request.view_args or {}).get("token", "")
        if request.endpoint == "answer.open_link":
            return _form_page(answering.ticket_for_open_link(db(), token), request.path, busy=True)
        return _form_page(answering.ticket_for_token(db(), token), request.path, busy=True)
    except Refused as why:
        return refused(why)


@bp.get("/thanks")
@public
def thanks() -> tuple[str, int, dict[str, str]]:
    return render_template("surveys/answer_thanks.html"), 200, NO_STORE
