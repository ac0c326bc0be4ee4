"""Demo step: a year of named feedback from the demo's party representatives, answered.

The authors are the demo's accounts holding the representative role: `representative`
(company HC04) and `inspector1`…`inspector3` (representatives in their home companies
HC01–HC03); each writes about their own company. Each text belongs to one author, and a
category to two authors only, so no category and no word of the ordinary items is raised
by three units (the feedback-theme rule stays quiet about them). Planted: in the last six
weeks three of them write about waste in the canteen (浪费), which the rule flags.

Submitted and handled through the real services (`submit_feedback`, `handle` as
`office`: start, answer), then dated to the story, as the other demo steps date theirs
(the authors' notifications too, read when older than three days): the audit log keeps
when the demo loaded them. Seeded and relative to today; items of
the last 20 days are still in hand (the newest not yet started). Idempotent: skipped
when any feedback exists.
"""

from __future__ import annotations

import random
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.database import org_timezone, utcnow
from dudao.demo.data import DemoOrg
from dudao.demo.dating import notify_dated
from dudao.feedback.models import FeedbackItem, FeedbackKind
from dudao.feedback.services import handle, submit_feedback
from dudao.org.models import Unit
from dudao.scheduling.recurrence import local_moment, org_today
from dudao.trends.services import analyze

