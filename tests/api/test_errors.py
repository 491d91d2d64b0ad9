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
