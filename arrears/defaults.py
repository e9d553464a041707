"""The default reference data, rule sets and automation steps, following the council's published
arrears service (../shared/arrears-rules.md §5, §8, §9; arrears-worktray.md §3 to §6). Installed after
every migrate and idempotent: it adds what is missing and never changes what a supervisor edited."""

from __future__ import annotations

from django.db import transaction

from arrears.rules import Classification

# Payment codes from the housing system's export (arrears-rules.md §2): payments are negative.
PAYMENT_CODES = [
    "RBA",
    "RBP",
    "RBR",
    "RCI",
    "RCO",
    "RCP",
    "RDD",
    "RDN",
    "RDP",
    "RDR",
    "RDS",
    "RDT",
    "REF",
    "RHA",
    "RHB",
    "RIT",
    "RML",
    "RPD",
    "RPO",
    "RPY",
    "RQP",
    "RRC",
    "RRP",
    "RSO",
    "RTM",
    "RUC",
    "RWA",
]
PAYMENT_NAMES = {
    "RBA": "Bank payment",
    "RCI": "Cash payment",
    "RCP": "Card payment",
    "RDD": "Direct debit",
    "RHB": "Housing benefit",
    "RIT": "Internet payment",
    "RPO": "Post Office payment",
    "RPY": "PayPoint payment",
    "RSO": "Standing order",
    "RUC": "Universal Credit (direct payment)",
    "REF": "Refund credited",
}
TRANSACTION_TYPES = [
    ("DRR", "Rent", "charge"),
    ("DSC", "Service charge", "charge"),
    ("DOC", "Other charges", "charge"),
    ("DCT", "Court costs", "charge"),
    ("BFW", "Balance brought forward", "adjustment"),
    ("ADJ", "Adjustment", "adjustment"),
    ("WOF", "Write-off", "adjustment"),
    *((code, PAYMENT_NAMES.get(code, f"Payment ({code})"), "payment") for code in PAYMENT_CODES),
]

# (code, description, counts as a communication, caseworkers may record it)
ACTION_CODES = [
    ("IC1", "Letter 1 (income collection)", True, False),
    ("S01", "Letter 1 (housing system)", True, False),
    ("IC2", "Letter 2 (income collection)", True, False),
    ("S02", "Letter 2 (housing system)", True, False),
    ("ZR2", "Letter 2 (rent)", True, False),
    ("ZL2", "Letter 2 (leasehold)", True, False),
    ("ZT2", "Letter 2 (temporary accommodation)", True, False),
    ("IC3", "Pre-NOSP warning letter (retired)", True, False),
    ("IC4", "Court warning letter", True, True),
    ("S0A", "Alternative letter", True, False),
    ("LF1", "Letter F1", True, False),
    ("LF2", "Letter F2", True, False),
    ("LL1", "Leasehold letter 1", True, False),
    ("LL2", "Leasehold letter 2", True, False),
    ("LBA", "Letter before action (leasehold)", True, False),
    ("LS1", "Service charge letter 1", True, False),
    ("LS2", "Service charge letter 2", True, False),
    ("GAT", "Automated text message", True, False),
    ("GAE", "Automated email", True, False),
    ("GMS", "Text message (green)", True, True),
    ("AMS", "Text message (amber)", True, True),
    ("SMS", "Text message", True, True),
    ("GME", "Email", True, True),
    ("C", "Phone call", True, True),
    ("MML", "Member of Parliament letter", True, True),
    ("REF", "Referral", True, True),
    ("ZW1", "Warning letter 1", True, False),
    ("ZW2", "Warning letter 2", True, False),
    ("ZW3", "Warning letter 3", True, False),
    ("MW1", "Manual warning letter 1", True, True),
    ("MW2", "Manual warning letter 2", True, True),
    ("MW3", "Manual warning letter 3", True, True),
    ("ZR1", "Rent letter 1", True, False),
    ("ZR3", "Rent letter 3", True, False),
    ("CBL", "Court breach letter", True, True),
    ("VIM", "Visit made", True, True),
    ("BLI", "Informal agreement breach letter", True, True),
    ("CVB", "C19 court order breached", True, True),
    # The rules test for these two; the published list leaves them out, which makes "court
    # breach, no payment" unreachable (arrears-rules.md §8, §12.11). Ours counts them (ADR 0013).
    ("CBV", "Court breach visit made", True, True),
    ("WPA", "Warrant of possession applied for", True, True),
    ("VIU", "Unsuccessful visit", False, True),
    ("CVD", "Covid-19 call", False, True),
    ("CDL", "Court date letter", False, True),
    ("IC5", "Court outcome letter", False, True),
    ("IC6", "Court outcome added", False, True),
    ("CAW", "Costs awarded", False, True),
    ("MJA", "Money judgement awarded", False, True),
    ("CAP", "Charge against property", False, True),
    ("DPQ", "DWP direct payments requested", False, True),
    ("HBO", "Housing benefit outstanding", False, True),
    ("EVI", "Eviction", False, True),
    ("NTS", "Notice served (NOSP)", False, True),
    ("DDC", "Direct debit cancelled", False, True),
    ("FIV", "Financial inclusion visit", False, True),
    ("FIC", "Financial inclusion call", False, True),
    ("FIO", "Financial inclusion interview", False, True),
    ("OOC", "Out-of-hours call", False, True),
    ("OFI", "Office interview", False, True),
    ("GEN", "General note", False, True),
    ("CDS", "Paused: court date set", False, False),
    ("EDS", "Paused: eviction date set", False, False),
    ("MBH", "Paused: delayed benefit", False, False),
    ("POP", "Paused: promise of payment", False, False),
    ("DEC", "Paused: deceased", False, False),
    ("RMD", "Paused: missing data", False, False),
    ("VFL", "Letter failed validation", False, False),
    ("FLR", "Failed letter reviewed", False, False),
    ("AGR", "Arrangement made", False, False),
    ("AGC", "Arrangement cancelled", False, False),
    ("IAC", "Informal arrangement confirmation", False, False),
    ("FAC", "Formal arrangement confirmation", False, False),
    ("CRT", "Court case recorded", False, False),
    ("CRO", "Court outcome recorded", False, False),
    ("UPS", "Unpaused", False, False),
]
POLICY_GENERATED = {"S02": "Policy generated"}

