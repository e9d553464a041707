"""What the applicant's home page shows above their applications, contributed by each part of the
portal without editing the home page: the email-confirmation banner (accounts), and in later
slices notices, a landlord's "finish your profile first" prompt, the start-an-application button.

A provider is a function of the request returning a Panel, or None when it has nothing to show.
Register it with `@home_panel(order=...)` in one of portal/views/*.py (PortalConfig.ready imports
them all, so registration does not depend on which page a process serves first):

    @home_panel(order=20)
    def notices_panel(request) -> Panel | None:
        notices = notices_for(request.user)
        return Panel("portal/home/_notices.html", {"notices": notices}) if notices else None

Panels are drawn in `order` (lower first): 10 urgent banners (confirm your email), 20 notices,
30 what to do next (profile, start an application). Each reads through the portal's selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)


Provider = Callable[..., Panel | None]
_PROVIDERS: dict[str, tuple[int, Provider]] = {}


def home_panel(*, order: int) -> Callable[[Provider], Provider]:
    def register(provider: Provider) -> Provider:
        # Keyed by name, so a module imported twice (tests, autoreload) registers once.
        _PROVIDERS[f"{provider.__module__}.{provider.__qualname__}"] = (order, provider)
        return provider

    return register


def home_panels_for(request) -> list[Panel]:
    ordered = sorted(_PROVIDERS.items(), key=lambda item: (item[1][0], item[0]))
    return [panel for _name, (_order, provider) in ordered if (panel := provider(request)) is not None]
