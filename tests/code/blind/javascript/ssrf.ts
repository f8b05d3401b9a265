// handlers: unfurl notify screenshot fetchRepo
import type { APIGatewayProxyEventV2, SNSEvent } from 'aws-lambda';
import axios from 'axios';
import https from 'https';
import got from 'got';

const ALLOWED = new Set(['hooks.slack.com', 'discord.com']);

export const unfurl = async (event: APIGatewayProxyEventV2) => {
  const params = new URLSearchParams(event.body ?? '');
  const link = params.get('link')!;
  const res = await fetch(link);  // expect: FG-INJ-014
  return { statusCode: 200, body: (await res.text()).slice(0, 200) };
};

export const notify = async (event: SNSEvent) => {
  await Promise.all(event.Records.map(async ({ Sns }) => {
    const { webhook, text } = JSON.parse(Sns.Message);
    const host = new URL(webhook).hostname;
    if (!ALLOWED.has(host)) return;
    await axios.post(webhook, { text });  // ok
    await got.post(JSON.parse(Sns.Message).fallback, { json: { text } });  // expect: FG-INJ-014
  }));
};

export const screenshot = (event: APIGatewayProxyEventV2): Promise<{ statusCode: number }> =>
  new Promise((resolve) => {
    const target = event.queryStringParameters?.target ?? '';
    https.get(target, (res) => resolve({ statusCode: res.statusCode ?? 500 }));  // expect: FG-INJ-014
  });

export const fetchRepo = async (event: APIGatewayProxyEventV2) => {
  const repo = encodeURIComponent(event.pathParameters?.repo ?? '');
  const { data } = await axios.get(`https://api.github.com/repos/acme/${repo}`);  // ok
  return { statusCode: 200, body: JSON.stringify(data) };
};