PAUSE_REASONS = [
    ("Court date set", "CDS"),
    ("Eviction date set", "EDS"),
    ("Delayed benefit", "MBH"),
    ("Promise of payment", "POP"),
    ("Deceased", "DEC"),
    ("Missing data", "RMD"),
    ("C19 court order breached", "CVB"),
    ("Other", "GEN"),
]
MISSING_DATA_REASON = "Missing data"

# (code, meaning, can carry terms, keeps a warrant active, calls for a possession warrant, ends after warrant life)
COURT_OUTCOMES = [
    ("AGP", "Adjourned generally with permission to restore", True, True, False, False),
    ("AND", "Adjourned to next open date", True, True, False, False),
    ("AAH", "Adjourned to another hearing date", True, True, False, False),
    ("ADH", "Adjourned for directions hearing", True, True, False, False),
    ("ADT", "Adjourned on terms", True, False, False, False),
    ("SOT", "Suspension on terms", True, True, False, True),
    ("SOE", "Stay of execution / re-entry", True, True, False, False),
    ("OPD", "Outright possession with date", False, False, True, False),
    ("OPF", "Outright possession forthwith", False, False, True, False),
    ("STO", "Struck out", False, False, False, False),
    ("WIT", "Withdrawn on the day", False, False, False, False),
]

_LETTER_FIELDS = ["recipient.name", "recipient.address", "account.reference", "account.arrears"]
_SIGN_OFF = "Yours sincerely\n\nIncome Collection Team\n{{ organisation.name }}\n{{ organisation.phone }}"
TEMPLATES = [
    (
        "arrears-letter-one",
        "Rent arrears: Letter 1",
        "letter",
        "Your rent account {{ account.reference }}",
        "Dear {{ recipient.name }}\n\nOur records show your rent account is £{{ account.arrears }} in arrears. "
        "Please pay this now, or contact us to agree an affordable arrangement.\n\n"
        "If you are having difficulty paying, we can help you check your benefits and budget.\n\n" + _SIGN_OFF,
    ),
    (
        "arrears-letter-two",
        "Rent arrears: Letter 2",
        "letter",
        "Your rent account {{ account.reference }}: second letter",
        "Dear {{ recipient.name }}\n\nWe wrote to you about the arrears on your rent account. It is now "
        "£{{ account.arrears }} in arrears. If you do not pay or contact us, we may serve a Notice of Seeking "
        "Possession, the first step towards court action.\n\n" + _SIGN_OFF,
    ),
    (
        "arrears-informal-breach-letter",
        "Rent arrears: arrangement broken",
        "letter",
        "Your payment arrangement for {{ account.reference }}",
        "Dear {{ recipient.name }}\n\nYou have not kept to the payment arrangement you made with us. Your account "
        "is £{{ account.arrears }} in arrears. Please contact us now.\n\n" + _SIGN_OFF,
    ),
    (
        "arrears-court-warning-letter",
        "Rent arrears: court warning letter",
        "letter",
        "Court action on your rent account {{ account.reference }}",
        "Dear {{ recipient.name }}\n\nThe Notice of Seeking Possession we served on you is now active and your "
        "account is £{{ account.arrears }} in arrears. Unless you pay or agree an arrangement within 14 days we "
        "will apply to the court for a possession hearing.\n\n" + _SIGN_OFF,
    ),
    (
        "arrears-first-sms",
        "Rent arrears: first text message",
        "sms",
        "",
        "{{ organisation.name }}: your rent account is £{{ account.arrears }} behind. Please pay now or call "
        "{{ organisation.phone }} if you need help.",
    ),
    (
        "leasehold-letter-one",
        "Service charge: Letter 1",
        "letter",
        "Your service charge account {{ account.reference }}",
        "Dear {{ recipient.name }}\n\nYour service charge account is £{{ account.arrears }} in arrears. Please "
        "pay this now or contact us to discuss it.\n\n" + _SIGN_OFF,
    ),
    (
        "leasehold-letter-two",
        "Service charge: Letter 2",
        "letter",
        "Your service charge account {{ account.reference }}: second letter",
        "Dear {{ recipient.name }}\n\nWe wrote to you about the arrears on your service charge account, now "
        "£{{ account.arrears }}. Please pay or contact us within 14 days.\n\n" + _SIGN_OFF,
    ),
    (
        "leasehold-letter-before-action",
        "Service charge: letter before action",
        "letter",
        "Letter before action: service charge account {{ account.reference }}",
        "Dear {{ recipient.name }}\n\nDespite our letters, £{{ account.arrears }} remains unpaid on your service "
        "charge account. Unless it is paid within 14 days of this letter we intend to start court proceedings "
        "to recover it, without further notice.\n\n" + _SIGN_OFF,
    ),
]

