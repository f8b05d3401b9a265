// handlers: exportCsv runMigration lookup
import middy from '@middy/core';
import jsonBodyParser from '@middy/http-json-body-parser';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, EventBridgeEvent } from 'aws-lambda';
import { execSync, spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { Client } from 'pg';

interface ExportBody { table: string; columns: string[]; where?: string }

const baseExport = async (event: APIGatewayProxyEvent & { body: ExportBody }): Promise<APIGatewayProxyResult> => {
  const { table, columns, where } = event.body;
  const client = new Client();
  await client.connect();
  const result = await client.query(`SELECT ${columns.join(', ')} FROM ${table}${where ? ' WHERE ' + where : ''}`);  // expect: FG-INJ-010
  await client.end();
  return { statusCode: 200, body: result.rows.map((r) => Object.values(r).join(',')).join('\n') };
};

export const exportCsv = middy(baseExport).use(jsonBodyParser()).use(httpErrorHandler());

type MigrationDetail = { version: string; dryRun?: boolean };

class Migrator {
  constructor(private readonly dir: string) {}

  run(version: string): string {
    const sql = readFileSync(`${this.dir}/${version}.sql`, 'utf8');  // expect: FG-INJ-015
    const res = spawnSync('psql', ['-c', sql], { shell: true });  // expect: FG-INJ-011
    return res.stdout.toString();
  }

  check(): string {
    return execSync('psql --version').toString();  // ok: FG-INJ-011
  }
}

export const runMigration = async (event: EventBridgeEvent<'Migrate', MigrationDetail>) => {
  const migrator = new Migrator('/var/task/migrations');
  migrator.check();
  return migrator.run(event.detail.version);
};

const ALLOWED_HOSTS = ['db1', 'db2'] as const;

export const lookup = middy(async (event: APIGatewayProxyEvent) => {
  const host = event.queryStringParameters?.host ?? '';
  if (!(ALLOWED_HOSTS as readonly string[]).includes(host)) {
    return { statusCode: 400, body: 'unknown host' };
  }
  const out = execSync(`nslookup ${host}`).toString();  // ok: FG-INJ-011
  return { statusCode: 200, body: out };
});
