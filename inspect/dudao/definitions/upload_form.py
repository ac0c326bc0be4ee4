"""The admin's upload form: a definition file (or an XLSForm workbook), or its text
pasted into a textarea.

Kept apart from forms.py (the run-time forms built from definitions).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from dudao.definitions.services import plain_file_name

#: A definition is text; a checklist of several hundred items is well under this.
MAX_DEFINITION_BYTES = 1024 * 1024
#: An XLSForm workbook is zipped XML; long choice lists make it larger than its YAML.
MAX_WORKBOOK_BYTES = 5 * 1024 * 1024


class UploadForm(FlaskForm):
    file = FileField(_l("Definition file (YAML, JSON or an XLSForm workbook)"))
    kind = SelectField(
        _l("An XLSForm workbook becomes"),
        choices=lambda: [
            ("questionnaire", _l("a questionnaire")),
            ("checklist", _l("a checklist")),
        ],
        default="questionnaire",
    )
    text = TextAreaField(_l("…or paste the definition"), validators=[Optional()])
    filename = StringField(
        _l("File name for pasted text"),
        default="upload.yaml",
        validators=[
            Optional(),
            Length(max=200),
            Regexp(r"^[\w.\-]+$", message=_l("Letters, digits, '.', '-' and '_' only.")),
        ],
    )

    def source(self) -> tuple[str | bytes, str] | None:
        """(text, file name) of the upload — the bytes of an XLSForm workbook (.xlsx) —
        or None after adding an error to the form."""
        upload = self.file.data
        if upload is not None and getattr(upload, "filename", ""):
            if upload.filename.lower().endswith(".xlsx"):
                raw = upload.read(MAX_WORKBOOK_BYTES + 1)
                if len(raw) > MAX_WORKBOOK_BYTES:
                    self.file.errors = [_l("The workbook is larger than 5 MB.")]
                    return None
                return raw, upload.filename
            raw = upload.read(MAX_DEFINITION_BYTES + 1)
            if len(raw) > MAX_DEFINITION_BYTES:
                self.file.errors = [_l("The file is larger than 1 MB.")]
                return None
            try:
                return raw.decode("utf-8-sig"), upload.filename
            except UnicodeDecodeError:
                self.file.errors = [_l("The file is not UTF-8 text.")]
                return None
        text = self.text.data or ""
        if text.strip():  # leading lines kept: the problems' line numbers are the textarea's
            if len(text.encode()) > MAX_DEFINITION_BYTES:
                self.text.errors = [_l("The text is larger than 1 MB.")]
                return None
            return text.rstrip() + "\n", self.filename.data or "upload.yaml"
        self.file.errors = [_l("Choose a file or paste the definition.")]
        return None

    def keep(self, content: str | bytes, filename: str) -> bool:
        """After a refusal, put an uploaded file's text in the textarea under its name (a
        page cannot keep a chosen file), so the admin corrects it there against the lines
        of the problems. False for a workbook, which has to be chosen again."""
        if isinstance(content, bytes):
            return False
        self.text.data, self.filename.data = content, plain_file_name(filename) or None
        return True
