"""Serverless Framework variables: what resolves statically, what stays an unknown reference."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from faasguard.loaders import located_yaml
from faasguard.loaders.sls_variables import MAX_TEXT, Resolver, has_reference


def resolve(tmp_path: Path, text: str, variables: dict[str, str] | None = None) -> tuple[Any, Resolver]:
    config = located_yaml.loads(textwrap.dedent(text).lstrip("\n"))
    resolver = Resolver(config, tmp_path, tmp_path, variables)
    return resolver.resolve(), resolver


def test_self_opt_default_sls_stage_and_aws_region(tmp_path: Path) -> None:
    config, _ = resolve(
        tmp_path,
        """
        service: orders
        provider:
          stage: ${opt:stage, 'dev'}
          region: ${opt:region, 'eu-west-1'}
          environment:
            TABLE: ${self:service}-${sls:stage}-table
            REGION: ${aws:region}
        """,
    )
    env = config["provider"]["environment"]
    assert env["TABLE"] == "orders-dev-table"
    assert env["REGION"] == "eu-west-1"
    assert env["TABLE"].line == 6  # an interpolated value keeps the line it was written on


def test_cli_variables_set_env_and_options(tmp_path: Path) -> None:
    text = """
    provider:
      stage: ${opt:stage, 'dev'}
      environment:
        TOKEN: ${env:TOKEN}
        STAGE: ${sls:stage}
    """
    config, resolver = resolve(tmp_path, text, {"TOKEN": "abc123", "opt:stage": "prod"})
    assert config["provider"]["environment"] == {"TOKEN": "abc123", "STAGE": "prod"}
    config, resolver = resolve(tmp_path, text)
    assert config["provider"]["environment"]["TOKEN"] == "${env:TOKEN}"  # never the scanner's own environment
    assert "${env:TOKEN}" in resolver.unresolved


def test_nested_variables_and_legacy_defaults(tmp_path: Path) -> None:
    config, _ = resolve(
        tmp_path,
        """
        custom:
          stage: ${opt:stage, self:provider.stage}
          tables:
            dev: orders-dev
            prod: orders-prod
          table: ${self:custom.tables.${self:custom.stage}}
          fallback: ${env:MISSING, self:custom.tables.prod}
        provider:
          stage: dev
        """,
    )
    assert config["custom"]["table"] == "orders-dev"
    assert config["custom"]["fallback"] == "orders-prod"


def test_file_with_key_path_keeps_the_other_files_lines(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "dev.yml").write_text("db:\n  password: hunter2-hunter2\n  host: db.local\n")
    config, _ = resolve(
        tmp_path,
        """
        provider:
          stage: dev
        custom:
          db: ${file(./config/${self:provider.stage}.yml):db}
        """,
    )
    db = config["custom"]["db"]
    assert db == {"password": "hunter2-hunter2", "host": "db.local"}
    assert db.origin == "config/dev.yml"
    assert db.line_of("password") == 2


def test_params_v3_and_stages_v4(tmp_path: Path) -> None:
    config, _ = resolve(
        tmp_path,
        """
        params:
          default: {domain: example.dev}
          prod: {domain: example.com}
        stages:
          default:
            params: {bucket: dev-bucket}
        custom:
          domain: ${param:domain}
          bucket: ${param:bucket}
        """,
    )
    assert config["custom"] == {"domain": "example.dev", "bucket": "dev-bucket"}


def test_outside_sources_stay_references_even_with_a_default(tmp_path: Path) -> None:
    config, resolver = resolve(
        tmp_path,
        """
        provider:
          environment:
            DB_PASSWORD: ${ssm:/orders/db-password, 'changeme'}
            ACCOUNT: arn:aws:iam::${aws:accountId}:root
            STACK_OUTPUT: ${cf:other-stack.Url}
            PLUGIN: ${construct:queue.url}
        """,
    )
    env = config["provider"]["environment"]
    assert env["DB_PASSWORD"] == "${ssm:/orders/db-password, 'changeme'}"  # the default would be a guess
    assert all(has_reference(value) for value in env.values())
    assert len(resolver.unresolved) == 4


def test_cycles_stop_and_stay_unresolved(tmp_path: Path) -> None:
    config, resolver = resolve(
        tmp_path,
        """
        custom:
          a: ${self:custom.b}
          b: ${self:custom.a}
          whole: ${self:custom}
        """,
    )
    assert has_reference(config["custom"]["a"]) or has_reference(config["custom"]["b"])
    assert resolver.unresolved


def test_files_outside_the_root_and_javascript_are_never_read(tmp_path: Path) -> None:
    project = tmp_path / "service"
    project.mkdir()
    (tmp_path / "secret.yml").write_text("key: outside\n")
    (project / "config.js").write_text("module.exports = () => { throw new Error('executed') }\n")
    config = located_yaml.loads("a: ${file(../secret.yml):key}\nb: ${file(./config.js):x}\n")
    resolved = Resolver(config, project, project).resolve()
    assert resolved == {"a": "${file(../secret.yml):key}", "b": "${file(./config.js):x}"}


def test_cloudformation_sub_variables_are_not_serverless_variables(tmp_path: Path) -> None:
    config, resolver = resolve(tmp_path, 'arn: !Sub "arn:aws:s3:::${Bucket}/${AWS::Region}/*"\n')
    assert config["arn"] == {"Fn::Sub": "arn:aws:s3:::${Bucket}/${AWS::Region}/*"}
    assert resolver.unresolved == []


def test_self_reference_explosion_is_bounded(tmp_path: Path) -> None:
    lines = ["custom:", "  v0: x"] + [f"  v{i}: ${{self:custom.v{i - 1}}}${{self:custom.v{i - 1}}}" for i in range(1, 40)]
    config, resolver = resolve(tmp_path, "\n".join(lines) + "\n")
    assert config["custom"]["v16"] == "x" * 2**16
    assert all(len(config["custom"][f"v{i}"]) <= MAX_TEXT for i in range(40))  # 2**39 characters, otherwise
    assert resolver.unresolved
