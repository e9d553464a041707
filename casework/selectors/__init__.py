"""Every read in casework that applies permissions: <noun>_list_for(*, user, ...) and
<noun>_get(*, user, ...)."""

from casework.selectors.people import (
    contact_list_for,
    property_list_for,
    tenancy_list_for,
)

__all__ = ["contact_list_for", "property_list_for", "tenancy_list_for"]
