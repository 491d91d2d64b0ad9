"""Messages in zh-CN (default) and en for the console and CLI."""

from __future__ import annotations

LANGS = ("zh-CN", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"zh-CN": "私域运营台", "en": "Siyu console"},
    "nav.home": {"zh-CN": "首页", "en": "Home"},
    "nav.members": {"zh-CN": "会员", "en": "Members"},
    "nav.groups": {"zh-CN": "社群", "en": "Groups"},
    "nav.signout": {"zh-CN": "退出", "en": "Sign out"},
    "signin.title": {"zh-CN": "登录", "en": "Sign in"},
    "signin.key": {"zh-CN": "API 密钥", "en": "API key"},
    "signin.submit": {"zh-CN": "登录", "en": "Sign in"},
    "signin.bad": {"zh-CN": "API 密钥无效", "en": "Invalid API key"},
    "kpi.new_groups": {"zh-CN": "本月新建社群", "en": "New groups this month"},
    "kpi.activity_rate": {"zh-CN": "社群活跃率", "en": "Group activity rate"},
    "kpi.members": {"zh-CN": "会员总数", "en": "Members"},
    "kpi.group_members": {"zh-CN": "在群人数", "en": "Members in groups"},
    "kpi.target": {"zh-CN": "目标", "en": "Target"},
    "kpi.orders": {"zh-CN": "订单数", "en": "Orders"},
    "kpi.gmv": {"zh-CN": "成交额 (GMV)", "en": "GMV"},
    "col.name": {"zh-CN": "名称", "en": "Name"},
    "col.kind": {"zh-CN": "类型", "en": "Kind"},
    "col.members": {"zh-CN": "人数", "en": "Members"},
    "col.capacity": {"zh-CN": "容量", "en": "Capacity"},
    "col.speakers": {"zh-CN": "今日发言", "en": "Speakers today"},
    "col.nickname": {"zh-CN": "昵称", "en": "Nickname"},
    "col.phone": {"zh-CN": "手机号", "en": "Phone"},
    "col.channel": {"zh-CN": "渠道", "en": "Channel"},
    "col.tier": {"zh-CN": "等级", "en": "Tier"},
    "col.tags": {"zh-CN": "标签", "en": "Tags"},
    "col.registered": {"zh-CN": "注册时间", "en": "Registered"},
    "col.date": {"zh-CN": "日期", "en": "Date"},
    "col.activity": {"zh-CN": "活跃率", "en": "Activity"},
    "search": {"zh-CN": "搜索", "en": "Search"},
    "prev": {"zh-CN": "上一页", "en": "Previous"},
    "next": {"zh-CN": "下一页", "en": "Next"},
    "total": {"zh-CN": "共", "en": "Total"},
    "chart.activity": {"zh-CN": "近14天社群活跃率", "en": "Group activity, last 14 days"},
    "empty": {"zh-CN": "暂无数据", "en": "No data"},
}

GROUP_KINDS: dict[str, dict[str, str]] = {
    "red_envelope": {"zh-CN": "红包群", "en": "Red-envelope group"},
    "merchant": {"zh-CN": "商家群", "en": "Merchant group"},
    "gift": {"zh-CN": "送礼群", "en": "Gift group"},
    "stock_up": {"zh-CN": "囤货群", "en": "Stock-up group"},
    "self_use": {"zh-CN": "自用群", "en": "Self-use group"},
    "flash_sale": {"zh-CN": "秒杀群", "en": "Flash-sale group"},
    "after_sales": {"zh-CN": "售后群", "en": "After-sales group"},
}


def t(key: str, lang: str = "zh-CN") -> str:
    entry = MESSAGES.get(key) or GROUP_KINDS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["zh-CN"]
