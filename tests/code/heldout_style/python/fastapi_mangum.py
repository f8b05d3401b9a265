# handlers: handler
# FastAPI behind Mangum: HTML pages and a pydantic body model.
import os

import boto3
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from mangum import Mangum
from pydantic import BaseModel

app = FastAPI()
athena = boto3.client("athena")


class Query(BaseModel):
    table: str
    limit: int = 100


@app.get("/greet/{name}", response_class=HTMLResponse)
async def greet(name: str):
    return HTMLResponse(content=f"<html><body>Hello {name}</body></html>")  # expect: FG-INJ-018


@app.get("/count/{n}", response_class=HTMLResponse)
async def count(n: int):
    return HTMLResponse(content=f"<html><body>{n} items</body></html>")  # ok: FG-INJ-018


@app.post("/query")
async def run_query(q: Query):
    sql = f"SELECT * FROM {q.table} LIMIT {q.limit}"
    athena.start_query_execution(QueryString=sql, WorkGroup=os.environ["WORKGROUP"])  # expect: FG-INJ-010
    athena.start_query_execution(QueryString=f"SELECT * FROM events LIMIT {q.limit}", WorkGroup="primary")  # ok: FG-INJ-010
    return {"ok": True}


handler = Mangum(app, lifespan="off")
