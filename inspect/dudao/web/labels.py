"""Display names for the closed vocabularies, translated when rendered (`{{ role|label }}`)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from dudao.core.enums import LEVEL_NAMES, Role
from dudao.definitions.models import Origin
from dudao.definitions.spec import KIND_NAMES
from dudao.inspections.models import InspectionOrigin
from dudao.surveys.models import CampaignState

LABELS: dict[str, LazyString] = {
    Role.ADMIN: _l("Administrator"),
    Role.OFFICE: _l("Supervision office"),
    Role.INSPECTOR: _l("Inspector"),
    Role.UNIT_LEAD: _l("Unit lead"),
    Role.REPRESENTATIVE: _l("Party representative"),
    **{level: _l(name) for level, name in LEVEL_NAMES.items()},
    CampaignState.DRAFT: _l("Draft"), CampaignState.OPEN: _l("Open"),
    CampaignState.CLOSED: _l("Closed"),
    **{kind: _l(name) for kind, name in KIND_NAMES.items()},
    Origin.SYNC: _l("forms folder"), Origin.UPLOAD: _l("upload"),
    # Object types, as the audit log names what an event is about ("unit" is above).
    "audit_seal": _l("Audit seal"), "definition_version": _l("Definition version"),
    "draw_attempt": _l("Draw attempt"),
    "feedback_item": _l("Feedback"), "form_definition": _l("Definition"),
    "inspection": _l("Inspection"), "pioneer_post": _l("Pioneer post"),
    "rectification": _l("Rectification"), "report_request": _l("Report"),
    "schedule": _l("Schedule"), "spot_check_draw": _l("Draw"),
    "survey_campaign": _l("Campaign"), "survey_roster": _l("Member roster"),
    "target_entry": _l("Target entry"), "trend_flag": _l("Flag"), "user": _l("Account"),
    # What an audit event did, shown after its object type ("Unit · Move"). An action a
    # workflow takes ("inspection.submit") has the words of its workflow's file instead
    # (audit/words.py), so it is not here.
    "audit.seal_mismatch": _l("Events found beyond the seal"),
    "definition.create": _l("Create"), "definition.version": _l("New version"),
    "definition.update": _l("Edit"), "definition.retire": _l("Retire this definition"),
    "draw.create": _l("Draw at random"), "draw.publish": _l("Publish"),
    "draw.refused": _l("Drawn and refused (no draw made)"),
    "feedback.submitted": _l("Submit"),
    "flag_triage.recurred": _l("Detected again after it was resolved: reopened"),
    "grant.create": _l("Grant a role"), "grant.delete": _l("Revoke a role"),
    "inspection.create": _l("Create"), "inspection.import": _l("Import"),
    "inspection.item_comments": _l("Comments beside items"),
    "inspection.photo": _l("Photo added"),
    "pioneer_post.registered": _l("Register"), "pioneer_post.updated": _l("Edit"),
    "pioneer_post.retired": _l("Retire"),
    "rectification.open": _l("Open the task"), "rectification.import": _l("Import"),
    "report.request": _l("Request generation"),
    "schedule.create": _l("Create"), "schedule.update": _l("Edit"),
    "schedule.activate": _l("Activate"), "schedule.deactivate": _l("Deactivate"),
    "survey.campaign_created": _l("Create"), "survey.campaign_open": _l("Open the campaign"),
    "survey.campaign_closed": _l("Close the campaign"),
    "survey.invitations_generated": _l("Generate invitations"),
    "survey.open_links_created": _l("Create open links"),
    "survey.invitations_replaced": _l("Replace the unused invitations"),
    "survey.open_link_replaced": _l("Replace the open link"),
    "survey.open_link_removed": _l("Remove the open link"),
    "survey.invitations_emailed": _l("Links e-mailed"),
    "survey.mailing_requested": _l("E-mail the links"), "survey.roster_imported": _l("Import"),
    "target_entry.added": _l("Record"), "target_entry.corrected": _l("Correct"),
    "trend_flag.create": _l("Detected by trend analysis"),
    "trend_flag.update": _l("Detected again"), "trend_flag.cleared": _l("No longer detected"),
    "trend_flag.assign": _l("Set the assignee"), "trend_flag.comment": _l("Add a comment"),
    "trend_flag.rectify": _l("Open a rectification task"),
    "unit.create": _l("Create"), "unit.update": _l("Edit"), "unit.move": _l("Move"),
    "user.create": _l("Create"), "user.update": _l("Edit"),
    "user.set_password": _l("Set new password"),
    "user.change_password": _l("Change own password"),
    # Why a draw with right inputs was refused (draw_params.DrawRefused), for the audit log.
    "no_eligible_units": _l("No unit is eligible"),
    "too_few_units": _l("Fewer eligible units than asked for"),
    "too_few_inspectors": _l("Too few eligible inspectors for a drawn unit"),
    # The fields audit events record, by name ("unit", "schedule" and "rectification" are
    # above and mean the same as fields); "<object type>.<field>" where a name needs its
    # object ("name" is a unit's, a schedule's or a post's).
    "active": _l("In use"), "added": _l("Added"), "algorithm": _l("Algorithm"),
    "amount": _l("Amount"), "assignee": _l("Assignee"), "assignees": _l("Inspectors"),
    "assignment": _l("Assignment"), "attachments": _l("Attachments"),
    "campaign_id": _l("Campaign"), "category": _l("Category"), "closes_at": _l("Closes"),
    "code": _l("Code"), "comment": _l("Comment"), "content_hash": _l("Content fingerprint"),
    "corrects": _l("Corrects entry"), "created": _l("Number created"),
    "current_number": _l("Current version"), "date": _l("Date"),
    "deactivated": _l("Deactivated"), "deadline": _l("Deadline"),
    "definition_key": _l("Checklist"), "definition_version_id": _l("Definition version"),
    "description": _l("Description"), "detected": _l("Still detected"),
    "display_name": _l("Display name"), "dtstart": _l("First period starts"),
    "due": _l("Due date"), "due_date": _l("Deadline"), "email": _l("E-mail"),
    "established_on": _l("Established on"), "evidence": _l("Evidence file"),
    "evidence_sha256": _l("Evidence fingerprint"), "exclude_codes": _l("Excluded units"),
    "failed": _l("Failed items"), "file": _l("File"), "finding": _l("Finding"),
    "fingerprint": _l("Flag fingerprint"), "first_detected": _l("First detected in"),
    "hash": _l("Hash"), "headcount": _l("Headcount"), "id": _l("Id"),
    "inputs_sha256": _l("Inputs fingerprint"), "inspection_id": _l("Inspection"),
    "inspections": _l("Inspections"), "item": _l("Item"),
    "item_comments": _l("Comments beside items"), "key": _l("Key"), "kind": _l("Kind"),
    "last_detected": _l("Last detected in"), "level": _l("Level"), "levels": _l("Levels"),
    "locale": _l("Language"), "mailing_base_url": _l("Site address in the e-mails"),
    "member_count": _l("Members on the post"),
    "min_comment_group": _l("Minimum group size for comments"),
    "min_group": _l("Minimum group size for scores"),
    "must_change_password": _l("Must choose a new password at sign-in"),
    "name_en": _l("English name"),
    "number": _l("Version"), "opens_at": _l("Opens"), "origin": _l("Origin"),
    "owner": _l("Owner unit"), "params": _l("Parameters"),
    "params_sha256": _l("Parameters fingerprint"),
    "parent": _l("Parent unit"), "per_unit": _l("Per unit"), "percent": _l("Score (%)"),
    "period": _l("Period"), "period_label": _l("Period"), "photo": _l("Photo"),
    "quarter": _l("Quarter"), "reason": _l("Reason"), "reference": _l("Reference"),
    "responsible": _l("Members responsible"), "result_hash": _l("Result fingerprint"),
    "retired": _l("Retired"), "retired_on": _l("Retired on"), "role": _l("Role"),
    "rows": _l("Rows"), "rrule": _l("Recurrence (iCalendar RRULE)"), "rule": _l("Rule"),
    "scope": _l("Draw from the subtree of"), "scope_unit_id": _l("Scope (top unit)"),
    "seed": _l("Seed"), "seed_given": _l("Seed typed in"), "seq": _l("Sequence number"),
    "sha256": _l("Photo fingerprint"),
    "source": _l("Source"), "source_file": _l("Source file"), "state": _l("State"),
    "submission_id": _l("Submission id"), "tags": _l("Tags"), "target": _l("Target"),
    "timer": _l("Timer"), "title": _l("Title"), "unit_id": _l("Unit"),
    "unit_of_count": _l("Counted in"), "units": _l("Units"), "updated": _l("Updated"),
    "username": _l("Username"), "window_days": _l("Due this many days after the start"),
    "workflow": _l("Workflow"),
    "definition_version.key": _l("Definition"),
    "pioneer_post.name": _l("Name of the post"), "schedule.name": _l("Schedule name"),
    "unit.name": _l("Unit name"),
}  # fmt: skip


def label(value: object) -> str:
    """The translated name of a value of one of the vocabularies above; else the value itself."""
    found = LABELS.get(value) if isinstance(value, str) else None
    return str(found) if found is not None else str(value if value is not None else "")


#: An inspection's origin (a table of its own: "import" and "draw" name other things too).
ORIGIN_LABELS = {
    InspectionOrigin.PERIODIC: _l("Periodic"),
    InspectionOrigin.AD_HOC: _l("Ad hoc"),
    InspectionOrigin.DRAW: _l("Random spot check"),
    InspectionOrigin.IMPORT: _l("Imported"),
}
