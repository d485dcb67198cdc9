"""Reading the YAML files users write (pilot specs, metric definitions, mappings): one strict reading, and errors
that name the file, the line and the key path.

PyYAML reads YAML 1.1, where a key given twice silently keeps its last value, `yes`/`no`/`on`/`off` are booleans,
`010` is eight, `1:30` is ninety and `.nan`/`.inf` are numbers. The strict loader reads the YAML 1.2 core schema
instead (only `true`/`false` are booleans, `1e-5` is a number, `010` is ten, `1:30` is text) and refuses, with the
line and key path, a key given twice at any depth and a number that is not finite (`.nan`, `.inf`, `1.0e400`).
Whether a value has the right type for its key (a boolean where days belong) is the models' part: the documents
people write are Pydantic models in strict mode (cxscale.documents.StrictModel), and `explain` puts the line of
the offending key in front of each Pydantic error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cxscale.errors import SpecError

if TYPE_CHECKING:
    from pydantic import ValidationError

_BOOL, _INT, _FLOAT = ("tag:yaml.org,2002:" + t for t in ("bool", "int", "float"))
_MERGE = "tag:yaml.org,2002:merge"

#: The YAML 1.2 core schema's booleans, integers and floats (yaml.org/spec/1.2.2/#1032-tag-resolution).
_CORE = [
    (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    (_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")),
    (_FLOAT, re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"), list("-+0123456789.")),
]


class StrictLoader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's booleans and numbers (see the module docstring). Duplicate keys and
    non-finite numbers are refused by read_document, which knows the file and the key path."""

    def construct_yaml_int(self, node: ScalarNode) -> int:  # type: ignore[override]
        text = str(self.construct_scalar(node))
        base = {"0o": 8, "0x": 16}.get(text[:2], 10)
        try:
            return int(text[2:] if base != 10 else text, base)
        except ValueError:  # only reached by an explicit tag: !!int twelve
            raise ConstructorError(None, None, f"{text!r} is not an integer", node.start_mark) from None

    def construct_yaml_float(self, node: ScalarNode) -> float:  # type: ignore[override]
        text = str(self.construct_scalar(node))
        try:
            return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
        except ValueError:  # only reached by an explicit tag: !!float twelve
            raise ConstructorError(None, None, f"{text!r} is not a number", node.start_mark) from None


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _rx, _first in _CORE:
    StrictLoader.add_implicit_resolver(_tag, _rx, _first)
StrictLoader.add_constructor(_INT, StrictLoader.construct_yaml_int)
StrictLoader.add_constructor(_FLOAT, StrictLoader.construct_yaml_float)


class StrictDumper(yaml.SafeDumper):
    """SafeDumper that also quotes text the strict loader would read as a number or boolean ("1e5", "0o17"), so a
    file cxscale writes reads back as it was written under both YAML 1.1 and the strict loader."""


for _tag, _rx, _first in _CORE:
    StrictDumper.add_implicit_resolver(_tag, _rx, _first)


def dump_yaml(data: Any) -> str:
    """YAML text for `data` in the order given, readable back by read_yaml unchanged."""
    return yaml.dump(data, Dumper=StrictDumper, sort_keys=False)


@dataclass
class YamlDocument:
    """A parsed YAML file: its data and its node tree, to find the line of any key path (`explain`)."""

    path: Path
    data: Any
    root: Node | None

    def line(self, loc: tuple[str | int, ...]) -> int | None:
        """The 1-based line of the value at key path `loc` (or of its deepest part present in the file)."""
        node, line = self.root, None
        for key in loc:
            if node is None:
                break
            line = node.start_mark.line + 1
            if isinstance(node, MappingNode):
                node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(key)), None)
            elif isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
            else:
                node = None
        return node.start_mark.line + 1 if node is not None else line

    def explain(self, exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> str:
        """Pydantic's errors as `key.path (line N): message (found VALUE)`, joined by "; ". `prefix` is the key path
        of the validated part within the file (a metric file's `("metrics", 0)`); the paths shown are relative to
        it, the lines are the file's."""
        out = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = key_path(loc)
            msg = err["msg"].removeprefix("Value error, ")
            found = err.get("input")
            if err["type"] not in ("missing", "value_error", "assertion_error") and not isinstance(found, dict | list):
                msg += f" (found {found!r})"
            line = self.line(prefix + loc) if loc else None
            out.append(f"{where} (line {line}): {msg}" if line else f"{where}: {msg}" if where else msg)
        return "; ".join(out)


def key_path(loc: tuple[str | int, ...]) -> str:
    """A key path as written in messages: primary.target.relative, guardrails[0].metric."""
    text = ""
    for key in loc:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


def read_document(path: str | Path, what: str, loader: type[yaml.SafeLoader] = StrictLoader) -> YamlDocument:
    """Parse the YAML file at `path` strictly; a missing file, bad YAML, a key given twice or a number that is not
    finite raises SpecError naming the file, the line, the key path and `what` the file is."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SpecError(f"{p}: {what} not found") from exc
    except IsADirectoryError as exc:
        raise SpecError(f"{p}: is a folder, not a {what}") from exc
    except UnicodeDecodeError as exc:
        raise SpecError(f"{p}: a {what} is UTF-8 text; byte {exc.start} is not UTF-8") from exc
    reader = loader(text)
    try:
        root = reader.get_single_node()
        if root is None:
            return YamlDocument(p, None, None)
        _check(reader, root, (), p, set())
        return YamlDocument(p, reader.construct_document(root), root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(exc.problem or exc.context or "unreadable").split())
        raise SpecError(f"{p}: not valid YAML{where}: {problem}") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{p}: not valid YAML: {' '.join(str(exc).split())}") from exc
    except RecursionError as exc:
        raise SpecError(f"{p}: not a {what}: nested too deeply to read") from exc
    finally:
        reader.dispose()


def read_yaml(path: str | Path, what: str, loader: type[yaml.SafeLoader] = StrictLoader) -> Any:
    """The data of the YAML file at `path`, read strictly (read_document)."""
    return read_document(path, what, loader).data


def _check(reader: yaml.SafeLoader, node: Node, loc: tuple[str | int, ...], path: Path, seen: set[int]) -> None:
    """Refuse keys given twice and non-finite numbers anywhere under `node` (each node once: aliases repeat them)."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, ScalarNode):
        if node.tag == _FLOAT and not math.isfinite(reader.construct_object(node)):  # type: ignore[no-untyped-call]
            raise SpecError(f"{path}: {key_path(loc) or '(top level)'} (line {node.start_mark.line + 1}): "
                            f"{node.value} is not a finite number; give a number (or leave the key out)")
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _check(reader, item, (*loc, i), path, seen)
    elif isinstance(node, MappingNode):
        first: dict[Any, int] = {}
        for key_node, value in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node, ScalarNode):
                continue
            key = reader.construct_object(key_node)  # type: ignore[no-untyped-call]
            line = key_node.start_mark.line + 1
            if key in first:
                raise SpecError(f"{path}: {key_path((*loc, str(key)))} (line {line}): key given twice (first on "
                                f"line {first[key]}); YAML would keep the last one silently, so give each key once")
            first[key] = line
            _check(reader, value, (*loc, str(key)), path, seen)
