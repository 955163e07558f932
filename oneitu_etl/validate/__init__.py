"""Rules: the contract's column and row rules, and the reconciliation rules R1-R3."""
