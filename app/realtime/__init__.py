"""Live events over Socket.IO: authenticated connections, rooms per user, role and
warehouse, and the bridge that sends the event hub's committed events to those rooms
(through Redis when several processes share the work)."""
