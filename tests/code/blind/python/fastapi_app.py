# handlers: handler
import asyncio
import sqlite3

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from mangum import Mangum

app = FastAPI()
db = sqlite3.connect("/tmp/app.db", check_same_thread=False)


@app.get("/items")
def list_items(category: str, limit: int = 10):
    cur = db.execute("SELECT * FROM items WHERE category = '" + category + "' LIMIT " + str(limit))  # expect: FG-INJ-010
    safe = db.execute("SELECT * FROM items WHERE category = ? LIMIT ?", (category, limit))  # ok: FG-INJ-010
    return {"items": cur.fetchall() + safe.fetchall()}


@app.get("/welcome", response_class=HTMLResponse)
async def welcome(request: Request):
    name = request.query_params.get("name", "")
    return HTMLResponse(content=f"<html><body>Welcome {name}</body></html>")  # expect: FG-INJ-018


@app.post("/jobs")
async def run_job(request: Request):
    data = await request.json()
    proc = await asyncio.create_subprocess_shell("./jobs/run.sh " + data["job"])  # expect: FG-INJ-011
    await proc.wait()
    return {"rc": proc.returncode}


handler = Mangum(app, lifespan="off")
