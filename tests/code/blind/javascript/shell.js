// handlers: transcode gitLog archive listDir runJob
'use strict';
const { exec, execSync, spawn, execFile } = require('child_process');
const util = require('util');
const AWS = require('aws-sdk');

const s3 = new AWS.S3();
const execAsync = util.promisify(exec);

exports.transcode = async (event) => {
  const record = event.Records[0];
  const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
  await s3.getObject({ Bucket: record.s3.bucket.name, Key: key }).promise();
  await new Promise((resolve, reject) => {
    exec(`ffmpeg -i /tmp/${key} -vf scale=320:-1 /tmp/out.mp4`, (err, stdout) => {  // expect: FG-INJ-011
      if (err) return reject(err);
      resolve(stdout);
    });
  });
  return { ok: true };
};

module.exports.gitLog = (event, context, callback) => {
  const ref = event.queryStringParameters && event.queryStringParameters.ref;
  try {
    const out = execSync('git log --oneline -n 5 ' + ref, { cwd: '/tmp/repo' }).toString();  // expect: FG-INJ-011
    callback(null, { statusCode: 200, body: out });
  } catch (e) {
    callback(null, { statusCode: 500, body: e.message });
  }
};

exports.archive = async (event) => {
  const { files = [], name } = JSON.parse(event.body || '{}');
  const { stdout } = await execAsync(`tar czf /tmp/${name}.tgz ${files.join(' ')}`);  // expect: FG-INJ-011
  return { statusCode: 200, body: stdout };
};

exports.listDir = (event, context, callback) => {
  const dir = event.pathParameters.dir;
  execFile('ls', ['-la', dir], (err, stdout) => {  // ok
    callback(null, { statusCode: err ? 500 : 200, body: stdout });
  });
};

exports.runJob = async (event) => {
  const results = event.Records.map((r) => {
    const job = JSON.parse(r.body);
    return new Promise((resolve) => {
      const child = spawn('sh', ['-c', job.command], { stdio: 'inherit' });  // expect: FG-INJ-011
      child.on('close', resolve);
    });
  });
  const fixed = spawn('node', ['--version']);  // ok
  fixed.on('close', () => {});
  return Promise.all(results);
};
