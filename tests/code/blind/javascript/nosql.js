// handlers: login searchItems auditStream getByOwner
const { MongoClient } = require('mongodb');
const AWS = require('aws-sdk');
const { DynamoDBClient, ScanCommand } = require('@aws-sdk/client-dynamodb');

const mongo = new MongoClient(process.env.MONGO_URI);
const docClient = new AWS.DynamoDB.DocumentClient();
const ddb = new DynamoDBClient({});

module.exports.login = async (event) => {
  const { username, password } = JSON.parse(event.body);
  await mongo.connect();
  const user = await mongo.db('app').collection('users').findOne({ username, password });  // expect: FG-INJ-016
  const safe = await mongo.db('app').collection('users').findOne({ username: String(username) });  // ok
  return { statusCode: user || safe ? 200 : 401, body: '' };
};

module.exports.searchItems = async (event) => {
  const params = event.queryStringParameters || {};
  const field = params.field;
  const value = params.value;
  const res = await ddb.send(new ScanCommand({  // expect: FG-INJ-016
    TableName: process.env.TABLE,
    FilterExpression: `${field} = :v`,
    ExpressionAttributeValues: { ':v': { S: value } },
  }));
  return { statusCode: 200, body: JSON.stringify(res.Items) };
};

module.exports.auditStream = (event, context, callback) => {
  const updates = event.Records
    .filter((r) => r.eventName === 'MODIFY')
    .map((r) => AWS.DynamoDB.Converter.unmarshall(r.dynamodb.NewImage))
    .map((item) => docClient.update({  // expect: FG-INJ-016
      TableName: 'audit',
      Key: { pk: item.id },
      UpdateExpression: 'SET ' + item.changedField + ' = :now',
      ExpressionAttributeValues: { ':now': Date.now() },
    }).promise());
  Promise.all(updates).then(() => callback(null, 'ok')).catch(callback);
};

module.exports.getByOwner = async (event) => {
  const owner = event.pathParameters.owner;
  const res = await docClient.query({
    TableName: process.env.TABLE,
    KeyConditionExpression: 'owner = :o',  // ok
    ExpressionAttributeValues: { ':o': owner },
  }).promise();
  return { statusCode: 200, body: JSON.stringify(res.Items) };
};
