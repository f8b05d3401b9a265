"""Data access helpers shared by the handlers."""


def find_by_email(conn, email):
    sql = "SELECT id, name FROM users WHERE email = '" + email + "'"
    with conn.cursor() as cur:
        cur.execute(sql)  # expect: FG-INJ-010
        return cur.fetchone()


def find_by_id(conn, user_id):
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM users WHERE id = %s", (user_id,))  # ok: FG-INJ-010
        return cur.fetchone()
