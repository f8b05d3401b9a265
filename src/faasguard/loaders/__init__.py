"""Loaders: one per source format, each producing :class:`faasguard.model.Application` objects."""

from faasguard.loaders.interface import Loader
from faasguard.loaders.template_loader import TemplateLoader

LOADERS: list[Loader] = [TemplateLoader()]

__all__ = ["LOADERS", "Loader"]

from faasguard.loaders.serverless_framework import ServerlessFrameworkLoader  # noqa: E402

LOADERS.append(ServerlessFrameworkLoader())

from faasguard.loaders.terraform import TerraformLoader  # noqa: E402

LOADERS.append(TerraformLoader())

from faasguard.loaders.azure_functions import AzureFunctionsLoader  # noqa: E402

LOADERS.append(AzureFunctionsLoader())
