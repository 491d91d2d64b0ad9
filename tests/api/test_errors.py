"""Errors everywhere are JSON {"error": {"code", "message", "field"}} with 4xx."""


def test_oversized_body_is_413_before_reading(api, runtime):
    runtime.settings = runtime.settings.model_copy(update={"max_upload_bytes": 1000})
    r = api.post("/api/v1/members", content=b"x" * 5000,
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_malformed_json_is_422(api):
    r = api.post("/api/v1/members", content=b'{"external_id": ',
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"


def test_unknown_route_is_json_404(api):
    r = api.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_openapi_is_served(client):
    doc = client.get("/openapi.json").json()
    assert "/api/v1/members" in doc["paths"]


def test_unknown_paths_and_methods_answer_chinese_json(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"] == {"code": "not_found", "field": None,
                                 "message": "接口不存在: /api/v1/nothing-here"}
    r = client.delete("/healthz")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert r.json()["error"]["message"] == "/healthz 不支持 DELETE 请求"
    assert "GET" in r.headers["allow"]


def test_a_busy_database_is_503_json_and_a_crash_500_json(runtime):
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from siyu.app import create_app

    app = create_app(runtime)

    def locked():
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    def pool_full():
        raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached")

    def bug():
        raise RuntimeError("boom")

    for path, fn in (("/locked", locked), ("/pool", pool_full), ("/bug", bug)):
        app.add_api_route(path, fn)
    client = TestClient(app, raise_server_exceptions=False)
    for path in ("/locked", "/pool"):
        r = client.get(path)
        assert (r.status_code, r.json()["error"]["code"]) == (503, "busy")
        assert r.headers["retry-after"] == "1" and "Idempotency-Key" in r.json()["error"]["message"]
    r = client.get("/bug")
    assert (r.status_code, r.json()["error"]["code"]) == (500, "internal_error")
    assert "boom" not in r.text


def test_request_threads_never_outnumber_the_database_pool(runtime):
    from siyu.app import request_threads
    from siyu.db.engine import make_engine

    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        assert request_threads(type(runtime)(runtime.settings, engine, runtime.sessions,
                                             runtime.clock)) == 28  # 10 + 20 - 2
    finally:
        engine.dispose()


def test_an_unknown_member_in_a_body_is_named_by_its_field(api):
    r = api.post("/api/v1/orders", json={"member_id": 999_999, "lines": [
        {"sku": "X", "qty": 1, "price": "1.00"}]})
    assert r.status_code == 404, r.text
    assert r.json()["error"] == {"code": "member_not_found", "field": "member_id",
                                 "message": "member_id: 会员 999999 不存在"}
    r = api.get("/api/v1/members/999999")
    assert (r.json()["error"]["field"], r.json()["error"]["message"]) == (
        "id", "id: 会员 999999 不存在")


def test_an_order_ip_must_be_an_ip_address(api):
    r = api.post("/api/v1/products", json={"sku": "IP1", "name": "坚果", "price": "9.90",
                                           "stock": 5})
    assert r.status_code == 201, r.text
    order = {"lines": [{"sku": "IP1", "qty": 1}], "ip": "999.1.1.1"}
    r = api.post("/api/v1/orders", json=order)
    assert r.status_code == 422 and r.json()["error"]["field"] == "ip", r.text
    assert "不是有效的 IP 地址" in r.json()["error"]["message"]
    r = api.post("/api/v1/orders", json=order | {"ip": "2001:DB8:0::1"})
    assert r.status_code == 201, r.text
