from django.conf import settings


def site(request) -> dict:
    return {"SITE_NAME": settings.SITE_NAME, "ORGANISATION_NAME": settings.ORGANISATION_NAME}


def staff_navigation(request) -> dict:
    """The service navigation for staff pages, worked out only when a page shows it."""
    from django.utils.functional import SimpleLazyObject

    from core.navigation import staff_navigation_for

    return {"staff_navigation": SimpleLazyObject(lambda: staff_navigation_for(request))}
