import os

import boto3
import psycopg2


class OrderRepository:
    def __init__(self):
        self.conn = psycopg2.connect(os.environ["DATABASE_URL"])
        self.table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

    def by_customer(self, customer):
        cur = self.conn.cursor()
        cur.execute("SELECT * FROM orders WHERE customer = '" + customer + "'")  # expect: FG-INJ-010
        rows = cur.fetchall()
        cur.execute("SELECT * FROM orders WHERE customer = %s", (customer,))  # ok: FG-INJ-010
        return rows
