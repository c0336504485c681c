"""Sends the event hub's committed events to the Socket.IO rooms they name.

`socketio.emit` works outside any socket handler: from a REST request, a CLI command or a
worker. With a message queue configured it also publishes the event there, so the
socket processes holding the clients deliver it.
"""

from datetime import UTC

from app.core.events import Event
from app.extensions import socketio
from app.realtime.rooms import COST_PERMISSION, room_name


def deliver(evt: Event) -> None:
    if not evt.rooms:
        return  # an emit without rooms would reach every connected client
    message = {**evt.payload, "event_id": evt.id, "at": evt.at.astimezone(UTC).isoformat()}
    plain_rooms = [room_name(room, sees_cost=False) for room in evt.rooms]
    cost_rooms = [room_name(room, sees_cost=True) for room in evt.rooms]
    # Fields behind any other permission have no tier of their own: nobody gets them.
    cost_fields = evt.restricted.get(COST_PERMISSION)
    if cost_fields:
        socketio.emit(evt.name, message, to=plain_rooms)
        socketio.emit(evt.name, {**message, **cost_fields}, to=cost_rooms)
    else:
        socketio.emit(evt.name, message, to=plain_rooms + cost_rooms)
