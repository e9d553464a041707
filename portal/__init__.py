"""The applicant portal for tenants, landlords and advocates, under /portal/. Arrives with the
portal issue; nothing staff-only is ever reachable from here."""
