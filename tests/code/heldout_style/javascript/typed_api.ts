// handlers: getUser searchProducts createExport previewPage proxyImage
// TypeScript handlers typed with @types/aws-lambda: interfaces, casts, optional chaining, destructuring.
import { APIGatewayProxyEvent, APIGatewayProxyHandler, APIGatewayProxyResult, Context } from "aws-lambda";
import { Pool } from "pg";
import { exec } from "child_process";
import { promisify } from "util";
import axios from "axios";

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const run = promisify(exec);

interface ExportRequest {
  format?: string;
  columns: string[];
  destination: string;
}

export const getUser: APIGatewayProxyHandler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const userId = event.pathParameters!.userId as string;
  const { rows } = await pool.query(`SELECT * FROM users WHERE id = '${userId}'`); // expect: FG-INJ-010
  await pool.query("SELECT * FROM users WHERE id = $1", [userId]); // ok: FG-INJ-010
  return { statusCode: 200, body: JSON.stringify(rows[0]) };
};

export const searchProducts = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  const term = event.queryStringParameters?.q ?? "";
  const { sort: orderBy = "name", limit = "20", ...filters } = event.queryStringParameters || {};
  const result = await pool.query("SELECT * FROM products WHERE name ILIKE '%" + term + "%' ORDER BY " + orderBy); // expect: FG-INJ-010
  await pool.query(`SELECT * FROM products LIMIT ${parseInt(limit, 10)}`); // ok: FG-INJ-010
  const where = Object.keys(filters).map((k) => `${k} = '${filters[k]}'`).join(" AND ");
  await pool.query(`SELECT * FROM products WHERE ${where}`); // expect: FG-INJ-010
  return { statusCode: 200, body: JSON.stringify(result.rows) };
};

export const createExport = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const req = JSON.parse(event.body || "{}") as ExportRequest;
  const { format = "csv", destination: dest } = req;
  await run(`pg_dump --format=${format} --file=/tmp/${dest} app`); // expect: FG-INJ-011
  await run("pg_dump --format=csv --file=/tmp/export.csv app"); // ok: FG-INJ-011
  return { statusCode: 202, body: JSON.stringify({ dest }) };
};

export const previewPage = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const title = event.queryStringParameters?.title;
  return { // expect: FG-INJ-018
    statusCode: 200,
    headers: { "Content-Type": "text/html; charset=utf-8" },
    body: `<html><body><h1>${title}</h1></body></html>`,
  };
};

export const proxyImage = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const src = event.queryStringParameters?.src as string;
  const image = await axios.get<ArrayBuffer>(src, { responseType: "arraybuffer" }); // expect: FG-INJ-014
  await axios.get(`https://images.example.com/${encodeURIComponent(src)}`); // ok: FG-INJ-014
  return { statusCode: 200, isBase64Encoded: true, body: Buffer.from(image.data).toString("base64") };
};
