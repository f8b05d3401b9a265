'use strict';
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, ScanCommand } = require('@aws-sdk/lib-dynamodb');

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

exports.handler = async (event) => {
  const out = await ddb.send(new ScanCommand({ TableName: process.env.TABLE_NAME, FilterExpression: 'orderStatus = :o', ExpressionAttributeValues: { ':o': 'OPEN' } }));
  return { statusCode: 200, body: JSON.stringify(out.Items) };
};
