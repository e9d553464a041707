"""Filled in by the arrears staff pages."""

urlpatterns: list = []
