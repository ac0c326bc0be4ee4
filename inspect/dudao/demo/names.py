"""Name pools for the fictional demo group 华辰控股集团 (Huachen Holdings).

Every name here is invented. The pools are plain data so the generator in
`dudao.demo.data` stays short and a seed picks among them reproducibly.
"""

from __future__ import annotations

from dataclasses import dataclass

GROUP_CODE = "HC"
GROUP_NAME = ("华辰控股集团有限公司", "Huachen Holdings Group Co., Ltd.")

# Tags (Chinese, as the organisation writes them).
FRONTLINE = "生产一线"
OFFICE = "机关"
REMOTE = "偏远"
UNDERGROUND = "井下"
SERVICE = "窗口服务"
RESEARCH = "科研"
RETIRED = "离退休"


@dataclass(frozen=True)
class Dept:
    """A department whose party branch a unit may have; `{n}` numbers repeated teams."""

    zh: str
    en: str
    tags: tuple[str, ...] = ()
    repeat: int = 1


@dataclass(frozen=True)
class UnitKind:
    """A kind of unit: its name (after an optional place name), weight and departments."""

    zh: str
    en: str
    tags: tuple[str, ...]
    weight: float
    depts: tuple[Dept, ...]
    placed: bool = True


def _d(zh: str, en: str, *tags: str, repeat: int = 1) -> Dept:
    return Dept(zh, en, tags, repeat)


_OFFICE_DEPTS = (
    _d("综合办公室", "General Office", OFFICE),
    _d("党群工作部", "Party and Mass Work Department", OFFICE),
    _d("财务部", "Finance Department", OFFICE),
    _d("人力资源部", "Human Resources Department", OFFICE),
    _d("安全环保部", "Safety and Environment Department", OFFICE),
    _d("纪检监察室", "Discipline Inspection Office", OFFICE),
    _d("经营管理部", "Business Management Department", OFFICE),
)
_RETIRED = _d("离退休", "Retirees", RETIRED)

HEADQUARTERS = UnitKind("公司机关", "Headquarters", (OFFICE,), 0.9, _OFFICE_DEPTS, False)

