'use strict';
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, UpdateCommand } = require('@aws-sdk/lib-dynamodb');

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

exports.handler = async (event) => {
  await ddb.send(new UpdateCommand({ TableName: process.env.TABLE_NAME, Key: { id: event.pathParameters.id }, UpdateExpression: 'set orderStatus = :c', ExpressionAttributeValues: { ':c': 'CLOSED' } }));
  return { statusCode: 200, body: '{}' };
};
