"""Demo templates for `manage.py seed_demo`: an arrears letter, a housing options advice pack,
an appointment email and a payment reminder text. Idempotent: a template whose key exists is
left as it is (a supervisor may have edited it)."""

from __future__ import annotations

from communications import services
from communications.models import Template
from core.seeding import DemoContext

TEMPLATES = [
    {
        "key": "arrears-letter-1",
        "name": "Arrears letter 1",
        "channel": "letter",
        "description": "The first letter about rent arrears: a friendly reminder and the ways to pay.",
        "subject": "Your rent account {{ tenancy.reference }}",
        "body": """{{ today }}

Dear {{ recipient.name }},

Our records show that your rent account is behind. Please pay what you owe as soon as you can,
or contact us so that we can agree an arrangement you can afford.

# How to pay

* Online at {{ organisation.website }}
* By phone on {{ organisation.phone }}

If you are finding it hard to pay, we can help you claim the benefits you are entitled to.

Yours sincerely,

The Income Team, {{ organisation.name }}

Case {{ case.number }}""",
        "required_fields": ["tenancy.reference"],
    },
    {
        "key": "housing-options-pack",
        "name": "Housing options advice pack",
        "channel": "letter",
        "description": "The advice pack after a housing options enquiry.",
        "subject": "Your housing options",
        "body": """Dear {{ recipient.name }},

Thank you for talking to us about your housing. This pack sets out the options we discussed.

# Staying where you are

We may be able to help you stay in your home, for example by talking to your landlord.

# Private renting

Many people find a home in the private rented sector. We can help with a deposit.

# Social housing

You can apply to join the housing register. Waiting times depend on your need.

If anything changes, please contact {{ owner.name|default:"us" }} on {{ organisation.phone }}.

Case {{ case.number }}""",
        "required_fields": [],
    },
    {
        "key": "appointment-email",
        "name": "Appointment confirmation",
        "channel": "email",
        "description": "Confirms an appointment by email.",
        "subject": "Your appointment about case {{ case.number }}",
        "body": """Dear {{ contact.first_name|default:recipient.name }},

This confirms your appointment with {{ owner.name|default:organisation.name }}.
If you cannot come, please call us on {{ organisation.phone }}.""",
        "required_fields": [],
    },
    {
        "key": "payment-reminder-sms",
        "name": "Payment reminder text",
        "channel": "sms",
        "description": "A short nudge about a missed rent payment.",
        "subject": "",
        "body": (
            "{{ organisation.name }}: your rent payment for {{ tenancy.reference }} is late. "
            "Please pay or call {{ organisation.phone }}."
        ),
        "required_fields": ["tenancy.reference"],
    },
]


def seed(ctx: DemoContext) -> None:
    existing = set(Template.objects.values_list("key", flat=True))
    for template in TEMPLATES:
        if template["key"] not in existing:
            services.template_save(actor=None, **template)
            ctx.created("message templates")