# Unit kinds per company sector; each company takes headquarters plus seven of these.
SECTORS: dict[str, tuple[tuple[str, str], tuple[UnitKind, ...]]] = {
    "energy": (
        ("华辰能源有限公司", "Huachen Energy Co., Ltd."),
        (
            UnitKind(
                "煤矿",
                "Colliery",
                (FRONTLINE,),
                1.6,
                (
                    _d("综采{n}队", "Longwall Mining Team {n}", FRONTLINE, UNDERGROUND, repeat=2),
                    _d("掘进{n}队", "Development Team {n}", FRONTLINE, UNDERGROUND, repeat=2),
                    _d("机电运输队", "Electromechanical and Haulage Team", FRONTLINE, UNDERGROUND),
                    _d("通风队", "Ventilation Team", FRONTLINE, UNDERGROUND),
                    _d("安全监察站", "Safety Inspection Station", FRONTLINE),
                    _d("调度室", "Dispatch Office", OFFICE),
                    _d("生产技术科", "Production Engineering Section", OFFICE),
                    _RETIRED,
                ),
            ),
            UnitKind(
                "选煤厂",
                "Coal Preparation Plant",
                (FRONTLINE,),
                1.0,
                (
                    _d("洗选车间", "Washing Workshop", FRONTLINE),
                    _d("装车站", "Loading Station", FRONTLINE),
                    _d("机修车间", "Maintenance Workshop", FRONTLINE),
                    _d("质检科", "Quality Inspection Section", OFFICE),
                    _RETIRED,
                ),
            ),
            UnitKind(
                "热电厂",
                "Thermal Power Plant",
                (FRONTLINE,),
                1.1,
                (
                    _d("运行{n}值", "Operations Shift {n}", FRONTLINE, repeat=3),
                    _d("检修部", "Maintenance Department", FRONTLINE),
                    _d("燃料部", "Fuel Department", FRONTLINE),
                    _d("生产技术部", "Production Engineering Department", OFFICE),
                ),
            ),
            UnitKind(
                "机电修配厂",
                "Machinery Repair Works",
                (FRONTLINE,),
                0.7,
                (
                    _d("金工车间", "Machining Workshop", FRONTLINE),
                    _d("电修车间", "Electrical Repair Workshop", FRONTLINE),
                    _d("铆焊车间", "Welding Workshop", FRONTLINE),
                    _RETIRED,
                ),
            ),
        ),
    ),
    "construction": (
        ("华辰建设工程有限公司", "Huachen Construction and Engineering Co., Ltd."),
        (
            UnitKind(
                "工程处",
                "Engineering Division",
                (FRONTLINE,),
                1.3,
                (
                    _d("第{n}项目部", "Project Department {n}", FRONTLINE, repeat=4),
                    _d("机械化施工队", "Mechanised Construction Team", FRONTLINE),
                    _d("工程技术科", "Engineering Section", OFFICE),
                    _RETIRED,
                ),
            ),
            UnitKind(
                "桥隧分公司",
                "Bridge and Tunnel Branch Company",
                (FRONTLINE,),
                1.0,
                (
                    _d("隧道{n}队", "Tunnelling Team {n}", FRONTLINE, repeat=2),
                    _d("桥梁队", "Bridge Team", FRONTLINE),
                    _d("测量队", "Survey Team", FRONTLINE),
                    _d("物资科", "Materials Section", OFFICE),
                ),
            ),
            UnitKind(
                "构件厂",
                "Precast Components Plant",
                (FRONTLINE,),
                0.7,
                (
                    _d("预制车间", "Precasting Workshop", FRONTLINE),
                    _d("钢筋车间", "Rebar Workshop", FRONTLINE),
                    _d("试验室", "Testing Laboratory", RESEARCH),
                ),
            ),
        ),
    ),
    "logistics": (
        ("华辰物流有限公司", "Huachen Logistics Co., Ltd."),
        (
            UnitKind(
                "车站",
                "Railway Station",
                (FRONTLINE, SERVICE),
                1.0,
                (
                    _d("运转车间", "Train Operations Workshop", FRONTLINE),
                    _d("货运车间", "Freight Workshop", FRONTLINE, SERVICE),
                    _d("装卸队", "Loading Team", FRONTLINE),
                    _RETIRED,
                ),
            ),
            UnitKind(
                "物流园",
                "Logistics Park",
                (FRONTLINE, SERVICE),
                1.1,
                (
                    _d("仓储{n}部", "Warehousing Department {n}", FRONTLINE, repeat=2),
                    _d("配送车队", "Delivery Fleet", FRONTLINE),
                    _d("客户服务中心", "Customer Service Centre", SERVICE),
                    _d("信息调度室", "Information and Dispatch Office", OFFICE),
                ),
            ),
            UnitKind(
                "车辆维修厂",
                "Vehicle Repair Works",
                (FRONTLINE,),
                0.7,
                (
                    _d("大修车间", "Overhaul Workshop", FRONTLINE),
                    _d("保养车间", "Servicing Workshop", FRONTLINE),
                    _RETIRED,
                ),
            ),
        ),
    ),
    "chemicals": (
        ("华辰化工有限公司", "Huachen Chemicals Co., Ltd."),
        (
            UnitKind(
                "化工厂",
                "Chemical Plant",
                (FRONTLINE,),
                1.4,
                (
                    _d("合成车间", "Synthesis Workshop", FRONTLINE),
                    _d("气化车间", "Gasification Workshop", FRONTLINE),
                    _d("精馏车间", "Distillation Workshop", FRONTLINE),
                    _d("仪表车间", "Instrumentation Workshop", FRONTLINE),
                    _d("质检中心", "Quality Control Centre", RESEARCH),
                    _d("安全环保科", "Safety and Environment Section", OFFICE),
                    _RETIRED,
                ),
            ),
            UnitKind(
                "储运站",
                "Storage and Transport Station",
                (FRONTLINE,),
                0.7,
                (
                    _d("罐区", "Tank Farm", FRONTLINE),
                    _d("危化品运输队", "Hazardous Goods Transport Team", FRONTLINE),
                    _d("计量室", "Metering Office", OFFICE),
                ),
            ),
            UnitKind(
                "新材料研究所",
                "New Materials Research Institute",
                (RESEARCH,),
                0.6,
                (
                    _d("第{n}研究室", "Research Laboratory {n}", RESEARCH, repeat=3),
                    _d("中试基地", "Pilot Plant", RESEARCH, FRONTLINE),
                ),
            ),
        ),
    ),
    "services": (
        ("华辰城市服务有限公司", "Huachen Urban Services Co., Ltd."),
        (
            UnitKind(
                "物业服务中心",
                "Property Services Centre",
                (SERVICE,),
                0.9,
                (
                    _d("第{n}服务站", "Service Station {n}", SERVICE, FRONTLINE, repeat=3),
                    _d("维修队", "Repair Team", FRONTLINE),
                    _d("客服中心", "Help Desk", SERVICE),
                ),
            ),
            UnitKind(
                "医院",
                "Hospital",
                (SERVICE,),
                1.2,
                (
                    _d("内科", "Internal Medicine", SERVICE),
                    _d("外科", "Surgery", SERVICE),
                    _d("急诊科", "Emergency Department", SERVICE, FRONTLINE),
                    _d("医技科室", "Medical Technology Departments", SERVICE),
                    _d("护理部", "Nursing Department", SERVICE),
                    _d("行政后勤", "Administration and Logistics", OFFICE),
                    _RETIRED,
                ),
            ),
            UnitKind(
                "供水公司",
                "Water Supply Company",
                (FRONTLINE, SERVICE),
                0.8,
                (
                    _d("水厂", "Waterworks", FRONTLINE),
                    _d("管网所", "Pipe Network Office", FRONTLINE),
                    _d("营业厅", "Service Hall", SERVICE),
                    _d("水质检测站", "Water Quality Station", RESEARCH),
                ),
            ),
            UnitKind(
                "培训中心",
                "Training Centre",
                (SERVICE,),
                0.5,
                (
                    _d("教务科", "Academic Affairs Section", OFFICE),
                    _d("实训基地", "Practical Training Base", SERVICE),
                ),
            ),
        ),
    ),
}

