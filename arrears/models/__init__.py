"""Arrears tables: reference data (reference.py), accounts, transactions and the action diary
(accounts.py), arrangements, NOSPs, court cases and evictions (legal.py), the rule sets and
automation switches supervisors set (config.py), and the record of each CSV import (imports.py)."""

from arrears.models.accounts import AccountKind, ActionDiaryEntry, DiarySource, PatchOfficer, RentAccount, Transaction
from arrears.models.config import AutomatedStep, RuleSet, Schedule
from arrears.models.imports import ImportKind, ImportRun
from arrears.models.legal import (
    ACTIVE_STATES,
    Arrangement,
    ArrangementKind,
    ArrangementState,
    ArrangementStateChange,
    CourtCase,
    Eviction,
    Frequency,
    Nosp,
)
from arrears.models.reference import ActionCode, CourtOutcome, PauseReason, TransactionCategory, TransactionType

__all__ = [
    "ACTIVE_STATES",
    "AccountKind",
    "ActionCode",
    "ActionDiaryEntry",
    "Arrangement",
    "ArrangementKind",
    "ArrangementState",
    "ArrangementStateChange",
    "AutomatedStep",
    "CourtCase",
    "CourtOutcome",
    "DiarySource",
    "Eviction",
    "Frequency",
    "ImportKind",
    "ImportRun",
    "Nosp",
    "PatchOfficer",
    "PauseReason",
    "RentAccount",
    "RuleSet",
    "Schedule",
    "Transaction",
    "TransactionCategory",
    "TransactionType",
]
