"""A download's name: Chinese in filename*, and an ASCII fallback that is a usable name."""

from __future__ import annotations

import pytest

from dudao.web.downloads import disposition


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", 'attachment; filename="report.pdf"'),
        (
            "检查报告-HC03-1240.pdf",
            "attachment; filename=\"HC03-1240.pdf\"; filename*=UTF-8''"
            "%E6%A3%80%E6%9F%A5%E6%8A%A5%E5%91%8A-HC03-1240.pdf",
        ),
        (
            "证明.jpg",
            "attachment; filename=\"download.jpg\"; filename*=UTF-8''%E8%AF%81%E6%98%8E.jpg",
        ),
        ('a"b.txt', "attachment; filename=\"ab.txt\"; filename*=UTF-8''a%22b.txt"),
    ],
)
def test_the_fallback_keeps_what_ascii_there_is_without_leading_dashes(name, expected):
    assert disposition(name) == expected
