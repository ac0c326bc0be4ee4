"""Issuing invitations and open links, replacing a unit's lost ones, removing its open link,
then the slips and CSV of what was just issued; routes on the surveys blueprint.

Links and codes are shown once, right after they are generated: only their
hashes are stored, so they cannot be shown again (docs/anonymity.md); a unit's
unused ones can be replaced by new ones instead. The slips and the CSV are made
from the rows the browser sends back; nothing is kept.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from dudao.core.errors import ValidationError
from dudao.core.permissions import Permission
from dudao.org.models import Unit
from dudao.surveys import issuing, queries
from dudao.surveys.forms import UNDERSTOOD, ReplaceForm
from dudao.surveys.models import Campaign
from dudao.surveys.views import Page, bp, campaign_in_scope
from dudao.web.access import requires
from dudao.web.context import db, runtime
from dudao.web.setup import unit_name


def _issued_rows(kind: str, issued: list) -> list[list[str]]:
    if kind == "invitations":
        return [
            [
                i.unit_code,
                unit_name(i.unit),
                url_for("answer.by_token", token=i.token, _external=True),
                i.code,
            ]
            for i in issued
        ]
    return [
        [
            i.unit_code,
            unit_name(i.unit),
            url_for("answer.open_link", token=i.token, _external=True),
            str(i.cap),
        ]
        for i in issued
    ]


@bp.post("/<int:campaign_id>/invitations")
@requires(Permission.MANAGE_SURVEYS)
def invitations(campaign_id: int) -> Page:
    return _issue(campaign_id, "invitations")


@bp.post("/<int:campaign_id>/open-links")
@requires(Permission.MANAGE_SURVEYS)
def open_links(campaign_id: int) -> Page:
    return _issue(campaign_id, "open_links")


def _issue(campaign_id: int, kind: str) -> Page:
    campaign = campaign_in_scope(campaign_id)
    make = issuing.generate_invitations if kind == "invitations" else issuing.create_open_links
    try:
        issued = make(db(), current_user, campaign)
    except ValidationError as exc:
        flash(exc.in_language(get_translations()), "error")
        return redirect(url_for("surveys.detail", campaign_id=campaign.id))
    db().commit()
    return _shown(campaign, kind, issued.rows, skipped=issued.skipped)


def _shown(
    campaign: Campaign,
    kind: str,
    issued: list,
    skipped: Sequence[issuing.Skipped] = (),
    replaced: Unit | None = None,
) -> Page:
    """The page that shows new links once: never cached, as the links are not kept."""
    rows = _issued_rows(kind, issued)
    page = render_template(
        "surveys/issued.html",
        campaign=campaign,
        kind=kind,
        rows=rows,
        rows_json=json.dumps(rows, ensure_ascii=False),
        skipped=skipped,
        replaced=replaced,
    )
    return page, 200, {"Cache-Control": "no-store"}  # type: ignore[return-value]


@bp.route("/<int:campaign_id>/units/<int:unit_id>/replace-invitations", methods=["GET", "POST"])
@requires(Permission.MANAGE_SURVEYS)
def replace_invitations(campaign_id: int, unit_id: int) -> Page:
    return _replace(campaign_id, unit_id, "invitations")


@bp.route("/<int:campaign_id>/units/<int:unit_id>/replace-open-link", methods=["GET", "POST"])
@requires(Permission.MANAGE_SURVEYS)
def replace_open_link(campaign_id: int, unit_id: int) -> Page:
    return _replace(campaign_id, unit_id, "open_links")


def _campaign_unit(campaign_id: int, unit_id: int) -> tuple[Campaign, Unit]:
    campaign = campaign_in_scope(campaign_id)
    unit = db().get(Unit, unit_id)
    if unit is None or not unit.is_within(campaign.scope_unit.path):
        abort(404)
    return campaign, unit


def _replace(campaign_id: int, unit_id: int, kind: str) -> Page:
    """What replacing does, a box to tick, then the unit's new links shown once."""
    campaign, unit = _campaign_unit(campaign_id, unit_id)
    form = ReplaceForm(kind)
    refused = None
    if form.validate_on_submit():
        try:
            if kind == "invitations":
                issued = issuing.replace_invitations(db(), current_user, campaign, unit)
            else:
                issued = [issuing.replace_open_link(db(), current_user, campaign, unit)]
        except ValidationError as exc:
            refused = exc.in_language(get_translations())
        else:
            db().commit()
            return _shown(campaign, kind, issued, replaced=unit)
    held = (queries.issued_counts if kind == "invitations" else queries.open_link_caps)(
        db(), campaign.id
    ).get(unit.id, 0)
    removed = kind == "open_links" and unit.id in queries.removed_links(db(), campaign.id)
    if removed:  # it has no link to stop
        form.understood.label.text = UNDERSTOOD["renew_open_link"]
    page = render_template("surveys/replace.html", campaign=campaign, unit=unit, kind=kind,
                           held=held, removed=removed, form=form, refused=refused)  # fmt: skip
    return page, 422 if form.errors or refused else 200


