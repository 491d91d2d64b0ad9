"""Built-in lists for the simulator: names, phone prefixes, channels, tags, the catalog of
a New-Year nut / tea / gift-box merchant, and the copy its customers write in groups.

Everything here is made up; phone numbers are random numbers on real mobile prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass

# 百家姓, most common first, with rough weights (per mille of the population).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72), ("李", 72), ("张", 69), ("刘", 54), ("陈", 46), ("杨", 33), ("黄", 24),
    ("赵", 23), ("吴", 21), ("周", 21), ("徐", 17), ("孙", 16), ("马", 16), ("朱", 14),
    ("胡", 14), ("郭", 13), ("何", 12), ("林", 12), ("罗", 11), ("高", 11), ("郑", 10),
    ("梁", 10), ("谢", 9), ("宋", 8), ("唐", 8), ("许", 8), ("韩", 7), ("冯", 7),
    ("邓", 7), ("曹", 7), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 6), ("董", 6),
    ("潘", 5), ("袁", 5), ("蔡", 5), ("蒋", 5), ("余", 5), ("于", 5), ("杜", 5),
    ("叶", 5), ("程", 5), ("魏", 4), ("苏", 4), ("吕", 4), ("丁", 4), ("任", 4),
    ("卢", 4), ("姚", 4), ("沈", 4), ("钟", 4), ("姜", 4), ("崔", 3), ("谭", 3),
    ("陆", 3), ("范", 3), ("汪", 3), ("廖", 3), ("石", 3), ("金", 3), ("韦", 3),
    ("贾", 3), ("夏", 3), ("付", 3), ("方", 3), ("邹", 2), ("熊", 2), ("白", 2),
    ("孟", 2), ("秦", 2), ("邱", 2), ("侯", 2), ("江", 2), ("尹", 2), ("薛", 2),
    ("闫", 2), ("段", 2), ("雷", 2), ("龙", 2), ("黎", 2), ("史", 2), ("陶", 2),
    ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("欧阳", 1),
    ("司马", 1), ("上官", 1), ("诸葛", 1),
)

GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏建波辉宇浩凯"
    "婷雪琳晨欣怡佳悦子涵梓轩一诺雨萱思远博文嘉俊晓燕春梅海峰志刚国庆宏亮"
    "小红丹丹慧敏雅琪梦瑶天佑子墨若曦可馨昊然语桐芷若锦程书瑶安然沐阳亦凡"
    "德华永福金凤淑珍秀兰玉兰桂芳振华建国立新文静晓东"
)

# Mobile prefixes of China Mobile / Unicom / Telecom / broadcast (no 170/171 virtuals).
PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177",
    "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191",
    "192", "193", "195", "196", "198", "199",
)

# Acquisition channels (活码 per channel) with their share of newcomers.
CHANNELS: tuple[tuple[str, int], ...] = (
    ("store_counter", 28), ("order_card", 22), ("share_link", 16), ("kol", 12),
    ("mini_program", 12), ("moments_ad", 10),
)

# Interest / behaviour tags with the share of members carrying them.
TAGS: tuple[tuple[str, float], ...] = (
    ("年货", 0.62), ("坚果", 0.48), ("送礼", 0.34), ("囤货", 0.26), ("自用", 0.30),
    ("茶叶", 0.16), ("宝妈", 0.14), ("长辈", 0.10), ("价格敏感", 0.18), ("高客单", 0.08),
    ("企业采购", 0.03),
)

# Tag -> product categories that member likes to look at.
TAG_CATEGORIES: dict[str, tuple[str, ...]] = {
    "坚果": ("nuts", "gift_box"), "送礼": ("gift_box", "tea"), "囤货": ("pack", "dried_fruit"),
    "自用": ("nuts", "dried_fruit", "snack"), "茶叶": ("tea",), "宝妈": ("nuts", "dried_fruit"),
    "长辈": ("tea", "dried_fruit"), "高客单": ("gift_box", "tea"), "企业采购": ("gift_box",),
}

# Tag -> the themed group such a member is invited to first.
TAG_GROUP_KIND: dict[str, str] = {"送礼": "gift", "企业采购": "gift", "囤货": "stock_up",
                                  "自用": "self_use", "宝妈": "self_use"}

GROUP_NAMES: dict[str, str] = {
    "gift": "送礼群", "stock_up": "囤货群", "self_use": "自用群", "red_envelope": "红包福利群",
    "merchant": "商家群", "flash_sale": "秒杀群",
}

GROUP_OWNERS = ("运营-小林", "运营-阿杰", "店长-王姐", "客服-小美", "运营-大周", "社群-糖糖")

TIER_WEIGHTS: tuple[tuple[str, int], ...] = (("V1", 52), ("V2", 26), ("V3", 13), ("V4", 6),
                                             ("V5", 3))

CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("浙江省", "杭州市", ("西湖区", "滨江区", "余杭区", "拱墅区")),
    ("上海市", "上海市", ("浦东新区", "徐汇区", "闵行区", "静安区")),
    ("江苏省", "南京市", ("鼓楼区", "建邺区", "江宁区")),
    ("江苏省", "苏州市", ("姑苏区", "工业园区", "吴中区")),
    ("广东省", "广州市", ("天河区", "越秀区", "番禺区")),
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区")),
    ("北京市", "北京市", ("朝阳区", "海淀区", "丰台区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "高新区")),
    ("湖北省", "武汉市", ("洪山区", "江汉区", "武昌区")),
    ("山东省", "济南市", ("历下区", "槐荫区")),
    ("福建省", "厦门市", ("思明区", "湖里区")),
    ("安徽省", "合肥市", ("蜀山区", "包河区")),
)
STREETS = ("文一路", "人民路", "解放路", "中山路", "建设路", "和平路", "长江路", "新华路",
           "学院路", "滨江大道", "湖滨路", "幸福路")

DEVICES = ("iPhone 15", "iPhone 14 Pro", "iPhone 13", "HUAWEI Mate 60", "HUAWEI nova 12",
           "Xiaomi 14", "Redmi K70", "OPPO Reno11", "vivo X100", "HONOR 100", "iPad Air")

MESSAGE_TEXTS = (
    "请问坚果礼盒什么时候发货?", "已下单,坐等年货到家", "188的礼盒送长辈很体面",
    "今晚八点的秒杀还有吗?", "求链接", "拍了两盒,一盒自己吃一盒送人", "开心果颗粒很大,好吃",
    "满300减50能和会员折扣一起用吗", "红包雨几点开始?", "谢谢群主的红包🧧",
    "龙井是今年的新茶吗", "每日坚果孩子很爱吃", "给公司同事订了十盒", "已签到",
    "物流到哪了,好着急", "礼盒包装很喜庆", "可以开发票吗?", "想囤点过年吃的,推荐一下",
    "88的礼盒里有几罐?", "第二件半价还有吗", "大家新年快乐!", "晒单:全家都说好吃",
    "碧根果有点小,其他都不错", "请问能指定送货时间吗", "已拼团,还差一人",
    "去年买过,今年继续", "客服回复很快,点赞", "坚果会不会受潮?", "好的收到", "👍👍👍",
)
GREETINGS = ("大家好,新人报到", "进群领券🧧", "你好,我是朋友推荐来的", "大家好")


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    category: str
    price: str
    cost: str
    daily_price: str
    stock_per_10k: int
    popularity: int
    tags: tuple[str, ...]


CATALOG: tuple[ProductSpec, ...] = (
    ProductSpec("NUT-DAILY30", "每日坚果 30包家庭装", "nuts", "129.00", "72.00", "149.00",
                4000, 10, ("坚果", "自用", "囤货")),
    ProductSpec("NUT-MAC500", "奶油味夏威夷果 500g", "nuts", "49.90", "26.00", "59.90",
                3000, 7, ("坚果", "自用")),
    ProductSpec("NUT-PECAN500", "碧根果 500g", "nuts", "59.90", "31.00", "69.90",
                2500, 6, ("坚果",)),
    ProductSpec("NUT-PIST500", "原味开心果 500g", "nuts", "69.90", "38.00", "79.90",
                2500, 6, ("坚果",)),
    ProductSpec("NUT-CASH500", "炭烧腰果 500g", "nuts", "55.90", "29.00", "65.90",
                2000, 5, ("坚果",)),
    ProductSpec("NUT-ALM500", "巴旦木 500g", "nuts", "45.90", "24.00", "52.90",
                2000, 4, ("坚果",)),
    ProductSpec("NUT-PINE250", "东北红松子 250g", "nuts", "89.00", "52.00", "99.00",
                1200, 3, ("坚果", "高客单")),
    ProductSpec("NUT-HICK250", "临安手剥山核桃 250g", "nuts", "79.00", "44.00", "89.00",
                1200, 3, ("坚果",)),
    ProductSpec("DRY-DATE1K", "新疆和田骏枣 1kg", "dried_fruit", "59.00", "30.00", "69.00",
                2500, 5, ("年货", "囤货")),
    ProductSpec("DRY-RAISIN", "吐鲁番葡萄干 500g", "dried_fruit", "29.90", "14.00", "35.90",
                2500, 4, ("年货",)),
    ProductSpec("DRY-MANGO", "芒果干 400g", "dried_fruit", "39.90", "20.00", "45.90",
                2000, 4, ("自用",)),
    ProductSpec("TEA-LJ250", "明前西湖龙井 250g", "tea", "298.00", "165.00", "358.00",
                700, 3, ("茶叶", "送礼")),
    ProductSpec("TEA-JJM250", "武夷山金骏眉 250g", "tea", "268.00", "148.00", "318.00",
                600, 2, ("茶叶", "送礼")),
    ProductSpec("TEA-PUER357", "云南普洱熟茶饼 357g", "tea", "188.00", "98.00", "218.00",
                800, 2, ("茶叶",)),
    ProductSpec("TEA-BAI200", "安吉白茶 200g", "tea", "228.00", "125.00", "268.00",
                600, 2, ("茶叶", "送礼")),
    ProductSpec("TEA-JAS250", "横县茉莉花茶 250g", "tea", "68.00", "34.00", "78.00",
                1500, 3, ("茶叶", "自用")),
    ProductSpec("GIFT-88", "福满堂坚果礼盒 88型 (6罐)", "gift_box", "88.00", "52.00", "108.00",
                3500, 9, ("送礼", "年货", "坚果")),
    ProductSpec("GIFT-188", "年年有余坚果礼盒 188型 (10罐)", "gift_box", "188.00", "108.00",
                "228.00", 3000, 8, ("送礼", "年货", "坚果")),
    ProductSpec("GIFT-288", "鸿运当头臻选礼盒 288型 (坚果+茶)", "gift_box", "288.00", "165.00",
                "358.00", 1800, 6, ("送礼", "年货", "高客单")),
    ProductSpec("GIFT-TEA388", "春节茶礼盒 (龙井+白茶)", "gift_box", "388.00", "220.00",
                "458.00", 500, 2, ("送礼", "茶叶", "高客单")),
    ProductSpec("GIFT-CORP588", "企业定制年货礼盒", "gift_box", "588.00", "340.00", "688.00",
                600, 1, ("企业采购", "送礼")),
    ProductSpec("PACK-FAMILY", "年货大礼包 家庭装 3kg", "pack", "199.00", "118.00", "239.00",
                1500, 5, ("囤货", "年货")),
    ProductSpec("SNK-CANDY1K", "喜糖什锦 1kg", "snack", "39.90", "19.00", "46.90",
                2200, 3, ("年货",)),
    ProductSpec("FS-NUT7", "每日坚果 7包尝鲜装 (秒杀)", "nuts", "9.90", "6.90", "29.90",
                0, 0, ("秒杀",)),
)
FLASH_SKU = "FS-NUT7"
# Flash-sale units per session (10:00 / 15:00 / 20:00) per 10,000 members.
FLASH_STOCK_PER_10K = 80
FLASH_HOURS = (10, 15, 20)
