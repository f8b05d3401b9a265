'use strict';
const AWS = require('aws-sdk');

const dynamoDb = new AWS.DynamoDB.DocumentClient();

module.exports.get = async (event) => {
  const params = { TableName: process.env.DYNAMODB_TABLE, Key: { id: event.pathParameters.id } };
  const result = await dynamoDb.get(params).promise();
  return { statusCode: 200, body: JSON.stringify(result.Item) };
};