# author -> (category, title, body, answer)
# fmt: off
TEXTS: dict[str, list[tuple[str, str, str, str]]] = {
    "representative": [
        ("organisation", "支部换届选举程序不够规范",
         "有的支部换届时候选人名单临时调整，没有提前公示，党员意见较大。",
         "已要求各支部严格按照选举工作细则办理，候选人名单提前七天公示。"),
        ("organisation", "发展党员培养周期偏短",
         "有的入党积极分子培养考察不满一年就列为发展对象，考察不够扎实。",
         "已对近两年发展对象逐一复核，对考察期不足的暂缓列入。"),
        ("service", "退休老党员就医不便",
         "离退休支部的老同志去市区医院复查要倒两趟车，能否安排班车？",
         "每周二、周四安排一趟就医班车，已在离退休支部群里通知。"),
        ("other", "党建活动室利用率低",
         "新建的党建活动室大部分时间锁着，职工想借用还要找好几个领导批准。",
         "活动室改为网上预约，工作日白天开放。"),
        ("organisation", "组织生活会批评流于表面",
         "组织生活会上批评意见多是提醒式，辣味不足，会后也没有跟踪。",
         "已下发通知，要求会前谈心谈话全覆盖，会后列出整改清单报公司党委。"),
        ("service", "外地项目部职工子女入学难",
         "项目部职工随迁子女在当地入学手续复杂，希望公司出面协调。",
         "公司已与项目所在地教育部门对接，整理了入学所需材料清单。"),
        ("other", "内网通知太多太杂",
         "每天几十条内网通知，重要事项容易被淹没，建议分级推送。",
         "办公室已将通知分为必读和知悉两类，必读类单独提醒。"),
        ("organisation", "流动党员管理有漏洞",
         "长期在外地项目的党员组织关系还在原支部，参加组织生活很难保证。",
         "已在三个外地项目部成立临时党支部，流动党员就近参加组织生活。"),
        ("service", "夜班职工通勤问题",
         "夜班下班时已没有公交，职工只能打车，希望增加夜间通勤车。",
         "已增开夜班通勤车一班，零点三十分发车。"),
        ("other", "职工书屋图书陈旧",
         "书屋里多是十年前的图书，年轻职工很少去，建议更新书目。",
         "已征集职工推荐书目，年底前补充新书五百册。"),
    ],
    "inspector1": [
        ("organisation", "支部书记培训针对性不强",
         "书记培训以听报告为主，缺少案例和实操，基层书记反映收获有限。",
         "下期培训增加案例研讨和现场教学，课程提前征求书记意见。"),
        ("integrity", "节日期间公车使用需规范",
         "节假日个别公车停放在私人小区，建议加强节日期间车辆封存管理。",
         "已重申节假日公车入库封存制度，纪委将开展抽查。"),
        ("organisation", "党费收缴标准执行不一",
         "部分支部党费按固定数额收缴，没有按工资基数核定。",
         "已组织各支部重新核定党费基数，多退少补。"),
        ("integrity", "物资采购询价不透明",
         "小额物资采购由个人询价，没有比价记录，存在廉洁风险。",
         "已规定三千元以上采购须三家比价并留存记录，财务审核时核对。"),
        ("organisation", "党员积分管理流于形式",
         "积分靠填表和拍照，与实际表现脱节，党员不认同。",
         "积分细则已修订，减少留痕类指标，增加群众评价。"),
        ("integrity", "工程分包审批把关不严",
         "个别项目分包单位资质审查走过场，建议纪委提前介入。",
         "纪委已将分包审批列入专项监督，每季度抽查一次。"),
    ],
    "inspector2": [
        ("work_style", "检查考核过多过频",
         "一线班组每月要迎接五六次各类检查，材料重复报送，影响正常生产。",
         "已将同类检查合并，每季度统一安排一次，材料一次报送多方共享。"),
        ("service", "一线班组休息室条件差",
         "现场休息室夏天没有空调，冬天没有暖气，职工意见大。",
         "已列入年度民生实事，十月底前完成改造。"),
        ("work_style", "会议精简不够",
         "有的会议层层传达，同一内容开三次会，建议能合并的合并。",
         "已要求同一内容原则上只开一次会，可视频会议直达班组。"),
        ("service", "职工体检内容单一",
         "年度体检内容多年不变，希望增加针对高温作业的检查。",
         "明年体检为高温岗位增加心电图和肾功能检查。"),
        ("work_style", "领导干部下基层调研走过场",
         "调研多是听汇报、看展板，很少到班组和职工当面交流。",
         "已规定调研须到班组座谈，形成问题清单并限期回复。"),
        ("service", "加班工资核算不及时",
         "抢修加班的加班费要拖两三个月才发，职工有怨言。",
         "人力资源部已调整核算流程，加班费随当月工资发放。"),
    ],
    "inspector3": [
        ("work_style", "调研报告质量不高",
         "部分调研报告照抄往年，没有数据支撑，建议建立报告质量评议。",
         "已建立调研报告评议制度，每半年评选优秀报告。"),
        ("integrity", "专项资金使用公示不及时",
         "扶贫专项资金使用情况半年才公示一次，员工看不到明细。",
         "专项资金使用改为每月在公示栏和内网公布明细。"),
        ("other", "厂区安全通道被占用",
         "三号车间安全通道常年堆放物料，一旦发生火情后果严重。",
         "已清理通道并划线标识，安全部门每周巡查。"),
        ("work_style", "文件审批环节繁琐",
         "一份普通请示要经过七个人签字，往往一周才能办完。",
         "已精简审批流程，普通请示不超过三级签批，限时三个工作日。"),
        ("integrity", "评先评优程序不透明",
         "评先评优名单由少数人商定，没有民主推荐环节。",
         "评先评优已改为支部民主推荐、公示五天后报批。"),
        ("other", "危化品仓库标识老化",
         "危化品仓库警示标识褪色，个别字迹看不清，存在隐患。",
         "已全部更换警示标识，并纳入月度安全检查。"),
        ("work_style", "青年员工成长通道窄",
         "青年骨干轮岗机会少，晋升要熬年头，人才流失明显。",
         "已启动青年骨干轮岗计划，首批二十人下月到岗。"),
    ],
}
# Planted: waste in the canteen, from three companies in the last six weeks.
THEME: list[tuple[str, str, str, str, str]] = [
    ("representative", "service", "职工食堂浪费严重",
     "职工食堂每餐剩饭剩菜倒掉不少，打菜分量偏大，建议提供小份菜并加强宣传。",
     "食堂已推出小份菜和半份主食，餐厅张贴节约标语，每月公布剩余量。"),
    ("inspector1", "integrity", "机关食堂浪费现象",
     "机关食堂午餐后整盆饭菜倒掉，浪费明显，与厉行节约要求不符。",
     "已实行午餐提前报餐，按报餐人数备餐，纪委将不定期检查。"),
    ("inspector2", "service", "食堂饭菜浪费",
     "公司食堂每天剩下很多饭菜，浪费可惜，建议按需备餐、光盘有奖。",
     "已开展光盘行动，按前一周就餐人数备餐。"),
]
# fmt: on
OFFICE = "office"
ANSWER_DAYS = 20  # the office answers within this many days
#: When the office took each step of an item: {(item id, "start" | "answer"): moment}.
Steps = dict[tuple[int, str], datetime]


