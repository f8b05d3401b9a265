// handlers: handler
// Express on Lambda (serverless-http) with a router in its own module and HTML built from the query.
const express = require("express");
const serverless = require("serverless-http");
const path = require("path");
const { Pool } = require("pg");
const itemsRouter = require("./routes/items");

const app = express();
const pool = new Pool();
app.use(express.json());
app.use("/items", itemsRouter);

app.get("/search", (req, res) => {
  res.send(`<h1>Results for ${req.query.q}</h1>`); // expect: FG-INJ-018
  res.send(`<h1>Results for ${encodeURIComponent(req.query.q)}</h1>`); // ok: FG-INJ-018
});

app.get("/download/:name", (req, res) => {
  res.sendFile(path.join(__dirname, "public", req.params.name)); // expect: FG-INJ-015
  res.sendFile(path.join(__dirname, "public", path.basename(req.params.name))); // ok: FG-INJ-015
});

app.post("/users/:id", async (req, res) => {
  const { id } = req.params;
  const { name, email } = req.body;
  await pool.query(`UPDATE users SET name = '${name}', email = '${email}' WHERE id = ${id}`); // expect: FG-INJ-010
  await pool.query("UPDATE users SET name = $1, email = $2 WHERE id = $3", [name, email, id]); // ok: FG-INJ-010
  res.json({ ok: true });
});

module.exports.handler = serverless(app);
