"""Commands: flask --app wsgi seed-demo | create-user | purge-idempotency-keys |
stock verify | alerts scan | forecast refresh."""

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.permissions import ROLES


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
    def seed_demo_command(if_empty):
        """Create the demo company (idempotent): users, warehouses, catalogue, partners, stock."""
        from sqlalchemy import func, select

        from app.auth.models import User
        from app.demo import DEMO_PASSWORD, seed_demo
        from app.extensions import db

        if if_empty and db.session.scalar(select(func.count()).select_from(User)):
            click.echo("users exist already: demo data not added")
            return
        result = seed_demo()
        click.echo(f"demo users created: {', '.join(result['users']) or 'none (already there)'}")
        click.echo(f"warehouses: {', '.join(result['warehouses'])}")
        click.echo(
            f"demo products, suppliers, customers created: "
            f"{result['products']}, {result['suppliers']}, {result['customers']}"
        )
        click.echo(f"demo stock documents posted: {result['stock_documents']}")
        click.echo(f"demo orders of the past twelve weeks: {result['past_orders']}")
        click.echo(f"demo purchase orders created: {result['purchase_orders']}")
        click.echo(f"demo supplier bills created: {result['supplier_bills']}")
        click.echo(f"demo sales orders created: {result['sales_orders']}")
        click.echo(f"demo stocktakes created: {result['stocktakes']}")
        click.echo(f"log in as {', '.join(ROLES)} with password {DEMO_PASSWORD}")

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
    @click.option("--name", "display_name", default="")
    @click.option("--warehouse-id", "warehouse_ids", multiple=True, type=int)
    @click.password_option()
    def create_user_command(username, roles, display_name, warehouse_ids, password):
        """Create a user, e.g. flask --app wsgi create-user alice --role admin."""
        from app.auth.services import create_user
        from app.core.errors import Problem

        try:
            user = create_user(
                username,
                password,
                list(roles),
                display_name=display_name,
                warehouse_ids=list(warehouse_ids),
            )
        except Problem as problem:
            raise click.ClickException(f"{problem.detail} {problem.errors or ''}".strip()) from None
        click.echo(
            f"created user {user.username} (id {user.id}) with roles {', '.join(user.roles)}"
        )

    @app.cli.command("purge-idempotency-keys")
    def purge_idempotency_keys_command():
        """Delete expired Idempotency-Key records."""
        from app.core.idempotency import purge_expired

        click.echo(f"deleted {purge_expired()} expired keys")

    stock = AppGroup("stock", help="The stock ledger.")

    @stock.command("verify")
    def stock_verify_command():
        """Replay the ledger and report every balance that differs (exit 1 if any)."""
        from app.inventory.verify import differences

        found = differences()
        for difference in found:
            click.echo(str(difference))
        if found:
            raise SystemExit(1)
        click.echo("Stock balances agree with the ledger.")

    app.cli.add_command(stock)

    alerts = AppGroup("alerts", help="Alerts that come with the date.")

    @alerts.command("scan")
    def alerts_scan_command():
        """Announce expiring batches, overdue invoices and late purchase orders (each once)."""
        from app.notifications.alerts import scan

        for kind, count in scan().items():
            click.echo(f"{kind}: {count} new")

    app.cli.add_command(alerts)

    forecast = AppGroup("forecast", help="Demand forecasts for replenishment.")

    @forecast.command("refresh")
    def forecast_refresh_command():
        """Remake every product's demand forecast from the last 84 days' sales."""
        from app.purchasing.replenishment import refresh

        done = refresh()
        click.echo(f"{done.count} forecasts in {done.seconds:.1f} s")

    app.cli.add_command(forecast)
