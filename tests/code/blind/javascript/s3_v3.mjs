// handlers: handler
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { exec } from 'node:child_process';
import { promisify } from 'node:util';

const s3 = new S3Client({});
const run = promisify(exec);

export const handler = async (event) => {
  for (const { s3: { bucket, object } } of event.Records) {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: object.key }));
    const manifest = JSON.parse(await res.Body.transformToString());
    for (const step of manifest.steps ?? []) {
      await run(`/opt/bin/process ${step.args}`);  // expect: FG-INJ-011
    }
    const safeKey = object.key.replace(/[^a-zA-Z0-9._-]/g, '_');
    await run('/opt/bin/index ' + JSON.stringify(manifest.steps?.length ?? 0));  // ok: FG-INJ-011
    console.log('processed', safeKey);
  }
};
