"""The portal's forms, one module per area (accounts.py now)."""
