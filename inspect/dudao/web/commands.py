"""`dudao i18n`: keep the zh_CN catalogue in step with the code (see docs/i18n.md)."""

from __future__ import annotations

import click

from dudao.web import i18n


@click.group("i18n", help="Translation catalogue: extract, update, compile, check.")
def i18n_group() -> None:
    pass


@i18n_group.command("update", help="Extract strings, merge them into the .po files, compile.")
def i18n_update() -> None:
    for locale in i18n.LOCALES:
        missing = i18n.update(locale)
        click.echo(f"{i18n.CatalogFiles(locale).po}: {len(missing)} string(s) to translate.")
        for msgid in missing:
            click.echo(f"  {msgid}")
    for path in i18n.compile_catalogues():
        click.echo(f"Compiled {path}.")


@i18n_group.command("compile", help="Write the .mo files from the .po files.")
def i18n_compile() -> None:
    for path in i18n.compile_catalogues():
        click.echo(f"Compiled {path}.")


@i18n_group.command("check", help="Exit 1 if a string is untranslated or a .mo is stale.")
def i18n_check() -> None:
    problems = i18n.check()
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"The catalogue needs work: {len(problems)} problem(s).", err=True)
        raise SystemExit(1)
    click.echo("Every string is translated and the compiled catalogues are up to date.")
