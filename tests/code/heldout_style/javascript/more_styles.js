// handlers: search notify preview convert lookup compute
const cp = require("child_process");
const { promisify } = require("util");
const knex = require("knex")({ client: "pg", connection: process.env.DATABASE_URL });
const mongoose = require("mongoose");
const fetch = require("node-fetch");

const User = mongoose.model("User", new mongoose.Schema({ name: String, role: String }));

exports.search = async function (event, context) {
  const { queryStringParameters: { q = "", sort } = {} } = event;
  const rows = await knex.raw(`SELECT * FROM docs WHERE title ILIKE '%${q}%'`); // expect: FG-INJ-010
  await knex("docs").where("title", "ilike", `%${q}%`).orderBy(sort === "date" ? "created_at" : "title"); // ok: FG-INJ-010
  return { statusCode: 200, body: JSON.stringify(rows) };
};

exports.notify = async (event) => {
  const body = typeof event.body === "string" ? JSON.parse(event.body) : event.body;
  const users = await User.find(body.filter); // expect: FG-INJ-016
  await User.find({ role: String(body.role) }); // ok: FG-INJ-016
  return { statusCode: 200, body: JSON.stringify(users.length) };
};

exports.preview = async (event) => {
  const target = new URL(JSON.parse(event.body).target);
  const page = await fetch(target.toString()); // expect: FG-INJ-014
  await fetch(`${process.env.RENDER_API}/render?u=${encodeURIComponent(target)}`); // ok: FG-INJ-014
  return { statusCode: 200, body: await page.text() };
};

exports.convert = async (event) => {
  const run = promisify(cp.exec);
  const { format } = event.pathParameters;
  const { stdout } = await run("pandoc /tmp/in.md -t " + format); // expect: FG-INJ-011
  return { statusCode: 200, body: stdout };
};

exports.lookup = (event, context, callback) => {
  Promise.resolve(JSON.parse(event.body))
    .then((body) => cp.execSync(`host ${body.domain}`)) // expect: FG-INJ-011
    .then((out) => callback(null, { statusCode: 200, body: out.toString() }))
    .catch(callback);
};

exports.compute = async (event) => {
  const { expression } = JSON.parse(event.body || "{}");
  const fn = new Function("return (" + expression + ")"); // expect: FG-INJ-012
  return { statusCode: 200, body: String(fn()) };
};