@bp.route("/<int:campaign_id>/units/<int:unit_id>/remove-open-link", methods=["GET", "POST"])
@requires(Permission.MANAGE_SURVEYS)
def remove_open_link(campaign_id: int, unit_id: int) -> Page:
    """What removing does, a box to tick, then the campaign page saying it was done."""
    campaign, unit = _campaign_unit(campaign_id, unit_id)
    form, refused = ReplaceForm("remove_open_link"), None
    if form.validate_on_submit():
        try:
            answered = issuing.remove_open_link(db(), current_user, campaign, unit)
        except ValidationError as exc:
            refused = exc.in_language(get_translations())
        else:
            db().commit()
            flash(_removed(unit, answered), "success")
            return redirect(url_for("surveys.detail", campaign_id=campaign.id))
    link = queries.open_link_caps(db(), campaign.id).get(unit.id)
    live = link is not None and unit.id not in queries.removed_links(db(), campaign.id)
    page = render_template("surveys/remove_link.html", campaign=campaign, unit=unit, cap=link,
                           live=live, form=form, refused=refused)  # fmt: skip
    return page, 422 if form.errors or refused else 200


def _removed(unit: Unit, answered: int) -> str:
    name = f"{unit.code} {unit_name(unit)}"
    if not answered:
        return _("The open link of %(unit)s is removed.", unit=name)
    return ngettext(
        "The open link of %(unit)s is removed; the %(num)d answer it took stays counted.",
        "The open link of %(unit)s is removed; the %(num)d answers it took stay counted.",
        answered,
        unit=name,
    )


def _posted_rows() -> list[list[str]]:
    try:
        rows = json.loads(request.form.get("rows", "[]"))
    except (ValueError, RecursionError):
        abort(400)
    if not isinstance(rows, list) or not all(
        isinstance(r, list) and len(r) == 4 and all(isinstance(c, str) for c in r) for r in rows
    ):
        abort(400)
    return rows


@bp.post("/<int:campaign_id>/slips.pdf")
@requires(Permission.MANAGE_SURVEYS)
def slips(campaign_id: int) -> HttpResponse:
    """Printable slips (QR code and short code) for the invitations just shown."""
    from dudao.surveys.slips import slips_pdf

    campaign = campaign_in_scope(campaign_id)
    pdf = slips_pdf(
        campaign.title, _posted_rows(), url_for("answer.by_code", _external=True),
        runtime().settings.pdf_font,
    )  # fmt: skip
    return _pdf(pdf, f"campaign-{campaign.id}-slips.pdf")


@bp.post("/<int:campaign_id>/posters.pdf")
@requires(Permission.MANAGE_SURVEYS)
def posters(campaign_id: int) -> HttpResponse:
    """A poster with a large QR code for each open link just shown."""
    from dudao.surveys.slips import posters_pdf

    campaign = campaign_in_scope(campaign_id)
    pdf = posters_pdf(campaign.title, _posted_rows(), runtime().settings.pdf_font)
    return _pdf(pdf, f"campaign-{campaign.id}-posters.pdf")


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    return HttpResponse(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={filename}",
                 "Cache-Control": "no-store"},
    )  # fmt: skip


@bp.post("/<int:campaign_id>/issued.csv")
@requires(Permission.MANAGE_SURVEYS)
def issued_csv(campaign_id: int) -> HttpResponse:
    """The links just shown, as CSV: the browser sends them back; nothing is stored."""
    campaign = campaign_in_scope(campaign_id)
    kind = "open_links" if request.form.get("kind") == "open_links" else "invitations"
    rows = _posted_rows()
    out = io.StringIO()
    writer = csv.writer(out)
    last = _("Code") if kind == "invitations" else _("At most")
    writer.writerow([_("Unit code"), _("Unit"), _("Link"), last])
    writer.writerows(rows)
    name = f"campaign-{campaign.id}-{kind.replace('_', '-')}.csv"
    return HttpResponse(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename={name}",
            "Cache-Control": "no-store",
        },
    )
