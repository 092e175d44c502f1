"""Turn a `-p` pipeline string into pass instances, with errors a user can act on.

    -p 'tfc-decompose,tfc-to-linalg,canonicalize'
    -p 'tfc-tile{tile-sizes=32,64 target=cpu},canonicalize'
    -p tfc-cpu                   (a named pipeline from the registry, expanded in place)

The syntax is xDSL's (`xdsl.utils.arg_spec.parse_pipeline`); option names use
hyphens for the pass dataclass's underscored fields. Names are looked up in
`tfc.passes.registry`: PASSES, then ALIASES, then PIPELINES.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import get_type_hints

from xdsl.passes import ModulePass
from xdsl.utils.arg_spec import ArgSpec, parse_pipeline
from xdsl.utils.exceptions import ArgSpecParseError

from tfc.passes import registry


class PipelineError(Exception):
    """The pipeline string names an unknown pass or gives a pass a bad option."""


def known_names() -> list[str]:
    return sorted({*registry.PASSES, *registry.ALIASES, *registry.PIPELINES})


def unknown_pass(name: str) -> PipelineError:
    close = difflib.get_close_matches(name, known_names(), n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return PipelineError(f"unknown pass '{name}'{hint} (see --list-passes)")


def load_pass(name: str) -> type[ModulePass]:
    """The pass class for a command-line name (or alias)."""
    canonical = registry.ALIASES.get(name, name)
    if canonical not in registry.PASSES:
        raise unknown_pass(name)
    try:
        return registry.PASSES[canonical]()
    except (ImportError, AttributeError) as e:
        raise PipelineError(f"pass '{name}' is not available in this build: {e}") from None


def option_fields(cls: type[ModulePass]) -> list[dataclasses.Field]:
    if not dataclasses.is_dataclass(cls):
        return []
    return [f for f in dataclasses.fields(cls) if f.init and f.name != "name"]


def describe_options(cls: type[ModulePass]) -> str:
    """`tile-sizes: tuple[int, ...] = (32, 32), target: str = cpu`, or `none`."""
    from xdsl.utils.hints import type_repr

    hints = _hints(cls)
    parts = []
    for f in option_fields(cls):
        text = f"{_cli(f.name)}: {type_repr(hints.get(f.name, f.type))}"
        if f.default is not dataclasses.MISSING:
            text += f" = {_show(f.default)}"
        elif f.default_factory is not dataclasses.MISSING:
            text += f" = {_show(f.default_factory())}"
        else:
            text += " (required)"
        parts.append(text)
    return ", ".join(parts) if parts else "none"


def _show(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(_show(v) for v in value) or "()"
    return str(value)


def _cli(field_name: str) -> str:
    return field_name.replace("_", "-")


def _hints(cls) -> dict:
    try:
        return get_type_hints(cls)
    except Exception:  # unresolvable annotations: fall back to the raw field types
        return {}


def instantiate(name: str, parameters: dict) -> ModulePass:
    """An instance of pass `name` with `{option: values}` from the pipeline string."""
    cls = load_pass(name)
    spec = ArgSpec(cls.name, dict(parameters)).normalize_parameter_names()
    fields = {f.name: f for f in option_fields(cls)}
    for key in spec.parameters:
        if key not in fields:
            if not fields:
                raise PipelineError(f"pass '{name}' takes no options, got '{_cli(key)}'")
            raise PipelineError(
                f"pass '{name}' has no option '{_cli(key)}'; its options are: "
                f"{describe_options(cls)}")
    hints = _hints(cls)
    from xdsl.utils.arg_spec import _convert_arg_to_type  # the conversion from_spec uses
    from xdsl.utils.hints import type_repr

    for key, values in spec.parameters.items():
        want = hints.get(key, fields[key].type)
        try:
            _convert_arg_to_type(values, want)
        except (ValueError, TypeError):
            given = ",".join(_show(v) for v in values) or "(no value)"
            raise PipelineError(
                f"pass '{name}': option '{_cli(key)}' expects {type_repr(want)}, got '{given}'"
            ) from None
    try:
        return cls.from_spec(spec)
    except (ValueError, TypeError) as e:
        raise PipelineError(f"pass '{name}': {e}; its options are: {describe_options(cls)}") from None


def parse(text: str, *, _seen: tuple[str, ...] = ()) -> list[ModulePass]:
    """The pass instances a pipeline string asks for, named pipelines expanded in place."""
    try:
        specs = list(parse_pipeline(text))
    except ArgSpecParseError as e:
        detail = str(e).split("\n", 2)[-1].rstrip()
        raise PipelineError(f"invalid pass pipeline '{text}':\n{detail}") from None
    passes: list[ModulePass] = []
    for spec in specs:
        name = spec.name
        if name not in registry.PASSES and name not in registry.ALIASES and name in registry.PIPELINES:
            if spec.parameters:
                raise PipelineError(f"pipeline '{name}' takes no options")
            if name in _seen:
                raise PipelineError(f"pipeline '{name}' includes itself")
            passes.extend(parse(",".join(registry.PIPELINES[name]), _seen=(*_seen, name)))
        else:
            passes.append(instantiate(name, spec.parameters))
    return passes


def pass_label(p: ModulePass) -> str:
    """How a pass instance is shown in IR dumps: its name and non-default options."""
    try:
        return str(p.spec())
    except Exception:
        return p.name
