"""A WTForms form built at run time from a definition (as Indico's surveys do).

The form only parses the request: every check comes from
`answers.validate_submission`, the same function the tablets' JSON API uses,
and its problems are put beside the fields. The generated class is cached per
definition object and locale, so a page pays only for binding the fields.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import MultipleFileField, TextAreaField
from wtforms.fields.core import Field

from dudao.core.errors import shown
from dudao.definitions.answers import validate_submission
from dudao.definitions.items import kind_of
from dudao.definitions.scoring import score
from dudao.definitions.showif import condition_to_json, visible_items
from dudao.definitions.spec import Definition, Evidence, Item, ItemType, Kind

ANSWER_PREFIX = "a_"
NOTE_PREFIX = "n_"
PHOTO_PREFIX = "p_"

NOTE_EVIDENCE = {Evidence.NOTE, Evidence.NOTE_OR_PHOTO, Evidence.NOTE_AND_PHOTO}
#: The id prefix of the hint under an input, for aria-describedby: a number's range, a photo
#: item's count, a text's counter, which end of a 0-10 rating is the best.
HINT_PREFIX = {
    ItemType.NUMBER: "r-", ItemType.PHOTO: "r-", ItemType.TEXT: "c-", ItemType.RATING: "r-",
}  # fmt: skip
PHOTO_EVIDENCE = {Evidence.PHOTO, Evidence.NOTE_OR_PHOTO, Evidence.NOTE_AND_PHOTO}


def wants_note(definition: Definition, item: Item) -> bool:
    return definition.kind == Kind.CHECKLIST and item.evidence_on_fail in NOTE_EVIDENCE


def wants_photo(definition: Definition, item: Item) -> bool:
    return definition.kind == Kind.CHECKLIST and item.evidence_on_fail in PHOTO_EVIDENCE


class DefinitionForm(FlaskForm):
    """Base of the generated classes; `definition` and `locale` are set per class."""

    definition: Definition
    locale: str

    clean_answers: dict[str, Any]
    clean_notes: dict[str, str]
    clean_photos: dict[str, list[str]]
    item_errors: dict[str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clean_answers, self.clean_notes, self.clean_photos = {}, {}, {}
        self.item_errors = {}
        self.needs_evidence: set[str] = set()

    def answer_field(self, key: str) -> Field | None:
        return self._fields.get(ANSWER_PREFIX + key)

    def note_field(self, key: str) -> Field | None:
        return self._fields.get(NOTE_PREFIX + key)

    def photo_field(self, key: str) -> Field | None:
        return self._fields.get(PHOTO_PREFIX + key)

    def submitted(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """(answers, notes, photos) as submitted, keyed by item key; photos by file name
        until uploads are stored (a later issue gives them ids)."""
        answers: dict[str, Any] = {}
        notes: dict[str, Any] = {}
        photos: dict[str, Any] = {}
        for name, field in self._fields.items():
            prefix, key = name[:2], name[2:]
            if prefix == ANSWER_PREFIX:
                data = field.data
                if isinstance(field, MultipleFileField):
                    data = _file_names(data)
                if data not in (None, "", []):
                    answers[key] = data
            elif prefix == NOTE_PREFIX and field.data:
                notes[key] = field.data
            elif prefix == PHOTO_PREFIX and _file_names(field.data):
                photos[key] = _file_names(field.data)
        return answers, notes, photos

    def validate(self, extra_validators: Any = None) -> bool:
        """The CSRF check, then the definition's own validation of the whole submission."""
        ok = super().validate(extra_validators)
        answers, notes, photos = self.submitted()
        clean, clean_notes, clean_photos, problems = validate_submission(
            self.definition, answers, notes, photos
        )
        language = get_translations()
        errors = {key: shown(message, language) for key, message in problems.items()}
        self.clean_answers, self.clean_notes, self.clean_photos = clean, clean_notes, clean_photos
        order = {key: n for n, key in enumerate(self.definition._index)}
        self.item_errors = dict(sorted(errors.items(), key=lambda e: order.get(e[0], len(order))))
        if self.definition.kind == Kind.CHECKLIST:
            missing = score(self.definition, clean, clean_notes, clean_photos).missing_evidence
            self.needs_evidence = set(missing) & set(errors)
        for key, message in errors.items():
            field = self.answer_field(key) or self.note_field(key) or self.photo_field(key)
            if field is not None:
                field.errors = [*field.errors, message]
        self._errors = None
        return ok and not errors

    # What the templates need -------------------------------------------------

    def value(self, key: str) -> Any:
        """The answer as the form shows it: a string, a list of strings, or None."""
        field = self.answer_field(key)
        if field is None:
            return None
        if isinstance(field, MultipleFileField):
            return _file_names(field.data)
        return field.data

    def aria(self, item: Item, error: str | None) -> Markup:
        """The aria-describedby/aria-invalid attributes of an item's inputs."""
        ids = [f"h-{item.key}"] if item.help else []
        hint = HINT_PREFIX.get(item.type)
        if hint:
            ids.append(hint + item.key)
        if error:
            ids.append(f"e-{item.key}")
        described = Markup(' aria-describedby="{}"').format(" ".join(ids)) if ids else Markup()
        return described + Markup(' aria-invalid="true"') if error else described

    def visible(self) -> set[str]:
        """Items shown for the values now in the form (before any JavaScript runs)."""
        answers, _notes, _photos = self.submitted()
        return visible_items(self.definition, answers)

    def showif_json(self) -> Markup:
        """The conditions for web/static/showif.js, safe inside a JSON <script> block."""
        items = []
        for item in self.definition.items:
            entry: dict[str, Any] = {"key": item.key, "type": str(item.type)}
            if item.show_if is not None:
                entry["show_if"] = condition_to_json(item.show_if)
            items.append(entry)
        text = json.dumps({"prefix": ANSWER_PREFIX, "items": items}, ensure_ascii=False)
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _file_names(data: Any) -> list[str]:
    if not isinstance(data, list):
        return []
    names = []
    for entry in data:
        name = entry if isinstance(entry, str) else getattr(entry, "filename", None)
        if name:
            names.append(name)
    return names


