"""The arrears REST API (filled in below)."""

urlpatterns: list = []
