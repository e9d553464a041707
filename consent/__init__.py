"""Consent types, data tags, consent records and reviews, data sharing, subject access and
erasure. Arrives with the consent issue; see DESIGN.md ("Consent and information management")."""
