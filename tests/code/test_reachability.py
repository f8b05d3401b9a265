"""Facts belong to the handler whose calls reach them, not to every handler of the same file."""

from faasguard.code.facts import CodeFacts
from tests.code.conftest import template


def facts_of(result, name) -> CodeFacts:
    return next(app.code[name] for app in result.applications if name in app.code)


def operations(result, name) -> list[str]:
    return sorted({f"{c.service}:{c.operation}" for c in facts_of(result, name).sdk_calls})


PY = '''
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
sqs = boto3.client("sqs")


def _query(customer):
    return table.query(KeyConditionExpression="customer = :c", ExpressionAttributeValues={":c": customer})


def list_bookings(event, context):
    return _query(event["pathParameters"]["customer"])


def create_booking(event, context):
    table.put_item(Item={"id": "1"})
    notify(event)


def notify(event):
    sqs.send_message(QueueUrl=os.environ["QUEUE"], MessageBody="x")


ACTIONS = {"archive": lambda: table.delete_item(Key={"id": "1"})}


def admin(event, context):
    return ACTIONS[event["action"]]()
'''


def test_python_two_handlers_in_one_file_keep_their_own_sdk_calls(scan_files):
    files = {
        "template.yaml": template(("ListBookings", "python3.12", "src/", "app.list_bookings"),
                                  ("CreateBooking", "python3.12", "src/", "app.create_booking"),
                                  ("Admin", "python3.12", "src/", "app.admin")),
        "src/app.py": PY,
    }
    result = scan_files(files, rules=set())
    assert operations(result, "ListBookings") == ["dynamodb:Query"]
    assert operations(result, "CreateBooking") == ["dynamodb:PutItem", "sqs:SendMessage"]
    # A dispatch table the walk cannot resolve still counts: a missing call would make least privilege remove it.
    assert operations(result, "Admin") == ["dynamodb:DeleteItem"]


JS = '''
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, QueryCommand, PutCommand } = require("@aws-sdk/lib-dynamodb");
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});

async function query(customer) {
  return doc.send(new QueryCommand({ TableName: process.env.TABLE, KeyConditionExpression: "c = :c" }));
}

exports.listBookings = async (event) => query(event.pathParameters.customer);

exports.createBooking = async (event) => {
  await doc.send(new PutCommand({ TableName: process.env.TABLE, Item: { id: "1" } }));
  await notify();
};

const notify = async () => sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE, MessageBody: "x" }));
'''


def test_javascript_two_handlers_in_one_file_keep_their_own_sdk_calls(scan_files):
    files = {
        "template.yaml": template(("ListBookings", "nodejs20.x", "src/", "app.listBookings"),
                                  ("CreateBooking", "nodejs20.x", "src/", "app.createBooking")),
        "src/app.js": JS,
    }
    result = scan_files(files, rules=set())
    assert operations(result, "ListBookings") == ["dynamodb:Query"]
    assert operations(result, "CreateBooking") == ["dynamodb:PutItem", "sqs:SendMessage"]


def test_route_handlers_registered_at_load_belong_to_the_app_handler(scan_files):
    code = '''
import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

app = APIGatewayRestResolver()
s3 = boto3.client("s3")


@app.get("/files")
def list_files():
    return s3.list_objects_v2(Bucket="b")


def lambda_handler(event, context):
    return app.resolve(event, context)
'''
    files = {"template.yaml": template(("Api", "python3.12", "src/", "app.lambda_handler")), "src/app.py": code}
    result = scan_files(files, rules=set())
    assert operations(result, "Api") == ["s3:ListObjectsV2"]
