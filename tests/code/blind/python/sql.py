# handlers: get_orders search_products customer_report update_status list_sorted export_user
import json
import os
import sqlite3

import boto3
import psycopg2
import pymysql
from sqlalchemy import create_engine, text

from shared.repo import find_by_email

conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", password=os.environ["DB_PASS"], db="shop")
pg = psycopg2.connect(os.environ["PG_DSN"])
engine = create_engine(os.environ["DATABASE_URL"])
rds = boto3.client("rds-data")
SORT_COLUMNS = {"price": "price", "name": "name", "date": "created_at"}


def get_orders(event, context):
    customer = event["pathParameters"]["customerId"]
    status = event["queryStringParameters"].get("status")
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM orders WHERE customer_id = '{customer}'")  # expect: FG-INJ-010
        rows = cur.fetchall()
        cur.execute("SELECT * FROM orders WHERE customer_id = %s AND status = %s", (customer, status))  # ok
    return {"statusCode": 200, "body": json.dumps(rows, default=str)}


def search_products(event, context):
    term = event["queryStringParameters"]["q"]
    cur = pg.cursor()
    query = "SELECT id, name FROM products WHERE name ILIKE '%%{}%%'".format(term)
    cur.execute(query)  # expect: FG-INJ-010
    return [dict(id=r[0], name=r[1]) for r in cur.fetchall()]


def customer_report(event, context):
    body = json.loads(event.get("body") or "{}")
    region = body["region"]
    with engine.connect() as db:
        result = db.execute(text("SELECT count(*) FROM customers WHERE region = '%s'" % region))  # expect: FG-INJ-010
        safe = db.execute(text("SELECT count(*) FROM customers WHERE region = :r"), {"r": region})  # ok
    return {"count": result.scalar(), "safe": safe.scalar()}


def update_status(event, context):
    for record in event["Records"]:
        msg = json.loads(json.loads(record["body"])["Message"])
        rds.execute_statement(  # expect: FG-INJ-010
            resourceArn=os.environ["CLUSTER_ARN"],
            secretArn=os.environ["SECRET_ARN"],
            sql="UPDATE shipments SET status = '" + msg["status"] + "' WHERE id = " + str(msg["id"]),
            database="logistics",
        )


def list_sorted(event, context):
    qs = event.get("queryStringParameters") or {}
    column = SORT_COLUMNS.get(qs.get("sort"), "created_at")
    limit = int(qs.get("limit", 20))
    db = sqlite3.connect("/tmp/cache.db")
    rows = db.execute(f"SELECT * FROM items ORDER BY {column} LIMIT {limit}").fetchall()  # ok
    return {"items": rows}


def export_user(event, context):
    email = event["queryStringParameters"]["email"]
    return find_by_email(conn, email)
