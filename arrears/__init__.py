"""Rent accounts, arrangements, NOSPs and court, nightly classification, the patch worktray and
letter automation. Arrives with the arrears issue; see ../shared/DESIGN.md ("Arrears")."""