# (account kind, classification, template key, diary code, schedule)
STEPS = [
    ("rent", Classification.SEND_FIRST_SMS, "arrears-first-sms", "GAT", "weekly"),
    ("rent", Classification.SEND_LETTER_ONE, "arrears-letter-one", "IC1", "nightly"),
    ("rent", Classification.SEND_LETTER_TWO, "arrears-letter-two", "IC2", "nightly"),
    ("rent", Classification.SEND_INFORMAL_AGREEMENT_BREACH_LETTER, "arrears-informal-breach-letter", "BLI", "nightly"),
    ("rent", Classification.SEND_COURT_WARNING_LETTER, "arrears-court-warning-letter", "IC4", "nightly"),
    ("service_charge", Classification.SEND_LETTER_ONE, "leasehold-letter-one", "LL1", "nightly"),
    ("service_charge", Classification.SEND_LETTER_TWO, "leasehold-letter-two", "LL2", "nightly"),
    ("service_charge", Classification.SEND_NOSP, "leasehold-letter-before-action", "LBA", "nightly"),
]

# Service-charge accounts run the same ladder with their own letters: Letter 1 and Letter 2,
# then the letter before action where a rent account would get a NOSP (ADR 0013). Their
# codes are the leasehold letters'.
SERVICE_CHARGE_OVERRIDES = {
    "enabled_rules": [
        Classification.REVIEW_FAILED_LETTER.value,
        Classification.SEND_LETTER_ONE.value,
        Classification.SEND_LETTER_TWO.value,
        Classification.SEND_NOSP.value,
        Classification.CHECK_DATA.value,
    ],
    "letter_one_codes": ["LL1"],
    "letter_one_or_later_codes": ["LL1", "LL2", "LBA"],
    "letter_two_codes": ["LL2"],
}


def install() -> None:
    """Add whatever default reference data, rule set, template or step is missing."""
    from arrears.models import (
        ActionCode,
        AutomatedStep,
        CourtOutcome,
        PauseReason,
        RuleSet,
        TransactionType,
    )
    from communications.models import Template
    from communications.services import template_save

    with transaction.atomic():
        for code, description, category in TRANSACTION_TYPES:
            TransactionType.objects.get_or_create(
                code=code, defaults={"description": description, "category": category}
            )
        for code, description, communication, accessible in ACTION_CODES:
            ActionCode.objects.get_or_create(
                code=code,
                defaults={
                    "description": description,
                    "is_communication": communication,
                    "user_accessible": accessible,
                    "communication_comment_contains": POLICY_GENERATED.get(code, ""),
                },
            )
        for order, (label, code) in enumerate(PAUSE_REASONS):
            PauseReason.objects.get_or_create(label=label, defaults={"code_id": code, "order": order})
        for code, meaning, terms, warrant, possession, ends in COURT_OUTCOMES:
            CourtOutcome.objects.get_or_create(
                code=code,
                defaults={
                    "meaning": meaning,
                    "can_carry_terms": terms,
                    "keeps_warrant_active": warrant,
                    "calls_for_possession_warrant": possession,
                    "ends_after_warrant_life": ends,
                },
            )
        rule_sets = {
            "rent": RuleSet.objects.get_or_create(kind="rent", defaults={"tenure_types": ["secure"]})[0],
            "service_charge": RuleSet.objects.get_or_create(
                kind="service_charge",
                defaults={"tenure_types": ["leasehold"], "overrides": SERVICE_CHARGE_OVERRIDES},
            )[0],
        }
        for key, name, channel, subject, body in TEMPLATES:
            if not Template.objects.filter(key=key).exists():
                required = ["recipient.phone", "account.arrears"] if channel == "sms" else _LETTER_FIELDS
                template_save(
                    actor=None,
                    key=key,
                    name=name,
                    channel=channel,
                    subject=subject,
                    body=body,
                    required_fields=required,
                    description="Sent by arrears automation, or by hand from the account page.",
                )
        for kind, classification, template_key, code, schedule in STEPS:
            AutomatedStep.objects.get_or_create(
                rule_set=rule_sets[kind],
                classification=classification,
                defaults={
                    "template": Template.objects.get(key=template_key),
                    "diary_code_id": code,
                    "schedule": schedule,
                },
            )


def install_after_migrate(sender, using="default", **kwargs) -> None:
    install()
