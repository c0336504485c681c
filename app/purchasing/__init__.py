"""Purchasing: purchase orders and the goods received against them."""
