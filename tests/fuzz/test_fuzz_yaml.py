"""Fuzz the strict YAML reader (:func:`hkfactor._yaml.load_yaml`) with malformed frameworks and recipes.

Generated inputs start from a valid framework YAML and are damaged: repeated keys, anchors and
aliases (billion laughs), deep nesting, stray syntax characters, control characters, tags,
broken encodings, truncation. Oracle for a returned document: the text has no alias, anchor or
repeated key, and the result equals PyYAML's own ``safe_load``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz._harness import run_case
from hkfactor._yaml import load_yaml

BASE = """\
name: synthetic framework
version: 1
channels:
  finance:
    label: {zh: 金融, en: Finance}
    indicators:
      - code: loans
        direction: 1
        weight: 1.0
      - code: cost
        direction: -1
        weight: 0.5
  research:
    indicators:
      - code: papers
        direction: 1
"""

_JUNK = [":", "-", "[", "]", "{", "}", "\t", "\x00", "\x07", "\x85", "'", '"', "&a ", "*a", "!", "%", "@", "`", "|",
         ">", "#", "\ufeff", "\r", "? ", ",", "\n  ", "\u2028", "<<: ", "!!binary ", "!!python/object:os.system ",
         "2020-13-45", "1e999", ".nan", "~", "yes", "0x1G", "\\", "\ud7ff"]


def _dup_key(text: str, i: int) -> str:
    lines = text.splitlines()
    keyed = [k for k, ln in enumerate(lines) if ":" in ln and not ln.rstrip().endswith(":")]
    k = keyed[i % len(keyed)]
    key = lines[k].split(":")[0]
    lines.insert(k + 1, f"{key}: -1")
    return "\n".join(lines) + "\n"


def _laughs(levels: int) -> str:
    out = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for k in range(1, levels):
        out.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]")
    return "\n".join(out) + "\n"


@st.composite
def damaged_yaml(draw: st.DrawFn) -> tuple[str, bytes | str]:
    kind = draw(st.sampled_from(["dup", "laughs", "deep", "deepmap", "junk", "tag", "bytes", "truncate", "merge",
                                 "valid", "huge"]))
    text = BASE
    if kind == "dup":
        text = _dup_key(BASE, draw(st.integers(0, 50)))
    elif kind == "laughs":
        text = _laughs(draw(st.integers(2, 12)))
    elif kind == "deep":
        n = draw(st.integers(10, 20000))
        text = "a: " + "[" * n + "]" * draw(st.sampled_from([n, n - 1, 0]))
    elif kind == "deepmap":
        n = draw(st.integers(10, 400))
        text = "".join(" " * i + f"k{i}:\n" for i in range(n)) + " " * n + "v\n"
    elif kind == "junk":
        for _ in range(draw(st.integers(1, 4))):
            pos = draw(st.integers(0, len(text)))
            text = text[:pos] + draw(st.sampled_from(_JUNK)) + text[pos:]
    elif kind == "tag":
        text = BASE + "extra: " + draw(st.sampled_from(["!!python/object/apply:os.system ['echo hi']", "!!binary aGk=",
                                                         "!!set {a, b}", "!custom x", "!!omap [a: 1]",
                                                         "!!timestamp 2020-02-30", "!!int 1.5", "!!float abc"]))
    elif kind == "merge":
        text = "base: {x: 1}\nchild:\n  <<: {x: 2}\n  y: 3\n"
    elif kind == "huge":
        text = "a: " + "x" * draw(st.sampled_from([10, 2_100_000])) + "\n"
    elif kind == "truncate":
        text = BASE[: draw(st.integers(0, len(BASE)))]
    if kind == "bytes":
        raw = bytearray(BASE.encode(draw(st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-8-sig"]))))
        for _ in range(draw(st.integers(0, 3))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return kind, bytes(raw)
    return kind, text


def _oracle(src: bytes | str):  # type: ignore[no-untyped-def]
    def check(result: object) -> str | None:
        text = src.decode("utf-8-sig") if isinstance(src, bytes) else src
        events = list(yaml.parse(text))
        if any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) for e in events):
            return "accepted an alias or anchor"

        def walk(node: yaml.Node) -> str | None:
            if isinstance(node, yaml.MappingNode):
                keys = [(k.tag, k.value) for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
                if len(keys) != len(set(keys)):
                    return "accepted a repeated key"
                for k, v in node.value:
                    bad = walk(k) or walk(v)
                    if bad:
                        return bad
            elif isinstance(node, yaml.SequenceNode):
                for v in node.value:
                    bad = walk(v)
                    if bad:
                        return bad
            return None

        root = yaml.compose(text, Loader=yaml.SafeLoader)
        bad = walk(root) if root is not None else None
        if bad:
            return bad
        if repr(yaml.load(text, Loader=yaml.SafeLoader)) != repr(result):
            return "differs from yaml.safe_load"
        return None

    return check


@settings(settings.get_profile("fuzz"), max_examples=160)
@given(case=damaged_yaml(), how=st.sampled_from(["path", "text"]))
def test_load_yaml_never_crashes_hangs_or_lies(case: tuple[str, bytes | str], how: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    kind, src = case
    tmp = tmp_path_factory.mktemp("y")
    p = tmp / "framework.yaml"
    if how == "path" or isinstance(src, bytes):
        p.write_bytes(src if isinstance(src, bytes) else src.encode("utf-8", "surrogatepass"))
        call = lambda: load_yaml(p)  # noqa: E731
        places = [str(p)]
    else:
        call = lambda: load_yaml(src, file="framework.yaml")  # noqa: E731
        places = ["framework.yaml"]
    run_case(f"YAML text/file ({kind})", call, places=places, check=_oracle(src), describe=repr(src)[:300])


def test_missing_file_and_folder_are_clean(tmp_path: Path) -> None:
    run_case("YAML text/file (missing, folder)", lambda: load_yaml(tmp_path / "nope.yaml"), places=["nope.yaml"])
    run_case("YAML text/file (missing, folder)", lambda: load_yaml(tmp_path), places=[str(tmp_path)])
