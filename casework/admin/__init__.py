"""The supervisors' admin for casework, one module per area; importing them registers them."""

from casework.admin import documents, people  # noqa: F401
