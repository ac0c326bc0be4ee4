"""How a stored answer reads for people: on the inspection page, in reports and exports."""

from __future__ import annotations

from typing import Any

from dudao.definitions.itembase import is_blank, plain_number
from dudao.definitions.spec import Item, ItemType

YES_NO = {"yes": ("是", "Yes"), "no": ("否", "No"), "na": ("不适用", "N/A")}


def display_value(item: Item, value: Any, locale: str = "zh") -> str:
    """How a stored answer reads on paper (spec.py lists the stored shapes)."""
    en = locale.startswith("en")
    if is_blank(value):
        return "—"
    kind = ItemType(item.type)
    if kind is ItemType.YES_NO:
        pair = YES_NO.get(str(value))
        return (pair[1] if en else pair[0]) if pair else str(value)
    if kind in (ItemType.SINGLE_CHOICE, ItemType.MULTI_CHOICE):
        labels = {o.key: o.label.get(locale) for o in item.options}
        values = value if isinstance(value, list) else [value]
        return ("; " if en else "；").join(labels.get(str(v), str(v)) for v in values)
    if kind is ItemType.SCALE:
        text = f"{value} / {item.points}"
        if item.labels and isinstance(value, int) and 1 <= value <= len(item.labels):
            label = item.labels[value - 1].get(locale)
            text += f" ({label})" if en else f"（{label}）"
        return text
    if kind is ItemType.RATING:
        return f"{value} / 10"
    if kind is ItemType.NUMBER:
        number = plain_number(value) if isinstance(value, int | float) else str(value)
        return item.unit.after(number, locale) if item.unit else number
    if kind is ItemType.PHOTO:
        count = len(value) if isinstance(value, list) else 1
        if not en:
            return f"照片 {count} 张"
        return "1 photo" if count == 1 else f"{count} photos"
    return str(value)
