"""Start-up checks of the delivery settings."""

from communications.checks import delivery_backends


def _ids(settings, **changes) -> list[str]:
    for name, value in changes.items():
        setattr(settings, name, value)
    return [problem.id for problem in delivery_backends(None)]


def test_the_defaults_pass(settings):
    assert _ids(settings) == []


def test_notify_without_a_key_or_templates_is_reported(settings):
    chosen = {"letter": "notify", "email": "notify", "sms": "notify"}
    assert _ids(settings, COMMUNICATIONS_BACKENDS=chosen, NOTIFY_API_KEY="") == [
        "communications.E002",
        "communications.W001",
        "communications.W001",
    ]
    ids = _ids(settings, NOTIFY_API_KEY="k", NOTIFY_EMAIL_TEMPLATE_ID="e", NOTIFY_SMS_TEMPLATE_ID="s")
    assert ids == []


def test_an_unknown_backend_or_smtp_for_letters_is_an_error(settings):
    chosen = {"letter": "smtp", "email": "pigeon", "sms": "file"}
    assert _ids(settings, COMMUNICATIONS_BACKENDS=chosen) == ["communications.E001", "communications.E001"]
