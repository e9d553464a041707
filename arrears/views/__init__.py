"""The arrears staff pages."""
