"""The offline-first tablet client: its pages and the service worker script.

The pages are ordinary server-rendered HTML (the checklist through the shared
definition form macros, from the inspection's PINNED definition version); the
JavaScript in web/static/tablet/ keeps the answers on the device (IndexedDB) and
syncs them through the JSON API (inspections/api.py). See docs/tablet.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import get_translations
from flask_login import current_user
from markupsafe import Markup

from dudao.core.errors import N_, shown
from dudao.core.language import LOCALES, translations
from dudao.core.permissions import Permission
from dudao.definitions.answers import EVIDENCE_PHOTOS_MAX, evidence_message
from dudao.definitions.forms import build_form
from dudao.definitions.itembase import at_most_photos
from dudao.definitions.items import kind_of
from dudao.definitions.queries import pinned
from dudao.definitions.spec import Definition, Evidence
from dudao.inspections.api_support import review_body
from dudao.inspections.drafts import draft_of
from dudao.inspections.models import Inspection
from dudao.inspections.queries import assignment_groups
from dudao.inspections.submissions import EDITABLE_STATES, latest_submission
from dudao.inspections.sync_queries import assignments, unit_ref
from dudao.scheduling.recurrence import org_today
from dudao.web.access import public, requires
from dudao.web.context import db
from dudao.web.setup import select_locale

bp = Blueprint("tablet", __name__, template_folder="templates")


def json_block(data: Any) -> Markup:
    """JSON safe inside a <script type="application/json"> block (CSP: data, not code)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def scoring_spec(definition: Definition) -> dict[str, Any]:
    """What the browser needs to preview the score (the server stays the authority), to
    count progress and to catch before queueing what the server would refuse (`limits`,
    with the server's words): every item with its section, type, rule and label, and the
    grades. Texts come in both languages ({zh, en}): the device keeps this with the work
    and its pages and exports show the reader's language, whichever page stored it."""
    items = []
    language = get_translations()  # the server's words for the limits, in the page's language
    for section in definition.sections:
        for item in section.items:
            rule = item.pass_rule
            items.append(
                {
                    "key": item.key, "section": section.key, "type": str(item.type),
                    "label": item.label.as_json(), "required": item.required,
                    "critical": item.critical, "weight": item.weight, "scored": item.scored,
                    "evidence": str(item.evidence_on_fail),
                    "options": {o.key: o.label.as_json() for o in item.options},
                    "rule": None if rule is None else
                    {"options": list(rule.options), "min": rule.min, "max": rule.max},
                    "limits": {name: (bound, shown(text, language)) for name, (bound, text)
                               in kind_of(item).limits(item).items()},
                }
            )  # fmt: skip
    grades = [
        {"min": band.min_score, "label": band.label.as_json()}
        for band in sorted(definition.grades, key=lambda b: b.min_score, reverse=True)
    ]
    sections = [{"key": s.key, "title": s.title.as_json()} for s in definition.sections]
    evidence_photos = (EVIDENCE_PHOTOS_MAX, shown(at_most_photos(EVIDENCE_PHOTOS_MAX), language))
    return {"items": items, "grades": grades, "sections": sections,
            "evidence_photos": evidence_photos}  # fmt: skip


# The worker's last resort (a page neither stored nor reachable), in both languages.
OFFLINE_TEXT = (
    N_("Offline"),
    N_("This page is not kept on this device. Open it again when the network is back; "
       "what you filled in on this device is not lost."),
)  # fmt: skip


def offline_page() -> str:
    """Chinese first, then English: the worker answers without a page to ask which language
    its reader uses, and its script is the one thing it always has."""
    texts = [
        (tag, [translations(locale).gettext(text) for text in OFFLINE_TEXT])
        for locale, tag in ((LOCALES[0], "zh-CN"), ("en", "en"))
    ]
    # Without the context processors: the script is public and must not touch the database.
    return current_app.jinja_env.get_template("tablet/offline.html").render(texts=texts)


@bp.get("/sw.js")
@public
def service_worker() -> Response:
    """The service worker from the site root, so its scope can be the whole site; its
    offline page is set after the script (which reads it only when it needs it), written
    from the translation catalogue."""
    script = Path(current_app.static_folder, "tablet", "sw.js").read_text(encoding="utf-8")
    page = json.dumps(offline_page(), ensure_ascii=False)
    response = Response(f"{script}\nself.DUDAO_OFFLINE_PAGE = {page};\n")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/inspect")
@requires(Permission.INSPECT)
def home() -> str:
    """The tablet's list, grouped as "My inspections" is, and what waits for review last;
    the page is cached for offline use, so the groups are as of its last load."""
    groups = assignment_groups(assignments(db(), current_user.id), org_today(db()))
    return render_template("tablet/home.html", groups=groups, locale=select_locale())


@bp.get("/inspect/device")
@requires(Permission.INSPECT)
def device() -> str:
    """Everything kept on this device, read from IndexedDB by device.js (works offline)."""
    return render_template("tablet/device.html")


@bp.get("/inspect/<int:inspection_id>")
@requires(Permission.INSPECT)
def checklist(inspection_id: int) -> str:
    inspection = db().get(Inspection, inspection_id)
    if inspection is None or current_user.id not in inspection.assignee_ids:
        abort(404)
    locale = select_locale()
    definition = pinned(db(), inspection.definition_version_id)
    draft = draft_of(db(), inspection.id)
    form = build_form(
        definition, locale, data=draft.answers if draft else None,
        notes=draft.notes if draft else None, formdata=None,
    )  # fmt: skip
    server = {
        "id": inspection.id, "state": inspection.state, "version": inspection.version,
        "editable": inspection.state in EDITABLE_STATES, "user": current_user.id,
        "definition_version_id": inspection.definition_version_id,
        "title": definition.title.as_json(), "unit": unit_ref(inspection.unit),
        "due_date": inspection.due_date.isoformat(),
        "review": review_body(latest_submission(db(), inspection.id)),
        "draft": None if draft is None else {
            "revision": draft.revision, "answers": draft.answers, "notes": draft.notes,
            "photos": draft.photos,
        },
    }  # fmt: skip
    return render_template(
        "tablet/checklist.html", inspection=inspection, definition=definition, form=form,
        locale=locale, server=json_block(server),
        scoring=json_block(scoring_spec(definition)),
        evidence={str(e): shown(evidence_message(e), get_translations())
                  for e in Evidence if e != Evidence.NONE},
    )  # fmt: skip
