'use strict';
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand } = require('@aws-sdk/lib-dynamodb');

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

exports.handler = async (event) => {
  const item = { id: Date.now().toString(), ...JSON.parse(event.body) };
  await ddb.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: item }));
  return { statusCode: 200, body: JSON.stringify(item) };
};
