// handlers: handler
// ESM handler whose work happens in a helper module it imports.
import { lookupHost, renderTemplate } from "./lib/net.mjs";

export async function handler(event) {
  const body = JSON.parse(event.body ?? "{}");
  const addresses = await lookupHost(body.host);
  const text = renderTemplate(body.greeting);
  return { statusCode: 200, body: JSON.stringify({ addresses, text }) };
}
