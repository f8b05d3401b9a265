// handlers: handler legacy
// Class-based handlers: the client lives on the instance, the export is a bound method.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import mysql from "mysql2/promise";
import { execSync } from "node:child_process";

class ReportService {
  private readonly doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  private db?: mysql.Connection;

  private async connection(): Promise<mysql.Connection> {
    if (!this.db) {
      this.db = await mysql.createConnection({ host: process.env.DB_HOST, user: "app", database: "reports" });
    }
    return this.db;
  }

  async handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
    const body = JSON.parse(event.body ?? "{}");
    const conn = await this.connection();
    await conn.query(`DELETE FROM reports WHERE owner = '${body.owner}'`); // expect: FG-INJ-010
    await conn.execute("DELETE FROM reports WHERE owner = ?", [body.owner]); // ok: FG-INJ-010
    const scan = await this.doc.send(new ScanCommand({ TableName: "reports", FilterExpression: body.filter })); // expect: FG-INJ-016
    return { statusCode: 200, body: JSON.stringify(scan.Items) };
  }
}

class LegacyJob {
  run(event: { detail: { script: string } }) {
    return execSync(`/opt/jobs/${event.detail.script}.sh`).toString(); // expect: FG-INJ-011
  }
}

const service = new ReportService();
export const handler = service.handle.bind(service);
const job = new LegacyJob();
export const legacy = (event: { detail: { script: string } }) => job.run(event);
