"""The office's targets pages: progress bars with their numbers inside the office's scope,
manual entries with evidence (corrected by a new entry, never edited; audited), and a
broken targets file shown with its located problems."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.targets import config
from dudao.targets.models import TargetEntry
from tests.conftest import sign_in
from tests.target_world import MANUAL_TARGET, make_entry, make_post, tier_moves_up

ENTRIES = f"/targets/{MANUAL_TARGET}/entries"


def _office(client, user_factory, unit, name="office_x"):
    user_factory(name, ("office", unit))
    sign_in(client, name)
    return client


def _entry(unit, **values):
    data = {
        "unit": str(unit.id), "entry_date": "2026-10-12", "amount": "2",
        "description": "两个支部的“三会一课”经验在集团简报推广。",
        "reference": "", "evidence": (io.BytesIO(b"%PDF-1.4 bulletin"), "简报.pdf"),
    }  # fmt: skip
    data.update(values)
    return data


def _card(page: str, key: str) -> str:
    match = re.search(rf'<section class="target" data-target="{key}".*?</section>', page, re.S)
    assert match, key
    return match.group(0)


def test_the_office_sees_progress_overall_and_per_company(client, session, org, user_factory):
    for unit in (org.branch_a1, org.branch_a1, org.branch_b1):
        make_post(session, unit)
    session.commit()
    page = _office(client, user_factory, org.group).get("/targets").get_data(as_text=True)
    card = _card(page, "pioneer_posts")
    assert 'data-done="3"' in card and 'max="1000" value="3"' in card
    assert "/targets/pioneer-posts" in card  # the evidence
    assert re.search(r'data-company="A">.*?unit=A">2</a>', card, re.S)
    assert re.search(r'data-company="B">.*?unit=B">1</a>', card, re.S)
    assert "每个未撤销的先锋岗计一次" in card  # how it is computed
    for key in ("promoted_practice", "cadres_trained", "tier_upgrades"):
        assert 'data-done="0"' in _card(page, key)
    detail = client.get("/targets/pioneer_posts").get_data(as_text=True)
    assert 'data-done="3"' in detail
    assert client.get("/targets/no_such_target").status_code == 404


def test_a_company_office_sees_only_its_company(client, session, org, user_factory):
    make_post(session, org.branch_a1)
    make_post(session, org.branch_b1)
    session.commit()
    page = _office(client, user_factory, org.company_b).get("/targets").get_data(as_text=True)
    card = _card(page, "pioneer_posts")
    assert 'data-done="1"' in card and 'data-company="B"' in card
    assert 'data-company="A"' not in card
    # The shipped split names the demo's companies (HC01...), not this test's A and B.
    assert "全集团目标为 1,000，未分解到您的范围" in card
    # The unknown codes are reported, located in the file, in the page's language.
    assert "].split.HC01: 没有编码为 “HC01” 的公司</code>" in page


def test_manual_entries_with_evidence_and_corrections(client, session, org, user_factory):
    office = _office(client, user_factory, org.company_a)
    assert office.get(f"{ENTRIES}/new").status_code == 200
    added = office.post(f"{ENTRIES}/new", data=_entry(org.unit_a1))
    assert added.status_code == 302
    entry = session.scalars(select(TargetEntry)).one()
    assert (entry.amount, entry.unit_of_count, entry.evidence_name) == (2, "个党支部", "简报.pdf")
    download = office.get(f"{ENTRIES}/{entry.id}/evidence")
    assert download.data == b"%PDF-1.4 bulletin"
    page = office.get(f"/targets/{MANUAL_TARGET}").get_data(as_text=True)
    assert 'data-done="2"' in page and "简报.pdf" in page

    correction = _entry(org.branch_a1, amount="1", reason="其中一个支部属于另一批次", evidence=None)
    del correction["evidence"]
    fixed = office.post(f"{ENTRIES}/{entry.id}/correct", data=correction)
    assert fixed.status_code == 302
    session.expire_all()
    old, new = session.scalars(select(TargetEntry).order_by(TargetEntry.id)).all()
    assert (old.amount, old.unit_id) == (2, org.unit_a1.id)  # never edited
    assert (new.corrects_id, new.amount, new.evidence_path) == (old.id, 1, old.evidence_path)
    page = office.get(f"/targets/{MANUAL_TARGET}").get_data(as_text=True)
    assert 'data-done="1"' in page and f"#{new.id}" in page and "<del>2</del>" in page
    again = office.post(f"{ENTRIES}/{old.id}/correct", data=correction, follow_redirects=True)
    assert f"已由第 {new.id} 号记录更正" in again.get_data(as_text=True)
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "target_entry")
    ).all()
    assert actions == ["target_entry.added", "target_entry.corrected"]
    # The column names the unit of count, in the reader's language ("1 branches" was wrong).
    assert (
        '<th class="num wrap-short">数量（个党支部）</th>' in page and "<del>2</del></td>" in page
    )
    office.post("/lang", data={"lang": "en"})
    english = office.get(f"/targets/{MANUAL_TARGET}").get_data(as_text=True)
    assert (
        '<th class="num wrap-short">Amount (branches)</th>' in english and "个党支部" not in english
    )
    assert "1 branches" not in english and "<del>2</del></td>" in english


def test_an_entry_needs_evidence_and_bad_input_saves_nothing(client, session, org, user_factory):
    office = _office(client, user_factory, org.company_a)
    client.post("/lang", data={"lang": "en"})
    no_evidence = _entry(org.unit_a1)
    del no_evidence["evidence"]
    cases = [
        (no_evidence, "evidence", "Attach an evidence file or give a reference."),
        (_entry(org.unit_a1, amount="0"), "amount", "Number must be between 1 and 100000."),
        (_entry(org.unit_a1, entry_date="2999-01-01"), "entry_date", "in the future"),
        # An absurd past date would count towards today's targets.
        (_entry(org.unit_a1, entry_date="0001-01-01"), "entry_date", "before 2000-01-01"),
        (_entry(org.unit_b1), "unit", "Not a valid choice"),  # outside the office's scope
        (
            _entry(org.unit_a1, evidence=(io.BytesIO(b"MZ"), "tool.exe")),
            "evidence",
            "Attach only PDF",
        ),
        (
            _entry(org.unit_a1, evidence=(io.BytesIO(b"MZ"), "tool.pdf")),
            "evidence",
            "tool.pdf does not hold what its name says (.pdf)",
        ),
    ]
    for data, field, message in cases:
        response = office.post(f"{ENTRIES}/new", data=data)
        assert response.status_code == 422, field
        page = response.get_data(as_text=True)
        error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
        assert error and message in error.group(1), (field, page)
    client.post("/lang", data={"lang": "zh_CN"})  # the service's own problem in Chinese too
    page = office.post(f"{ENTRIES}/new", data={**no_evidence}).get_data(as_text=True)
    assert (
        '<p class="field-error" id="evidence-error">请上传佐证材料，或填写文号、链接等出处。'
        in page
    )
    session.expire_all()
    assert session.scalar(select(func.count(TargetEntry.id))) == 0
    assert office.get("/targets/pioneer_posts/entries/new").status_code == 404  # computed


def test_the_entry_forms_offer_what_the_server_accepts(
    client, session, org, user_factory, tmp_path
):
    """A new entry's amount starts at 1 (a correction's at 0), and a date reads as ISO
    YYYY-MM-DD even for a year before 1000 (strftime wrote "1-01-01": an empty date input)."""
    old = make_entry(session, org.unit_a1, tmp_path)
    old.entry_date = date(1, 1, 1)  # recorded before the earliest date was checked
    session.commit()
    office = _office(client, user_factory, org.company_a)
    new = office.get(f"{ENTRIES}/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="amount"[^>]*min="1"', new)
    assert re.search(r'<input[^>]*id="entry_date"[^>]*min="2000-01-01"', new)
    correct = office.get(f"{ENTRIES}/{old.id}/correct").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="amount"[^>]*min="0"', correct)
    assert re.search(r'<input[^>]*id="entry_date"[^>]*value="0001-01-01"', correct)


def test_entries_outside_the_scope_are_404(client, session, org, user_factory, tmp_path):
    outside = make_entry(session, org.unit_b1, tmp_path)
    session.commit()
    office = _office(client, user_factory, org.company_a)
    assert office.get(f"{ENTRIES}/{outside.id}/correct").status_code == 404
    assert office.get(f"{ENTRIES}/{outside.id}/evidence").status_code == 404
    page = office.get(f"/targets/{MANUAL_TARGET}").get_data(as_text=True)
    assert f'data-entry="{outside.id}"' not in page and 'data-done="0"' in page


def test_a_broken_targets_file_is_shown_with_its_problems(
    client, org, user_factory, tmp_path, monkeypatch
):
    broken = tmp_path / "targets.yaml"
    broken.write_text("targets:\n  - key: x\n    number: ten\n", encoding="utf-8")
    monkeypatch.setattr(config, "TARGETS_FILE", broken)
    office = _office(client, user_factory, org.group)
    response = office.get("/targets")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert f"{broken}:3:13: targets[0].number: 应为整数" in page  # the page's language
    assert office.get(f"/targets/{MANUAL_TARGET}").status_code == 500


def test_the_page_reads_in_chinese_and_in_english(client, org, user_factory):
    office = _office(client, user_factory, org.group)
    zh = office.get("/targets").get_data(as_text=True)
    assert "<h1>目标任务</h1>" in zh
    assert "党员先锋岗" in zh and "Campaign targets" not in zh
    client.post("/lang", data={"lang": "en"})
    en = office.get("/targets").get_data(as_text=True)
    assert "Campaign targets" in en and "Pioneer posts (党员先锋岗) set up" in en
    assert "days left" in en or "day left" in en


def test_the_tier_moves_page_reads_the_moves_once(client, org, user_factory, monkeypatch):
    """The moves listed are the moves counted: the page assesses the branches once, not once
    for the count and again for the list (each assessment reads the whole history)."""
    from dudao.assessment import queries as assessment

    asked = []

    def counted(session, paths):
        asked.append(paths)
        return tier_moves_up(org)

    monkeypatch.setattr(assessment, "tier_moves_up", counted)
    page = _office(client, user_factory, org.group).get("/targets/tier_upgrades")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-done="3"' in _card(text, "tier_upgrades")  # three branches moved
    assert text.count(f'data-unit="{org.branch_a1.code}"') == 2  # both its moves listed
    assert asked == [[org.group.path]]
    # The period as everywhere else, and the branch's page opened on the period it moved in.
    assert "<td>2026年第二季度</td>" in text and "2026Q2</td>" not in text
    assert f"/assessment/units/{org.branch_a1.id}?period=2026Q2" in text
    client.post("/lang", data={"lang": "en"})
    assert "<td>2026 Q2</td>" in client.get("/targets/tier_upgrades").get_data(as_text=True)
