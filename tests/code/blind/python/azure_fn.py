# handlers: main
import json
import os
import subprocess

import azure.functions as func
from azure.cosmos import CosmosClient

cosmos = CosmosClient(os.environ["COSMOS_URL"], credential=os.environ["COSMOS_KEY"])
container = cosmos.get_database_client("shop").get_container_client("orders")


def main(req: func.HttpRequest) -> func.HttpResponse:
    customer = req.params.get("customer")
    if not customer:
        try:
            customer = req.get_json().get("customer")
        except ValueError:
            customer = None
    if not customer:
        return func.HttpResponse("customer required", status_code=400)
    items = list(container.query_items(query=f"SELECT * FROM c WHERE c.customer = '{customer}'", enable_cross_partition_query=True))  # expect: FG-INJ-010
    safe = list(container.query_items(query="SELECT * FROM c WHERE c.customer = @c", parameters=[{"name": "@c", "value": customer}], enable_cross_partition_query=True))  # ok: FG-INJ-010
    tool = req.route_params.get("tool")
    subprocess.run(tool + " --check", shell=True)  # expect: FG-INJ-011
    return func.HttpResponse(json.dumps({"n": len(items) + len(safe)}), mimetype="application/json")
