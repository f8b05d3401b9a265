// handlers: handler
const jwt = require('jsonwebtoken');

exports.handler = async (event) => {
  const token = (event.headers.Authorization || '').replace('Bearer ', '');
  const claims = jwt.decode(token);  // expect: FG-INJ-004
  if (!claims || claims.role !== 'owner') return { statusCode: 403 };
  return { statusCode: 200, body: JSON.stringify({ id: claims.sub }) };
};
