'use strict';
const { randomUUID } = require('crypto');
const AWS = require('aws-sdk');

const dynamoDb = new AWS.DynamoDB.DocumentClient();

module.exports.create = async (event) => {
  const data = JSON.parse(event.body);
  if (typeof data.text !== 'string') {
    console.error('Validation Failed');
    return { statusCode: 400, body: "Couldn't create the todo item." };
  }
  const item = { id: randomUUID(), text: data.text, checked: false, createdAt: Date.now() };
  await dynamoDb.put({ TableName: process.env.DYNAMODB_TABLE, Item: item }).promise();
  return { statusCode: 200, body: JSON.stringify(item) };
};
