"""The inspection report's fixed words in Chinese and English, kept apart from its layout.

The report is printed in the language the request asked for, which reaches the job as
a parameter; a value no table knows (a state added later) prints as it is.
"""

from __future__ import annotations

from typing import Any

ORIGINS = {
    "periodic": ("定期检查", "Periodic"),
    "ad_hoc": ("动态检查", "Ad hoc"),
    "draw": ("随机抽查", "Random spot check"),
    "import": ("历史导入", "Imported"),
}
REVIEW = {
    "pending": ("待审核", "Awaiting review"),
    "approved": ("已通过", "Approved"),
    "returned": ("已退回", "Returned"),
}
VERDICTS = {"pass": ("合格", "Pass"), "fail": ("不合格", "Fail"), "na": ("不适用", "N/A")}
TEXT = {
    "report": ("检查报告", "Inspection report"),
    "unit": ("受检单位", "Unit"),
    "checklist": ("检查表", "Checklist"),
    "version": ("第 {n} 版", "version {n}"),
    "origin": ("检查类型", "Type"),
    "state": ("流程状态", "Workflow state"),
    "inspectors": ("检查人员", "Inspectors"),
    "due": ("截止日期", "Due"),
    "submitted": ("提交时间", "Submitted"),
    "review": ("审核", "Review"),
    "reason": ("检查事由", "Reason"),
    "result": ("检查结论", "Result"),
    "score": ("总得分率", "Overall score"),
    "grade": ("等级", "Grade"),
    "outcome": ("结论", "Outcome"),
    "passed": ("无关键项不合格", "No critical item failed"),
    "failed_critical": ("不合格（关键项不合格）", "Failed (a critical item failed)"),
    "not_submitted": ("尚未提交检查结果", "No results submitted yet"),
    "sections": ("分项得分", "Section scores"),
    "section": ("检查部分", "Section"),
    "earned": ("得分", "Earned"),
    "possible": ("应得分", "Possible"),
    "rate": ("得分率", "Rate"),
    "failures": ("不合格项", "Failed"),
    "items": ("检查明细", "Items"),
    "no": ("序号", "No."),
    "item": ("检查项目", "Item"),
    "answer": ("检查结果", "Answer"),
    "verdict": ("判定", "Verdict"),
    "critical": ("关键项", "critical"),
    "note": ("备注", "Note"),
    "comment": ("审核意见", "Reviewer"),
    "photos": ("现场照片", "Photos"),
    # photos of an inspection the reader is not shown (its page says the same)
    "photo_hidden": (
        "现场照片 {n} 张，仅本次检查的检查人员、督导办公室和单位负责人可查看。",
        "{n} photo, shown to this inspection's inspectors, the office and the unit's leads.",
    ),
    "photos_hidden": (
        "现场照片 {n} 张，仅本次检查的检查人员、督导办公室和单位负责人可查看。",
        "{n} photos, shown to this inspection's inspectors, the office and the unit's leads.",
    ),
    "findings": ("发现问题及整改情况", "Findings and rectification"),
    "no_findings": ("未发现问题。", "No findings."),
    "task": ("整改要求", "Task"),
    "owner": ("责任单位", "Owner"),
    "deadline": ("整改期限", "Deadline"),
    "task_state": ("整改状态", "Status"),
    "not_opened": ("未立整改任务", "No task yet"),
    "review_comment": ("审核意见", "Review comment"),
    "signatures": ("签字确认", "Signatures"),
    "sign_inspector": ("检查人员（签字）", "Inspector (signature)"),
    "sign_unit": ("受检单位负责人（签字）", "Head of the inspected unit (signature)"),
    "sign_reviewer": ("审核人（签字）", "Reviewer (signature)"),
    "date": ("日期", "Date"),
    "generated": ("督导 Dudao · 生成于 {at}", "Dudao · generated {at}"),
    # punctuation: full-width in Chinese, ASCII with spaces in English
    "aside": ("{text}（{aside}）", "{text} ({aside})"),
    "labelled": ("{label}：{value}", "{label}: {value}"),
    "and": ("、", ", "),
    "pages": ("第 {n} 页 / 共 {total} 页", "Page {n} of {total}"),  # filled in by the canvas
}


class Text:
    """The report's words in one language: `t("version", n=2)`, `t.pick(VERDICTS, "fail")`."""

    def __init__(self, locale: str) -> None:
        self.index = 1 if locale.startswith("en") else 0

    def __call__(self, key: str, **values: Any) -> str:
        return TEXT[key][self.index].format(**values)

    def pick(self, table: dict[str, tuple[str, str]], key: str | None) -> str:
        return table[key][self.index] if key in table else str(key or "")
