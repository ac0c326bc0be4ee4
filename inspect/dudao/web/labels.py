"""Display names for the closed vocabularies, translated when rendered (`{{ role|label }}`)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from dudao.core.enums import Role, UnitLevel
from dudao.definitions.models import Origin
from dudao.definitions.spec import Kind
from dudao.surveys.models import CampaignState

LABELS: dict[str, LazyString] = {
    Role.ADMIN: _l("Administrator"),
    Role.OFFICE: _l("Supervision office"),
    Role.INSPECTOR: _l("Inspector"),
    Role.UNIT_LEAD: _l("Unit lead"),
    Role.REPRESENTATIVE: _l("Party representative"),
    UnitLevel.GROUP: _l("Group"),
    UnitLevel.COMPANY: _l("Company"),
    UnitLevel.UNIT: _l("Unit"),
    UnitLevel.BRANCH: _l("Party branch"),
    CampaignState.DRAFT: _l("Draft"), CampaignState.OPEN: _l("Open"),
    CampaignState.CLOSED: _l("Closed"),
    Kind.CHECKLIST: _l("checklist"), Kind.QUESTIONNAIRE: _l("questionnaire"),
    Origin.SYNC: _l("forms folder"), Origin.UPLOAD: _l("upload"),
    # Object types, as the audit log names what an event is about ("unit" is above).
    "definition_version": _l("Definition version"), "feedback_item": _l("Feedback"),
    "form_definition": _l("Definition"), "inspection": _l("Inspection"),
    "pioneer_post": _l("Pioneer post"), "rectification": _l("Rectification"),
    "schedule": _l("Schedule"), "spot_check_draw": _l("Draw"),
    "survey_campaign": _l("Campaign"), "target_entry": _l("Target entry"),
    "trend_flag": _l("Flag"), "user": _l("Account"),
}  # fmt: skip


def label(value: object) -> str:
    """The translated name of a value of one of the vocabularies above; else the value itself."""
    found = LABELS.get(value) if isinstance(value, str) else None
    return str(found) if found is not None else str(value if value is not None else "")
