"""Other systems' member directories, e.g. the benefits system's tenants and their households.

Casework asks a directory about one key at a time (`lookup(system, key)`) before it links that
key to a contact (casework.services.identity.contact_external_key_link). The backend is chosen
by the CASEWORK_MEMBER_DIRECTORY setting (a dotted path to a class taking no arguments). Only
FakeMemberDirectory exists so far: it answers from records registered with it in code (tests, the
demo via CASEWORK_FAKE_MEMBERS); a real integration implements the same protocol.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

# The relationship code another system gives its head of household (the seed's "Relationship H").
HEAD_OF_HOUSEHOLD = "H"


@dataclass(frozen=True)
class ExternalMember:
    """One member as another system records them."""

    system: str
    key: str
    relationship: str  # that system's code: "H" is the head of household
    national_id: str
    first_name: str = ""
    last_name: str = ""
    date_of_birth: datetime.date | None = None

    @property
    def is_head_of_household(self) -> bool:
        return self.relationship.strip().upper() == HEAD_OF_HOUSEHOLD


class MemberDirectory(Protocol):
    def lookup(self, system: str, key: str) -> ExternalMember | None:
        """The member `key` in `system`, or None when that system has no such key."""
        ...


class FakeMemberDirectory:
    """A directory held in memory: records registered with `register` (tests), plus those the
    CASEWORK_FAKE_MEMBERS setting names (the demo's). Keys are matched exactly."""

    _registered: ClassVar[dict[tuple[str, str], ExternalMember]] = {}

    @classmethod
    def register(cls, *members: ExternalMember) -> None:
        for member in members:
            cls._registered[(member.system, member.key)] = member

    @classmethod
    def clear(cls) -> None:
        cls._registered.clear()

    def lookup(self, system: str, key: str) -> ExternalMember | None:
        found = self._registered.get((system, key))
        if found is not None:
            return found
        return next((m for m in _configured_members() if (m.system, m.key) == (system, key)), None)


def _configured_members() -> list[ExternalMember]:
    path = settings.CASEWORK_FAKE_MEMBERS
    return list(import_string(path)) if path else []


def member_directory() -> MemberDirectory:
    """The configured directory backend."""
    return import_string(settings.CASEWORK_MEMBER_DIRECTORY)()
