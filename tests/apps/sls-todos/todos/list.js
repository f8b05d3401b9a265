'use strict';
const AWS = require('aws-sdk');

const dynamoDb = new AWS.DynamoDB.DocumentClient();

module.exports.list = async () => {
  const result = await dynamoDb.scan({ TableName: process.env.DYNAMODB_TABLE }).promise();
  return { statusCode: 200, body: JSON.stringify(result.Items) };
};
