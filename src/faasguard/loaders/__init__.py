"""Loaders: one per source format, each producing :class:`faasguard.model.Application` objects.

The order matters: the first loader that wants a file name and claims its text loads it.
"""

from faasguard.loaders.azure_functions import AzureFunctionsLoader
from faasguard.loaders.interface import Loader
from faasguard.loaders.pulumi import PulumiLoader
from faasguard.loaders.serverless_framework import ServerlessFrameworkLoader
from faasguard.loaders.template_loader import TemplateLoader
from faasguard.loaders.terraform import TerraformLoader

# Pulumi first: its claim is strict (a stack export's URNs, a YAML program's runtime) and a stack
# export is JSON the template loader would otherwise read.
LOADERS: list[Loader] = [
    PulumiLoader(),
    TemplateLoader(),
    ServerlessFrameworkLoader(),
    TerraformLoader(),
    AzureFunctionsLoader(),
]

__all__ = ["LOADERS", "Loader"]
