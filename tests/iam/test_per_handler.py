"""SDK calls belong to the handler whose call graph reaches them (the code analysis' per-handler reachability)."""

from __future__ import annotations

from tests.conftest import by_rule

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Bookings:
    Type: AWS::DynamoDB::Table
  CreateBooking:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.createBooking
      CodeUri: src/
      Environment: {Variables: {TABLE: !Ref Bookings}}
      Policies:
        - Statement:
            - {Effect: Allow, Action: [dynamodb:PutItem, dynamodb:Query], Resource: !GetAtt Bookings.Arn}
  ListBookings:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.list_bookings
      CodeUri: src/
      Environment: {Variables: {TABLE: !Ref Bookings}}
      Policies:
        - Statement:
            - {Effect: Allow, Action: [dynamodb:PutItem, dynamodb:Query], Resource: !GetAtt Bookings.Arn}
"""

CODE = """
import os
import boto3
from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def _save(item):
    table.put_item(Item=item)


def _find(customer):
    return table.query(KeyConditionExpression=Key("customer").eq(customer))


def createBooking(event, context):
    _save({"id": event["id"]})


def list_bookings(event, context):
    return _find(event["customer"])
"""


def test_least_privilege_attributes_query_only_to_the_handler_that_calls_it(scan_files):
    from faasguard.iam.least_privilege import analyse

    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": CODE}, rules={"FG-IAM-030"})
    [app] = [a for a in result.applications if a.functions]
    iam = analyse(app)
    assert "dynamodb:Query" not in iam.policies["CreateBooking"].actions
    assert "dynamodb:PutItem" in iam.policies["CreateBooking"].actions
    assert "dynamodb:Query" in iam.policies["ListBookings"].actions
    assert "dynamodb:PutItem" not in iam.policies["ListBookings"].actions
    found = {f.function: f.message for f in by_rule(result, "FG-IAM-030")}
    assert found["CreateBooking"].endswith("never uses: dynamodb:Query")
    assert found["ListBookings"].endswith("never uses: dynamodb:PutItem")
