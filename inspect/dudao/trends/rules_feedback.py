"""Feedback themes: the same category, or the same keyword of the Chinese text (jieba word
segmentation), raised by representatives of several units within a window — as many
distinct representatives as units, so one person writing about several units is no
theme; only their opinions count, not the office's records of meetings and visits.
Keywords raised by the same items are one theme (one flag listing the words).

Evaluated at the end of every month of the feedback's range, so `first_detected` is the
month whose window first held enough units. Generic words are on a stop list; once the
year before the window holds 10 or more items, a keyword must also be `min_ratio` times
as frequent in the window as then (so words that are always there do not qualify).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.feedback.models import FeedbackItem, FeedbackKind
from dudao.org.models import Unit
from dudao.trends.detection import Detection

STOPWORDS = frozenset({
    "我们", "他们", "你们", "这个", "那个", "没有", "一些", "什么", "怎么", "因为", "所以", "但是",
    "而且", "如果", "还是", "已经", "可以", "希望", "建议", "问题", "工作", "支部", "党员", "组织",
    "单位", "情况", "进一步", "加强", "开展", "相关", "目前", "存在", "方面",
})  # fmt: skip


def words(text: str) -> set[str]:
    """Distinct keywords of a text: jieba words of two or more characters, no stop words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return {
        w for w in jieba.lcut(text) if len(w) >= 2 and w not in STOPWORDS and not w.isascii()
    }  # fmt: skip


def _month_ends(first: date, last: date) -> list[date]:
    ends, year, month = [], first.year, first.month
    while True:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        ends.append(nxt - timedelta(days=1))
        if nxt > last:
            return ends
        year, month = nxt.year, nxt.month


class _Item(NamedTuple):
    id: int
    unit_id: int
    author_id: int | None
    category: str
    words: set[str]
    day: date
    root: int  # the unit's top-level unit: the flag's scope


def feedback_themes(session: Session, cfg: dict[str, Any], tz: str, today: date) -> list[Detection]:
    query = select(FeedbackItem.id, FeedbackItem.unit_id, FeedbackItem.author_id,
                   FeedbackItem.category, FeedbackItem.title, FeedbackItem.body,
                   FeedbackItem.created_at, Unit.path
                   ).join(Unit, Unit.id == FeedbackItem.unit_id).where(
                   FeedbackItem.kind == FeedbackKind.OPINION)  # fmt: skip
    zone = ZoneInfo(tz)
    items = [
        _Item(fid, uid, author, cat, words(f"{title} {body}"), at.astimezone(zone).date(),
              int(path.strip("/").split("/")[0]))
        for fid, uid, author, cat, title, body, at, path in session.execute(query)
    ]  # fmt: skip
    if not items:
        return []
    window = timedelta(days=int(cfg["window_days"]))
    need, ratio = int(cfg["min_units"]), float(cfg["min_ratio"])
    # The end of every month so far, and today for the month under way.
    ends = [e for e in _month_ends(min(i.day for i in items), today) if e < today] + [today]
    themes: dict[str, dict[str, Any]] = {}
    for end in ends:
        recent = [i for i in items if end - window < i.day <= end]
        before = [i for i in items if end - window - timedelta(days=365) < i.day <= end - window]
        groups: dict[str, list[_Item]] = defaultdict(list)
        for item in recent:
            groups[f"category:{item.category}"].append(item)
            for word in item.words:
                groups[f"keyword:{word}"].append(item)
        earlier: dict[str, int] = defaultdict(int)
        for item in before:
            for word in item.words:
                earlier[word] += 1
        for key, found in groups.items():
            units = {i.unit_id for i in found}
            authors = {i.author_id for i in found if i.author_id is not None}
            if len(units) < need or len(authors) < need:  # one person is not a theme
                continue
            if key.startswith("keyword:") and len(before) >= 10:  # a year worth comparing
                share = len(found) / len(recent)
                base = (earlier[key[8:]] + 1) / (len(before) + 2)
                if share < ratio * base:
                    continue
            theme = themes.setdefault(key, {"first": end})
            theme.update(last=end, items=found, units=units, authors=authors)
    return [
        _detection(kind, values, theme, cfg, ends[-1]) for kind, values, theme in _merged(themes)
    ]


def _merged(themes: dict[str, dict[str, Any]]) -> list[tuple[str, list[str], dict[str, Any]]]:
    """A theme per category, and one per set of items for the keywords: the words the same
    items raised are one concern (a text on parking gives 停车难, 停车位, 规划). The word
    found first (then in sort order) leads and names the flag, so a word that joins or
    leaves the set later keeps the flag."""
    out: list[tuple[str, list[str], dict[str, Any]]] = []
    keywords: dict[tuple, list[tuple[date, str]]] = defaultdict(list)
    for key, theme in themes.items():
        kind, value = key.split(":", 1)
        if kind == "category":
            out.append((kind, [value], theme))
        else:
            keywords[(theme["last"], frozenset(i.id for i in theme["items"]))].append(
                (theme["first"], value))  # fmt: skip
    for group in keywords.values():
        group.sort()  # the earliest first; its `first` is the theme's
        out.append(("keyword", [word for _first, word in group], themes[f"keyword:{group[0][1]}"]))
    return out


def _detection(kind: str, values: list[str], theme: dict[str, Any], cfg: dict[str, Any],
               latest: date) -> Detection:  # fmt: skip
    need = int(cfg["min_units"])
    return Detection(
        rule="feedback_theme", fingerprint=f"feedback_theme:{kind}:{values[0]}",
        severity=cfg["severity"], scope_unit_id=min(i.root for i in theme["items"]),
        unit_ids=sorted(theme["units"]), first=theme["first"].strftime("%Y-%m"),
        last=theme["last"].strftime("%Y-%m"), active=theme["last"] == latest,
        evidence={"test": f"same {kind} from at least {need} units and as many representatives "
                          f"within {cfg['window_days']} days", kind: "、".join(values),
                  "units": len(theme["units"]), "representatives": len(theme["authors"]),
                  "feedback_ids": sorted(i.id for i in theme["items"])[:50]},
    )  # fmt: skip
