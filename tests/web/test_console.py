"""The console end to end through FastAPI's test client, on SQLite and PostgreSQL:
sign-in, KPI numbers against an independent computation, language switch, lists,
and tenant crossing."""

import re

import pytest
from sqlalchemy import select

from siyu.core.clock import beijing_date, to_beijing
from siyu.db.engine import transaction
from siyu.events.models import Event
from siyu.groups.models import Group, GroupMembership
from siyu.members.models import Member, MemberTag, Tag
from siyu.merchants.service import create_merchant
from siyu.orders.models import Order
from siyu.sim.runner import SimConfig, simulate
from siyu.web.format import yuan

KPI_RE = re.compile(r'data-kpi="(\w+)">\s*<div class="kpi-title">[^<]*</div>\s*'
                    r'<div class="kpi-value">([^<]*)</div>')


def simulated(runtime, name, seed, brand="坚果年货", members=120):
    with transaction(runtime.sessions) as s:
        merchant, key = create_merchant(s, name)
        simulate(s, merchant.id, SimConfig(members=members, seed=seed, brand=brand),
                 now=runtime.clock.now())
        return merchant.id, key


@pytest.fixture
def shop(runtime):
    return simulated(runtime, "坚果铺甲", seed=11)


@pytest.fixture
def rival(runtime):
    return simulated(runtime, "坚果铺乙", seed=12, brand="乙家年货")


