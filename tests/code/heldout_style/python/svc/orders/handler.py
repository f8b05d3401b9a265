# handlers: create_order list_orders fetch_invoice
# A handler in a package, with its database code and services in sibling modules.
import json

from svc.orders.repository import OrderRepository
from svc.services import invoices

from .db import run_query, run_safe

repo = OrderRepository()


def create_order(event, context):
    order = json.loads(event["body"])
    run_query(f"INSERT INTO orders (customer, note) VALUES ('{order['customer']}', '{order['note']}')")
    run_safe("INSERT INTO orders (customer, note) VALUES (%s, %s)", (order["customer"], order["note"]))
    return {"statusCode": 201}


def list_orders(event, context):
    params = event.get("queryStringParameters") or {}
    customer = params.get("customer", "")
    return {"statusCode": 200, "body": json.dumps(repo.by_customer(customer))}


def fetch_invoice(event, context):
    invoice_url = json.loads(event["body"])["invoice_url"]
    return {"statusCode": 200, "body": invoices.download(invoice_url)}
