'use strict';
const AWS = require('aws-sdk');

const dynamoDb = new AWS.DynamoDB.DocumentClient();

module.exports.update = async (event) => {
  const data = JSON.parse(event.body);
  const params = {
    TableName: process.env.DYNAMODB_TABLE,
    Key: { id: event.pathParameters.id },
    UpdateExpression: 'SET #todo_text = :text, checked = :checked, updatedAt = :updatedAt',
    ExpressionAttributeNames: { '#todo_text': 'text' },
    ExpressionAttributeValues: { ':text': data.text, ':checked': data.checked, ':updatedAt': Date.now() },
    ReturnValues: 'ALL_NEW',
  };
  const result = await dynamoDb.update(params).promise();
  return { statusCode: 200, body: JSON.stringify(result.Attributes) };
};
