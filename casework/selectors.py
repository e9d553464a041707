def caseload_summary_for(*, user) -> dict:
    return {}
