"""The code signing rule (`supply-chain` category), which runs only when the team opts in.

It is kept apart from :mod:`faasguard.rules.supply_chain` (dependencies and lock files): it
reads the deployment configuration, and it runs only with ``require-code-signing: true`` in
``.faasguard.yaml`` (see :data:`faasguard.config.SWITCHES`) or ``--rule FG-SUP-040``.
"""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.model import Application
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix, sls_logical_id, tf_function


@rule(
    "FG-SUP-040",
    category="supply-chain",
    severity=Severity.LOW,
    title="Function deployed without code signing",
    providers=("aws",),
    opt_in=True,
    over="functions",
)
def function_without_code_signing(app: Application) -> Iterator[Hit]:
    """
    A Lambda function (a `.zip` package; container images are verified by other
    means) has no code signing configuration: no `CodeSigningConfigArn`
    (`code_signing_config_arn` in Terraform).

    Off by default: teams that deploy from a CI pipeline which signs its artifacts
    with AWS Signer turn it on with `require-code-signing: true` in
    `.faasguard.yaml` (or run it once with `--rule FG-SUP-040`).

    Without a code signing configuration that enforces signatures, anyone who can
    call `lambda:UpdateFunctionCode` — a leaked CI credential, an over-broad role —
    can replace the function's code with code the pipeline never built, and Lambda
    runs it with the function's role.

    Bad:

    ```yaml
    Orders:
      Type: AWS::Serverless::Function
      Properties:
        CodeUri: src/
    ```

    Fix:

    ```yaml
    Signing:
      Type: AWS::Lambda::CodeSigningConfig
      Properties:
        AllowedPublishers: {SigningProfileVersionArns: [!GetAtt Profile.ProfileVersionArn]}
        CodeSigningPolicies: {UntrustedArtifactOnDeployment: Enforce}
    Orders:
      Type: AWS::Serverless::Function
      Properties:
        CodeSigningConfigArn: !Ref Signing
    ```
    """
    for fn in app.functions:
        if fn.code_signing_config or fn.package_type == "Image":
            continue
        yield Hit(
            loc=fn.loc,
            message=f"Function {fn.name} has no code signing configuration: any code uploaded with "
            "lambda:UpdateFunctionCode runs unchecked",
            remediation=fix(
                app.format,
                cfn=f"Set CodeSigningConfigArn on {fn.name} to an AWS::Lambda::CodeSigningConfig that allows your AWS "
                "Signer profile with CodeSigningPolicies.UntrustedArtifactOnDeployment: Enforce",
                sam=f"Set CodeSigningConfigArn on {fn.name} to an AWS::Lambda::CodeSigningConfig that allows your AWS "
                "Signer profile (UntrustedArtifactOnDeployment: Enforce), and sign the package with "
                "sam package --signing-profiles",
                cdk=f"Pass codeSigningConfig: new lambda.CodeSigningConfig(this, 'Signing', {{signingProfiles: [profile], "
                f"untrustedArtifactOnDeployment: lambda.UntrustedArtifactOnDeployment.ENFORCE}}) to the lambda.Function "
                f"{fn.name}",
                terraform=f"Set {tf_function(fn.name, 'code_signing_config_arn', 'code_signing_config_arn')} to the arn "
                "of an aws_lambda_code_signing_config whose allowed_publishers name your aws_signer_signing_profile "
                '(policies { untrusted_artifact_on_deployment = "Enforce" })',
                serverless=f"Set resources.extensions.{sls_logical_id(fn.name)}.Properties.CodeSigningConfigArn to an "
                "AWS::Lambda::CodeSigningConfig that enforces your AWS Signer profile (the Framework has no code signing "
                "setting of its own)",
            ),
            resource=fn.name,
            function=fn.name,
        )
