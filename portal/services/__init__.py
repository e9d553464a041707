"""Every write the portal makes: applicants' accounts (accounts.py). Later slices add theirs
beside it (applications.py, profiles.py, documents.py, ...)."""
