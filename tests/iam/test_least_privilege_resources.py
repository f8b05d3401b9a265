"""Template references resolve to canonical ARNs whatever format named the resource."""

from pathlib import Path

from faasguard.iam.least_privilege import Resources, _logical_in
from faasguard.model import Application, DataStore, Loc


def app_with(*stores: DataStore) -> Application:
    app = Application(root=Path("."))
    app.data_stores.extend(stores)
    return app


def test_terraform_addresses_and_cdk_paths_resolve_like_logical_ids():
    res = Resources(
        app_with(
            DataStore("Orders", "dynamodb", Loc("t.yaml", 1), name="orders"),
            DataStore("aws_dynamodb_table.orders", "dynamodb", Loc("main.tf", 1), name="orders"),
            DataStore("Shop/Orders", "dynamodb", Loc("cdk.out/Shop.template.json", 1), name="orders"),
        )
    )
    table = "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders"
    assert res.resolve("${Orders.Arn}") == table
    assert res.resolve("${aws_dynamodb_table.orders.arn}") == table
    assert res.resolve("${Shop/Orders.Arn}") == table
    assert res.resolve("${aws_dynamodb_table.orders.arn}/index/*") == table + "/index/*"
    assert _logical_in("${aws_dynamodb_table.orders.arn}", res) == "aws_dynamodb_table.orders"
    assert _logical_in("${Shop/Orders.Arn}", res) == "Shop/Orders"
    assert _logical_in("${Unknown.Arn}", res) is None