def _submit(session: Session, rng: random.Random, people: dict[str, tuple[User, Unit]],
            office: User, text: tuple[str, str, str, str, str], day: date, zone: ZoneInfo,
            until: date, steps: Steps) -> None:  # fmt: skip
    """One item as its author wrote it and the office handled it by `until`, dated; each
    step's moment in `steps` (its notification is dated so too)."""
    author, category, title, body, answer = text
    user, unit = people[author]
    item = submit_feedback(
        session, user, unit=unit, kind=FeedbackKind.OPINION, category=category, title=title,
        body=body, uploads=[], data_dir=Path(tempfile.gettempdir()),  # no files: none written
    )  # fmt: skip
    created = local_moment(day, zone, rng.randint(8, 21), rng.randint(0, 59))
    started = day + timedelta(days=rng.randint(1, 3))
    answered = started + timedelta(days=rng.randint(3, 17))
    changed = created
    if started < until:
        handle(session, office, item, "start", expected_version=item.version)
        changed = steps[(item.id, "start")] = local_moment(started, zone, 10)
    if day < until - timedelta(days=ANSWER_DAYS):  # what came in lately is still in hand
        handle(session, office, item, "answer", expected_version=item.version, comment=answer)
        changed = item.answered_at = steps[(item.id, "answer")] = local_moment(answered, zone, 16)
    item.created_at, item.state_changed_at = created, changed


def load_demo_feedback(session: Session, org: DemoOrg) -> int:
    """Load the year of feedback and run the feedback-theme rule over it."""
    if session.scalar(select(FeedbackItem.id).limit(1)) is not None:
        return 0
    tz = org_timezone(session)
    today, zone = org_today(session), ZoneInfo(tz)
    homes = {a.username: a.home_code or a.unit_code for a in org.accounts if a.username in TEXTS}
    users = session.scalars(select(User).where(User.username.in_([*homes, OFFICE]))).all()
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(homes.values())))}
    people = {u.username: (u, units[homes[u.username]]) for u in users if u.username in homes}
    office = next((u for u in users if u.username == OFFICE), None)
    if office is None or len(people) < len(TEXTS):
        return 0
    rng = random.Random(f"{org.seed}-feedback")
    stories = []
    for author, texts in TEXTS.items():  # over the year; each author's last one lately
        for text in texts:
            ago = rng.randint(2, 20) if text is texts[-1] else rng.randint(21, 355)
            stories.append(((author, *text), today - timedelta(days=ago)))
    stories += [(text, today - timedelta(days=rng.randint(3, 40))) for text in THEME]
    stories.sort(key=lambda story: story[1])
    since = session.scalar(select(func.max(AuditEvent.id))) or 0
    steps: Steps = {}
    for text, day in stories[:-1]:
        _submit(session, rng, people, office, text, day, zone, today, steps)
    _submit(session, rng, people, office, *stories[-1], zone, stories[-1][1], steps)  # not seen
    session.flush()
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.id > since, AuditEvent.entity_type == "feedback_item")
        .order_by(AuditEvent.id)
    ).all()
    notify_dated(
        session,
        events,
        lambda e: steps.get((int(e.entity_id), e.action.rsplit(".", 1)[-1])),
        utcnow(),
    )
    analyze(session, tz, today=today, rules=("feedback_theme",))
    return len(stories)
