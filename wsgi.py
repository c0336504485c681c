"""Production entry point: gunicorn 'wsgi:app'; also `flask --app wsgi ...`."""

from app import create_app

app = create_app()
