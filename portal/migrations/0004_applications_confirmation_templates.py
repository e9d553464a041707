"""The email confirming a submitted application (portal.services.confirmations), in English and
Spanish. Supervisors may reword them afterwards like any template; other languages are added as
`portal-application-submitted-<language code>`."""

from django.db import migrations
from django.utils import timezone

REQUIRED = ["case.number", "recipient.email"]

TEMPLATES = {
    "portal-application-submitted": {
        "name": "Application submitted (portal confirmation)",
        "subject": "We have received your application {{ case.number }}",
        "body": (
            "Dear {{ recipient.name }},\n\n"
            "Thank you. We have received your application for help with rent. Your application number is "
            "{{ case.number }}. Please quote it if you contact us.\n\n"
            "{% if case.application_code %}Your application code is {{ case.application_code }}. If your "
            "landlord or tenant has not applied yet, give them this code so that we can link your "
            "applications.\n\n{% endif %}"
            "# What happens next\n"
            "* We will check your application and tell you if we need anything else from you.\n"
            "* You can follow your application, and upload documents we ask for, when you sign in.\n\n"
            "{{ organisation.name }}\n{{ organisation.phone }}\n{{ organisation.email }}"
        ),
    },
    "portal-application-submitted-es": {
        "name": "Application submitted (portal confirmation, Spanish)",
        "subject": "Hemos recibido su solicitud {{ case.number }}",
        "body": (
            "Estimado/a {{ recipient.name }}:\n\n"
            "Gracias. Hemos recibido su solicitud de ayuda con el alquiler. El número de su solicitud es "
            "{{ case.number }}. Indíquelo si se pone en contacto con nosotros.\n\n"
            "{% if case.application_code %}Su código de solicitud es {{ case.application_code }}. Si su "
            "arrendador o inquilino aún no ha presentado su solicitud, entréguele este código para que "
            "podamos vincular sus solicitudes.\n\n{% endif %}"
            "# Próximos pasos\n"
            "* Revisaremos su solicitud y le diremos si necesitamos algo más.\n"
            "* Puede seguir su solicitud y subir los documentos que le pidamos al iniciar sesión.\n\n"
            "{{ organisation.name }}\n{{ organisation.phone }}\n{{ organisation.email }}"
        ),
    },
}


def create(apps, schema_editor):
    create_templates(apps, TEMPLATES)


def create_templates(apps, templates: dict) -> None:
    """Each template in `templates` (key → name, subject, body) as version 1, unless one with its
    key exists already. Shared with the later migrations that add languages."""
    Template = apps.get_model("communications", "Template")
    TemplateVersion = apps.get_model("communications", "TemplateVersion")
    now = timezone.now()
    for key, text in templates.items():
        if Template.objects.filter(key=key).exists():
            continue  # a supervisor made one first: theirs stands
        template = Template.objects.create(
            key=key,
            name=text["name"],
            channel="email",
            description="Sent by the portal when an applicant signs and submits an application.",
            subject=text["subject"],
            body=text["body"],
            required_fields=REQUIRED,
            is_active=True,
            version=1,
            created_at=now,
            updated_at=now,
        )
        TemplateVersion.objects.create(
            template=template,
            number=1,
            channel="email",
            subject=text["subject"],
            body=text["body"],
            required_fields=REQUIRED,
            created_at=now,
        )


def remove(apps, schema_editor):
    remove_templates(apps, TEMPLATES)


def remove_templates(apps, templates: dict) -> None:
    # Messages keep their template version (PROTECT): leave templates that were used.
    Template = apps.get_model("communications", "Template")
    for template in Template.objects.filter(key__in=templates):
        if not template.versions.filter(messages__isnull=False).exists():
            template.versions.all().delete()
            template.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_applications_tenant_application"),
        ("communications", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, remove)]
