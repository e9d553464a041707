"""The supervisors' admin for casework, one module per area; importing them registers them."""

import casework.admin.work  # noqa: F401
from casework.admin import people  # noqa: F401
