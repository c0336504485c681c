"""Stored notifications (so an alert made while a phone was off is seen on return), who
gets which kind, the daily alerts scan, and Web Push to phones whose app is closed."""
