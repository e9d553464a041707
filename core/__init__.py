"""Shared ground: users and roles, base model fields, the audit trail, error types, health."""
