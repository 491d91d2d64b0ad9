"""The console's messages for its promotion pages (促销, 审批, 优惠券, 价保) in zh-CN and en,
those of the 秒杀, 红包 and 法务复核 pages (`hot_messages`), and `t()`: these first, then
the shared catalogue of `siyu.core.i18n`.

Kept beside the pages that use them so the console can grow without touching core;
the keys follow the same scheme as `siyu.core.i18n.MESSAGES` and may move there.
"""

from __future__ import annotations

from siyu.core import i18n
from siyu.web import hot_messages


def _m(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


MESSAGES: dict[str, dict[str, str]] = {
    "nav.promotions": _m("促销", "Promotions"),
    "nav.approvals": _m("审批", "Approvals"),
    "nav.coupons": _m("优惠券", "Coupons"),
    "nav.price_protection": _m("价保", "Price protection"),
    "beijing_time": _m("北京时间", "Beijing time"),
    "unlimited": _m("不限", "Unlimited"),
    "back": _m("返回列表", "Back to the list"),
    # Promotions (促销)
    "promos.title": _m("促销活动", "Promotions"),
    "promos.unit": _m("个促销", "promotions"),
    "promos.empty": _m("还没有促销活动。用 API (POST /api/v1/promotions) 或命令行 "
                       "siyu promo create 新建后会显示在这里。",
                       "No promotions yet. Create one with the API (POST /api/v1/promotions) "
                       "or siyu promo create and it shows up here."),
    "promos.empty_status": _m("这个状态下没有促销, 换一个状态看看。",
                              "No promotion has this status; try another filter."),
    "promo.status.all": _m("全部", "All"),
    "promo.status.active": _m("进行中", "Active"),
    "promo.status.pending_approval": _m("待审批", "Pending approval"),
    "promo.status.pending_review": _m("待法务复核", "In legal copy review"),
    "promo.status.rejected": _m("已驳回", "Rejected"),
    "promo.status.disabled": _m("已停用", "Disabled"),
    "promo.window.not_started": _m("未开始", "Not started"),
    "promo.window.ended": _m("已结束", "Ended"),
    "promo.window.open": _m("长期", "Open-ended"),
    "promo.kind.threshold": _m("满减", "Spend & save"),
    "promo.kind.percent": _m("折扣", "Percent off"),
    "promo.kind.fixed": _m("立减", "Amount off"),
    "promo.kind.nth_item": _m("第N件折扣", "Nth item off"),
    "promo.kind.buy_x_get_y": _m("买赠", "Buy X get Y"),
    "promo.kind.bundle_price": _m("组合价", "Bundle price"),
    "col.code": _m("编号", "Code"),
    "col.status": _m("状态", "Status"),
    "col.window": _m("活动时间 (北京时间)", "Time window (Beijing)"),
    "col.budget": _m("预算 已用 / 总额", "Budget spent / total"),
    "col.uses": _m("使用 / 上限", "Uses / limit"),
    "col.rule": _m("规则", "Rule"),
    "col.red_line": _m("红线", "Red line"),
    "col.sku": _m("商品 SKU", "SKU"),
    "col.price": _m("售价", "Price"),
    "col.worst_price": _m("最低可到", "Worst price"),
    "col.floor": _m("底线", "Floor"),
    "col.reason": _m("原因", "Reason"),
    "col.actions": _m("操作", "Actions"),
    "promo.rule": _m("规则说明", "Rule in words"),
    "promo.scope": _m("适用范围", "Applies to"),
    "promo.audience": _m("适用人群", "Who may use it"),
    "promo.stacking": _m("叠加", "Stacking"),
    "promo.limits": _m("预算与次数", "Budget and limits"),
    "promo.per_member_limit": _m("每人限用", "Per member"),
    "promo.total_limit": _m("总次数上限", "Total uses"),
    "promo.review": _m("审批记录", "Review"),
    "promo.updated": _m("最后修改", "Last edited"),
    "promo.red_line": _m("价格红线", "Price red line"),
    "promo.red_line.none": _m("所有适用商品的最低可到价格都在底线之上, 无需审批。",
                              "Every SKU's worst price stays above its floors: no approval "
                              "needed."),
    "promo.red_line.count": _m("个商品触线", "SKUs below a floor"),
    "promo.not_found": _m("找不到这个促销, 它可能不属于当前商户或已被删除。",
                          "No such promotion in this merchant's account."),
    "promo.open_detail": _m("查看详情", "Details"),
    "redline.margin_floor": _m("低于毛利底线", "Below the margin floor"),
    "redline.daily_price_band": _m("低于日常价允许区间", "Below the daily-price band"),
    # Approvals (审批)
    "approvals.title": _m("促销审批", "Promotion approvals"),
    "approvals.lead": _m("触及价格红线的促销在审批前不会生效; 店主或法务可以批准或驳回。",
                         "A promotion that breaks a price red line does not apply until "
                         "approved; the owner or legal may approve or reject it."),
    "approvals.empty": _m("没有待审批的促销, 所有促销都在价格红线之内。",
                          "Nothing waits for approval: every promotion is within the red "
                          "lines."),
    "approvals.readonly": _m("只有店主或法务可以审批, 你当前的角色只能查看。",
                             "Only the owner or legal may approve; your role can only view "
                             "the queue."),
    "approvals.note": _m("审批意见 (选填)", "Note (optional)"),
    "approvals.approve": _m("批准", "Approve"),
    "approvals.reject": _m("驳回", "Reject"),
    "approvals.approved": _m("已批准, 促销已生效:", "Approved, now active:"),
    "approvals.rejected": _m("已驳回:", "Rejected:"),
    "approvals.not_pending": _m("这个促销已不在待审批状态, 可能已被别人处理。",
                                "This promotion no longer waits for approval; someone may "
                                "have decided already."),
    "approvals.edited_by": _m("提交人", "Submitted by"),
    "csrf.bad": _m("页面已过期, 请刷新后再提交。", "This page expired; reload it and try again."),
    # Coupons (优惠券)
    "coupons.title": _m("优惠券", "Coupons"),
    "coupons.unit": _m("个券模板", "templates"),
    "coupons.empty": _m("还没有优惠券模板。用 API (POST /api/v1/coupon-templates) 创建后, "
                        "会员即可领取, 领取和使用情况会显示在这里。",
                        "No coupon templates yet. Create one with the API (POST "
                        "/api/v1/coupon-templates); claims and uses show up here."),
    "col.face_value": _m("面额", "Face value"),
    "col.min_spend": _m("使用门槛", "Minimum spend"),
    "col.stock": _m("已领 / 总量", "Claimed / stock"),
    "col.per_member": _m("每人限领", "Per member"),
    "col.claim_window": _m("领取时间", "Claim window"),
    "col.validity": _m("有效期", "Valid"),
    "col.used": _m("已使用", "Used"),
    "coupon.no_threshold": _m("无门槛", "No minimum"),
    "coupon.min_spend": _m("满 {amount} 可用", "Spend {amount}+"),
    "coupon.valid_days": _m("领取后 {n} 天内", "{n} days after claim"),
    "coupon.valid_until": _m("至 {at}", "Until {at}"),
    "coupon.valid_forever": _m("长期有效", "No expiry"),
    "coupon.any_time": _m("随时可领", "Any time"),
    "coupon.status.claimable": _m("领取中", "Claimable"),
    "coupon.status.not_started": _m("未开始", "Not started"),
    "coupon.status.ended": _m("已结束", "Ended"),
    "coupon.status.sold_out": _m("已领完", "Sold out"),
    "coupon.status.inactive": _m("未生效 (文案复核)", "Inactive (copy review)"),
    # Price protection (价保)
    "pp.title": _m("价格保护 (价保)", "Price protection"),
    "pp.lead": _m("商品降价后, 此前 {days} 天内付款的订单按差价退款 (已按订单优惠折算)。",
                  "After a price drop, orders paid in the {days} days before are owed the "
                  "difference (net of the order's discounts)."),
    "pp.empty": _m("还没有降价记录, 暂时没有需要退的差价。商品改价 (降价) 后会自动核算。",
                   "No price drops yet, so no refunds are owed. Lowering a product's price "
                   "computes them automatically."),
    "pp.refunds_empty": _m("这些降价没有产生应退款的订单。",
                           "These drops left no order owed a refund."),
    "pp.total_owed": _m("待退金额", "Refunds owed"),
    "pp.total_refund": _m("应退合计", "Refunds in total"),
    "pp.orders": _m("涉及订单", "Orders owed"),
    "pp.drops_count": _m("降价次数", "Price drops"),
    "pp.drops": _m("降价记录", "Price drops"),
    "pp.refunds": _m("应退明细 (按订单)", "Refunds per order"),
    "pp.unit": _m("条应退记录", "refunds"),
    "pp.sku_filter": _m("全部商品", "All SKUs"),
    "col.dropped_at": _m("降价时间", "Dropped at"),
    "col.old_new": _m("原价 → 新价", "Old → new price"),
    "col.window_days": _m("保价天数", "Window (days)"),
    "col.source": _m("来源", "Source"),
    "col.refund_orders": _m("应退订单", "Orders owed"),
    "col.order_no": _m("订单号", "Order"),
    "col.member": _m("会员", "Member"),
    "col.qty": _m("数量", "Qty"),
    "col.paid": _m("实付", "Paid"),
    "col.unit_paid": _m("实付单价", "Unit paid"),
    "col.new_price": _m("新价", "New price"),
    "col.refund": _m("应退", "Refund"),
    "pp.source.catalog": _m("改价自动核算", "Catalog price change"),
    "pp.source.manual": _m("手动核算", "Manual run"),
    "pp.status.owed": _m("待退款", "Owed"),
    "pp.status.paid": _m("已退款", "Refunded"),
}
MESSAGES.update(hot_messages.MESSAGES)


def t(key: str, lang: str = "zh-CN") -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return i18n.t(key, lang)
    return entry.get(lang) or entry["zh-CN"]
