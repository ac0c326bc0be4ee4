"""The exports' column names and coded values in Chinese and English.

The web's exports are read by people in their language; `dudao export` keeps the column
keys and coded values (`approved`, `fail`) for scripts unless given `--locale`. A value
no table knows (a state added later) is written as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dudao.reports.inspection_text import ORIGINS, REVIEW, VERDICTS
from dudao.reports.services import gettext_for
from dudao.trends.models import RULE_NAMES, SEVERITY_NAMES
from dudao.workflow.registry import get_workflow

HEADERS = {
    "inspection_id": ("检查编号", "Inspection"), "unit_code": ("单位编码", "Unit code"),
    "unit_name": ("单位名称", "Unit"), "unit": ("单位名称", "Unit"),
    "checklist": ("检查表", "Checklist"), "version": ("版本", "Version"),
    "origin": ("检查类型", "Type"), "state": ("状态", "State"),
    "due_date": ("截止日期", "Due"), "submitted_at": ("提交时间", "Submitted"),
    "percent": ("得分率（%）", "Score (%)"), "grade": ("等级", "Grade"),
    "passed": ("关键项均合格", "No critical item failed"), "review": ("审核", "Review"),
    "item": ("检查项目编码", "Item key"), "label": ("检查项目", "Item"),
    "answer": ("检查结果", "Answer"), "verdict": ("判定", "Verdict"),
    "note": ("备注", "Note"), "finding_id": ("问题编号", "Finding"),
    "critical": ("关键项", "Critical"), "created_at": ("创建时间", "Created"),
    "task_id": ("整改任务编号", "Task"), "owner_unit": ("责任单位编码", "Owner unit"),
    "deadline": ("整改期限", "Deadline"), "description": ("整改要求", "Required action"),
    "response": ("整改情况", "Response"), "flag_id": ("预警编号", "Flag"),
    "unit_codes": ("涉及单位", "Units"), "rule": ("问题类型", "Problem"),
    "severity": ("严重程度", "Severity"), "first_detected": ("首次发现", "First detected"),
    "last_detected": ("最近发现", "Last detected"), "campaign_id": ("测评编号", "Campaign"),
    "campaign": ("测评名称", "Campaign title"), "period": ("测评期间", "Period"),
    "status": ("是否显示", "Shown"), "responses": ("答卷数", "Responses"),
    "invited": ("应答人数", "Expected to answer"),
    "response_rate": ("回收率（%）", "Response rate (%)"),
    "satisfaction": ("满意度指数", "Satisfaction index"),
    "satisfaction_low": ("95% 置信区间下限", "95 % interval, low"),
    "satisfaction_high": ("95% 置信区间上限", "95 % interval, high"),
}  # fmt: skip
YES_NO = {"yes": ("是", "Yes"), "no": ("否", "No")}
SHOWN = {
    "shown": ("显示", "Shown"),
    "hidden:small": ("答卷过少，不单独显示", "Too few answers: not shown"),
    "hidden:within": ("上级单位未显示，本单位也不显示", "Not shown: the unit above is not"),
    "hidden:complementary": ("为防推算，不显示", "Not shown: a hidden unit could be worked out"),
}  # fmt: skip
#: The workflow whose states a dataset's `state` column holds.
WORKFLOWS = {"inspections": "inspection", "rectifications": "rectification",
             "flags": "flag_triage"}  # fmt: skip


def header(key: str, locale: str) -> str:
    pair = HEADERS.get(key)
    return pair[locale.startswith("en")] if pair else key


def value_labeller(dataset: str, key: str, locale: str) -> Callable[[Any], Any] | None:
    """How the column `key` of `dataset` writes its coded values, or None (as they are)."""
    english = locale.startswith("en")
    pairs = {"origin": ORIGINS, "review": REVIEW, "verdict": VERDICTS, "passed": YES_NO,
             "critical": YES_NO, "status": SHOWN}.get(key)  # fmt: skip
    if pairs is not None:
        return lambda v: pairs[v][english] if v in pairs else v
    if key in ("rule", "severity"):
        names, _ = (RULE_NAMES if key == "rule" else SEVERITY_NAMES), gettext_for(locale)
        return lambda v: _(names[v]) if v in names else v
    if key == "state" and dataset in WORKFLOWS:
        workflow = get_workflow(WORKFLOWS[dataset])
        known = {s.key for s in workflow.states}
        return lambda v: workflow.state(v).label.get(locale) if v in known else v
    return None
