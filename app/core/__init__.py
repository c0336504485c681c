"""What every area shares: errors, idempotency, lists, auth checks, types, audit, events."""
