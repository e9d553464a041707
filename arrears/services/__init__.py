"""Every write of arrears: accounts and transactions imported from CSV (imports.py), the action
diary and pausing (diary.py), arrangements, NOSPs, court cases and evictions (legal.py), the rule
sets (rulesets.py), classification, nightly and per account (classification.py), and the letters
and texts it sends (automation.py)."""
