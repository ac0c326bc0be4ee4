"""A schedule's rule in words on its pages, in both languages; an unusual rule stays raw."""

from __future__ import annotations

from datetime import date

import pytest

from dudao.core.errors import name_list
from dudao.core.language import translations
from dudao.scheduling.recurrence import RecurrenceError, parse_rule
from dudao.scheduling.rule_words import rule_in_words
from tests.schedule_world import quarterly_schedule

JANUARY = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("rule", "chinese", "english"),
    [
        ("FREQ=MONTHLY", "每月", "every month"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "每月 1 日", "every month on day 1"),
        ("freq=monthly; bymonthday=1,15;", "每月 1、15 日", "every month on days 1, 15"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "每月的最后一天",
         "every month on the last day of the month"),
        ("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", "每季度第一个月的 1 日",
         "every quarter on day 1 of its first month"),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=10", "每 2 个月 10 日", "every 2 months on day 10"),
        ("FREQ=WEEKLY", "每周", "every week"),
        ("FREQ=WEEKLY;BYDAY=MO,WE", "每周的星期一、星期三", "every week on Monday, Wednesday"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "每月的最后一个星期五", "every month on the last Friday"),
        ("FREQ=MONTHLY;BYMONTH=1,4,7,10;BYMONTHDAY=1", "每年 1 月、4 月、7 月、10 月的 1 日",
         "every year on day 1 of January, April, July, October"),
        ("FREQ=YEARLY", "每年", "every year"),
        ("FREQ=DAILY;INTERVAL=2", "每 2 天", "every 2 days"),
    ],
)  # fmt: skip
def test_a_common_rule_reads_as_words(rule, chinese, english):
    words = rule_in_words(rule, JANUARY)
    assert words is not None
    assert words.in_language(translations("zh_CN")) == chinese
    assert words.in_language(translations("en")) == english


def test_three_months_from_another_month_are_not_a_quarter():
    words = rule_in_words("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", date(2026, 2, 1))
    assert words is not None and words.in_language(translations("zh_CN")) == "每 3 个月 1 日"


@pytest.mark.parametrize(
    "rule",
    ["FREQ=MONTHLY;COUNT=3", "FREQ=MONTHLY;BYDAY=2MO,3TU", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR",
     "FREQ=YEARLY;BYWEEKNO=1", "FREQ=MONTHLY;BYMONTHDAY=-2", "FREQ=MONTLY", ""],
)  # fmt: skip
def test_an_unusual_or_wrong_rule_has_no_words(rule):
    assert rule_in_words(rule, JANUARY) is None


def test_names_are_listed_with_the_chinese_enumeration_comma():
    listed = name_list(["FREQ", "INTERVAL", "COUNT"])
    assert listed == "FREQ, INTERVAL, COUNT"
    assert listed.in_language(translations("zh_CN")) == "FREQ、INTERVAL、COUNT"
    with pytest.raises(RecurrenceError) as wrong:
        parse_rule("FREQ=MONTHLY;BYMONTHDA=1", JANUARY)
    said = wrong.value.message.in_language(translations("zh_CN"))
    assert "可用的部分有 FREQ、INTERVAL、COUNT、UNTIL、BYMONTH" in said, said
    assert "the parts are FREQ, INTERVAL, COUNT" in wrong.value.message


def test_the_schedule_pages_show_the_rule_in_words_with_the_rule_in_its_title(
    client, session, org, signed_in
):
    schedule = quarterly_schedule(session, org)
    signed_in("office", ("office", org.group))
    rule = 'title="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1">'
    assert rule + "每季度第一个月的 1 日</span>" in client.get("/schedules").text
    edit = client.get(f"/schedules/{schedule.id}/edit").text
    assert rule + "每季度第一个月的 1 日</span>" in edit
    client.post("/lang", data={"lang": "en"})
    english = client.get("/schedules").text
    assert rule + "every quarter on day 1 of its first month</span>" in english
    schedule.rrule = "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR"  # no words: as written
    session.commit()
    assert (
        '<code class="ident">FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR</code>'
        in client.get("/schedules").text
    )
