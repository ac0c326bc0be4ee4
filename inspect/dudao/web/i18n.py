"""The translation catalogue: extract English source strings, update zh_CN, compile, check.

Source strings are English; only zh_CN has a catalogue. The compiled `.mo` is
committed next to its `.po` so an install needs no build step, and `check`
(run by the tests and by `dudao i18n check`) fails when the two disagree or
when a string in the code or templates has no translation.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po
from jinja2 import TemplateSyntaxError

from dudao.core.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_DIR.parents[1]
MAPPING_FILE = REPO_ROOT / "babel.cfg"
TRANSLATIONS = PACKAGE_DIR / "translations"
LOCALES = ("zh_CN",)
# Babel reads "zh_CN" as zh_Hans_CN and gettext then looks in zh_Hans_CN/ and zh/,
# never in zh_CN/; the catalogue therefore lives under the language alone.
CATALOGUE_DIRS = {"zh_CN": "zh"}
DOMAIN = "messages"
HEADER_COMMENT = "# Dudao user interface. Source strings are English; see docs/i18n.md."


def _text(msgid: object) -> str:
    return msgid if isinstance(msgid, str) else " | ".join(map(str, msgid))  # type: ignore[arg-type]


@dataclass(frozen=True)
class CatalogFiles:
    locale: str

    @property
    def po(self) -> Path:
        folder = CATALOGUE_DIRS.get(self.locale, self.locale)
        return TRANSLATIONS / folder / "LC_MESSAGES" / f"{DOMAIN}.po"

    @property
    def mo(self) -> Path:
        return self.po.with_suffix(".mo")


def extract() -> Catalog:
    """Every translatable string in the package's Python files and templates."""
    if not MAPPING_FILE.is_file():
        raise ConfigError(f"{MAPPING_FILE} is missing; extraction needs a source checkout.")
    with MAPPING_FILE.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPING_FILE))
    template = Catalog(project="Dudao", msgid_bugs_address="", charset="utf-8")
    reading: list[str] = [""]

    def note(filename: str, _method: str, _options: object) -> None:
        reading[0] = filename

    found = extract_from_dir(
        PACKAGE_DIR,
        method_map,
        options_map,
        keywords={**DEFAULT_KEYWORDS, "Plural": (1, 2)},  # core.errors.Plural's two forms
        callback=note,
        strip_comment_tags=True,
    )
    try:
        for filename, lineno, message, comments, context in found:
            location = (Path(filename).as_posix(), lineno)
            template.add(message, None, [location], auto_comments=comments, context=context,
                         flags=())  # fmt: skip
    except TemplateSyntaxError as exc:  # babel.cfg: silent = false, or its strings would go
        raise ConfigError(
            f"{reading[0]}, line {exc.lineno}: {exc.message}. Nothing was extracted."
        ) from exc
    return template


def _read_po(path: Path, locale: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False
    )
    return buffer.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    # Babel would compile a plural with empty forms, which shows as blank text;
    # leaving it out makes gettext fall back to the English source instead.
    clean = copy.deepcopy(catalog)
    for message in list(clean):
        if message.id and not _translated(message):
            clean.delete(message.id, message.context)
    buffer = io.BytesIO()
    write_mo(buffer, clean, use_fuzzy=False)
    return buffer.getvalue()


def update(locale: str = "zh_CN") -> list[str]:
    """Merge freshly extracted strings into the locale's .po; returns the untranslated ids.

    New strings arrive empty (no fuzzy guessing) and strings gone from the code are
    dropped. The file is rewritten only when its messages changed, so re-running is
    quiet in git.
    """
    template = extract()
    files = CatalogFiles(locale)
    if files.po.is_file():
        catalog = _read_po(files.po, locale)
        before = _po_bytes(catalog)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        after = _po_bytes(catalog)
        if after != before:
            catalog.revision_date = datetime.now().astimezone()
            after = _po_bytes(catalog)
    else:
        catalog = Catalog(
            locale=locale,
            domain=DOMAIN,
            header_comment=HEADER_COMMENT,
            project="Dudao",
            version="1",
            copyright_holder="Dudao contributors",
            msgid_bugs_address="-",
            last_translator="Dudao contributors",
            language_team="Dudao contributors",
            revision_date=datetime.now().astimezone(),
            charset="utf-8",
            fuzzy=False,
        )
        catalog.update(template, no_fuzzy_matching=True)
        before, after = b"", _po_bytes(catalog)
    if after != before:
        files.po.parent.mkdir(parents=True, exist_ok=True)
        files.po.write_bytes(after)
    return [_text(m.id) for m in catalog if m.id and not _translated(m)]


def compile_catalogues() -> list[Path]:
    """Write each locale's .mo from its .po (fuzzy entries are left out)."""
    written = []
    for locale in LOCALES:
        files = CatalogFiles(locale)
        data = _mo_bytes(_read_po(files.po, locale))
        if not files.mo.is_file() or files.mo.read_bytes() != data:
            files.mo.write_bytes(data)
        written.append(files.mo)
    return written


def _translated(message: Message) -> bool:
    """A plural message counts only when every form is filled in."""
    if isinstance(message.string, str):
        return bool(message.string) and not message.fuzzy
    return bool(message.string) and all(message.string) and not message.fuzzy


# Template strings are formatted with a dict, so only named placeholders (and %%) are valid.
_PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(\.\d+)?[sdifrxXeEgGc]|%%")


def _bare_percent_in_template(msgid: object, message: Message) -> bool:
    """Jinja's new-style gettext always applies `%`, so '95% interval' breaks the page."""
    if not any(path.endswith(".html") for path, _line in message.locations):
        return False
    texts = [msgid] if isinstance(msgid, str) else list(msgid)  # type: ignore[arg-type]
    return any("%" in _PLACEHOLDER.sub("", text) for text in texts)


def _messages(catalog: Catalog) -> dict[object, object]:
    def key(value: object) -> object:
        return value if isinstance(value, str) else tuple(value)  # plural forms come as lists

    return {key(m.id): key(m.string) for m in catalog if m.id and _translated(m)}


def check(with_sources: bool = True) -> list[str]:
    """Problems that would show a user English or a wrong text; empty when all is well."""
    problems: list[str] = []
    source_ids = {m.id: m for m in extract() if m.id} if with_sources else {}
    for locale in LOCALES:
        files = CatalogFiles(locale)
        if not files.po.is_file():
            problems.append(f"{files.po} is missing; run `dudao i18n update`.")
            continue
        catalog = _read_po(files.po, locale)
        for msgid, source in source_ids.items():
            message = catalog.get(msgid, source.context)
            where = ", ".join(f"{path}:{line}" for path, line in source.locations)
            if _bare_percent_in_template(msgid, source):
                problems.append(
                    f"{msgid!r} ({where}): templates format every string, so a literal % "
                    "must be written %% (the page would fail to render)."
                )
            if message is None:
                problems.append(f"{locale}: {msgid!r} ({where}) is not in {files.po.name}.")
            elif not _translated(message):
                problems.append(f"{locale}: {msgid!r} ({where}) has no reviewed translation.")
        for message, errors in catalog.check():
            problems.extend(f"{locale}: {message.id!r}: {error}" for error in errors)
        if not files.mo.is_file():
            problems.append(f"{files.mo} is missing; run `dudao i18n compile`.")
            continue
        with files.mo.open("rb") as handle:
            compiled = read_mo(handle)
        if _messages(compiled) != _messages(catalog):
            stale = f"{files.mo} is out of date with {files.po.name}"
            problems.append(f"{stale}; run `dudao i18n compile`.")
    return problems
