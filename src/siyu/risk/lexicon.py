"""Siyu's own word lists for the copy scanner (文案风控词库), written from the wording of
the Advertising Law (广告法), the E-commerce Law and common platform rules.

Each group is one rule with its terms; each term carries a compliant rewrite. Terms
are matched after normalisation (see `normalise`), so list each once, in simplified
Chinese and lower case; punctuation inside a term (`NO.1`, `100%有效`) is ignored.
The allow-list holds ordinary phrases that contain a term (第一次, 最佳赏味期): a
term overlapping an allowed phrase does not fire.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleGroup:
    category: str
    rule: str
    terms: tuple[tuple[str, str], ...]  # (term, suggestion)


_CUT_ABS = "删除绝对化用语, 改为具体、可证实的描述"
_CUT_CURE = "删除疾病治疗用语; 普通商品不得宣称治疗功效"

AD_ABSOLUTE = RuleGroup(
    "ad_absolute",
    "广告法第九条第三项: 不得使用“国家级”、“最高级”、“最佳”等用语",
    (
        ("国家级", "删除“国家级”; 如有资质, 写明认证名称与编号"),
        ("世界级", "删除“世界级”, 改为具体的品质描述"),
        ("最高级", "高品质"),
        ("最高端", "高端"),
        ("最顶级", "高品质"),
        ("顶级", "精选"),
        ("极品", "精选"),
        ("至尊", "尊享"),
        ("终极", "升级款"),
        ("最佳", "优质"),
        ("最优", "优选"),
        ("最优惠", "超值优惠"),
        ("最强", "表现出色"),
        ("最先进", "先进"),
        ("最低价", "超值优惠价"),
        ("最便宜", "实惠"),
        ("最划算", "划算"),
        ("最实惠", "实惠"),
        ("最正宗", "正宗"),
        ("最权威", "专业"),
        ("最专业", "专业"),
        ("最畅销", "热销"),
        ("最热销", "热销"),
        ("最受欢迎", "广受欢迎"),
        ("最火", "热门"),
        ("全网最低", "超值优惠价"),
        ("全网最低价", "超值优惠价"),
        ("全网最", "删除“全网最”, 改为“超值”“热销”等非比较用语"),
        ("全国最", "删除“全国最”, 改为“超值”“热销”等非比较用语"),
        ("史上最", "删除“史上最”, 改为“超值”“热销”等非比较用语"),
        ("史上最低价", "限时优惠价"),
        ("全网第一", "热销好评"),
        ("全国第一", "热销好评"),
        ("第一", "删除“第一”, 改为具体、可证实的描述 (如“热销”“好评”)"),
        ("第1", "删除“第1”, 改为具体、可证实的描述 (如“热销”“好评”)"),
        ("第一品牌", "知名品牌"),
        ("销量冠军", "热销"),
        ("no.1", "热销"),
        ("top1", "热销"),
        ("领导品牌", "知名品牌"),
        ("领袖品牌", "知名品牌"),
        ("遥遥领先", "表现出色"),
        ("独一无二", "独具特色"),
        ("绝无仅有", "特色鲜明"),
        ("史无前例", "力度大"),
        ("前所未有", "全新"),
        ("空前绝后", "力度大"),
        ("举世无双", "独具特色"),
        ("无与伦比", "出色"),
        ("万能", "多用途"),
        ("最后机会", "限时活动, 写明截止时间"),
        ("最后一波", "限时活动, 写明截止时间"),
        ("仅此一次", "限时活动, 写明活动时间"),
        ("首选", "推荐"),
        ("首家", "删除“首家”, 或注明可查证的依据"),
        ("全球首发", "新品发布"),
        ("唯一指定", "官方授权 (附授权证明)"),
        ("全网唯一", "特色款"),
        ("全国唯一", "特色款"),
    ),
)

AD_FALSE = (
    RuleGroup(
        "ad_false",
        "广告法第四条、第二十八条: 广告不得含有虚假或者引人误解的内容, "
        "不得对商品功效作无法证实的断言或保证",
        (
            ("100%有效", "效果因人而异"),
            ("百分百有效", "效果因人而异"),
            ("百分之一百有效", "效果因人而异"),
            ("百分之百有效", "效果因人而异"),
            ("无效退款", "删除效果承诺, 写明真实售后政策 (如七天无理由退货)"),
            ("无效全额退款", "删除效果承诺, 写明真实售后政策 (如七天无理由退货)"),
            ("永不反弹", "删除“永不反弹”; 如实说明需配合饮食与运动"),
            ("一次见效", "效果因人而异"),
            ("立竿见影", "效果因人而异"),
            ("零副作用", "删除, 如实说明适用人群与注意事项"),
            ("无副作用", "删除, 如实说明适用人群与注意事项"),
        ),
    ),
    RuleGroup(
        "ad_false",
        "广告法第十七条: 除医疗、药品、医疗器械广告外, 禁止其他任何广告涉及疾病治疗功能",
        (
            ("根治", _CUT_CURE),
            ("药到病除", _CUT_CURE),
            ("包治百病", _CUT_CURE),
            ("彻底治愈", _CUT_CURE),
            ("治愈", _CUT_CURE),
            ("永不复发", _CUT_CURE),
            ("抗癌", _CUT_CURE),
            ("防癌", _CUT_CURE),
            ("降血压", _CUT_CURE),
            ("降血糖", _CUT_CURE),
            ("降三高", _CUT_CURE),
        ),
    ),
    RuleGroup(
        "ad_false",
        "广告法第十六条第一款第二项: 不得说明治愈率或者有效率",
        (("治愈率", "删除治愈率/有效率数据"), ("有效率", "删除治愈率/有效率数据")),
    ),
)

SENSITIVE = (
    RuleGroup(
        "sensitive",
        "电子商务法第十七条: 不得以虚构交易、编造用户评价等方式进行虚假或者引人误解的商业宣传",
        (
            ("好评返现", "删除; 邀请真实评价, 不以奖励换好评"),
            ("好评返", "删除; 邀请真实评价, 不以奖励换好评"),
            ("晒图返现", "删除; 邀请真实评价, 不以奖励换好评"),
            ("刷单", "删除"),
        ),
    ),
    RuleGroup(
        "sensitive",
        "平台营销规范: 返利、返现类营销须写明规则, 人工复核",
        (("返利", "会员积分奖励 (写明规则)"), ("返现", "下单立减 (写明规则)")),
    ),
    RuleGroup(
        "sensitive",
        "广告法第八条第二款: 附带赠送的, 应当明示赠送商品的品种、规格、数量、期限和方式",
        (
            ("免费赠品", "赠品 (写明品名、规格、数量、期限与领取方式)"),
            ("免费送", "赠送 (写明品名、规格、数量、期限与领取方式)"),
            ("免费领", "领取 (写明品名、规格、数量、期限与领取条件)"),
            ("0元购", "写明活动规则与领取条件"),
            ("零元购", "写明活动规则与领取条件"),
            ("白送", "赠送 (写明品名、规格、数量、期限与领取方式)"),
        ),
    ),
    RuleGroup(
        "sensitive",
        "广告法第二十五条: 不得对未来收益作保证性承诺, 明示或者暗示保本、无风险或者保收益",
        (
            ("稳赚", "删除收益承诺, 提示风险"),
            ("稳赚不赔", "删除收益承诺, 提示风险"),
            ("保本", "删除收益承诺, 提示风险"),
            ("保收益", "删除收益承诺, 提示风险"),
            ("躺赚", "删除收益承诺, 提示风险"),
            ("日赚", "删除收益承诺, 提示风险"),
            ("零风险", "删除收益承诺, 提示风险"),
            ("高回报", "删除收益承诺, 提示风险"),
        ),
    ),
    RuleGroup(
        "sensitive",
        "平台规范: 不得以奖励诱导用户分享、集赞或拉人",
        (
            ("集赞", "删除集赞要求"),
            ("转发朋友圈", "欢迎分享 (不附带奖励条件)"),
            ("拉人头", "删除"),
        ),
    ),
)

GROUPS: tuple[RuleGroup, ...] = (AD_ABSOLUTE, *AD_FALSE, *SENSITIVE)

# Measure words and time words after 第一/第1 that make it an ordinal, not a ranking.
_ORDINAL_TAILS = (
    *"次天步个件批期轮波季章节口眼单杯份箱盒袋瓶包周年月日号层排站课集部页条种项道场届辆张本款组关手",
    *"百千万十",
    "阶段", "时间", "印象", "感觉", "反应",
)

ALLOW: tuple[str, ...] = (
    *(f"第一{tail}" for tail in _ORDINAL_TAILS),
    *(f"第1{tail}" for tail in _ORDINAL_TAILS),
    "最佳赏味期",
    "最佳食用期",
    "最佳饮用期",
    "最佳食用时间",
    "最佳饮用时间",
    "太极品",
    "积极品",
    "极品飞车",  # a game title
    # names and titles that contain 第一 without claiming a rank
    "第一汽车",  # 中国第一汽车集团 (一汽)
    "第一书记",
    "第一财经",
    # "the first buyer" mechanics
    "第一位下单",
    "第一位购买",
    "第一位付款",
    # free delivery is a service, not a free gift
    "免费送货",
    "免费送达",
    "免费送上门",
    "万能胶",
    "万能表",
    "万能充",
    "万能钥匙",
    "有效期",
    "治愈系",
    "首选项",
    "确保本",
)

# Contact and link rules (matched by patterns, not word lists).
CONTACT_RULE = "平台导流规范: 不得在文案中留站外联系方式 (手机号、微信、QQ、邮箱) 引流"
CONTACT_SUGGESTION = "删除联系方式, 引导用户通过平台内客服或社群沟通"
LINK_RULE = "平台导流规范: 不得在文案中放置站外链接或域名"
LINK_SUGGESTION = "删除外部链接, 改用平台内商品卡片或小程序页面"
CUSTOM_RULES = {"block": "商户自定义词表: 拦截", "review": "商户自定义词表: 人工复核"}
CUSTOM_SUGGESTION = "按商户文案规范修改或删除"

# Top-level domains recognised in bare domains (example.com) and in disguised ones.
TLDS = (
    "com", "cn", "net", "org", "top", "xyz", "vip", "shop", "cc", "io", "me", "info", "link",
    "ltd", "site", "online", "club", "tv", "co", "app", "hk", "tw", "store", "wang", "ink",
    "fun", "live", "pro", "biz", "mobi", "asia", "tech", "space", "work", "icu", "cloud",
)
