from app.notifications import alerts, push, services


def init_notifications(app) -> None:
    """Turn committed alerts into stored notifications and pushes."""
    app.extensions["jxc_events"].prepare_with(services.store_notifications)
    push.init_push(app)
    if app.config["ALERTS_SCHEDULER"]:
        alerts.init_scheduler(app)
