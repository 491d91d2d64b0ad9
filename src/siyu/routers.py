"""The list of domain routers and the console; app.py includes them all.

Add one line per domain here (and nothing else), so parallel work does not collide.
"""

from __future__ import annotations

from fastapi import FastAPI


def include_all(app: FastAPI) -> None:
    from siyu.audit.api import router as audit_router
    from siyu.catalog.api import router as catalog_router
    from siyu.channels.api import router as channels_router
    from siyu.events.api import router as events_router
    from siyu.groups.api import router as groups_router
    from siyu.io.api import router as io_router
    from siyu.members.api import router as members_router
    from siyu.orders.api import router as orders_router

    for router in (members_router, catalog_router, orders_router, events_router, audit_router,
                   io_router, groups_router, channels_router):
        app.include_router(router, prefix="/api/v1")
    from siyu.promo.api import router as promo_router

    app.include_router(promo_router, prefix="/api/v1")
    from siyu.coupons.api import router as coupons_router
    from siyu.flashsale.api import router as flashsale_router
    from siyu.hongbao.api import router as hongbao_router

    for router in (hongbao_router, flashsale_router, coupons_router):
        app.include_router(router, prefix="/api/v1")
    from siyu.risk.api import router as risk_router
    from siyu.risk.incidents_api import router as incidents_router
    from siyu.risk.orders_api import router as risk_orders_router

    for router in (risk_router, risk_orders_router, incidents_router):
        app.include_router(router, prefix="/api/v1")

    from siyu.analytics.api import router as analytics_router
    from siyu.segments.api import router as segments_router

    for router in (analytics_router, segments_router):
        app.include_router(router, prefix="/api/v1")

    from fastapi.staticfiles import StaticFiles

    from siyu.web.console import STATIC_DIR
    from siyu.web.console import router as console_router

    app.include_router(console_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
