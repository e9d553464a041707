"""The supervisors' admin for casework, one module per area; importing them registers them."""

import casework.admin.calendars
import casework.admin.cases
import casework.admin.clocks
import casework.admin.config
import casework.admin.document_requests
import casework.admin.documents
import casework.admin.enquiries
import casework.admin.paths
import casework.admin.people
import casework.admin.regions
import casework.admin.work  # noqa: F401
