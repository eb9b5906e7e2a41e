"""Command lines from config dataclasses: one flag per field, the field's help text, typed parsing."""

from __future__ import annotations

import argparse
import dataclasses
import json
import typing
from collections.abc import Sequence
from typing import Any, TypeVar

Config = TypeVar("Config")


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def positional(**kwargs: Any) -> Any:
    """A dataclass field taken as a positional argument: a list takes one or more, one with a default is optional."""
    return dataclasses.field(metadata={"positional": True}, **kwargs)


def add_config_arguments(parser: argparse.ArgumentParser, config_cls: type, help_texts: dict[str, str]) -> None:
    """Add one argument per field of `config_cls`: a flag, or a positional one where the field says so.

    Every field must have a help text. A `list[X]` field takes several values; a field whose metadata has
    `choices` accepts only those.
    """
    hints = typing.get_type_hints(config_cls)
    for field in dataclasses.fields(config_cls):
        if field.name not in help_texts:
            raise KeyError(f"{config_cls.__name__}.{field.name} has no help text.")
        kind = hints[field.name]
        choices = field.metadata.get("choices")
        if field.metadata.get("positional"):
            many = typing.get_origin(kind) is list
            optional = field.default is not dataclasses.MISSING
            value_type = next(t for t in typing.get_args(kind) or (kind,) if t is not type(None))
            nargs = "+" if many else "?" if optional else None
            parser.add_argument(
                field.name,
                type=value_type,
                nargs=nargs,
                choices=choices,
                help=help_texts[field.name],
                **({"default": field.default} if optional else {}),
            )
            continue
        default = field.default if field.default is not dataclasses.MISSING else field.default_factory()  # type: ignore[misc]
        text = f"{help_texts[field.name]} (default: {default})"
        if kind is bool:
            parser.add_argument(_flag(field.name), action=argparse.BooleanOptionalAction, default=default, help=text)
            continue
        optional = next((t for t in typing.get_args(kind) if t is not type(None)), kind)
        base = kind if typing.get_origin(kind) is list else optional
        if typing.get_origin(base) is list:
            parser.add_argument(
                _flag(field.name), type=typing.get_args(base)[0], nargs="*", default=default, choices=choices, help=text
            )
            continue
        parser.add_argument(_flag(field.name), type=base, default=default, choices=choices, help=text)


class ConfigError(ValueError):
    """A configuration value that cannot work; the message names the flag and what it accepts."""


def require_at_least_one(config: Any, *names: str) -> None:
    """Raise ConfigError naming the flag when any of the fields `names` of `config` is below 1."""
    for name in names:
        if getattr(config, name) < 1:
            raise ConfigError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(config, name)}.")


def command_parser(
    prog: str, description: str | None, *sections: tuple[type, dict[str, str]], print_config: bool = True
) -> argparse.ArgumentParser:
    """The parser of a script: one flag per field of each (config class, help texts) section, and --print-config."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog=prog, description=description, formatter_class=formatter)
    for config_cls, help_texts in sections:
        add_config_arguments(parser, config_cls, help_texts)
    if print_config:
        parser.add_argument("--print-config", action="store_true", help="print the full configuration as JSON and exit")
    return parser


def config_from_args(config_cls: type[Config], args: argparse.Namespace) -> Config:
    """Build `config_cls` from the parsed flags of `add_config_arguments`."""
    return config_cls(**{f.name: getattr(args, f.name) for f in dataclasses.fields(config_cls)})


def parse_configs(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, *config_classes: type
) -> tuple[Any, ...]:
    """Parse `argv` into one instance per config class, then the namespace; a bad value exits with one sentence."""
    args = parser.parse_args(argv)
    try:
        configs = tuple(config_from_args(cls, args) for cls in config_classes)
    except ValueError as error:
        parser.error(str(error))
    return (*configs, args)


def config_json(*configs: Any) -> str:
    """The configs as indented JSON, for --print-config and for saving next to the weights."""
    merged: dict[str, Any] = {}
    for config in configs:
        merged.update(dataclasses.asdict(config))
    return json.dumps(merged, indent=2, default=str)
