"""Helpers for code-analysis tests: a SAM template with one function per handler."""

from __future__ import annotations


def template(*functions: tuple[str, str, str, str]) -> str:
    """``template(("Api", "python3.12", "src/", "app.lambda_handler"), …)`` → a SAM template."""
    lines = ["Transform: AWS::Serverless-2016-10-31", "Resources:"]
    for name, runtime, code_uri, handler in functions:
        lines += [
            f"  {name}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            f"      Runtime: {runtime}",
            f"      CodeUri: {code_uri}",
            f"      Handler: {handler}",
        ]
    return "\n".join(lines) + "\n"
