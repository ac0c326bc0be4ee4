"""The view side of a workflow action: one form and one handler for every subject's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired

from dudao.core.errors import PermissionDenied, shown
from dudao.web.context import db
from dudao.web.setup import select_locale
from dudao.workflow import engine
from dudao.workflow.registry import get_workflow


class ActionForm(FlaskForm):
    """One workflow action; `expected_version` is the version the page showed. The engine
    checks the comment and reason (required, not too long), so a refusal keeps them and says
    so beside the field; the page's textareas carry `max_length`."""

    max_length = engine.FIELD_MAX
    action = HiddenField(validators=[InputRequired()])
    expected_version = IntegerField(validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"))
    reason = TextAreaField(_l("Reason"))

    def fields(self) -> dict[str, str]:
        return {"comment": self.comment.data or "", "reason": self.reason.data or ""}


def act_from_form(
    subject: Any,
    render: Callable[[dict[str, ActionForm] | None, int], Any],
    done_url: str,
    changed_meanwhile: str,
    done: Callable[[str], str],
    perform: Callable[[ActionForm], Any] | None = None,
) -> Any:
    """Apply the posted action through the engine and commit once, or re-render the page:
    409 when someone changed the subject meanwhile, 422 (message beside the field) when the
    action is refused. `render(forms, status)` reloads the subject itself after a rollback.
    `perform(form)` replaces the plain engine call when a feature's service applies it."""
    form = ActionForm()
    if not form.validate():
        abort(400)
    action = form.action.data
    try:
        if perform is not None:
            perform(form)
        else:
            engine.apply(
                db(), current_user, subject, action,
                expected_version=form.expected_version.data, fields=form.fields(),
            )  # fmt: skip
    except engine.Conflict:
        db().rollback()
        flash(changed_meanwhile, "error")
        form.expected_version.data = None  # the page's fresh version; the text typed is kept
        return render({action: form}, 409)
    except PermissionDenied:
        db().rollback()
        abort(403)
    except engine.TransitionRefused as exc:
        db().rollback()
        missing = []
        for problem in exc.problems:
            name = getattr(problem, "field", None)
            if name not in engine.FIELD_NAMES:
                continue
            if problem.problem == "required":
                getattr(form, name).errors = [_("Required for this action.")]
                missing.append(problem)
            else:  # too long: the engine's words
                getattr(form, name).errors = [shown(problem.problem, get_translations())]
        if missing and len(missing) == len(exc.problems):  # said beside the field, in words
            flash(_("Not done: fill in the field marked below."), "error")
        else:
            flash(_("Not done: %(reason)s", reason=exc.in_language(get_translations())), "error")
        return render({action: form}, 422)
    db().commit()
    flash(done(get_workflow(subject.workflow).state(subject.state).label.get(select_locale())),
          "success")  # fmt: skip
    return redirect(done_url)
