"""Benchmark: a generated 300-item checklist, built and rendered as a form, then validated
and scored. Targets (issue 3): build + render < 50 ms; validate + score < 20 ms.

    /work/venv/bin/python bench/forms_bench.py [--items 300] [--rounds 30]

Prints the median and worst CPU time and the median and best wall time of each
figure, and exits 1 when a median CPU time misses its target (CPU time, because
on a shared machine wall time mostly measures the other processes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import render_template_string

from dudao.app import create_app
from dudao.config import load_settings
from dudao.definitions.answers import validate_submission
from dudao.definitions.formbuilder import build_form
from dudao.definitions.samples import GRADES
from dudao.definitions.scoring import score
from dudao.definitions.spec import (
    Condition,
    Definition,
    Evidence,
    Item,
    ItemType,
    Kind,
    LocalText,
    Operator,
    Option,
    PassRule,
    Section,
)

BUILD_RENDER_MS = 50.0
VALIDATE_SCORE_MS = 20.0
OPTIONS = tuple(Option(f"o{n}", LocalText(f"选项{n}", f"Option {n}")) for n in range(4))


def make_item(n: int) -> tuple[Item, Any]:
    """The n-th generated item and a valid answer for it (as a form submits it)."""
    key = f"i{n:03d}"
    label = LocalText(f"第{n}项检查内容：材料是否齐全、记录是否规范", f"Check {n}")
    kind = n % 10
    show_if = Condition(Operator.EQUALS, f"i{n - 1:03d}", "no") if kind == 1 and n else None
    common: dict[str, Any] = {"required": kind in (0, 2, 5), "show_if": show_if}
    if kind in (0, 1):
        return Item(
            key,
            ItemType.YES_NO,
            label,
            allow_na=True,
            pass_rule=PassRule(),
            evidence_on_fail=Evidence.NOTE_OR_PHOTO,
            weight=1 + n % 3,
            **common,
        ), "yes"
    if kind == 2:
        return Item(
            key,
            ItemType.SINGLE_CHOICE,
            label,
            options=OPTIONS,
            pass_rule=PassRule(options=("o0", "o1")),
            **common,
        ), "o1"
    if kind == 3:
        return Item(
            key,
            ItemType.MULTI_CHOICE,
            label,
            options=OPTIONS,
            pass_rule=PassRule(options=("o0", "o1", "o2")),
            **common,
        ), ["o0", "o2"]
    if kind == 4:
        return Item(
            key,
            ItemType.SCALE,
            label,
            labels=tuple(LocalText(f"{p}分") for p in range(1, 6)),
            pass_rule=PassRule(min=3),
            **common,
        ), "4"
    if kind == 5:
        return Item(key, ItemType.RATING, label, pass_rule=PassRule(min=6), **common), "7"
    if kind == 6:
        return Item(
            key,
            ItemType.NUMBER,
            label,
            min=0,
            max=100,
            unit="%",
            decimals=1,
            pass_rule=PassRule(min=60),
            **common,
        ), "88.5"
    if kind == 7:
        return Item(key, ItemType.TEXT, label, multiline=n % 20 == 7, **common), "情况良好"
    if kind == 8:
        return Item(key, ItemType.DATE, label, **common), "2024-06-30"
    return Item(key, ItemType.PHOTO, label, max_count=3, **common), ["p1.jpg"]  # fmt: skip


def make_checklist(count: int) -> tuple[Definition, dict[str, Any]]:
    items, answers = zip(*(make_item(n) for n in range(count)), strict=True)
    sections = tuple(
        Section(f"s{n}", LocalText(f"第{n + 1}部分", f"Part {n + 1}"), items[n * 30 : n * 30 + 30])
        for n in range((count + 29) // 30)
    )
    definition = Definition(
        Kind.CHECKLIST, "bench", LocalText("基准检查表"), sections, grades=GRADES
    )
    return definition, {item.key: answer for item, answer in zip(items, answers, strict=True)}


def timed(rounds: int, work: Callable[[], Any]) -> tuple[list[float], list[float]]:
    """(wall ms, CPU ms) per round. CPU time is what this process spent, so it stays
    meaningful when other processes compete for the cores; wall time is what a user sees."""
    work()  # warm-up: template compilation, form class
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)

    definition, answers = make_checklist(args.items)
    instance = Path(tempfile.mkdtemp(prefix="dudao-bench-"))
    settings = load_settings(
        {
            "DUDAO_INSTANCE_PATH": str(instance),
            "DUDAO_DATABASE_URL": f"sqlite:///{instance / 'bench.sqlite'}",
            "DUDAO_SECRET_KEY": "bench",
        }
    )
    app = create_app(settings, {"WTF_CSRF_ENABLED": False})
    page = '{% import "definitions/_form.html" as f %}{{ f.render_form(form) }}'
    form_data = {f"a_{key}": value for key, value in answers.items() if not isinstance(value, list)}

    def build_and_render() -> str:
        form = build_form(definition, "zh_CN")
        return render_template_string(page, form=form)

    def validate_and_score() -> Any:
        clean, notes, photos, errors = validate_submission(definition, answers)
        assert not errors, errors
        return score(definition, clean, notes, photos)

    with app.test_request_context("/", method="GET", data=form_data):
        html = build_and_render()
        render_ms = timed(args.rounds, build_and_render)
    validate_ms = timed(args.rounds, validate_and_score)

    result = validate_and_score()
    print(f"checklist: {args.items} items in {len(definition.sections)} sections")
    print(f"rendered page: {len(html) / 1024:.0f} KiB; score {result.percent}%")
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    ok = True
    for name, (wall, cpu), target in (
        ("build + render form", render_ms, BUILD_RENDER_MS),
        ("validate + score", validate_ms, VALIDATE_SCORE_MS),
    ):
        median_cpu = statistics.median(cpu)
        verdict = "ok" if median_cpu < target else "TOO SLOW"
        ok = ok and median_cpu < target
        print(
            f"{name:20s} CPU median {median_cpu:6.2f} ms, worst {max(cpu):6.2f} ms; "
            f"wall median {statistics.median(wall):6.2f} ms, best {min(wall):6.2f} ms "
            f"(target < {target:.0f} ms) {verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