def signed_in(client, key):
    r = client.post("/console/signin", data={"api_key": key}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console"
    return r


def expected_kpis(runtime, merchant_id):
    """The home page's numbers, computed here in Python from the raw rows."""
    now = runtime.clock.now()
    today = beijing_date(now)
    with runtime.sessions() as s:
        def all_of(model):
            return list(s.scalars(select(model).where(model.merchant_id == merchant_id)))
        members, stays = all_of(Member), all_of(GroupMembership)
        events, orders, groups = all_of(Event), all_of(Order), all_of(Group)
    in_groups = {st.member_id for st in stays
                 if st.joined_at <= now and (st.left_at is None or st.left_at > now)}
    speakers = {e.member_id for e in events if e.kind == "message" and e.group_id
                and beijing_date(e.at) == today and e.at < now}
    paid = [o for o in orders if o.paid_at is not None and beijing_date(o.paid_at) == today]
    month = [g for g in groups
             if (to_beijing(g.created_at).year, to_beijing(g.created_at).month)
             == (today.year, today.month)]
    return {"new_groups": f"{len(month):,}",
            "activity": f"{len(speakers) / len(in_groups) * 100:.1f}%",
            "members": f"{sum(1 for m in members if m.erased_at is None):,}",
            "group_members": f"{len(in_groups):,}", "orders": f"{len(paid):,}",
            "gmv": "¥" + yuan(sum(o.total_fen for o in paid)),
            "_speakers": len(speakers)}


def test_root_and_console_redirect_to_sign_in_when_signed_out(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/console"
    for path in ("/console", "/console/members", "/console/groups"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/console/signin"
    page = client.get("/console/signin")
    assert page.status_code == 200 and "API 密钥" in page.text


def test_bad_key_shows_the_error_and_sets_no_cookie(client):
    r = client.post("/console/signin", data={"api_key": "sk_not-a-real-key"})
    assert r.status_code == 401 and "API 密钥无效" in r.text
    assert "siyu_key" not in r.headers.get("set-cookie", "")
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_good_key_sets_an_httponly_lax_cookie_and_shows_kpis(client, runtime, shop):
    merchant_id, key = shop
    cookie = signed_in(client, key).headers["set-cookie"]
    assert "siyu_key=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/console")
    assert page.status_code == 200 and "坚果铺甲" in page.text and "社群活跃率" in page.text
    shown = dict(KPI_RE.findall(page.text))
    expected = expected_kpis(runtime, merchant_id)
    assert expected["_speakers"] > 0  # the live simulation has chatter today
    assert shown == {k: v for k, v in expected.items() if not k.startswith("_")}
    assert page.text.count('<circle class="dot"') == 14
    assert page.text.count('<rect class="bar') == 14
    assert "目标 200" in page.text and "目标 25%" in page.text


def test_kpis_stay_within_the_merchant(client, runtime, shop, rival):
    merchant_id, key = shop
    signed_in(client, key)
    shown = dict(KPI_RE.findall(client.get("/console").text))
    expected = expected_kpis(runtime, merchant_id)
    assert shown["members"] == expected["members"] == "120"
    assert shown["activity"] == expected["activity"]
    groups = client.get("/console/groups").text
    members = client.get("/console/members?q=S12-").text
    assert "乙家年货" not in groups and "坚果年货" in groups
    assert "S12-" not in members.split('class="table"', 1)[1] and "暂无数据" in members
    assert "S11-" in client.get("/console/members").text


def test_english_switch_is_remembered(client, shop):
    signed_in(client, shop[1])
    r = client.get("/console?lang=en")
    assert "Group activity rate" in r.text and "New groups this month" in r.text
    assert "siyu_lang=en" in r.headers["set-cookie"]
    groups = client.get("/console/groups").text
    kinds = set(re.findall(r'<span class="chip kind">([^<]*)</span>', groups))
    assert "Members / capacity" in groups and kinds and all(k.endswith("group") for k in kinds)
    assert "Members in groups" in client.get("/console").text
    assert "社群活跃率" in client.get("/console?lang=zh-CN").text


def test_members_list_filters_by_tag_and_masks_phones(client, runtime, shop):
    merchant_id, key = shop
    signed_in(client, key)
    with runtime.sessions() as s:
        gift = len(list(s.scalars(
            select(MemberTag.id).join(Tag, Tag.id == MemberTag.tag_id)
            .where(MemberTag.merchant_id == merchant_id, Tag.name == "送礼"))))
    page = client.get("/console/members", params={"tag": "送礼"}).text
    assert f"共 {gift:,} 人" in page
    phones = re.findall(r'<td class="mono">([^<]*)</td>', page)
    assert phones and all(re.fullmatch(r"1\d{2}\*{4}\d{4}", p) for p in phones)
    assert not re.search(r"\b1[3-9]\d{9}\b", page)
    second = client.get("/console/members", params={"page": 2}).text
    assert "S11-000051" in second and "S11-000001" not in second


def test_groups_list_shows_kinds_in_chinese_and_fill(client, runtime, shop):
    merchant_id, key = shop
    signed_in(client, key)
    page = client.get("/console/groups").text
    with runtime.sessions() as s:
        groups = list(s.scalars(select(Group).where(Group.merchant_id == merchant_id)))
    assert f"共 {len(groups)} 个社群" in page
    for g in groups:
        assert g.name in page and f"{g.member_count} / 500" in page
    kinds = set(re.findall(r'<span class="chip kind">([^<]*)</span>', page))
    assert kinds and kinds <= {"送礼群", "囤货群", "自用群", "红包群", "商家群", "秒杀群"}


def test_sign_out_forgets_the_key(client, shop):
    signed_in(client, shop[1])
    r = client.post("/console/signout", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/signin"
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_static_assets_are_served_from_the_package(client):
    css = client.get("/static/console.css")
    assert css.status_code == 200 and "--brand" in css.text
    assert "http" not in css.text  # nothing fetched from a CDN


def test_member_text_is_escaped(client, runtime, shop):
    from siyu.members.schemas import MemberIn
    from siyu.members.service import upsert

    merchant_id, key = shop
    with transaction(runtime.sessions) as s:
        upsert(s, merchant_id, MemberIn(external_id="x-1", nickname="<script>alert(1)</script>"),
               now=runtime.clock.now(), actor="t")
    signed_in(client, key)
    page = client.get("/console/members", params={"q": "x-1"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
