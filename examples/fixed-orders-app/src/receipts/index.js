// Render a receipt when an order file lands in the bucket.
const { execFileSync } = require("child_process");
const path = require("path");
const { S3Client, GetObjectCommand } = require("@aws-sdk/client-s3");

const s3 = new S3Client({});

exports.handler = async (event) => {
  const record = event.Records[0].s3;
  console.info(JSON.stringify({ msg: "receipt", bucket: record.bucket.name }));
  const name = path.basename(record.object.key).replace(/[^A-Za-z0-9_-]/g, "");
  const order = await s3.send(new GetObjectCommand({ Bucket: record.bucket.name, Key: record.object.key }));
  execFileSync("wkhtmltopdf", ["/tmp/in.html", `/tmp/${name}.pdf`]);
  return { bytes: order.ContentLength };
};
