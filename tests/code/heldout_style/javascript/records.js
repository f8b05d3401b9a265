// handlers: processQueue fanOut kinesisHandler snsHandler uploadHandler formHandler
"use strict";
const { exec, execSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const _ = require("lodash");
const mysql = require("mysql");
const { S3Client, GetObjectCommand } = require("@aws-sdk/client-s3");

const connection = mysql.createConnection({ host: process.env.DB_HOST, user: "app", database: "app" });
const s3 = new S3Client({});

module.exports.processQueue = async (event) => {
  for (const record of event.Records) {
    const { orderId, status = "NEW" } = JSON.parse(record.body);
    connection.query("UPDATE orders SET status = '" + status + "' WHERE id = " + orderId); // expect: FG-INJ-010
    connection.query("UPDATE orders SET status = ? WHERE id = ?", [status, orderId]); // ok: FG-INJ-010
  }
  return { batchItemFailures: [] };
};

module.exports.fanOut = async (event) => {
  await Promise.all(
    event.Records.map(async (record) => {
      const msg = JSON.parse(record.body);
      execSync(`aws s3 cp s3://incoming/${msg.file} /tmp/`); // expect: FG-INJ-011
    }),
  );
};

module.exports.kinesisHandler = async (event) => {
  const results = [];
  for (const { kinesis } of event.Records) {
    const payload = JSON.parse(Buffer.from(kinesis.data, "base64").toString("utf8"));
    results.push(fs.readFileSync(path.join("/opt/data", payload.name), "utf8")); // expect: FG-INJ-015
    results.push(fs.readFileSync(path.join("/opt/data", path.basename(payload.name)), "utf8")); // ok: FG-INJ-015
  }
  return results;
};

module.exports.snsHandler = (event, context, callback) => {
  const message = JSON.parse(event.Records[0].Sns.Message);
  const host = _.get(message, "target.host");
  exec("ping -c 3 " + host, (err, stdout) => callback(err, stdout)); // expect: FG-INJ-011
};

module.exports.uploadHandler = async (event) => {
  const { bucket, object } = event.Records[0].s3;
  const key = decodeURIComponent(object.key.replace(/\+/g, " "));
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
  const text = await out.Body.transformToString();
  const rows = text.split("\n").map((line) => line.split(","));
  for (const [id, name] of rows) {
    connection.query(`INSERT INTO imports (id, name) VALUES (${id}, '${name}')`); // expect: FG-INJ-010
  }
  fs.writeFileSync(`/tmp/${key}`, text); // expect: FG-INJ-015
};

module.exports.formHandler = async (event) => {
  const raw = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString() : event.body;
  const form = new URLSearchParams(raw);
  const email = form.get("email");
  const q = _.get(event, "queryStringParameters.q", "");
  connection.query(`SELECT * FROM subscribers WHERE email = '${email}'`); // expect: FG-INJ-010
  connection.query(`SELECT * FROM pages WHERE slug = '${q}'`); // expect: FG-INJ-010
  connection.query("SELECT * FROM subscribers WHERE email = " + connection.escape(email)); // ok: FG-INJ-010
  return { statusCode: 200 };
};
