"""`dudao forms import-xlsform`: write the translated definition, or list what cannot be."""

from __future__ import annotations

from pathlib import Path

import click

from dudao.config import forms_dir
from dudao.core.errors import N_, Message
from dudao.core.language import language_option, say, spoken
from dudao.definitions.xlsform import XLSFormError, xlsform_to_yaml


@click.command("import-xlsform", help="Turn an XLSForm workbook into a definition in forms/.")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the YAML (default: <DUDAO_FORMS_DIR>/<key>.yaml).")  # fmt: skip
@click.option("--kind", type=click.Choice(["questionnaire", "checklist"]), default="questionnaire")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@language_option
def import_xlsform_command(
    workbook: Path, output: Path | None, kind: str, force: bool, lang: str
) -> None:
    try:
        text = xlsform_to_yaml(workbook, kind)
    except XLSFormError as exc:
        say(exc.message, lang)
        for problem in exc.problems:
            click.echo(f"  {spoken(problem, lang)}")
        raise SystemExit(1) from exc
    import yaml

    target = output or forms_dir() / f"{yaml.safe_load(text)['key']}.yaml"
    if target.exists() and not force:
        exists = Message(N_("%(path)s exists; use --force to overwrite it."), path=str(target))
        raise click.ClickException(spoken(exists, lang))
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:  # a folder that does not exist, no permission, a full disk
        refused = Message(N_("Cannot write %(path)s: %(why)s."), path=str(target), why=exc.strerror)
        raise click.ClickException(spoken(refused, lang)) from exc
    say(Message(N_("Wrote %(path)s. Check it with `dudao forms check %(path)s`."),
                path=str(target)), lang)  # fmt: skip
