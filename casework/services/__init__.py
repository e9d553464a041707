"""Every write in casework is a function here: <noun>_<verb>(*, actor, ...). Each is one
transaction, checks who is acting and runs under an audit context. actor None means the system
(demo data, imports, jobs)."""

from casework.services.common import postcode_normalise
from casework.services.people import (
    contact_create,
    household_create,
    organisation_create,
    patch_create,
    property_create,
    region_create,
    tenancy_create,
)

__all__ = [
    "contact_create",
    "household_create",
    "organisation_create",
    "patch_create",
    "postcode_normalise",
    "property_create",
    "region_create",
    "tenancy_create",
]