# Invented place names with their pinyin; a seed picks which ones the units get.
PLACES: tuple[tuple[str, str], ...] = (
    ("东山", "Dongshan"),
    ("西岭", "Xiling"),
    ("北塬", "Beiyuan"),
    ("南湾", "Nanwan"),
    ("青龙", "Qinglong"),
    ("石门", "Shimen"),
    ("白杨", "Baiyang"),
    ("红柳", "Hongliu"),
    ("金川", "Jinchuan"),
    ("云岭", "Yunling"),
    ("柳泉", "Liuquan"),
    ("河湾", "Hewan"),
    ("松林", "Songlin"),
    ("长坪", "Changping"),
    ("高家堡", "Gaojiabu"),
    ("杏花", "Xinghua"),
    ("三道沟", "Sandaogou"),
    ("榆树坪", "Yushuping"),
    ("凤凰台", "Fenghuangtai"),
    ("黑石", "Heishi"),
    ("枣园", "Zaoyuan"),
    ("龙泉", "Longquan"),
    ("桃林", "Taolin"),
    ("沙河", "Shahe"),
    ("梨树湾", "Lishuwan"),
    ("白石滩", "Baishitan"),
    ("大营", "Daying"),
    ("马家岭", "Majialing"),
    ("清水", "Qingshui"),
    ("鹿鸣", "Luming"),
    ("碧溪", "Bixi"),
    ("平川", "Pingchuan"),
    ("望湖", "Wanghu"),
    ("新城", "Xincheng"),
    ("汇源", "Huiyuan"),
    ("金沙", "Jinsha"),
    ("柏树岭", "Baishuling"),
    ("龙湾", "Longwan"),
    ("银杏", "Yinxing"),
    ("永安", "Yong'an"),
)

SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "马", "胡", "郭")
GIVEN_NAMES = (
    "建国",
    "海燕",
    "志强",
    "丽华",
    "晓东",
    "文静",
    "国庆",
    "春梅",
    "振华",
    "雪莲",
    "卫东",
    "秀英",
    "明辉",
    "玉兰",
    "立新",
    "红霞",
)

CHINESE_NUMERALS = ("零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


def numeral(n: int) -> str:
    """1..99 in Chinese numerals, as used in team names (综采一队, 第十二项目部)."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens]
    return head + "十" + (CHINESE_NUMERALS[ones] if ones else "")
