"""Feedback themes: the same category, or the same keyword of the Chinese text (jieba word
segmentation), raised by representatives of several units within a window.

Evaluated at the end of every month of the feedback's range, so `first_detected` is the
month whose window first held enough units. Generic words are on a stop list; once the
year before the window holds 10 or more items, a keyword must also be `min_ratio` times
as frequent in the window as then (so words that are always there do not qualify).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.feedback.models import FeedbackItem
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


def feedback_themes(session: Session, cfg: dict[str, Any], tz: str, today: date) -> list[Detection]:
    query = select(FeedbackItem.id, FeedbackItem.unit_id, FeedbackItem.category,
                   FeedbackItem.title, FeedbackItem.body, FeedbackItem.created_at, Unit.path
                   ).join(Unit, Unit.id == FeedbackItem.unit_id)  # fmt: skip
    zone = ZoneInfo(tz)
    items = [
        (fid, uid, cat, words(f"{title} {body}"), at.astimezone(zone).date(), path)
        for fid, uid, cat, title, body, at, path in session.execute(query)
    ]
    if not items:
        return []
    window = timedelta(days=int(cfg["window_days"]))
    need, ratio = int(cfg["min_units"]), float(cfg["min_ratio"])
    # The end of every month so far, and today for the month under way.
    ends = [e for e in _month_ends(min(i[4] for i in items), today) if e < today] + [today]
    themes: dict[str, dict[str, Any]] = {}
    for end in ends:
        recent = [i for i in items if end - window < i[4] <= end]
        before = [i for i in items if end - window - timedelta(days=365) < i[4] <= end - window]
        groups: dict[str, list[tuple]] = defaultdict(list)
        for item in recent:
            groups[f"category:{item[2]}"].append(item)
            for word in item[3]:
                groups[f"keyword:{word}"].append(item)
        earlier: dict[str, int] = defaultdict(int)
        for item in before:
            for word in item[3]:
                earlier[word] += 1
        for key, found in groups.items():
            units = {i[1] for i in found}
            if len(units) < need:
                continue
            if key.startswith("keyword:") and len(before) >= 10:  # a year worth comparing
                share = len(found) / len(recent)
                base = (earlier[key[8:]] + 1) / (len(before) + 2)
                if share < ratio * base:
                    continue
            theme = themes.setdefault(key, {"first": end, "hits": []})
            theme["last"], theme["items"], theme["units"] = end, found, units
            theme["hits"].append(end)
    out = []
    for key, theme in themes.items():
        units = sorted(theme["units"])
        roots = {int(i[5].strip("/").split("/")[0]) for i in theme["items"]}
        kind, value = key.split(":", 1)
        out.append(Detection(
            rule="feedback_theme", fingerprint=f"feedback_theme:{key}", severity=cfg["severity"],
            scope_unit_id=min(roots), unit_ids=units, first=theme["first"].strftime("%Y-%m"),
            last=theme["last"].strftime("%Y-%m"), active=theme["last"] == ends[-1],
            evidence={"test": f"same {kind} from at least {need} units within "
                              f"{cfg['window_days']} days", kind: value,
                      "units": len(units),
                      "feedback_ids": sorted(i[0] for i in theme["items"])[:50]},
        ))  # fmt: skip
    return out
