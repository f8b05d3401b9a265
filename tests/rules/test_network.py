from faasguard.findings import Severity
from tests.conftest import by_rule

VPC_APP = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Gateway:
    Type: AWS::EC2::InternetGateway
  PublicRoutes:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  InternetRoute:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref PublicRoutes
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Gateway
  PublicSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.0.0/24
  PublicSubnetRoutes:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref PublicSubnet
      RouteTableId: !Ref PublicRoutes
  PrivateSubnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
  FunctionSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: orders function
      VpcId: !Ref Vpc
  DatabaseSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: database
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: 8080
          ToPort: 8080
          CidrIpv6: ::/0
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole
      Policies:
        - PolicyName: data
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: !Sub ${Uploads.Arn}/*
  Uploads:
    Type: AWS::S3::Bucket
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt OrdersRole.Arn
      Code: {ZipFile: "def handler(e, c): return {}"}
      VpcConfig:
        SubnetIds: [!Ref PublicSubnet]
        SecurityGroupIds: [!Ref FunctionSg]
"""

LOCKED_DOWN = (
    VPC_APP.replace("SubnetIds: [!Ref PublicSubnet]", "SubnetIds: [!Ref PrivateSubnet]")
    .replace(
        """      GroupDescription: orders function
      VpcId: !Ref Vpc
""",
        """      GroupDescription: orders function
      VpcId: !Ref Vpc
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
""",
    )
    .replace(
        "          CidrIp: 0.0.0.0/0\n        - IpProtocol: tcp\n          FromPort: 8080",
        "          SourceSecurityGroupId: !Ref FunctionSg\n        - IpProtocol: tcp\n          FromPort: 8080",
    )
    .replace("          CidrIpv6: ::/0\n", "          CidrIp: 10.0.0.0/16\n")
    + """
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
      RouteTableIds: [!Ref PublicRoutes]
  UploadsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Uploads
      PolicyDocument:
        Statement:
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: [!GetAtt Uploads.Arn, !Sub "${Uploads.Arn}/*"]
            Condition:
              Bool:
                aws:SecureTransport: false
"""
)

NET_RULES = {"FG-NET-001", "FG-NET-002", "FG-NET-003", "FG-NET-004", "FG-NET-005", "FG-NET-006"}


def test_open_database_port_is_high_and_other_ports_medium(scan_files):
    result = scan_files({"template.yaml": VPC_APP}, rules={"FG-NET-001"})
    findings = by_rule(result, "FG-NET-001")
    assert [(f.line, f.severity) for f in findings] == [(45, Severity.HIGH), (49, Severity.MEDIUM)]
    postgres, other = findings
    assert postgres.resource == "DatabaseSg"
    assert "tcp port 5432 from 0.0.0.0/0" in postgres.message and "PostgreSQL (5432)" in postgres.message
    assert "tcp port 8080 from ::/0" in other.message


def test_https_only_and_restricted_sources_are_quiet(scan_files):
    result = scan_files({"template.yaml": LOCKED_DOWN}, rules=NET_RULES)
    assert result.findings == []


def test_function_sg_without_egress_rules_allows_everything(scan_files):
    result = scan_files({"template.yaml": VPC_APP}, rules={"FG-NET-002"})
    [finding] = by_rule(result, "FG-NET-002")
    assert finding.line == 35
    assert finding.resource == "FunctionSg"
    assert finding.function == "Orders"
    assert "declares no egress rule" in finding.message and "used by function Orders" in finding.message
    assert finding.severity == Severity.LOW


def test_explicit_allow_all_egress_points_at_the_rule(scan_files):
    template = VPC_APP.replace(
        """      GroupDescription: orders function
      VpcId: !Ref Vpc
""",
        """      GroupDescription: orders function
      VpcId: !Ref Vpc
      SecurityGroupEgress:
        - IpProtocol: "-1"
          CidrIp: 0.0.0.0/0
""",
    )
    result = scan_files({"template.yaml": template}, rules={"FG-NET-002"})
    [finding] = by_rule(result, "FG-NET-002")
    assert finding.line == 40
    assert "allows all traffic out to 0.0.0.0/0" in finding.message


def test_function_in_public_subnet_points_at_vpc_config(scan_files):
    result = scan_files({"template.yaml": VPC_APP}, rules={"FG-NET-003"})
    [finding] = by_rule(result, "FG-NET-003")
    assert finding.line == 83
    assert finding.function == "Orders"
    assert finding.resource == "PublicSubnet"
    assert "public subnet PublicSubnet" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_vpc_function_using_s3_without_endpoint(scan_files):
    result = scan_files({"template.yaml": VPC_APP}, rules={"FG-NET-004"})
    [finding] = by_rule(result, "FG-NET-004")
    assert finding.line == 83
    assert finding.function == "Orders"
    assert "calls s3 from VPC Vpc" in finding.message
    assert finding.severity == Severity.LOW


def test_dynamodb_endpoint_not_required_when_role_does_not_use_dynamodb(scan_files):
    result = scan_files({"template.yaml": VPC_APP}, rules={"FG-NET-004"})
    assert all("dynamodb" not in f.message for f in by_rule(result, "FG-NET-004"))


def test_bucket_used_by_function_without_policy(scan_files):
    result = scan_files({"template.yaml": VPC_APP}, rules={"FG-NET-006"})
    [finding] = by_rule(result, "FG-NET-006")
    assert finding.line == 75
    assert finding.resource == "Uploads"
    assert finding.function == "Orders"
    assert "no bucket policy" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_unused_bucket_without_policy_is_quiet(scan_files):
    template = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Archive:
        Type: AWS::S3::Bucket
    """
    result = scan_files({"template.yaml": template}, rules={"FG-NET-006"})
    assert result.findings == []


def test_bucket_policy_without_secure_transport_deny(scan_files):
    template = VPC_APP + """
  UploadsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Uploads
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: arn:aws:iam::123456789012:root}
            Action: s3:GetObject
            Resource: !Sub ${Uploads.Arn}/*
"""
    result = scan_files({"template.yaml": template}, rules={"FG-NET-005", "FG-NET-006"})
    assert by_rule(result, "FG-NET-006") == []
    [finding] = by_rule(result, "FG-NET-005")
    assert finding.line == 88
    assert finding.resource == "Uploads"
    assert finding.function == "Orders"
    assert "UploadsPolicy of bucket Uploads does not deny requests without TLS" in finding.message
    assert finding.severity == Severity.MEDIUM
