# handlers: handler
# Powertools HTTP API resolver with routes split into a Router in another module.
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from api import admin_routes
from api.user_routes import router as user_router

logger = Logger()
app = APIGatewayHttpResolver()
app.include_router(user_router, prefix="/users")
app.include_router(admin_routes.router, prefix="/admin")


@logger.inject_lambda_context
def handler(event, context):
    return app.resolve(event, context)