_CLASSES: dict[tuple[int, str], tuple[weakref.ref[Definition], type[DefinitionForm]]] = {}


def form_class(definition: Definition, locale: str) -> type[DefinitionForm]:
    """The generated form class for a definition, built once per definition object."""
    cache_key = (id(definition), locale)
    cached = _CLASSES.get(cache_key)
    if cached is not None and cached[0]() is definition:
        return cached[1]
    attrs: dict[str, Any] = {"definition": definition, "locale": locale}
    for item in definition.items:
        label = item.label.get(locale)
        unbound = kind_of(item).field(item, label)
        if unbound is not None:
            attrs[ANSWER_PREFIX + item.key] = unbound
        if wants_note(definition, item):
            attrs[NOTE_PREFIX + item.key] = TextAreaField(_l("Note"))
        if wants_photo(definition, item):
            attrs[PHOTO_PREFIX + item.key] = MultipleFileField(_l("Photos"))
    cls = type(f"DefinitionForm_{definition.key}", (DefinitionForm,), attrs)
    _CLASSES[cache_key] = (weakref.ref(definition, lambda _r: _CLASSES.pop(cache_key, None)), cls)
    return cls


def build_form(
    definition: Definition,
    locale: str,
    data: dict[str, Any] | None = None,
    notes: dict[str, str] | None = None,
    **kwargs: Any,
) -> DefinitionForm:
    """A form for `definition`; `data` are stored answers to show (a saved draft, say).

    In a POST request the form reads the request itself, as FlaskForm does.
    """
    initial: dict[str, Any] = {}
    for key, value in (data or {}).items():
        item = definition._index.get(key)
        if item is not None and kind_of(item).answerable:
            initial[ANSWER_PREFIX + key] = kind_of(item).to_form(item, value)
    for key, note in (notes or {}).items():
        initial[NOTE_PREFIX + key] = note
    return form_class(definition, locale)(data=initial, **kwargs)
