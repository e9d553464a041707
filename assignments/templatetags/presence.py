"""The presence and offers bar every staff page carries under its header."""

from django import template
from django.db.models import Exists
from django.utils import timezone

from assignments.models import RoutingProfile
from assignments.routing_selectors import offer_list_for
from assignments.selectors import decline_reasons_for

register = template.Library()


def presence_context(request) -> dict:
    """What the bar shows: the person's presence (None without a routing profile), the offers
    waiting for their answer with the seconds left on each, and the reasons they may give for
    declining. One query while no offer waits (most requests, on every staff page), three when
    some do, whatever their number."""
    user = request.user
    waiting = offer_list_for(user=user)
    profile = (
        RoutingProfile.objects.filter(user_id=user.pk)
        .only("presence", "capacity")
        .annotate(offers_waiting=Exists(waiting))
        .first()
    )
    now = timezone.now()
    offers = list(waiting) if profile is not None and profile.offers_waiting else []
    for offer in offers:
        offer.minutes_left, offer.seconds_left = divmod(max(0, int((offer.expires_at - now).total_seconds())), 60)
    return {
        "request": request,
        "profile": profile,
        "presences": RoutingProfile.Presence.choices,
        "offers": offers,
        "decline_reasons": list(decline_reasons_for(user=user)) if offers else [],
    }


@register.inclusion_tag("assignments/_presence.html", takes_context=True)
def presence_bar(context):
    return presence_context(context["request"])
