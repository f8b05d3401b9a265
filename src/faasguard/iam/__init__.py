"""IAM in depth: the action database, statement evaluation, managed policies, risk
classes, the SDK-call → IAM-action map and the least-privilege policy per function.

Everything here reads only the model and bundled data; nothing touches the network.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import TypeVar

_T = TypeVar("_T")


def quick_init(cls: type[_T]) -> type[_T]:
    """A frozen dataclass whose ``__init__`` fills the instance's ``__dict__`` at once, instead of the generated one's
    ``object.__setattr__`` per field: the same arguments, defaults and result (no ``__post_init__``, no default
    factory), for the records the analysis makes by the hundred thousand (needs, risks, statement uses)."""
    params, names, namespace = [], [], {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.default_factory is not MISSING or not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: quick_init takes plain fields only")
        names.append(f.name)
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    source = f"def __init__(self, {', '.join(params)}):\n    self.__dict__.update({', '.join(f'{n}={n}' for n in names)})\n"
    exec(source, namespace)  # the way dataclasses makes __init__
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
