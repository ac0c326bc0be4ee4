"""Pioneer posts: a branch's unit lead registers, edits and retires posts in scope; bad input
re-renders the form with the message beside the field and saves nothing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.targets.models import PioneerPost
from dudao.targets.queries import PAGE_SIZE
from tests.conftest import sign_in
from tests.target_world import make_post


def _form(branch, **values):
    data = {
        "unit": str(branch.id), "name": "党员先锋岗（井下一班）", "member_count": "6",
        "responsible": "", "established_on": "2026-04-01",
        "description": "党员带头开展隐患排查。",
    }  # fmt: skip
    data.update(values)
    return data


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(PioneerPost.id)))


def _error(page: str, field: str) -> str:
    """The message rendered right under `field` (tied to it by aria-describedby)."""
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert match, f"no error beside {field}"
    assert f'aria-describedby="{field}-error' in page
    return match.group(1)


def test_a_branch_lead_registers_edits_and_retires_a_post(client, session, org, user_factory):
    user_factory("lead", ("unit_lead", org.branch_a1))
    sign_in(client, "lead")
    page = client.get("/pioneer-posts/new").get_data(as_text=True)
    assert org.branch_a1.code in page and org.branch_a2.code not in page  # only its branch
    response = client.post("/pioneer-posts/new", data=_form(org.branch_a1))
    assert response.status_code == 302
    post = session.scalars(select(PioneerPost)).one()
    assert (post.unit_id, post.member_count, post.responsible) == (org.branch_a1.id, 6, None)
    assert "党员先锋岗（井下一班）" in client.get("/pioneer-posts").get_data(as_text=True)

    edit = client.get(f"/pioneer-posts/{post.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in edit
    changed = _form(org.branch_a1, member_count="8", responsible="张伟、李娜", version="1")
    assert client.post(f"/pioneer-posts/{post.id}/edit", data=changed).status_code == 302
    session.expire_all()
    assert (post.member_count, post.responsible, post.version) == (8, "张伟、李娜", 2)

    stale = client.post(f"/pioneer-posts/{post.id}/edit", data=changed)  # version 1 again
    assert stale.status_code == 422
    assert "已被他人修改" in stale.get_data(as_text=True)

    early = client.post(
        f"/pioneer-posts/{post.id}/retire",
        data={"retired_on": "2026-03-01", "reason": "合并", "version": "2"},
    )
    assert early.status_code == 422
    assert "不能早于设立日期" in _error(early.get_data(as_text=True), "retired_on")
    retired = client.post(
        f"/pioneer-posts/{post.id}/retire",
        data={"retired_on": "2026-10-01", "reason": "班组合并", "version": "2"},
    )
    assert retired.status_code == 302
    session.expire_all()
    assert (post.retired_on.isoformat(), post.retired_reason) == ("2026-10-01", "班组合并")
    assert "党员先锋岗（井下一班）" not in client.get("/pioneer-posts").get_data(as_text=True)
    assert "班组合并" in client.get("/pioneer-posts?retired=1").get_data(as_text=True)
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "pioneer_post")
    ).all()
    assert actions == ["pioneer_post.registered", "pioneer_post.updated", "pioneer_post.retired"]


def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(
    client, session, org, user_factory
):
    user_factory("lead", ("unit_lead", org.unit_a1))
    sign_in(client, "lead")
    client.post("/lang", data={"lang": "en"})
    cases = [
        ({"name": "  "}, "This field is required."),
        ({"member_count": "0"}, "Number must be between 1 and 500."),
        ({"established_on": "2999-01-01"}, "cannot be in the future"),
        ({"established_on": "1000-01-01"}, "cannot be before 2000-01-01"),
        ({"description": ""}, "This field is required."),
        ({"unit": str(org.branch_b1.id)}, "Not a valid choice"),  # outside the scope
        ({"responsible": "名" * 201}, "200"),
    ]
    for values, message in cases:
        [field] = values
        response = client.post("/pioneer-posts/new", data=_form(org.branch_a1, **values))
        assert response.status_code == 422, field
        assert message in _error(response.get_data(as_text=True), field), field
    unit_level = client.post("/pioneer-posts/new", data=_form(org.unit_a1))  # not a branch
    assert unit_level.status_code == 422
    assert _count(session) == 0


def test_the_en_form_speaks_english_and_the_zh_form_chinese(client, org, user_factory):
    user_factory("lead", ("unit_lead", org.unit_a1))
    sign_in(client, "lead")
    zh = client.post("/pioneer-posts/new", data=_form(org.branch_a1, member_count="x"))
    page = zh.get_data(as_text=True)
    assert "登记党员先锋岗" in page and "Register a pioneer post" not in page
    client.post("/lang", data={"lang": "en"})
    en = client.get("/pioneer-posts/new").get_data(as_text=True)
    assert "Register a pioneer post" in en and "Members on the post" in en


def test_posts_outside_the_scope_are_404_and_the_office_reads_all_in_scope(
    client, session, org, user_factory
):
    inside, outside = make_post(session, org.branch_a2), make_post(session, org.branch_b1, "乙岗")
    session.commit()
    user_factory("lead", ("unit_lead", org.branch_a1))
    sign_in(client, "lead")
    assert client.get(f"/pioneer-posts/{inside.id}/edit").status_code == 404  # sibling branch
    assert client.get(f"/pioneer-posts/{outside.id}/edit").status_code == 404
    assert (
        client.post(
            f"/pioneer-posts/{outside.id}/retire", data={"retired_on": "2026-10-01", "reason": "x"}
        ).status_code
        == 404
    )
    assert "安全生产先锋岗" not in client.get("/pioneer-posts").get_data(as_text=True)
    client.post("/logout")
    user_factory("office_a", ("office", org.company_a))
    sign_in(client, "office_a")
    page = client.get("/targets/pioneer-posts").get_data(as_text=True)
    assert "安全生产先锋岗" in page and "乙岗" not in page
    assert 'data-count="1"' in page
    assert f"/pioneer-posts/{inside.id}/edit" not in page  # the office reads, the branch edits
    filtered = client.get("/targets/pioneer-posts?unit=B1").get_data(as_text=True)
    assert "乙岗" not in filtered and 'data-count="1"' in filtered  # outside: as unknown
    assert 'data-count="1"' in client.get("/targets/pioneer-posts?unit=A1").get_data(as_text=True)


def test_long_lists_come_in_pages(client, session, org, user_factory):
    for number in range(PAGE_SIZE + 3):
        make_post(session, org.branch_a1, f"岗{number:03d}")
    session.commit()
    user_factory("office_a", ("office", org.company_a))
    sign_in(client, "office_a")
    first = client.get("/targets/pioneer-posts?unit=A1").get_data(as_text=True)
    assert first.count("<tr data-post=") == PAGE_SIZE and f'data-count="{PAGE_SIZE + 3}"' in first
    assert "/targets/pioneer-posts?page=2&amp;unit=A1" in first
    second = client.get("/targets/pioneer-posts?unit=A1&page=2").get_data(as_text=True)
    assert second.count("<tr data-post=") == 3 and 'rel="prev"' in second
    assert client.get("/targets/pioneer-posts?page=99").status_code == 200  # the last page
