from app.extensions import socketio
from app.realtime import bridge, connections

_BRIDGE_KEY = "jxc_realtime_bridge"


def init_realtime(app) -> None:
    """Bind the Socket.IO server to the app and bridge the event hub to it."""
    queue = app.config.get("SOCKETIO_MESSAGE_QUEUE") or None
    if queue:
        transport = {"message_queue": queue, "channel": app.config["SOCKETIO_CHANNEL"]}
    else:
        # init_app keeps options from an earlier call (tests build many apps): without
        # naming the client manager, one app's queue would carry over to the next.
        transport = {"message_queue": None, "client_manager": None}
    socketio.init_app(
        app,
        # gevent, when installed, would be picked even under a threaded server.
        async_mode="threading",
        # None: only the app's own origin, so another site cannot ride a user's cookie.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
        path="socket.io",
        **transport,
    )
    connections.register(socketio)  # on this app's server, which init_app just made
    if _BRIDGE_KEY not in app.extensions:
        app.extensions[_BRIDGE_KEY] = app.extensions["jxc_events"].subscribe(bridge.deliver)
