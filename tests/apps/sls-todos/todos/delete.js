'use strict';
const AWS = require('aws-sdk');

const dynamoDb = new AWS.DynamoDB.DocumentClient();

module.exports.delete = async (event) => {
  await dynamoDb.delete({ TableName: process.env.DYNAMODB_TABLE, Key: { id: event.pathParameters.id } }).promise();
  console.log('deleted', event.pathParameters.id);
  return { statusCode: 200, body: JSON.stringify({}) };
};
