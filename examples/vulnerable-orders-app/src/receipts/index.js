// Render a receipt PDF when an order file lands in the bucket (deliberately vulnerable).
const { execSync } = require("child_process");
const AWS = require("aws-sdk");

const s3 = new AWS.S3();

exports.handler = async (event) => {
  console.log(event);
  const key = event.Records[0].s3.object.key;
  const bucket = event.Records[0].s3.bucket.name;
  const order = await s3.getObject({ Bucket: bucket, Key: key }).promise();
  execSync("wkhtmltopdf /tmp/in.html /tmp/" + key + ".pdf");
  return { bytes: order.ContentLength };
};
