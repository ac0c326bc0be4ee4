"""A questionnaire flag's campaign periods in the reader's language. The rule keeps each
campaign's period as the office typed it (`period_label`, free text): one that names a
period ("2026年第三季度") is shown as the assessment pages show that period; other text is
shown as typed, marked as Chinese on a page in English."""

from __future__ import annotations

import re
from collections.abc import Iterator

from markupsafe import Markup, escape

from dudao.assessment import periods
from dudao.trends.models import Flag
from dudao.web.setup import select_locale

CHINESE = re.compile(r"[\u3400-\u9fff]")


def campaign_period(text: object) -> str:
    """The period in the reader's language where the text names one; else as typed."""
    key = periods.key_of_label(str(text))
    return periods.label(key, select_locale()) if key else str(text)


def marked(text: object, flag: Flag) -> Markup:
    """`text` escaped, with the flag's campaign periods that stay Chinese (free text that
    names no period) marked lang="zh" on a page in another language, so that screen
    readers and fonts take them as Chinese."""
    shown = escape(text)
    if not select_locale().startswith("en"):
        return shown
    typed = sorted({str(escape(t)) for t in _typed(flag.evidence or {})}, key=len, reverse=True)
    if not typed:
        return shown
    pattern = "|".join(map(re.escape, typed))
    return Markup(re.sub(pattern, lambda m: f'<span lang="zh">{m.group(0)}</span>', shown))


def _typed(e: dict) -> Iterator[str]:
    """The evidence's campaign periods that are Chinese text naming no period."""
    campaigns = [e, *(c for key in ("baseline", "run") for c in e.get(key) or []
                      if isinstance(c, dict))]  # fmt: skip
    for campaign in campaigns:
        text = str(campaign.get("period_label") or "")
        if CHINESE.search(text) and periods.key_of_label(text) is None:
            yield text
