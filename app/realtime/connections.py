"""Who may open a socket, and what they hear once connected."""

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, rooms

from app.auth.services import user_for_token
from app.realtime.rooms import rooms_for


def register(socketio) -> None:
    socketio.on_event("connect", on_connect)
    socketio.on_event("rooms", on_rooms)


def on_connect(auth=None):
    """Accept a logged-in browser (session cookie) or a device with an API token, and join
    the rooms of what that user may see; refuse anyone else."""
    user = _authenticate(auth)
    if user is None:
        raise ConnectionRefusedError("unauthorized")
    for room in rooms_for(user):
        join_room(room)


def on_rooms():
    """The rooms this connection has joined (to check what a client will hear)."""
    return sorted(room for room in rooms() if room != request.sid)


def _authenticate(auth):
    token = auth.get("token") if isinstance(auth, dict) else None
    if token:  # as over REST, a client that brings a token is judged by it alone
        user = user_for_token(str(token))
    else:
        user = current_user if current_user.is_authenticated else None
    return user if user is not None and user.is_active else None
