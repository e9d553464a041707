import pytest

from communications import services
from tests.communications import fake_notify

LETTER_BODY = """Dear {{ recipient.name }},

# Your rent account {{ tenancy.reference }}

We wrote about case {{ case.number }}.

* Pay what you owe
* Or call us on {{ organisation.phone }}
"""


@pytest.fixture
def make_template(db):
    def make(channel: str = "letter", **fields):
        defaults = {
            "key": f"{channel}-{len(fields)}-{id(fields)}",
            "name": f"A {channel}",
            "channel": channel,
            "subject": "" if channel == "sms" else "About case {{ case.number }}",
            "body": LETTER_BODY if channel != "sms" else "Case {{ case.number }}: please call us.",
        }
        return services.template_save(actor=None, **(defaults | fields))

    return make


@pytest.fixture
def letter_template(make_template):
    return make_template("letter", key="rent-letter", name="Rent letter", required_fields=["tenancy.reference"])


@pytest.fixture
def notify(settings):
    """GOV.UK Notify, faked on a local port, as every channel's backend."""
    state, server = fake_notify.start()
    settings.COMMUNICATIONS_BACKENDS = {"letter": "notify", "email": "notify", "sms": "notify"}
    settings.NOTIFY_API_KEY = fake_notify.API_KEY
    settings.NOTIFY_BASE_URL = state.url
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "00000000-0000-0000-0000-00000000000e"
    settings.NOTIFY_SMS_TEMPLATE_ID = "00000000-0000-0000-0000-00000000000f"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def outbox(settings, tmp_path):
    """Each test's own directory for the file backend, so what one test sent is not another's."""
    settings.COMMUNICATIONS_OUTBOX = tmp_path / "outbox"
    return settings.COMMUNICATIONS_OUTBOX
