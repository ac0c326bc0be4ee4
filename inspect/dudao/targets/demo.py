"""Demo step: pioneer posts registered by the demo's branches and the office's entries
towards the manual targets, so the office's targets page matches the demo data.

Posts are seeded from the demo plan: most branches register one to four posts named
after their kind of work (underground, service windows, research, ...), the companies
at different paces; a few posts are retired again. The office records where the
campaign's practice was promoted upward and how many party-work cadres were trained,
each with a reference and one with an evidence file; one entry is corrected. Dates are
counted back from today. Idempotent: skipped when any post or entry exists.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.core.enums import UnitLevel
from dudao.demo import names
from dudao.demo.data import DemoOrg
from dudao.org.models import Unit
from dudao.scheduling.recurrence import org_today
from dudao.targets.config import shipped_targets
from dudao.targets.models import PioneerPost, TargetEntry
from dudao.targets.services import (
    EntryFields,
    PostFields,
    Upload,
    add_entry,
    correct_entry,
    register_post,
    retire_post,
)

#: Kind of work (a unit tag) -> post names and what the post does.
POSTS = {
    names.UNDERGROUND: [
        ("井下安全生产党员先锋岗", "党员带班下井，每班开展隐患排查，带头执行“手指口述”安全确认。"),
        ("综采工作面党员突击岗", "攻坚设备检修和过断层等急难险重任务，党员冲在前面。"),
    ],
    names.SERVICE: [
        ("优质服务党员示范窗口", "党员挂牌上岗，推行首问负责和限时办结，收集群众意见。"),
        ("便民服务党员先锋岗", "党员带头帮办代办，对老年人等特殊群体提供上门服务。"),
    ],
    names.RESEARCH: [
        ("科技攻关党员先锋岗", "党员牵头关键技术课题，每月向支部汇报攻关进展。"),
        ("青年党员创新工作室", "组织青年党员开展小改小革，成果在车间推广应用。"),
    ],
    names.RETIRED: [("银发志愿服务先锋岗", "离退休党员参与社区志愿服务和青年职工传帮带。")],
    names.OFFICE: [
        ("机关作风建设党员示范岗", "党员带头改进文风会风，推行基层事项“一次办好”。"),
        ("党建业务融合先锋岗", "党员带头把党建工作与经营任务同部署、同考核。"),
    ],
    names.FRONTLINE: [
        ("安全生产党员责任区", "党员划分责任区，带头落实岗位安全规程，班前会讲安全。"),
        ("节能降耗党员先锋岗", "党员牵头开展节能降耗小指标竞赛，每月公布结果。"),
        ("设备保全党员攻坚岗", "党员负责关键设备点检，故障处理不过夜。"),
    ],
}
DEFAULT_POSTS = [("党员先锋岗", "党员亮身份、作表率，带头完成本岗位重点任务。")]
#: Company pace: the share of its branches that register posts, in company order.
PACE = (0.95, 0.75, 0.85, 0.55, 0.65)


def _choices(unit: Unit) -> list[tuple[str, str]]:
    found = [post for tag in unit.tags for post in POSTS.get(tag, [])]
    return found or DEFAULT_POSTS


def _actor(unit: Unit, leads: list[User]) -> User | None:
    """The demo unit lead whose scope holds the branch, else the loader (system)."""
    for lead in leads:
        if any(unit.path.startswith(grant.unit.path) for grant in lead.grants):
            return lead
    return None


def load_demo_posts(session: Session, plan: DemoOrg, today: date) -> int:
    rng = random.Random(plan.seed * 7 + 1)
    companies = session.scalars(
        select(Unit).where(Unit.level == UnitLevel.COMPANY).order_by(Unit.code)
    ).all()
    usernames = ("company_lead", "branch_lead")
    leads = list(session.scalars(select(User).where(User.username.in_(usernames))))
    created = 0
    for index, company in enumerate(companies):
        branches = session.scalars(
            select(Unit)
            .where(Unit.level == UnitLevel.BRANCH, Unit.path.startswith(company.path))
            .order_by(Unit.code)
        ).all()
        pace = PACE[index % len(PACE)]
        for branch in branches:
            actor = _actor(branch, leads)
            if rng.random() > pace and actor is None:  # the demo leads' branches always do
                continue
            options = _choices(branch)
            for number in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
                name, text = options[number % len(options)]
                established = today - timedelta(days=rng.randint(15, 320))
                fields = PostFields(branch, name if number < len(options) else f"{name}（二）",
                                    rng.randint(3, 12), "", established, text)  # fmt: skip
                post = register_post(session, actor, fields, today)
                created += 1
                if rng.random() < 0.03:
                    retire_post(
                        session, actor, post, retired_on=min(today, established + timedelta(60)),
                        reason="班组调整，岗位合并", expected_version=post.version, today=today,
                    )  # fmt: skip
    return created


SCHOOL = "华辰党校〔2026〕培训通知"
#: (target, company index, days ago, amount, description, reference)
ENTRIES = [
    ("promoted_practice", 0, 190, 2,
     "两个党支部“三会一课”规范化做法在集团党建工作简报推广。", "华辰党建简报〔2026〕第5期"),
    ("promoted_practice", 2, 140, 1,
     "“党建+安全”融合做法在集团现场推进会上交流推广。", "华辰党发〔2026〕23号"),
    ("promoted_practice", 1, 75, 3,
     "三个党支部的党员责任区经验入选集团典型案例汇编。", "华辰党建〔2026〕典型案例汇编"),
    ("promoted_practice", 4, 30, 1,
     "“银发志愿服务”经验被上级党委转发推广。", "上级党委组织部工作简报第41期"),
    ("cadres_trained", 0, 220, 12, "第一期党务干部培训班（党支部书记）结业。", f"{SCHOOL}第3号"),
    ("cadres_trained", 1, 220, 8, "第一期党务干部培训班（党支部书记）结业。", f"{SCHOOL}第3号"),
    ("cadres_trained", 2, 160, 10, "组织委员专题培训，考试合格后发放结业证书。", f"{SCHOOL}第7号"),
    ("cadres_trained", 3, 95, 6, "纪检委员、宣传委员业务培训。", f"{SCHOOL}第9号"),
    ("cadres_trained", 4, 40, 5, "新任党支部书记任职培训。", ""),  # an evidence file instead
]  # fmt: skip
EVIDENCE = (
    "华辰党校 2026 年党务干部培训结业名单（新任党支部书记任职培训）\n共 5 人，均已考试合格。\n"
)


def load_demo_entries(session: Session, today: date, data_dir: Path) -> int:
    office = session.scalar(select(User).where(User.username == "office"))
    targets = shipped_targets()
    companies = session.scalars(
        select(Unit).where(Unit.level == UnitLevel.COMPANY).order_by(Unit.code)
    ).all()
    created = 0
    entries = []
    for key, company, days, amount, text, reference in ENTRIES:
        target = targets.get(key)
        if target is None or target.source != "manual" or company >= len(companies):
            continue
        fields = EntryFields(companies[company], today - timedelta(days), amount, text, reference)
        upload = None if reference else Upload("培训结业名单.txt", EVIDENCE.encode(), "text/plain")
        entries.append(add_entry(session, office, target, fields, upload, data_dir, today))
        created += 1
    wrong = next((e for e in entries if e.amount == 3), None)
    target = targets.get("promoted_practice")
    if wrong is not None and target is not None:
        fields = EntryFields(wrong.unit, wrong.entry_date, 2, "两个党支部的党员责任区经验入选集团"
                             "典型案例汇编（另一个支部的经验已在第5期简报计入）。", "")  # fmt: skip
        correct_entry(session, office, target, wrong, fields, None, "与简报第5期重复计算了一个支部",
                      data_dir, today)  # fmt: skip
        created += 1
    return created


def load_demo_targets(session: Session, plan: DemoOrg) -> int:
    """The demo's pioneer posts and manual entries; skipped when any exists."""
    if session.scalar(select(PioneerPost.id).limit(1)) or session.scalar(
        select(TargetEntry.id).limit(1)
    ):
        return 0
    if session.scalar(select(Unit.id).where(Unit.code == plan.root.code)) is None:
        return 0
    today, data_dir = org_today(session), session.info["settings"].data_dir
    return load_demo_posts(session, plan, today) + load_demo_entries(session, today, data_dir)
