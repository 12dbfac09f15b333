"""Trade presets for the counter quick form (即时快招).

Choosing a trade fills the usual work content, safety measures and hours, so a
clerk only types what is particular to this job. The values are data, not
translations: they become part of the Chinese text both parties sign, and a
clerk edits them before sending. A preset only fills fields left blank.
"""

from dataclasses import asdict, dataclass

from agreements.models import InjuryCover, PayUnit, Trade


@dataclass(frozen=True)
class Preset:
    job_description: str
    safety: str
    work_hours: str
    rest: str
    pay_unit: str
    injury_cover: str

    def values(self) -> dict[str, str]:
        return asdict(self)


PRESETS: dict[str, Preset] = {
    Trade.MOVING: Preset(
        job_description="货物搬运、装卸车，按甲方指示码放整齐",
        safety="甲方提供防滑手套、护腰带；单件超过50公斤须两人以上抬运；不得攀爬货堆",
        work_hours="每日8:00-17:00",
        rest="中午休息1小时",
        pay_unit=PayUnit.DAY,
        injury_cover=InjuryCover.ACCIDENT,
    ),
    Trade.HOUSEKEEPING: Preset(
        job_description="住宅日常保洁：地面、门窗、厨房和卫生间清洁",
        safety="甲方提供橡胶手套和清洁用品；高处擦窗须有防坠措施，不得站在窗台外侧作业",
        work_hours="每次4小时，具体时段由双方约定",
        rest="",
        pay_unit=PayUnit.HOUR,
        injury_cover=InjuryCover.ACCIDENT,
    ),
    Trade.RENOVATION: Preset(
        job_description="室内装修辅助作业：拆除、清运、打磨、涂刷",
        safety="甲方提供安全帽、防尘口罩、护目镜和手套；登高2米以上须系安全带；电动工具须有漏电保护",
        work_hours="每日8:00-18:00",
        rest="中午休息1.5小时",
        pay_unit=PayUnit.DAY,
        injury_cover=InjuryCover.OCCUPATIONAL,
    ),
    Trade.CATERING: Preset(
        job_description="餐厅后厨帮工、洗碗、传菜和餐位清洁",
        safety="甲方提供防滑鞋套、防烫手套；地面湿滑处设警示；不得独自操作燃气灶具和切割设备",
        work_hours="每日10:00-14:00、17:00-21:00",
        rest="两班之间休息3小时",
        pay_unit=PayUnit.HOUR,
        injury_cover=InjuryCover.ACCIDENT,
    ),
    Trade.DELIVERY: Preset(
        job_description="按甲方派单将货物配送至指定地点并取得签收",
        safety="甲方提供头盔和反光背心；遵守交通法规，不得超速、逆行或闯红灯；恶劣天气可暂停配送",
        work_hours="每日9:00-18:00",
        rest="中午休息1小时",
        pay_unit=PayUnit.PIECE,
        injury_cover=InjuryCover.OCCUPATIONAL,
    ),
}


def preset_for(trade: str) -> Preset | None:
    """The preset of ``trade``, or None (for 其他 the clerk writes everything)."""
    return PRESETS.get(trade)


def fill_blanks(values: dict, trade: str) -> dict:
    """``values`` with each blank field the preset knows filled from the preset."""
    preset = preset_for(trade)
    if preset is None:
        return dict(values)
    filled = dict(values)
    for name, text in preset.values().items():
        if not str(filled.get(name) or "").strip():
            filled[name] = text
    return filled
