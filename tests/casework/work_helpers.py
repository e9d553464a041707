"""Shared checks for the work-on-cases API tests."""


def api_error(response, status: int, code: str) -> dict:
    """Assert `response` is the API's error shape with this status and code; return the error."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]
