"""The portal's tables: applicants' accounts (accounts.py). Later slices add theirs beside it
(an application's answers, a landlord's profile, notices) and re-export them here."""

from portal.models.accounts import AccountType, ApplicantProfile
from portal.models.applications import TenantApplication
from portal.models.landlords import AdvocateAuthorisation, LandlordApplication, LandlordProfile, LandlordProperty
from portal.models.notices import Notice, NoticeLevel

__all__ = ["AdvocateAuthorisation", "LandlordApplication", "LandlordProfile", "LandlordProperty"]
__all__ += ["AccountType", "ApplicantProfile", "Notice", "NoticeLevel", "TenantApplication"]
