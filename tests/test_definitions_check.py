"""`dudao forms check`, and the JSON Schema agreeing with the loader."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from dudao import config
from dudao.cli import cli
from dudao.config import PROJECT_ROOT
from dudao.definitions import formfolder
from dudao.definitions.loader import DefinitionError, load_file, load_text
from dudao.definitions.yamlsource import parse
from tests.definition_world import CHECKLIST, QUESTIONNAIRE

FORMS = PROJECT_ROOT / "forms"
SCHEMA_PATH = FORMS / "definition.schema.json"
DOCS = PROJECT_ROOT / "docs" / "definitions.md"


def run(*args: str) -> Any:
    """`dudao forms check` in English (the default is zh_CN: test_definitions_i18n.py)."""
    return CliRunner().invoke(cli, ["forms", "check", "--lang", "en", *args])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "spot.yaml").write_text(CHECKLIST, encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "survey.json").write_text(
        json.dumps(load_text(QUESTIONNAIRE).data, ensure_ascii=False), encoding="utf-8"
    )
    (tmp_path / "definition.schema.json").write_text("{}", encoding="utf-8")  # skipped
    (tmp_path / "README.txt").write_text("not a definition", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "draft.yaml").write_text("broken: [", encoding="utf-8")
    return tmp_path


# -- the command -----------------------------------------------------------------


def test_check_ok_prints_a_summary(folder: Path) -> None:
    result = run(str(folder))
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 2 files, 1 checklist, 1 questionnaire, 5 items\n"


def test_check_prints_every_problem_and_exits_1(folder: Path) -> None:
    bad = folder / "bad.yaml"
    bad.write_text(CHECKLIST.replace("type: scale", "type: scael").replace("key: q2", "key: Q2"))
    result = run(str(bad), str(folder / "spot.yaml"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{bad}:11:14: sections[0].items[1].key: 'Q2' is not a valid key: use lower-case "
        "letters, digits and '_', starting with a letter (at most 64 characters)",
        f"{bad}:19:15: sections[0].items[2].type: unknown item type 'scael'; did you mean "
        "'scale'? (one of: yes_no, single_choice, multi_choice, scale, rating, number, text, "
        "date, photo, note)",
    ]
    assert "2 problems in 2 files." in result.stderr
    for line in lines:
        assert re.match(r"^[^:]+:\d+:\d+: [\w.\[\]<>]+: .+$", line)


def test_check_reports_a_definition_key_used_twice(folder: Path) -> None:
    (folder / "copy.yml").write_text("# a copy\n" + CHECKLIST, encoding="utf-8")
    result = run(str(folder))
    assert result.exit_code == 1
    assert result.stdout == (
        f"{folder / 'spot.yaml'}:2:6: key: definition key 'spot' is already defined in "
        f"{folder / 'copy.yml'}\n"
    )


def test_check_syntax_error_and_empty_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: checklist\nkey: [x\n", encoding="utf-8")
    (tmp_path / "b.json").write_text("", encoding="utf-8")
    result = run(str(tmp_path))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0].startswith(f"{tmp_path / 'a.yaml'}:3:1: <document>: invalid YAML: ")
    assert out[1] == f"{tmp_path / 'b.json'}:1:1: <document>: invalid JSON: Expecting value"


def test_check_defaults_to_the_project_forms_folder(folder: Path, monkeypatch) -> None:
    project = folder.parent / "project"
    project.mkdir()
    (project / "forms").symlink_to(folder, target_is_directory=True)
    monkeypatch.setattr(config, "PROJECT_ROOT", project)
    monkeypatch.delenv("DUDAO_FORMS_DIR", raising=False)
    monkeypatch.chdir(project)
    result = run()
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 files")


def test_check_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_check_needs_no_database(folder: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DUDAO_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "DUDAO_REDIS_URL": "redis://127.0.0.1:1/0",
        "DUDAO_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    dudao = Path(sys.executable).with_name("dudao")
    done = subprocess.run(
        [str(dudao), "forms", "check", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # the default language, zh_CN: each count in its own words
    assert done.stdout == "通过：2 个文件，1 张检查表，1 份问卷，5 个条目\n"


def test_shipped_forms_pass_the_check() -> None:
    result = run(str(FORMS))
    assert result.exit_code == 0, result.output


# -- the JSON Schema -----------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft202012Validator:
    data = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(data)
    return jsonschema.Draft202012Validator(data)


def doc_examples() -> list[str]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return [block for block in blocks if re.search(r"^kind: ", block, re.M)]


def shipped_files() -> list[Path]:
    return formfolder.definition_files(FORMS)


def errors(schema: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [error.message for error in schema.iter_errors(data)]


def test_docs_have_a_complete_example_of_each_kind() -> None:
    kinds = sorted(load_text(text).definition.kind.value for text in doc_examples())
    assert kinds == ["checklist", "questionnaire"]
    assert "# yaml-language-server: $schema=" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("index", range(2))
def test_doc_examples_validate_against_the_schema(schema, index: int) -> None:
    text = doc_examples()[index]
    loaded = load_text(text, f"docs example {index}")
    assert errors(schema, parse(text).data) == []
    assert errors(schema, loaded.data) == []  # the normalised form too


def test_shipped_files_validate_against_the_schema(schema) -> None:
    for path in shipped_files():
        text = path.read_text(encoding="utf-8-sig")
        assert errors(schema, parse(text, str(path)).data) == [], path
        assert errors(schema, load_file(path).data) == [], path


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for part in path[:-1]:
            target = target[part]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return mutate


_DELETE = object()
ITEM = ("sections", 0, "items")

# Mistakes that both the schema (while typing) and the loader must refuse.
BOTH_REFUSE = {
    "unknown field": ("checklist", _set((*ITEM, 0, "lable"), "x")),
    "weight not a number": ("checklist", _set((*ITEM, 0, "weight"), "heavy")),
    "choice without options": ("checklist", _set((*ITEM, 1, "options"), _DELETE)),
    "bad item key": ("checklist", _set((*ITEM, 0, "key"), "Q1")),
    "missing title": ("checklist", _set(("title",), _DELETE)),
    "unknown item type": ("checklist", _set((*ITEM, 0, "type"), "txt")),
    "scale of 11 points": ("checklist", _set((*ITEM, 2, "points"), 11)),
    "unknown evidence": ("checklist", _set((*ITEM, 0, "evidence_on_fail"), "always")),
    "field of another type": ("checklist", _set((*ITEM, 0, "max_length"), 5)),
    "two operators": ("checklist", _set((*ITEM, 2, "show_if", "answered"), True)),
    "grade above 100": ("checklist", _set(("grades",), [{"min": 101, "label": "A"}])),
    "min_group below 3": ("questionnaire", _set(("min_group",), 2)),
    "grades in a questionnaire": ("questionnaire", _set(("grades",), [])),
    "weight in a questionnaire": ("questionnaire", _set((*ITEM, 0, "weight"), 1)),
    "satisfaction on text": ("questionnaire", _set((*ITEM, 1, "satisfaction"), True)),
    "empty English title": ("questionnaire", _set(("title",), {"zh": "问卷", "en": " "})),
}


@pytest.mark.parametrize("name", sorted(BOTH_REFUSE))
def test_schema_and_loader_agree_on_invalid_samples(schema, name: str) -> None:
    kind, mutate = BOTH_REFUSE[name]
    data = copy.deepcopy(load_text(CHECKLIST if kind == "checklist" else QUESTIONNAIRE).data)
    assert errors(schema, data) == []
    mutate(data)
    assert errors(schema, data), f"the schema accepts: {name}"
    with pytest.raises(DefinitionError):
        load_text(json.dumps(data, ensure_ascii=False), "sample.json")


def test_loader_only_checks_are_documented_as_such(schema) -> None:
    """What the schema cannot see (docs say so): the loader still refuses it."""
    data = copy.deepcopy(load_text(CHECKLIST).data)
    data["sections"][0]["items"][1]["key"] = "q1"  # duplicate item key
    data["sections"][0]["items"][2]["labels"] = ["一", "二"]  # 2 labels for 5 points
    assert errors(schema, data) == []
    with pytest.raises(DefinitionError) as caught:
        load_text(json.dumps(data, ensure_ascii=False), "sample.json")
    assert len(caught.value.problems) == 2


def test_schema_lists_the_same_types_and_fields_as_the_loader() -> None:
    from dudao.definitions.itemrules import TYPE_FIELDS
    from dudao.definitions.scorerules import SCORABLE, SCORING
    from dudao.definitions.spec import Evidence, ItemType

    defs = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]
    assert defs["item"]["properties"]["type"]["enum"] == [t.value for t in ItemType]
    per_type: dict[str, set[str]] = {t.value: set() for t in ItemType}
    for rule in defs["item"]["allOf"]:
        condition = rule["if"]["properties"]["type"]
        types = condition.get("enum") or [condition.get("const")]
        for name in types if None not in types else []:
            per_type[name] |= set(rule["then"]["properties"])
    assert per_type == {t: set(fields) for t, fields in TYPE_FIELDS.items()}
    scoring = defs["checklistItem"]["allOf"][1]
    assert scoring["if"]["properties"]["type"]["enum"] == [t.value for t in SCORABLE]
    assert set(scoring["then"]["properties"]) == set(SCORING)
    evidence = scoring["then"]["properties"]["evidence_on_fail"]["anyOf"][0]["enum"]
    assert evidence == [e.value for e in Evidence]
