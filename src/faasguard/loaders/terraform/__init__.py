"""The Terraform loader, one module per concern.

- :mod:`.loader` — the :class:`TerraformLoader` (one module directory → one application) and
  :func:`~.loader.parse_hcl`, the single HCL parse entry point;
- :mod:`.module` — the blocks of a module directory; :mod:`.refs` — expressions and references;
- :mod:`.aws`, :mod:`.lambda_module`, :mod:`.iam` — AWS resources, the common Lambda modules,
  IAM policy documents; :mod:`.azure`, :mod:`.gcp` — Azure and Google Cloud functions.
"""

from faasguard.loaders.terraform.loader import TerraformLoader, module_files, parse_hcl

__all__ = ["TerraformLoader", "module_files", "parse_hcl"]
