// handlers: list remove report
// Older SDK v2 style: callbacks, context.succeed, DocumentClient, string concatenation.
var AWS = require("aws-sdk");
var childProcess = require("child_process");
var https = require("https");
var docClient = new AWS.DynamoDB.DocumentClient();

exports.list = function (event, context, callback) {
  var params = {
    TableName: process.env.TABLE,
    FilterExpression: event.queryStringParameters.filter,
  };
  docClient.scan(params, function (err, data) { // expect: FG-INJ-016
    if (err) return callback(err);
    callback(null, { statusCode: 200, body: JSON.stringify(data.Items) });
  });
};

exports.remove = function (event, context) {
  var body = JSON.parse(event.body);
  var cmd = "rm -rf /tmp/cache/" + body.folder;
  childProcess.exec(cmd, function (error) { // expect: FG-INJ-011
    if (error) context.fail(error);
    else context.succeed({ statusCode: 204 });
  });
};

exports.report = function (event, context, callback) {
  var url = event.detail.callbackUrl;
  https.get(url, function (res) { // expect: FG-INJ-014
    callback(null, res.statusCode);
  });
  https.get("https://status.example.com/health?from=" + encodeURIComponent(url), function () {}); // ok: FG-INJ-014
};
