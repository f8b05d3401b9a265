// handlers: handler
// Hono on Lambda: routes read the request through the context object.
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";
import { execSync } from "node:child_process";
import { Pool } from "pg";

const pool = new Pool();
const app = new Hono();

app.get("/greet", (c) => {
  const name = c.req.query("name");
  return c.html(`<h1>Hello ${name}</h1>`); // expect: FG-INJ-018
});

app.get("/users/:id", async (c) => {
  const id = c.req.param("id");
  const { rows } = await pool.query(`SELECT * FROM users WHERE id = '${id}'`); // expect: FG-INJ-010
  await pool.query("SELECT * FROM users WHERE id = $1", [id]); // ok: FG-INJ-010
  return c.json(rows);
});

app.post("/ping", async (c) => {
  const { host } = await c.req.json();
  return c.text(execSync(`ping -c 1 ${host}`).toString()); // expect: FG-INJ-011
});

export const handler = handle(app);
