"""Every write in the payments app: payees (payees.py) and payments (payments.py)."""
