// handlers: hello searchPage unsubscribe safeHello
const escapeHtml = require('escape-html');
const _ = require('lodash');

exports.hello = async (event) => {
  const name = _.get(event, 'queryStringParameters.name', 'there');
  return {  // expect: FG-INJ-018
    statusCode: 200,
    headers: { 'Content-Type': 'text/html' },
    body: `<html><body><h1>Hi ${name}</h1></body></html>`,
  };
};

exports.searchPage = async (event) => {
  const q = event.queryStringParameters?.q || '';
  const html = ['<ul>', ...q.split(' ').map((w) => `<li>${w}</li>`), '</ul>'].join('');
  const response = { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' } };
  response.body = html;
  return response;  // expect: FG-INJ-018
};

exports.unsubscribe = (event, context, callback) => {
  const email = event.queryStringParameters.email;
  callback(null, { statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>' + email + ' has been unsubscribed</p>' });  // expect: FG-INJ-018
};

exports.safeHello = async (event) => {
  const name = escapeHtml(event.queryStringParameters?.name ?? '');
  return { statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: `<h1>Hi ${name}</h1>` };  // ok
};
