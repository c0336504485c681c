"""Warehouses, locations and the stock ledger."""
