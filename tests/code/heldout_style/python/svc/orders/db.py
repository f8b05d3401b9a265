import os

import psycopg2

_conn = None


def _connection():
    global _conn
    if _conn is None:
        _conn = psycopg2.connect(os.environ["DATABASE_URL"])
    return _conn


def run_query(sql):
    with _connection().cursor() as cur:
        cur.execute(sql)  # expect: FG-INJ-010
        return cur.fetchall()


def run_safe(sql, params):
    with _connection().cursor() as cur:
        cur.execute(sql, params)  # ok: FG-INJ-010
        return cur.fetchall()
