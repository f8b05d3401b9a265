// handlers: handler render
// middy: the JSON body parser turns event.body into an object before the handler runs.
import middy from "@middy/core";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import httpErrorHandler from "@middy/http-error-handler";
import validator from "@middy/validator";
import { MongoClient } from "mongodb";
import { spawnSync } from "node:child_process";
import ejs from "ejs";

const client = new MongoClient(process.env.MONGO_URL);

const baseHandler = async (event) => {
  const { username, password } = event.body;
  const users = client.db("app").collection("users");
  const user = await users.findOne({ username, password }); // expect: FG-INJ-016
  await users.findOne({ username: String(username), password: String(password) }); // ok: FG-INJ-016
  const { tool, args = [] } = event.body;
  spawnSync(tool, args); // expect: FG-INJ-011
  spawnSync("convert", [String(tool)]); // ok: FG-INJ-011
  return { statusCode: user ? 200 : 401 };
};

export const handler = middy(baseHandler).use(httpJsonBodyParser()).use(httpErrorHandler());

const renderPage = async (event) => {
  const page = ejs.render(event.body.template, { name: "guest" }); // expect: FG-INJ-017
  const safe = ejs.render("<h1><%= name %></h1>", { name: event.body.name }); // ok: FG-INJ-017
  return { statusCode: 200, headers: { "content-type": "text/html" }, body: page + safe };
};

export const render = middy().use(httpJsonBodyParser()).handler(renderPage);
