// handlers: handler
const { CognitoJwtVerifier } = require('aws-jwt-verify');

const verifier = CognitoJwtVerifier.create({ userPoolId: process.env.POOL_ID, tokenUse: 'access', clientId: process.env.CLIENT_ID });

exports.handler = async (event) => {
  const payload = await verifier.verify(event.headers.authorization);  // ok: FG-INJ-004
  return { statusCode: 200, body: payload.sub };
};
