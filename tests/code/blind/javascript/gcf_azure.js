// handlers: thumbnail report
const functions = require('@google-cloud/functions-framework');
const { execSync } = require('child_process');
const fs = require('fs');

functions.http('thumbnail', (req, res) => {
  const size = req.query.size || '128';
  const src = req.body.source;
  execSync(`convert ${src} -thumbnail ${size} /tmp/t.png`);  // expect: FG-INJ-011
  res.status(200).send('ok');
});

module.exports.report = async function (context, req) {
  const name = req.query.name || (req.body && req.body.name);
  const text = fs.readFileSync('/home/site/reports/' + name, 'utf8');  // expect: FG-INJ-015
  context.res = { status: 200, body: text };
};
