// handlers: getUser searchOrders updateProfile listSorted byTenant
import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSEvent } from 'aws-lambda';
import { Pool } from 'pg';
import mysql from 'mysql2/promise';
import { RDSDataClient, ExecuteStatementCommand } from '@aws-sdk/client-rds-data';
import { findTenant } from './lib/tenants';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const rds = new RDSDataClient({});
const SORTABLE: Record<string, string> = { newest: 'created_at DESC', price: 'price ASC' };

export const getUser = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const id = event.pathParameters?.id as string;
  const { rows } = await pool.query(`SELECT * FROM users WHERE id = '${id}'`);  // expect: FG-INJ-010
  const safe = await pool.query('SELECT * FROM users WHERE id = $1', [id]);  // ok
  return { statusCode: 200, body: JSON.stringify({ rows, safe: safe.rows }) };
};

export const searchOrders = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const conn = await mysql.createConnection({ host: process.env.DB_HOST, user: 'app', database: 'shop' });
  const { status, customer } = event.queryStringParameters ?? {};
  let sql = 'SELECT * FROM orders WHERE 1=1';
  if (status) sql += " AND status = '" + status + "'";
  if (customer) sql += ` AND customer = '${customer}'`;
  const [rows] = await conn.query(sql);  // expect: FG-INJ-010
  const [rows2] = await conn.execute('SELECT * FROM orders WHERE status = ?', [status]);  // ok
  await conn.end();
  return { statusCode: 200, body: JSON.stringify([rows, rows2]) };
};

export const updateProfile = async (event: SQSEvent): Promise<void> => {
  for (const record of event.Records) {
    const msg: { userId: string; nickname: string } = JSON.parse(record.body);
    await rds.send(new ExecuteStatementCommand({  // expect: FG-INJ-010
      resourceArn: process.env.CLUSTER_ARN!,
      secretArn: process.env.SECRET_ARN!,
      sql: `UPDATE profiles SET nickname = '${msg.nickname}' WHERE user_id = '${msg.userId}'`,
    }));
  }
};

export const listSorted = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const order = SORTABLE[event.queryStringParameters?.sort ?? ''] ?? 'created_at DESC';
  const limit = parseInt(event.queryStringParameters?.limit ?? '20', 10);
  const { rows } = await pool.query(`SELECT * FROM products ORDER BY ${order} LIMIT ${limit}`);  // ok
  return { statusCode: 200, body: JSON.stringify(rows) };
};

export const byTenant = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const tenant = event.headers['x-tenant-id'] ?? 'default';
  return { statusCode: 200, body: JSON.stringify(await findTenant(pool, tenant)) };
};
