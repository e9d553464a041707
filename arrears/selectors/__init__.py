"""What the arrears staff pages and API read."""
