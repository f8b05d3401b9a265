"""A live AWS account → the application model: the loader behind ``faasguard audit``.

It works in two steps, so each can be tested on its own:

* :mod:`~faasguard.loaders.aws_live.collect` calls read-only AWS APIs (the exact list is
  ``docs/audit-policy.json``) for one account and region, in parallel with bounded
  concurrency, and keeps the answers as plain data (:class:`~.collect.Snapshot`). A denied
  call becomes an error entry naming the missing permission; the rest goes on.
* :mod:`~faasguard.loaders.aws_live.build` turns a snapshot into the same
  :class:`~faasguard.model.Application` the template loaders build, so every rule runs
  on what is deployed. Locations are resource ARNs (no line numbers).

:mod:`~faasguard.loaders.aws_live.package` downloads and safely unpacks deployment
packages for ``--with-code``; :mod:`~faasguard.loaders.aws_live.session` holds the boto3
session, retry and concurrency settings and the AccessDenied handling.
"""

FORMAT = "aws-live"  # Application.format of a live account; remediation falls back to CloudFormation wording
