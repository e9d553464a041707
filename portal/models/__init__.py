"""The portal's tables: applicants' accounts (accounts.py). Later slices add theirs beside it
(an application's answers, a landlord's profile, notices) and re-export them here."""

from portal.models.accounts import AccountType, ApplicantProfile
from portal.models.notices import Notice, NoticeLevel

__all__ = ["AccountType", "ApplicantProfile", "Notice", "NoticeLevel"]
