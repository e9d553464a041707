"""Payees and their verification, payments and their status machine, stipends and export
batches. Arrives with the payments issue; see DESIGN.md ("Payments")."""
