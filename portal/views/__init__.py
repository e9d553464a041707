"""The portal's pages, one module per area: the home page (home.py), accounts (accounts.py).
Later slices add theirs (applications.py, profile.py, documents.py, ...) with a URL module each
(portal/urls_<area>.py). Every view is wrapped in portal.permissions.applicant_required or
verified_applicant_required, or is one of the few pages for visitors who are not signed in."""
