// handlers: serveAsset readLog saveUpload safeAsset
const fs = require('fs');
const fsp = require('fs/promises');
const path = require('path');

const ASSETS = path.join(__dirname, 'assets');

exports.serveAsset = async (event) => {
  const file = event.pathParameters.proxy;
  const body = await fsp.readFile(path.join(ASSETS, file), 'utf8');  // expect: FG-INJ-015
  return { statusCode: 200, body };
};

exports.readLog = (event, context, callback) => {
  const name = event.queryStringParameters?.name;
  fs.readFile('/tmp/logs/' + name, 'utf8', (err, data) => {  // expect: FG-INJ-015
    if (err) return callback(err);
    callback(null, { statusCode: 200, body: data });
  });
};

exports.saveUpload = async (event) => {
  const { filename, content } = JSON.parse(event.body);
  const dest = `/tmp/uploads/${filename}`;
  fs.writeFileSync(dest, Buffer.from(content, 'base64'));  // expect: FG-INJ-015
  const stream = fs.createReadStream(dest);  // expect: FG-INJ-015
  stream.destroy();
  return { statusCode: 201 };
};

exports.safeAsset = async (event) => {
  const file = path.basename(event.pathParameters.proxy);
  const body = await fsp.readFile(path.join(ASSETS, file), 'utf8');  // ok
  return { statusCode: 200, body };
};
