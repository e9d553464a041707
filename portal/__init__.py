"""The applicant portal for tenants, landlords, property managers and advocates, under /portal/.
Nothing staff-only is ever reachable from here: every view is for applicants (portal.permissions)
and reads through selectors scoped to the signed-in user (portal.selectors)."""
