"""Languages without a request: commands and jobs show services' Messages in zh_CN.

The web picks the reader's language per request (`dudao.web.setup.select_locale`);
a command has no reader to ask, so it speaks the default language (docs/i18n.md),
or the one its `--lang` option names. Reads the compiled catalogue with Babel
alone, so a command that needs no app (`dudao forms check`) can use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from babel.support import NullTranslations, Translations

from dudao.core.errors import shown

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = LOCALES[0]
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"

F = TypeVar("F", bound=Callable[..., Any])


@cache
def translations(locale: str = DEFAULT_LOCALE) -> NullTranslations:
    """The catalogue for `locale`; English (no catalogue) shows the source strings."""
    return Translations.load(str(TRANSLATIONS), [locale])


def sentences_in(locale: str, *texts: Any) -> str:
    """Sentences one after the other as `locale` writes them: Chinese with no space after
    。, English with one ("…的周期。 其中" read as a stray gap)."""
    gap = "" if locale.startswith("zh") else " "
    return gap.join(str(text) for text in texts)


#: Where `--lang` leaves the language for `dudao`'s own handler of an error no command
#: caught (click's `meta` is shared by a command's context and its group's).
CHOSEN = "dudao.lang"


def _remember(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    ctx.meta[CHOSEN] = value
    return value


def language_option(command: F) -> F:
    """`--lang zh_CN|en` for a command that prints services' messages (default zh_CN)."""
    return click.option(
        "--lang",
        "lang",
        type=click.Choice(LOCALES),
        default=DEFAULT_LOCALE,
        show_default=True,
        help="Language of the messages.",
        callback=_remember,
    )(command)


def spoken(text: Any, lang: str = DEFAULT_LOCALE) -> str:
    """A Message (or a text written in both languages) in `lang`, as a command prints it."""
    return str(shown(text, translations(lang)))


def say(text: Any, lang: str = DEFAULT_LOCALE, *, err: bool = False) -> None:
    """Print a Message (or a text written in both languages) for a command's reader."""
    click.echo(spoken(text, lang), err=err)


def refuse_located(problems: Iterable[Any], counted: Any, lang: str) -> NoReturn:
    """Print every located problem of a file (`file:line:col: path: message`), then stop
    with `counted`, the sentence that counts them (exit status 1)."""
    for problem in problems:
        say(problem.as_message(), lang, err=True)
    raise click.ClickException(spoken(counted, lang))
