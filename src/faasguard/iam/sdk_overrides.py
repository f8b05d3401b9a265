"""The hand-kept part of the SDK-call → IAM-action map.

Most SDK operations need the IAM action of the same name (``sqs:SendMessage`` for
``SendMessage``); ``scripts/build_sdk_map.py`` derives those from botocore's models
and the IAM database. This module holds what that rule gets wrong: operations whose
action has another name or needs several actions, services whose IAM prefix is not
their signing name, and the SDK conveniences that are not API operations at all
(boto3's S3 transfer helpers, the DynamoDB document clients of JavaScript v2/v3).

``tests/iam/test_sdk_map.py`` checks every row against botocore (the operation
exists) and the IAM database (the action exists), so a typo here fails the build.
Sources: the AWS Service Authorization Reference and each API's "permissions"
section, as summarised in ``shared/research/libraries.md`` §2.
"""

from __future__ import annotations

from faasguard.code.sdk_names import LIB_DYNAMODB

# boto3 service name → IAM prefix, where neither the signing name nor the endpoint prefix is one.
PREFIX_ALIASES: dict[str, str] = {
    "iot-data": "iot",
    "resourcegroupstaggingapi": "tag",
    "cloudcontrol": "cloudformation",
    "apigatewaymanagementapi": "execute-api",
}

