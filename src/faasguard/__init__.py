"""faasguard: a security scanner for serverless applications."""

__version__ = "0.1.0"
