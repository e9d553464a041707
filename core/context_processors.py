from django.conf import settings


def site(request) -> dict:
    return {"SITE_NAME": settings.SITE_NAME, "ORGANISATION_NAME": settings.ORGANISATION_NAME}
