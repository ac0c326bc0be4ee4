"""Built-in sample definitions with every item type, for the preview page, tests and benchmarks.

They are built in Python so the renderer can be seen and exercised without any
file or database; the shipped definitions in forms/ are the real content.
"""

from __future__ import annotations

from functools import cache

from dudao.definitions.spec import (
    Condition,
    Definition,
    Evidence,
    GradeBand,
    Item,
    ItemType,
    Kind,
    LocalText,
    Operator,
    Option,
    PassRule,
    Section,
    Unit,
)


def t(zh: str, en: str | None = None) -> LocalText:
    return LocalText(zh, en)


GRADES = (
    GradeBand(90, t("优秀", "Excellent")),
    GradeBand(80, t("良好", "Good")),
    GradeBand(60, t("合格", "Pass")),
    GradeBand(0, t("不合格", "Fail")),
)


@cache
def sample_checklist() -> Definition:
    """A small branch checklist that uses every item type, show_if, evidence and scoring."""
    yes = PassRule()
    organisation = Section(
        "organisation",
        t("组织建设", "Organisation"),
        (
            Item(
                "intro",
                ItemType.NOTE,
                t("请对照现场情况逐项检查。", "Check each item on site."),
            ),
            Item(
                "committee",
                ItemType.YES_NO,
                t("支部委员会按期换届", "Branch committee re-elected on time"),
                help=t("查阅换届选举材料。", "Look at the election records."),
                required=True,
                pass_rule=yes,
                weight=2,
                critical=True,
                evidence_on_fail=Evidence.NOTE,
            ),
            Item(
                "overdue_months",
                ItemType.NUMBER,
                t("逾期月数", "Months overdue"),
                required=True,
                show_if=Condition(Operator.EQUALS, "committee", "no"),
                min=0,
                max=60,
                unit=Unit("月", "months", en_one="month"),
            ),
            Item(
                "overdue_reason",
                ItemType.TEXT,
                t("长期未换届的原因", "Why it is so long overdue"),
                required=True,
                max_length=100,
                show_if=Condition(Operator.GTE, "overdue_months", 6),
            ),
            Item(
                "records",
                ItemType.YES_NO,
                t("会议记录完整", "Meeting records complete"),
                required=True,
                allow_na=True,
                pass_rule=yes,
                evidence_on_fail=Evidence.NOTE_OR_PHOTO,
            ),
            Item(
                "meeting_kinds",
                ItemType.MULTI_CHOICE,
                t("本季度召开的会议", "Meetings held this quarter"),
                options=(
                    Option("branch", t("支部党员大会", "Branch general meeting")),
                    Option("committee", t("支委会", "Committee meeting")),
                    Option("group", t("党小组会", "Group meeting")),
                    Option("lecture", t("党课", "Party lecture")),
                ),
            ),
            Item(
                "study_form",
                ItemType.SINGLE_CHOICE,
                t("主要学习形式", "Main form of study"),
                required=True,
                options=(
                    Option("onsite", t("集中学习", "On site")),
                    Option("online", t("线上学习", "Online")),
                    Option("none", t("未组织", "None organised")),
                ),
                pass_rule=PassRule(options=("onsite", "online")),
            ),
        ),
    )
    evidence = Section(
        "evidence",
        t("现场情况", "On site"),
        (
            Item(
                "attendance",
                ItemType.NUMBER,
                t("平均到会率", "Average attendance"),
                required=True,
                min=0,
                max=100,
                unit=Unit("%"),
                decimals=1,
                pass_rule=PassRule(min=80),
            ),
            Item(
                "quality",
                ItemType.SCALE,
                t("活动质量", "Quality of activities"),
                points=5,
                labels=(
                    t("很差", "Very poor"),
                    t("较差", "Poor"),
                    t("一般", "Fair"),
                    t("较好", "Good"),
                    t("很好", "Very good"),
                ),
                pass_rule=PassRule(min=3),
            ),
            Item(
                "overall",
                ItemType.RATING,
                t("总体评分", "Overall rating"),
                pass_rule=PassRule(min=6),
            ),
            Item("last_meeting", ItemType.DATE, t("最近一次党员大会日期", "Last general meeting")),
            Item(
                "board_photo",
                ItemType.PHOTO,
                t("公示栏照片", "Photo of the notice board"),
                min_count=1,
                max_count=3,
            ),
            Item(
                "remarks",
                ItemType.TEXT,
                t("其他说明", "Other remarks"),
                multiline=True,
                max_length=200,
            ),
            Item(
                "follow_up",
                ItemType.TEXT,
                t("整改负责人", "Person responsible for the fix"),
                required=True,
                max_length=40,
                show_if=Condition(
                    Operator.ANY,
                    conditions=(
                        Condition(Operator.LT, "overall", 6),
                        Condition(Operator.EQUALS, "study_form", "none"),
                    ),
                ),
            ),
        ),
    )
    return Definition(
        kind=Kind.CHECKLIST,
        key="sample_checklist",
        title=t("示例检查表", "Sample checklist"),
        description=t("演示每种题型。", "Shows every item type."),
        sections=(organisation, evidence),
        grades=GRADES,
    )


@cache
def sample_questionnaire() -> Definition:
    """A short anonymous satisfaction questionnaire."""
    agree = tuple(
        t(zh, en)
        for zh, en in (
            ("很不满意", "Very dissatisfied"),
            ("不满意", "Dissatisfied"),
            ("一般", "Neutral"),
            ("满意", "Satisfied"),
            ("很满意", "Very satisfied"),
        )
    )
    items = (
        Item("q_work", ItemType.SCALE, t("对支部工作的满意度", "Branch work"), required=True,
             labels=agree, satisfaction=True),
        Item("q_leaders", ItemType.SCALE, t("对支部书记的满意度", "Branch secretary"),
             required=True, labels=agree, satisfaction=True),
        Item("q_recommend", ItemType.RATING, t("您向他人推荐本支部的可能性", "Would recommend"),
             satisfaction=True),
        Item("q_why", ItemType.TEXT, t("不满意的主要原因", "Main reason for dissatisfaction"),
             multiline=True, max_length=300,
             show_if=Condition(Operator.LTE, "q_work", 2)),
    )  # fmt: skip
    return Definition(
        kind=Kind.QUESTIONNAIRE,
        key="sample_questionnaire",
        title=t("示例满意度测评", "Sample satisfaction survey"),
        sections=(Section("main", t("测评", "Survey"), items),),
    )


SAMPLES = {"checklist": sample_checklist, "questionnaire": sample_questionnaire}