# (boto3 service name, botocore operation) → the IAM actions the call needs.
OPERATION_OVERRIDES: dict[tuple[str, str], tuple[str, ...]] = {
    # S3: listing is authorised on the bucket, multipart is part of PutObject, config APIs are renamed.
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "UploadPartCopy"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "SelectObjectContent"): ("s3:GetObject",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "DeleteBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetBucketLifecycle"): ("s3:GetLifecycleConfiguration",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "DeleteBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "GetBucketReplication"): ("s3:GetReplicationConfiguration",),
    ("s3", "PutBucketReplication"): ("s3:PutReplicationConfiguration",),
    ("s3", "DeleteBucketReplication"): ("s3:PutReplicationConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "DeletePublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "GetObjectLockConfiguration"): ("s3:GetBucketObjectLockConfiguration",),
    ("s3", "PutObjectLockConfiguration"): ("s3:PutBucketObjectLockConfiguration",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:GetBucketNotification",),
    ("s3", "PutBucketNotificationConfiguration"): ("s3:PutBucketNotification",),
    ("s3", "DeleteBucketCors"): ("s3:PutBucketCORS",),
    ("s3", "DeleteBucketTagging"): ("s3:PutBucketTagging",),
    ("s3", "DeleteBucketOwnershipControls"): ("s3:PutBucketOwnershipControls",),
    ("s3", "GetBucketAccelerateConfiguration"): ("s3:GetAccelerateConfiguration",),
    ("s3", "PutBucketAccelerateConfiguration"): ("s3:PutAccelerateConfiguration",),
    ("s3", "GetBucketAnalyticsConfiguration"): ("s3:GetAnalyticsConfiguration",),
    ("s3", "PutBucketAnalyticsConfiguration"): ("s3:PutAnalyticsConfiguration",),
    ("s3", "DeleteBucketAnalyticsConfiguration"): ("s3:PutAnalyticsConfiguration",),
    ("s3", "ListBucketAnalyticsConfigurations"): ("s3:GetAnalyticsConfiguration",),
    ("s3", "GetBucketInventoryConfiguration"): ("s3:GetInventoryConfiguration",),
    ("s3", "PutBucketInventoryConfiguration"): ("s3:PutInventoryConfiguration",),
    ("s3", "DeleteBucketInventoryConfiguration"): ("s3:PutInventoryConfiguration",),
    ("s3", "ListBucketInventoryConfigurations"): ("s3:GetInventoryConfiguration",),
    ("s3", "GetBucketMetricsConfiguration"): ("s3:GetMetricsConfiguration",),
    ("s3", "PutBucketMetricsConfiguration"): ("s3:PutMetricsConfiguration",),
    ("s3", "DeleteBucketMetricsConfiguration"): ("s3:PutMetricsConfiguration",),
    ("s3", "ListBucketMetricsConfigurations"): ("s3:GetMetricsConfiguration",),
    ("s3", "GetBucketIntelligentTieringConfiguration"): ("s3:GetIntelligentTieringConfiguration",),
    ("s3", "PutBucketIntelligentTieringConfiguration"): ("s3:PutIntelligentTieringConfiguration",),
    ("s3", "DeleteBucketIntelligentTieringConfiguration"): ("s3:PutIntelligentTieringConfiguration",),
    ("s3", "ListBucketIntelligentTieringConfigurations"): ("s3:GetIntelligentTieringConfiguration",),
    ("s3", "WriteGetObjectResponse"): ("s3-object-lambda:WriteGetObjectResponse",),
    ("s3", "CreateSession"): ("s3express:CreateSession",),
    ("s3", "ListDirectoryBuckets"): ("s3express:ListAllMyDirectoryBuckets",),
    # DynamoDB: transactions are authorised per item; PartiQL has its own actions.
    ("dynamodb", "TransactGetItems"): ("dynamodb:GetItem",),
    ("dynamodb", "TransactWriteItems"): (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ),
    ("dynamodb", "ExecuteStatement"): (
        "dynamodb:PartiQLSelect",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    ),
    ("dynamodb", "BatchExecuteStatement"): (
        "dynamodb:PartiQLSelect",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    ),
    ("dynamodb", "ExecuteTransaction"): (
        "dynamodb:PartiQLSelect",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    ),
    # Lambda
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeAsync"): ("lambda:InvokeAsync",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    ("lambda", "GetLayerVersionByArn"): ("lambda:GetLayerVersion",),
    # Batch variants are authorised as the single call.
    ("sqs", "SendMessageBatch"): ("sqs:SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("sqs:DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("sqs:ChangeMessageVisibility",),
    ("sns", "PublishBatch"): ("sns:Publish",),
    ("kms", "ReEncrypt"): ("kms:ReEncryptFrom", "kms:ReEncryptTo"),
    ("secretsmanager", "BatchGetSecretValue"): ("secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"),
    # API Gateway WebSocket callbacks
    ("apigatewaymanagementapi", "PostToConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "GetConnection"): ("execute-api:ManageConnections",),
    ("apigatewaymanagementapi", "DeleteConnection"): ("execute-api:ManageConnections",),
    # Bedrock runtime: Converse uses the InvokeModel permissions.
    ("bedrock-runtime", "Converse"): ("bedrock:InvokeModel",),
    ("bedrock-runtime", "ConverseStream"): ("bedrock:InvokeModelWithResponseStream",),
    # IoT data plane: Publish is authorised as iot:Publish (prefix alias covers the shadow calls).
    ("iot-data", "Publish"): ("iot:Publish",),
}

# Operations that need no IAM permission even though the model signs them.
PERMISSIONLESS: frozenset[tuple[str, str]] = frozenset({("sts", "GetCallerIdentity")})

# boto3 helpers injected into clients (and S3 resources); not in the service model.
BOTO3_HELPERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "upload_file"): ("s3:PutObject",),
    ("s3", "upload_fileobj"): ("s3:PutObject",),
    ("s3", "download_file"): ("s3:GetObject",),
    ("s3", "download_fileobj"): ("s3:GetObject",),
    ("s3", "copy"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "generate_presigned_url"): (),  # signs locally; the caller of the URL needs the action
    ("s3", "generate_presigned_post"): (),
    ("dynamodb", "batch_writer"): ("dynamodb:BatchWriteItem",),
}

# DynamoDB document clients: JS v3 ``@aws-sdk/lib-dynamodb`` commands and JS v2
# ``AWS.DynamoDB.DocumentClient`` methods, keyed by the name without ``Command``. The code
# analyzer owns the table (it turns the commands into operations); IAM reads the same one.
DOCUMENT_CLIENT: dict[str, str] = LIB_DYNAMODB

# JS v3 helper classes that are not commands: ``new Upload({client, params})`` from @aws-sdk/lib-storage.
JS_V3_HELPERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "Upload"): ("s3:PutObject",),
}

# JavaScript v2 class names (``new AWS.<Name>()``) that are not the service id without spaces.
JS_V2_CLASSES: dict[str, str] = {
    "CognitoIdentityServiceProvider": "cognito-idp",
    "CognitoIdentity": "cognito-identity",
    "CloudWatchLogs": "logs",
    "CloudWatchEvents": "events",
    "StepFunctions": "stepfunctions",
    "ELBv2": "elbv2",
    "ELB": "elb",
    "IotData": "iot-data",
    "ES": "es",
    "DMS": "dms",
    "SESV2": "sesv2",
    "LexRuntime": "lex-runtime",
    "LexRuntimeV2": "lexv2-runtime",
    "ResourceGroupsTaggingAPI": "resourcegroupstaggingapi",
    "MarketplaceMetering": "meteringmarketplace",
    "DynamoDBStreams": "dynamodbstreams",
    "Iot": "iot",
    "APIGateway": "apigateway",
    "ApiGatewayV2": "apigatewayv2",
    "ApiGatewayManagementApi": "apigatewaymanagementapi",
    "ConfigService": "config",
    "SageMakerRuntime": "sagemaker-runtime",
    "BedrockRuntime": "bedrock-runtime",
}
