// handlers: evaluate formula sandbox safeParse
import vm from 'node:vm';

export const evaluate = async (event) => {
  const expr = event.queryStringParameters?.expr ?? '1+1';
  const value = eval(expr);  // expect: FG-INJ-012
  return { statusCode: 200, body: JSON.stringify({ value }) };
};

export async function formula(event) {
  const { body } = event;
  const { expression, vars } = JSON.parse(body);
  const fn = new Function(...Object.keys(vars), `return (${expression});`);  // expect: FG-INJ-012
  return { statusCode: 200, body: String(fn(...Object.values(vars))) };
}

export const sandbox = async (event) => {
  const out = [];
  for (const record of event.Records) {
    const script = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
    out.push(vm.runInNewContext(script, { out: [] }, { timeout: 100 }));  // expect: FG-INJ-012
  }
  return out;
};

export const safeParse = async (event) => {
  const data = JSON.parse(event.body);  // ok
  const n = Number.parseInt(data.n, 10);
  return { statusCode: 200, body: String(eval(`${n} * 2`)) };  // ok
};
