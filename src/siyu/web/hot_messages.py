"""The console's messages for its 秒杀, 红包 and 法务复核 pages in zh-CN and en; merged into
`siyu.web.messages.MESSAGES` (same key scheme), kept apart so neither file grows long."""

from __future__ import annotations


def _m(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


MESSAGES: dict[str, dict[str, str]] = {
    "nav.flash_sales": _m("秒杀", "Flash sales"),
    "nav.envelopes": _m("红包", "Red envelopes"),
    "nav.copy_reviews": _m("法务复核", "Copy review"),
    # Flash sales (秒杀)
    "flash.title": _m("秒杀", "Flash sales"),
    "flash.unit": _m("场秒杀", "flash sales"),
    "flash.empty": _m("还没有秒杀。用 API (POST /api/v1/flash-sales 或 "
                      "/api/v1/flash-sales/sessions) 创建场次后, 库存进度和倒计时会显示在这里。",
                      "No flash sales yet. Create one with the API (POST /api/v1/flash-sales "
                      "or /api/v1/flash-sales/sessions); stock and countdowns show up here."),
    "col.session": _m("场次", "Session"),
    "col.flash_price": _m("秒杀价", "Flash price"),
    "col.sold": _m("已售 / 库存", "Sold / stock"),
    "col.remaining": _m("剩余", "Left"),
    "col.buyers": _m("购买人数", "Buyers"),
    "col.countdown": _m("倒计时", "Countdown"),
    "flash.per_member": _m("每人限购 {n} 件", "Limit {n} per member"),
    "flash.status.upcoming": _m("未开始", "Upcoming"),
    "flash.status.active": _m("进行中", "On sale"),
    "flash.status.sold_out": _m("已售罄", "Sold out"),
    "flash.status.ended": _m("已结束", "Ended"),
    "flash.status.pending_review": _m("待法务复核", "In legal copy review"),
    "flash.status.rejected": _m("文案已驳回", "Copy rejected"),
    "countdown.to_start": _m("距开始 {left}", "Starts in {left}"),
    "countdown.to_end": _m("距结束 {left}", "Ends in {left}"),
    "countdown.over": _m("已结束", "Ended"),
    # Red envelopes (红包)
    "env.title": _m("红包", "Red envelopes"),
    "env.unit": _m("个红包", "envelopes"),
    "env.empty": _m("还没有红包。用 API (POST /api/v1/envelopes 或 /api/v1/envelope-rains) "
                    "发出后, 领取进度和余额会显示在这里。",
                    "No red envelopes yet. Send one with the API (POST /api/v1/envelopes or "
                    "/api/v1/envelope-rains); grabs and balances show up here."),
    "col.greeting": _m("祝福语", "Greeting"),
    "col.total_amount": _m("总金额", "Total"),
    "col.grabbed": _m("已领 / 个数", "Grabbed / count"),
    "col.grabbed_amount": _m("已领金额", "Amount grabbed"),
    "col.remaining_amount": _m("剩余金额", "Amount left"),
    "col.valid": _m("开始 – 过期 (北京时间)", "Starts – expires (Beijing)"),
    "env.kind.lucky": _m("拼手气", "Lucky draw"),
    "env.kind.equal": _m("普通", "Equal shares"),
    "env.kind.targeted": _m("定向", "Targeted"),
    "env.kind.tiered": _m("分享解锁", "Share to unlock"),
    "env.kind.blind_box": _m("盲盒", "Blind box"),
    "env.kind.rain": _m("红包雨", "Envelope rain"),
    "env.wave": _m("第 {n} 波", "wave {n}"),
    "env.refunded": _m("已退回 {amount}", "{amount} refunded"),
    "env.status.active": _m("可领取", "Open"),
    "env.status.not_started": _m("未开始", "Not started"),
    "env.status.empty": _m("已领完", "All grabbed"),
    "env.status.expired": _m("已过期", "Expired"),
    "env.status.refunded": _m("已过期退回", "Expired, refunded"),
    "env.status.pending_review": _m("待法务复核", "In legal copy review"),
    "env.status.rejected": _m("文案已驳回", "Copy rejected"),
    # The legal copy review (法务复核)
    "reviews.title": _m("法务复核", "Legal copy review"),
    "reviews.lead": _m("文案扫描判定需复核的内容 (群消息、红包、秒杀、优惠券、促销、商品、社群) "
                       "在复核通过前不会发出或生效; 店主或法务可以通过或驳回。",
                       "Copy the scanner sent to review (group posts, envelopes, flash sales, "
                       "coupons, promotions, products, groups) is held until decided; the "
                       "owner or legal may approve or reject it."),
    "reviews.unit": _m("条复核", "reviews"),
    "reviews.empty": _m("没有待复核的文案。", "Nothing waits for a copy review."),
    "reviews.empty_status": _m("这个状态下没有复核记录。", "No review has this status."),
    "reviews.readonly": _m("只有店主或法务可以处理复核, 你当前的角色只能查看。",
                           "Only the owner or legal may decide; your role can only view the "
                           "queue."),
    "reviews.note": _m("复核意见 (选填)", "Note (optional)"),
    "reviews.approve": _m("通过", "Approve"),
    "reviews.reject": _m("驳回", "Reject"),
    "reviews.approved": _m("已通过, 内容已放行:", "Approved, released:"),
    "reviews.rejected": _m("已驳回:", "Rejected:"),
    "reviews.decided": _m("这条复核已被处理, 可能已被别人处理。",
                          "This review was already decided, perhaps by someone else."),
    "reviews.not_found": _m("找不到这条复核, 它可能不属于当前商户。",
                            "No such review in this merchant's account."),
    "reviews.failed": _m("无法处理这条复核:", "This review could not be decided:"),
    "reviews.requested_by": _m("提交人", "Requested by"),
    "reviews.decided_by": _m("处理人", "Decided by"),
    "col.match": _m("命中词", "Matched"),
    "col.category": _m("类别", "Category"),
    "col.rule_basis": _m("依据", "Rule"),
    "col.suggestion": _m("修改建议", "Suggestion"),
    "review.status.pending": _m("待复核", "Pending"),
    "review.status.approved": _m("已通过", "Approved"),
    "review.status.rejected": _m("已驳回", "Rejected"),
    "review.status.withdrawn": _m("已撤回", "Withdrawn"),
    "review.source.channel_message": _m("群消息", "Group post"),
    "review.source.envelope": _m("红包", "Red envelope"),
    "review.source.envelope_rain": _m("红包雨", "Envelope rain"),
    "review.source.flash_sale": _m("秒杀", "Flash sale"),
    "review.source.coupon_template": _m("优惠券", "Coupon"),
    "review.source.promotion": _m("促销", "Promotion"),
    "review.source.product": _m("商品", "Product"),
    "review.source.group": _m("社群", "Group"),
    "review.field.greeting": _m("祝福语", "Greeting"),
    "review.field.name": _m("名称", "Name"),
    "review.field.label": _m("场次", "Session label"),
    "review.field.text": _m("正文", "Text"),
    "review.field.title": _m("标题", "Title"),
    "review.field.description": _m("描述", "Description"),
    "risk.category.ad_absolute": _m("绝对化用语", "Absolute claim"),
    "risk.category.ad_false": _m("虚假宣传", "False advertising"),
    "risk.category.sensitive": _m("敏感营销", "Sensitive marketing"),
    "risk.category.contact": _m("联系方式导流", "Contact details"),
    "risk.category.link": _m("外链导流", "Outside link"),
    "risk.category.custom": _m("商户自定义词", "Merchant's own word"),
}
