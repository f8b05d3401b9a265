// handlers: handler
import { jwtDecode } from 'jwt-decode';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

interface Claims { sub: string; tenant: string }

export const handler = async (event: APIGatewayProxyEventV2) => {
  const claims = jwtDecode<Claims>(event.headers.authorization ?? '');  // expect: FG-INJ-004
  return { statusCode: 200, body: JSON.stringify({ tenant: claims.tenant }) };
};
