#!/usr/bin/env python3
"""Generates ahal's API surface from spec/ahal.toml (docs/api-spec.md).

  spec/generate.py          rewrite every generated file and region
  spec/generate.py --check  write nothing; exit 1 naming each stale output

Python 3.11+ standard library only (tomllib); C and C++ output is run
through clang-format with the repository's .clang-format.
"""
from __future__ import annotations

import argparse
import difflib
import re
import shutil
import subprocess
import sys
try:
    import tomllib
except ImportError:  # Python < 3.11
    print("generate.py: needs Python 3.11 or newer (tomllib)", file=sys.stderr)
    sys.exit(77)
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "ahal.toml"
SPEC_REL = "spec/ahal.toml"
TOOL_REL = "spec/generate.py"

# ------------------------------------------------------------------ model


@dataclass
class Param:
    type: str
    name: str

    @property
    def is_out(self) -> bool:
        return self.name.startswith("out")

    @property
    def pointee(self) -> str:
        assert self.type.endswith("*"), self.type
        return self.type[:-1].strip()

    def decl(self) -> str:
        return f"{self.type} {self.name}"


def parse_params(text: str) -> list[Param]:
    text = " ".join(text.split())
    if text in ("", "void"):
        return []
    out = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(.+?[\s*])(\w+)\s*", part)
        if not m:
            raise SystemExit(f"{SPEC_REL}: cannot read parameter '{part.strip()}'")
        out.append(Param(" ".join(m.group(1).split()).replace(" *", "*"), m.group(2)))
    return out


@dataclass
class Function:
    name: str
    group: str
    since: str
    kind: str
    params: list[Param]
    returns: str = "ahal_status_t"
    doc: str = ""
    hot: bool = False
    caller: bool = False
    creates: str = ""
    plugin: str = ""
    on_exception: str = ""
    # "auto": tests/generated/fault_scenarios.inc calls the function with the
    # fault test's fixture objects, so a new entry needs no hand-written scenario.
    fault_scenario: str = ""

    @property
    def short(self) -> str:
        return self.name.removeprefix("ahal_")


@dataclass
class Entry:
    name: str
    since: str
    need: str
    params: list[Param]
    returns: str = "ahal_status_t"
    doc: str = ""
    statuses: list[str] = field(default_factory=list)
    sdk: dict = field(default_factory=dict)


@dataclass
class Spec:
    api_version: tuple[int, int]
    abi_version: tuple[int, int]
    handles: dict
    plugin_objects: dict
    default_statuses: list[str]
    functions: list[Function]
    entries: list[Entry]
    groups: list[str]
    sdk_extra: dict
    enums: list[dict]
    structs: list[dict]


def version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def load_spec() -> Spec:
    with SPEC.open("rb") as f:
        raw = tomllib.load(f)
    functions = []
    for f in raw["function"]:
        f = dict(f)
        f["params"] = parse_params(f["params"])
        f["doc"] = f.get("doc", "").strip("\n")
        functions.append(Function(**f))
    entries = []
    for e in raw["entry"]:
        e = dict(e)
        e["params"] = parse_params(e["params"])
        e["doc"] = e.get("doc", "").strip("\n")
        entries.append(Entry(**e))
    groups = []
    for f in functions:
        if f.group not in groups:
            groups.append(f.group)
    spec = Spec(
        api_version=version(raw["version"]["api"]),
        abi_version=version(raw["version"]["plugin_abi"]),
        handles=raw["handles"],
        plugin_objects=raw["plugin_objects"],
        default_statuses=raw["statuses"]["default"],
        functions=functions,
        entries=entries,
        groups=groups,
        sdk_extra=raw.get("sdk_extra", {}),
        enums=raw.get("enum", []),
        structs=raw.get("struct", []),
    )
    validate(spec)
    return spec


def validate(spec: Spec) -> None:
    errors = []
    names = set()
    entry_names = {e.name for e in spec.entries}
    for f in spec.functions:
        where = f"function {f.name}"
        if f.name in names:
            errors.append(f"{where}: listed twice")
        names.add(f.name)
        if f.kind not in ("plain", "call", "create", "layer"):
            errors.append(f"{where}: kind '{f.kind}' is not plain, call, create or layer")
        if f.kind != "plain" and (not f.params or f.params[0].type not in spec.handles):
            errors.append(f"{where}: kind {f.kind} needs an API handle as first parameter")
        if f.kind == "create" and not f.creates:
            errors.append(f"{where}: kind create needs `creates`")
        if f.kind != "plain" and f.returns != "ahal_status_t":
            errors.append(f"{where}: only plain functions may return {f.returns}")
        if f.returns != "ahal_status_t" and not f.on_exception:
            errors.append(f"{where}: returns {f.returns}, so it needs `on_exception`")
        if f.plugin and f.plugin not in entry_names:
            errors.append(f"{where}: plugin entry '{f.plugin}' is not an [[entry]]")
        if version(f.since) > spec.api_version:
            errors.append(f"{where}: since {f.since} is newer than the API version")
    seen = set()
    last = (1, 0)
    for e in spec.entries:
        where = f"entry {e.name}"
        if e.name in seen:
            errors.append(f"{where}: listed twice")
        seen.add(e.name)
        if e.need not in ("required", "module", "optional"):
            errors.append(f"{where}: need '{e.need}' is not required, module or optional")
        v = version(e.since)
        if v < last:
            errors.append(f"{where}: since {e.since} after an entry of {last[0]}.{last[1]} "
                          "(the table only grows at its end)")
        last = max(last, v)
        if v > spec.abi_version:
            errors.append(f"{where}: since {e.since} is newer than the plugin ABI version")
        if v > (spec.abi_version[0], 0) and e.need != "optional":
            errors.append(f"{where}: entries added after {spec.abi_version[0]}.0 must be optional")
        shape = e.sdk.get("shape")
        if shape not in ("init", "create", "destroy", "call", "get", "get_ref", "query", "props",
                         "custom"):
            errors.append(f"{where}: sdk.shape '{shape}' unknown")
        if shape != "init" and e.sdk.get("self") not in [p.name for p in e.params]:
            errors.append(f"{where}: sdk.self '{e.sdk.get('self')}' is not a parameter")
        if shape == "destroy" and e.returns != "void":
            errors.append(f"{where}: destroy entries return void")
        for s in e.statuses:
            if not re.fullmatch(r"AHAL_(NOT_READY|ERROR_[A-Z_]+)", s):
                errors.append(f"{where}: '{s}' is not a status name")
    if errors:
        raise SystemExit("\n".join(f"{SPEC_REL}: {e}" for e in errors))


# --------------------------------------------------------------- helpers


def banner_lines(what: str) -> list[str]:
    return [f"@generated from {SPEC_REL} by {TOOL_REL}: {what}",
            "Edit the spec and run the generator; CI fails when this is stale."]


def c_block_comment(text: str, indent: str = "") -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return f"{indent}/* {lines[0]} */\n"
    out = f"{indent}/* {lines[0]}\n"
    for line in lines[1:-1]:
        out += f"{indent} * {line}".rstrip() + "\n"
    out += f"{indent} * {lines[-1]} */\n"
    return out


def cpp_comment(text: str, indent: str = "") -> str:
    return "".join(f"{indent}// {line}".rstrip() + "\n" for line in text.split("\n"))


_clang_format = None


def clang_format(text: str, like: str) -> str:
    global _clang_format
    if _clang_format is None:
        _clang_format = (shutil.which("clang-format") or shutil.which("clang-format-14")
                         or shutil.which("clang-format-15") or "")
        if not _clang_format:
            print("generate.py: clang-format is needed (apt-get install clang-format)",
                  file=sys.stderr)
            sys.exit(77)
    result = subprocess.run([_clang_format, f"--assume-filename={ROOT / like}"], input=text,
                            capture_output=True, text=True, check=True)
    return result.stdout


def replace_regions(path: str, text: str, regions: dict[str, str]) -> str:
    """Replaces the body of each `@generated begin NAME` ... `@generated end
    NAME` region (C or C++ comment markers) with regions[NAME]."""
    for name, body in regions.items():
        pattern = re.compile(
            r"(^[ \t]*(?:/\*|//) @generated begin " + re.escape(name) + r"\b[^\n]*\n)"
            r"(.*?)"
            r"(^[ \t]*(?:/\*|//) @generated end " + re.escape(name) + r"\b)",
            re.S | re.M)
        m = pattern.search(text)
        if not m:
            raise SystemExit(f"{path}: no '@generated begin {name}' ... "
                             f"'@generated end {name}' region")
        text = text[:m.start(2)] + body + text[m.end(2):]
    return text


def status_bits(spec: Spec, e: Entry) -> list[str]:
    return list(dict.fromkeys(spec.default_statuses + e.statuses))


def sdk_class(spec: Spec, type_: str) -> str:
    return spec.plugin_objects[type_]


# ---------------------------------------------------------------- ahal.h


def gen_api_header(spec: Spec, text: str) -> str:
    regions = {}
    major, minor = spec.api_version
    regions["version"] = (f"#define AHAL_API_VERSION_MAJOR {major}\n"
                          f"#define AHAL_API_VERSION_MINOR {minor}\n")
    for group in spec.groups:
        out = ""
        for e in (e for e in spec.enums if e["group"] == group):
            if e.get("doc"):
                out += c_block_comment(e["doc"].strip("\n"))
            out += f"typedef enum {e['name']} {{\n"
            for v in e["values"]:
                if v.get("doc"):
                    out += c_block_comment(v["doc"].strip("\n"), "  ")
                out += f"  {v['name']} = {v['value']},\n"
            out += f"}} {e['name']};\n\n"
        for st in (st for st in spec.structs if st["group"] == group):
            if st.get("doc"):
                out += c_block_comment(st["doc"].strip("\n"))
            out += f"typedef struct {st['name']} {{\n"
            for line in st["fields"].strip().split("\n"):
                decl, _, note = line.partition("#")
                note = f" /* {note.strip()} */" if note.strip() else ""
                out += f"  {decl.strip()};{note}\n"
            out += f"}} {st['name']};\n\n"
        for f in (f for f in spec.functions if f.group == group):
            if f.doc:
                out += c_block_comment(f.doc)
            params = ", ".join(p.decl() for p in f.params) or "void"
            out += f"AHAL_API {f.returns} {f.name}({params}) AHAL_NOEXCEPT;\n"
        regions[group] = clang_format(out, "hal/include/ahal/ahal.h")
    return replace_regions("ahal.h", text, regions)


# -------------------------------------------------------------- plugin.h


def entry_decl(e: Entry) -> str:
    params = ", ".join(p.decl() for p in e.params) or "void"
    return f"{e.returns} (*{e.name})({params});"


def gen_plugin_header(spec: Spec, text: str, abi=None, extra: list[Entry] | None = None,
                      note: str = "") -> str:
    major, minor = abi or spec.abi_version
    entries = spec.entries + (extra or [])
    regions = {}
    regions["abi_version"] = (f"#define AHAL_PLUGIN_ABI_MAJOR {major}\n"
                              f"#define AHAL_PLUGIN_ABI_MINOR {minor}\n")
    body = ("typedef struct ahal_plugin_api_t {\n"
            "  size_t struct_size;\n"
            "  uint32_t abi_version;    /* the plugin's AHAL_PLUGIN_ABI_VERSION */\n"
            "  const char* name;        /* \"cpu\": device names become \"<name>:<n>\" */\n"
            "  const char* description; /* one line, shown by ahal-info */\n")
    since = None
    for e in entries:
        if e.since != since:
            since = e.since
            tail = "" if e.since.endswith(".0") else ", all optional"
            if note and e in (extra or []):
                tail += f"; {note}"
            body += f"\n  /* ---- ABI {e.since}{tail} ---- */\n"
        doc = e.doc
        if e.need != "required":
            doc = f"({e.need}) {doc}" if doc else f"({e.need})"
        if doc:
            body += c_block_comment(doc, "  ")
        body += f"  {entry_decl(e)}\n"
    body += "} ahal_plugin_api_t;\n"
    regions["table"] = clang_format(body, "sdk/include/ahal/plugin.h")

    def x_list(macro: str, need: str, comment: str) -> str:
        names = [e.name for e in entries if e.need == need]
        out = f"/* {comment} */\n#define {macro}(X, arg)"
        for n in names:
            out += f" \\\n  X(arg, {n})"
        return out + "\n"

    lists = ("/* clang-format off */\n"
             + x_list("AHAL_PLUGIN_REQUIRED_ENTRIES", "required",
                      "Entries no plugin may leave NULL.")
             + x_list("AHAL_PLUGIN_MODULE_ENTRIES", "module",
                      "General-kernel entries: all set, or all NULL without "
                      "AHAL_FEATURE_GENERAL_KERNELS.")
             + x_list("AHAL_PLUGIN_OPTIONAL_ENTRIES", "optional",
                      "Entries a plugin may leave NULL (the API call answers UNSUPPORTED).")
             + "/* clang-format on */\n")
    regions["entry_lists"] = lists
    return replace_regions("plugin.h", text, regions)


# ------------------------------------------------------------ plugin.hpp


def sdk_self_index(e: Entry) -> int:
    return [p.name for p in e.params].index(e.sdk["self"])


def sdk_method_params(spec: Spec, e: Entry) -> list[tuple[str, str, str]]:
    """(C++ declaration type, name, argument expression) for each parameter
    the method takes; parameters before `self` are dropped (the SDK objects
    know their device)."""
    out = []
    shape = e.sdk["shape"]
    for p in e.params[sdk_self_index(e) + 1:]:
        if shape in ("create", "get", "get_ref") and p.is_out:
            continue
        if p.type in spec.plugin_objects:
            cls = sdk_class(spec, p.type)
            out.append((f"{cls}&", p.name, f"*object<{cls}>({p.name})"))
        elif p.name == "args" and p.type.startswith("const "):
            out.append((f"const {p.pointee.removeprefix('const ')}&", p.name,
                        f"read_struct({p.name})"))
        elif (p.type.startswith("const ") and p.type.endswith("*")
              and p.pointee not in ("const void", "const char")):
            out.append((f"{p.pointee}&", p.name, f"*{p.name}"))
        else:
            out.append((p.type, p.name, p.name))
    return out


def sdk_out(e: Entry) -> Param:
    outs = [p for p in e.params if p.is_out]
    assert len(outs) == 1, e.name
    return outs[0]


def sdk_return_type(spec: Spec, e: Entry) -> str:
    shape = e.sdk["shape"]
    if shape == "create":
        return f"std::unique_ptr<{sdk_class(spec, sdk_out(e).pointee)}>"
    if shape == "get":
        return sdk_out(e).pointee
    if shape == "get_ref":
        return f"{sdk_class(spec, sdk_out(e).pointee)}&"
    if shape == "query":
        return "bool"
    return "void"


def sdk_method_decl(spec: Spec, e: Entry) -> str:
    if e.sdk["shape"] == "custom":
        return e.sdk["decl"]
    if e.sdk["shape"] == "props":
        props = e.params[-1]
        return f"void {e.sdk['method']}({props.pointee}& out)"
    params = sdk_method_params(spec, e)
    args = ", ".join(f"{t} {n}" for t, n, _ in params)
    return f"{sdk_return_type(spec, e)} {e.sdk['method']}({args})"


def gen_sdk_classes(spec: Spec) -> str:
    out = ""
    for type_, cls in spec.plugin_objects.items():
        methods = [e for e in spec.entries
                   if e.sdk["shape"] != "init" and e.params[sdk_self_index(e)].type == type_]
        out += f"class {cls} {{\n public:\n"
        destroys = [e for e in methods if e.sdk["shape"] == "destroy"]
        for e in destroys:
            note = f"{e.name}; {e.sdk['doc']}" if e.sdk.get("doc") else e.name
            out += f"  virtual ~{cls}() = default;  // {note}\n"
        if not destroys:
            out += f"  virtual ~{cls}() = default;\n"
        for line in spec.sdk_extra.get(cls, []):
            out += f"  {line}\n"
        for e in methods:
            shape = e.sdk["shape"]
            if shape == "destroy":
                continue
            if e.sdk.get("doc"):
                out += cpp_comment(e.sdk["doc"], "  ")
            decl = sdk_method_decl(spec, e)
            if e.need == "required" or (e.need == "module" and "unsupported" not in e.sdk):
                out += f"  virtual {decl} = 0;\n"
                continue
            if "default" in e.sdk:
                body = e.sdk["default"]
                used = set()
            else:
                msg = e.sdk["unsupported"]
                msg = msg if isinstance(msg, list) else [msg]
                used = set(msg[1:])
                args = ", ".join(['"' + msg[0] + '"'] + msg[1:])
                body = f"raise(AHAL_ERROR_UNSUPPORTED, {args});"
            # Parameter names the default body does not use are commented out.
            def unname(m):
                return m.group(0) if m.group(2) in used else f"{m.group(1)}/*{m.group(2)}*/"
            inner = re.sub(r"([\w:<>&*\s]+?[\s&*])(\w+)(?=\s*[,)])", unname,
                           decl[decl.index("(") + 1:])
            decl = decl[:decl.index("(") + 1] + inner
            out += f"  virtual {decl} {{ {body} }}\n"
        out += "};\n\n"
    return out


def sdk_entry_body(spec: Spec, e: Entry) -> str:
    shape = e.sdk["shape"]
    self_p = e.params[sdk_self_index(e)]
    cls = sdk_class(spec, self_p.type)
    obj = f"object<{cls}>({self_p.name})"
    args = ", ".join(a for _, _, a in sdk_method_params(spec, e)) if shape != "props" else ""
    call = f"{obj}->{e.sdk.get('method', '')}({args})"
    if shape == "destroy":
        return f'guard_void("{e.name}", [&] {{ delete {obj}; }});'
    if shape == "create":
        out = sdk_out(e)
        made = sdk_class(spec, out.pointee)
        return (f"return guard([&] {{\n{made}* made = {call}.release();\n"
                f"*{out.name} = handle<{out.pointee.removesuffix('*')}>(made);\n}});")
    if shape == "call":
        return f"return guard([&] {{ {call}; }});"
    if shape == "get":
        return f"return guard([&] {{ *{sdk_out(e).name} = {call}; }});"
    if shape == "get_ref":
        out = sdk_out(e)
        return (f"return guard([&] {{ *{out.name} = "
                f"handle<{out.pointee.removesuffix('*')}>(&{call}); }});")
    if shape == "query":
        return f"return guard([&] {{ return {call} ? AHAL_SUCCESS : AHAL_NOT_READY; }});"
    if shape == "props":
        props = e.params[-1]
        t = props.pointee
        return (f"return guard([&] {{\nauto full = std::make_unique<{t}>();\n"
                f"full->struct_size = sizeof({t});\n{obj}->{e.sdk['method']}(*full);\n"
                f"write_struct({props.name}, *full);\n}});")
    if shape == "custom":
        return f"return guard([&] {{\n{e.sdk['body'].strip()}\n}});"
    raise AssertionError(shape)


def gen_sdk_entries(spec: Spec) -> str:
    out = ("// The C entries make_api() installs; each calls the object's method inside\n"
           "// guard(). Public so a plugin can install optional ones (image_score).\n"
           "struct Entries {\n")
    for e in spec.entries:
        if e.sdk["shape"] == "init":
            continue
        # Parameters before `self` are not passed on: unnamed, so unused.
        first = sdk_self_index(e)
        params = ", ".join(p.decl() if i >= first else f"{p.type} /*{p.name}*/"
                           for i, p in enumerate(e.params))
        out += f"static {e.returns} {e.name}({params}) {{\n{sdk_entry_body(spec, e)}\n}}\n"
    out += "};\n\n"
    out += (
        "namespace detail {\n"
        "template <class I>\n"
        "ahal_status_t plugin_init(const ahal_plugin_host_t* host,\n"
        "                          const ahal_plugin_init_args_t* args,\n"
        "                          ahal_plugin_instance_t** out_instance) {\n"
        "  set_host(host, detail::host_state().plugin_name);\n"
        "  return guard([&] {\n"
        "    Instance* instance = new I(read_struct(args));\n"
        "    *out_instance = handle<ahal_plugin_instance_t>(instance);\n"
        "  });\n"
        "}\n"
        "}  // namespace detail\n\n"
        "// A complete dispatch table for Instance type I (constructed from the init\n"
        "// args). Optional entries answer AHAL_ERROR_UNSUPPORTED through the class\n"
        "// defaults; image_score is left NULL (the loader's default choice): set it to\n"
        "// Entries::image_score to use Device::image_score.\n"
        "template <class I>\n"
        "ahal_plugin_api_t make_api(const char* name, const char* description) {\n"
        "  static_assert(std::is_base_of_v<Instance, I>, "
        "\"I must derive from ahal::plugin::Instance\");\n"
        "  detail::host_state().plugin_name = name;\n"
        "  ahal_plugin_api_t api{};\n"
        "  api.struct_size = sizeof(api);\n"
        "  api.abi_version = AHAL_PLUGIN_ABI_VERSION;\n"
        "  api.name = name;\n"
        "  api.description = description;\n")
    for e in spec.entries:
        if e.sdk["shape"] == "init":
            out += f"  api.{e.name} = &detail::plugin_init<I>;\n"
        elif e.sdk.get("make_api", True):
            out += f"  api.{e.name} = &Entries::{e.name};\n"
    out += "  return api;\n}\n"
    return out


def gen_sdk_header(spec: Spec, text: str) -> str:
    like = "sdk/include/ahal/plugin.hpp"
    return replace_regions("plugin.hpp", text, {
        "classes": clang_format(gen_sdk_classes(spec), like),
    })


def gen_sdk_entries_header(spec: Spec) -> str:
    """struct Entries and make_api(), in a header of their own so that
    plugin.hpp does not grow by an entry's wrapper and table line each minor."""
    out = "".join(f"// {line}\n" for line in banner_lines("do not edit.")) + (
        "//\n"
        "// ahal/plugin_entries.hpp: the C entries of the SDK's classes and\n"
        "// make_api(). Included at the end of ahal/plugin.hpp; include that one.\n"
        "#pragma once\n\n#include <ahal/plugin.hpp>\n\nnamespace ahal::plugin {\n\n"
        + gen_sdk_entries(spec) + "\n}  // namespace ahal::plugin\n")
    return clang_format(out, "sdk/include/ahal/plugin_entries.hpp")


# ------------------------------------------------------------ the loader


def first_handle(spec: Spec, f: Function) -> tuple[Param, dict]:
    p = f.params[0]
    return p, spec.handles[p.type]


def base_params(spec: Spec, f: Function) -> list[str]:
    """The loader's own implementation: base::<short>(fn, object, rest...)."""
    if f.kind == "plain":
        out = ["const char* fn"] + [p.decl() for p in f.params]
        if f.caller:
            out.append("void* caller")
        return out
    p, h = first_handle(spec, f)
    return ["const char* fn", f"{h['object']}* {h['var']}"] + [q.decl() for q in f.params[1:]]


def base_args(spec: Spec, f: Function) -> str:
    if f.kind == "plain":
        args = ["fn"] + [p.name for p in f.params] + (["AHAL_CALLER"] if f.caller else [])
        return ", ".join(args)
    p, h = first_handle(spec, f)
    return ", ".join(["fn", h["var"]] + [q.name for q in f.params[1:]])


def gen_impl_header(spec: Spec) -> str:
    out = "".join(f"// {line}\n" for line in banner_lines("do not edit.")) + (
        "//\n"
        "// The loader's implementation of each C API function (namespace base,\n"
        "// hand-written beside its object in hal/src) and the layers' own hooks\n"
        "// (namespace layers, kind \"layer\" in the spec; noexcept: they catch what\n"
        "// they raise). The C entry points that call\n"
        "// them are generated into hal/src/generated/<group>_entries.inc.\n"
        "#pragma once\n\n#include <ahal/ahal.h>\n\n#include \"../objects.hpp\"\n\n"
        "namespace ahal {\nnamespace base {\n")
    for f in spec.functions:
        out += f"{f.returns} {f.short}({', '.join(base_params(spec, f))});\n"
    out += "}  // namespace base\n\nnamespace layers {\n"
    for f in spec.functions:
        if f.kind == "layer":
            out += (f"ahal_status_t {f.short}({', '.join(base_params(spec, f) + ['void* caller'])})"
                    " noexcept;\n")
    out += "}  // namespace layers\n}  // namespace ahal\n"
    return clang_format(out, "hal/src/generated/api_impl.hpp")


def gen_entries_inc(spec: Spec, group: str) -> str:
    out = "".join(f"// {line}\n" for line in banner_lines("do not edit.")) + (
        f"//\n// The C entry points of group \"{group}\", included at the end of\n"
        f"// hal/src/{group}.cpp so the loader's work inlines into them. Each is\n"
        "// noexcept behind one guard (an exception becomes a status and a message),\n"
        "// resolves its first handle, hands the call to the layers when they are on,\n"
        "// and otherwise runs base::<name>.\n"
        "extern \"C\" {\n\n")
    for f in (f for f in spec.functions if f.group == group):
        params = ", ".join(p.decl() for p in f.params) or "void"
        hot = "AHAL_HOT " if f.hot else ""
        out += f"{hot}AHAL_API {f.returns} {f.name}({params}) AHAL_NOEXCEPT {{\n"
        out += f"  static const char* const fn = \"{f.name}\";\n  try {{\n"
        call = f"::ahal::base::{f.short}({base_args(spec, f)})"
        if f.kind == "plain":
            out += f"    return {call};\n"
        else:
            p, h = first_handle(spec, f)
            var, holder = h["var"], h["holder"]
            out += (f"    ::ahal::{h['object']}* const {var} = ::ahal::get({p.name});\n"
                    f"    if (AHAL_UNLIKELY(!{var}))\n"
                    f"      return ::ahal::invalid_handle(fn, {p.name}, "
                    f"::ahal::HandleType::{h['tag']});\n")
            if f.kind == "call":
                out += f"    AHAL_RETURN_LAYERED({holder}, fn, {call});\n"
            elif f.kind == "create":
                out_p = f.params[-1]
                out += (f"    AHAL_LAYERED({holder}, ::ahal::layers::create(\n"
                        f"        ({holder})->layers, fn, caller, ::ahal::HandleType::{f.creates},\n"
                        f"        reinterpret_cast<const void* const*>({out_p.name}), {var},\n"
                        f"        ::ahal::layers::Body([&] {{ return {call}; }})));\n"
                        f"    return {call};\n")
            else:
                layer_args = base_args(spec, f) + ", caller"
                out += (f"    AHAL_LAYERED({holder}, ::ahal::layers::{f.short}({layer_args}));\n"
                        f"    return {call};\n")
        # The name again as a literal: the handler, kept out of line, then
        # needs nothing of the body's registers.
        fallback = f.on_exception or f"::ahal::entry_exception(\"{f.name}\")"
        if f.returns == "ahal_status_t":
            fallback = f"::ahal::entry_exception(\"{f.name}\")"
        out += f"  }} catch (...) {{\n    return {fallback};\n  }}\n}}\n\n"
    out += "}  // extern \"C\"\n"
    return clang_format(out, f"hal/src/generated/{group}_entries.inc")


def gen_plugin_entries(spec: Spec) -> str:
    out = "".join(f"// {line}\n" for line in banner_lines("do not edit.")) + (
        "//\n"
        "// The plugin ABI's entries as the loader checks them at load: each entry's\n"
        "// offset in ahal_plugin_api_t, name, need and the ABI minor that added it.\n"
        "#pragma once\n\n#include <ahal/plugin.h>\n\n#include <cstddef>\n#include <cstdint>\n\n"
        "namespace ahal {\n\n"
        "enum class EntryNeed { kRequired, kModule, kOptional };\n\n"
        "struct PluginEntry {\n  size_t offset;\n  const char* name;\n  EntryNeed need;\n"
        "  uint32_t abi_minor;\n};\n\n"
        "constexpr PluginEntry kPluginEntries[] = {\n")
    need = {"required": "kRequired", "module": "kModule", "optional": "kOptional"}
    for e in spec.entries:
        out += (f"    {{offsetof(ahal_plugin_api_t, {e.name}), \"{e.name}\", "
                f"EntryNeed::{need[e.need]}, {version(e.since)[1]}u}},\n")
    out += "};\n\n}  // namespace ahal\n"
    return clang_format(out, "hal/src/generated/plugin_entries.hpp")


def gen_plugin_calls(spec: Spec) -> str:
    out = "".join(f"// {line}\n" for line in banner_lines("do not edit.")) + (
        "//\n"
        "// Typed calls into a plugin's entries, one per entry of the plugin ABI: the\n"
        "// loader's code calls entry::<name>(fn, plugin, ...) and never the table\n"
        "// directly. Each call passes only the statuses the spec allows that entry\n"
        "// (anything else becomes AHAL_ERROR_PLUGIN with a message), turns an\n"
        "// exception into a status, and answers UNSUPPORTED for an absent optional\n"
        "// entry. The loader's list of entries to check at load is in\n"
        "// plugin_entries.hpp.\n"
        "#pragma once\n\n#include <ahal/plugin.h>\n\n"
        "#include \"../host_services.hpp\"\n#include \"plugin_entries.hpp\"\n\n"
        "namespace ahal {\nnamespace entry {\n\n")
    for e in spec.entries:
        bits = " | ".join(f"(1u << {s})" for s in status_bits(spec, e))
        params = ", ".join(["const char* function", "const Plugin& plugin"]
                           + [p.decl() for p in e.params])
        args = ", ".join(p.name for p in e.params)
        out += f"inline {e.returns} {e.name}({params}) {{\n"
        if e.need != "required":
            absent = ("return;" if e.returns == "void"
                      else f"return not_implemented(function, plugin, \"{e.name}\");")
            out += f"  if (AHAL_UNLIKELY(!plugin.api.{e.name})) {absent}\n"
        if e.returns == "void":
            out += (f"  call_plugin_void(function, plugin, [&] {{ plugin.api.{e.name}({args}); }});"
                    "\n")
        else:
            out += (f"  constexpr uint32_t kAllowed = {bits};\n"
                    f"  return call_plugin(function, plugin, \"{e.name}\", kAllowed,\n"
                    f"                     [&] {{ return plugin.api.{e.name}({args}); }});\n")
        out += "}\n\n"
    out += "}  // namespace entry\n}  // namespace ahal\n"
    return clang_format(out, "hal/src/generated/plugin_calls.hpp")


# ----------------------------------------------------------------- tests


def zero_value(p: Param) -> str:
    return "nullptr" if p.type.endswith("*") or p.type == "ahal_host_fn_t" else "{}"


def gen_bad_handle_test(spec: Spec) -> str:
    out = "".join(f"// {line}\n" for line in banner_lines("do not edit.")) + (
        "//\n"
        "// Every API handle parameter of every function, given a NULL, a garbage and\n"
        "// a destroyed handle while the others are live: AHAL_ERROR_INVALID_HANDLE and a\n"
        "// message that starts with the function's name, never a crash. The live and\n"
        "// dead handles come from tests/handle_fixture.hpp.\n"
        "#include <ahal/ahal.h>\n\n#include \"handle_fixture.hpp\"\n\n"
        "namespace {\n\nusing test::Handles;\n\n")
    cases = []
    for f in spec.functions:
        for i, p in enumerate(f.params):
            if p.type not in spec.handles:
                continue
            out_vars = ""
            args = []
            for j, q in enumerate(f.params):
                if j == i:
                    args.append("bad")
                elif q.type in spec.handles:
                    args.append(f"h.live<{q.type}>()")
                elif q.is_out:
                    out_vars += f"  {q.pointee} {q.name}{{}};\n"
                    args.append(f"&{q.name}")
                else:
                    args.append(zero_value(q))
            cname = f"{f.short}_{p.name}"
            out += (f"ahal_status_t {cname}(Handles& h, {p.type} bad) {{\n{out_vars}"
                    f"  return {f.name}({', '.join(args)});\n}}\n\n")
            cases.append((f.name, p.name, p.type, cname))
    out += "}  // namespace\n\n"
    for fname, pname, ptype, cname in cases:
        out += (f"TEST_CASE(\"{fname}: bad {pname}\", \"[handles][generated]\") {{\n"
                f"  test::check_bad_handles<{ptype}>(\"{fname}\", {cname});\n}}\n\n")
    return clang_format(out, "tests/generated/test_bad_handles.cpp")


# Fixture objects of tests/test_plugin_faults.cpp, by API handle type.
FAULT_FIXTURE = {
    "ahal_device_t": "f.d",
    "ahal_buffer_t": "f.buffer()",
    "ahal_stream_t": "f.stream()",
    "ahal_event_t": "f.event()",
    "ahal_kernel_t": "f.kernel()",
}


def gen_fault_scenarios(spec: Spec) -> str:
    """Scenarios of tests/test_plugin_faults.cpp for functions with
    fault_scenario = "auto": handles from the fixture, zero inputs, outputs in
    locals. Included inside scenarios(), where `s` is the map."""
    out = "".join(f"// {line}\n" for line in banner_lines("do not edit.")) + (
        "//\n"
        "// Fault scenarios of the functions whose spec says fault_scenario = \"auto\",\n"
        "// included by tests/test_plugin_faults.cpp inside scenarios().\n")
    for f in spec.functions:
        if f.fault_scenario != "auto":
            continue
        if not f.plugin:
            raise SystemExit(f"{SPEC_REL}: {f.name}: fault_scenario needs a plugin entry")
        locals_, args = "", []
        for p in f.params:
            if p.type in spec.handles:
                if p.type not in FAULT_FIXTURE:
                    raise SystemExit(f"{SPEC_REL}: {f.name}: fault_scenario = \"auto\" has no "
                                     f"fixture object for {p.type}")
                args.append(FAULT_FIXTURE[p.type])
            elif p.is_out:
                locals_ += f"  {p.pointee} {p.name}{{}};\n"
                args.append(f"&{p.name}")
            else:
                args.append(zero_value(p))
        out += (f"s[\"{f.plugin}\"] = [](Fixture& f) {{\n{locals_}"
                f"  return Outcome{{{f.name}({', '.join(args)}), \"{f.name}\"}};\n}};\n")
    return clang_format(out, "tests/generated/fault_scenarios.inc")


def gen_fault_plugin(spec: Spec) -> str:
    """A plugin that forwards every entry to another plugin (AHAL_TEST_FAULT_TARGET,
    a path) and makes the entry named by AHAL_TEST_FAULT_ENTRY misbehave as
    AHAL_TEST_FAULT_KIND says: throw, status:<n>, null (absent from the table)."""
    out = "".join(f"// {line}\n" for line in banner_lines("do not edit.")) + (
        "//\n"
        "// Test-only plugin \"fault\": forwards every entry of the plugin ABI to the\n"
        "// plugin file named by AHAL_TEST_FAULT_TARGET, except the entry named by\n"
        "// AHAL_TEST_FAULT_ENTRY, which misbehaves as AHAL_TEST_FAULT_KIND says:\n"
        "//   throw       throws std::runtime_error (a void entry too)\n"
        "//   status:<n>  returns <n> without calling the target\n"
        "//   null        is left NULL in the table\n"
        "// The misbehaving entry is in the table even where the target lacks it.\n"
        "// tests/test_plugin_faults.cpp walks every entry with it.\n"
        "#include <ahal/plugin.h>\n\n#include <dlfcn.h>\n\n#include <cstdlib>\n#include <cstring>\n"
        "#include <stdexcept>\n#include <string>\n\n"
        "namespace {\n\n"
        "ahal_plugin_api_t g_target{};\n"
        "std::string g_entry;\n"
        "std::string g_kind;\n\n"
        "// Whether `entry` should misbehave now; sets *status for status:<n>.\n"
        "bool fault(const char* entry, ahal_status_t* status) {\n"
        "  if (g_entry != entry) return false;\n"
        "  if (g_kind == \"throw\") throw std::runtime_error(std::string(\"fault injected in \") "
        "+ entry);\n"
        "  if (g_kind.rfind(\"status:\", 0) == 0) {\n"
        "    *status = static_cast<ahal_status_t>(std::atoi(g_kind.c_str() + 7));\n"
        "    return true;\n  }\n  return false;\n}\n\n")
    for e in spec.entries:
        params = ", ".join(p.decl() for p in e.params)
        args = ", ".join(p.name for p in e.params)
        out += f"{e.returns} {e.name}({params}) {{\n"
        if e.returns == "void":
            # A void entry (destroy, close) does its work first, then
            # throws: the loader must survive it and nothing leaks.
            out += (f"  g_target.{e.name}({args});\n"
                    f"  ahal_status_t ignored;\n  fault(\"{e.name}\", &ignored);\n}}\n\n")
        else:
            out += (f"  ahal_status_t status = AHAL_SUCCESS;\n"
                    f"  if (fault(\"{e.name}\", &status)) return status;\n"
                    f"  return g_target.{e.name}({args});\n}}\n\n")
    out += ("}  // namespace\n\n"
            "extern \"C\" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi,\n"
            "                                                           ahal_plugin_api_t* out) {\n"
            "  const char* target = std::getenv(\"AHAL_TEST_FAULT_TARGET\");\n"
            "  const char* entry = std::getenv(\"AHAL_TEST_FAULT_ENTRY\");\n"
            "  const char* kind = std::getenv(\"AHAL_TEST_FAULT_KIND\");\n"
            "  if (!out || !target) return AHAL_ERROR_INCOMPATIBLE;\n"
            "  g_entry = entry ? entry : \"\";\n"
            "  g_kind = kind ? kind : \"\";\n"
            "  void* so = dlopen(target, RTLD_NOW | RTLD_LOCAL);\n"
            "  if (!so) return AHAL_ERROR_INCOMPATIBLE;\n"
            "  auto query = reinterpret_cast<ahal_plugin_query_fn>(dlsym(so, "
            "AHAL_PLUGIN_QUERY_SYMBOL));\n"
            "  g_target.struct_size = sizeof(g_target);\n"
            "  if (!query || query(loader_abi, &g_target) != AHAL_SUCCESS) "
            "return AHAL_ERROR_INCOMPATIBLE;\n"
            "  ahal_plugin_api_t api = g_target;\n"
            "  api.name = \"fault\";\n"
            "  api.description = \"forwards to AHAL_TEST_FAULT_TARGET, with one entry misbehaving\";\n")
    # The misbehaving entry is in the table even where the target lacks it
    # (it never calls the target), so an entry no test plugin implements is
    # checked all the same.
    for e in spec.entries:
        out += (f"  if (g_entry == \"{e.name}\") api.{e.name} = g_kind == \"null\" ? nullptr : "
                f"{e.name};\n  else if (g_target.{e.name}) api.{e.name} = {e.name};\n")
    out += ("  const size_t n = out->struct_size < sizeof(api) ? out->struct_size : sizeof(api);\n"
            "  std::memcpy(out, &api, n);\n"
            "  out->struct_size = n;\n"
            "  return AHAL_SUCCESS;\n}\n")
    return clang_format(out, "tests/plugins/generated/fault_plugin.cpp")


def gen_next_abi_header(spec: Spec, text: str) -> str:
    """plugin.h as the next minor would have it: one optional entry more, to
    build a test plugin newer than the loader."""
    major, minor = spec.abi_version
    nxt = f"{major}.{minor + 1}"
    extra = Entry(name="device_reset", since=nxt, need="optional",
                  params=parse_params("ahal_plugin_device_t* device"),
                  doc="Simulated future entry: only test plugins set it.",
                  sdk={"shape": "call", "self": "device", "method": "reset"})
    text = gen_plugin_header(spec, text, abi=(major, minor + 1), extra=[extra],
                             note="simulated")
    head = ("/* " + banner_lines("a SIMULATED next minor of")[0] + "\n"
            f" * sdk/include/ahal/plugin.h: today's plugin ABI plus one optional entry,\n"
            f" * as ABI {nxt} would add it, to build a test plugin newer than the loader.\n"
            " * Regenerated when the ABI changes; never installed. */\n"
            "#define AHAL_PLUGIN_SIMULATED_NEXT_MINOR 1\n")
    return head + text


# ------------------------------------------------------------------ docs


def gen_docs(spec: Spec) -> str:
    a_major, a_minor = spec.api_version
    p_major, p_minor = spec.abi_version
    out = (f"<!-- {banner_lines('do not edit.')[0]} -->\n\n"
           "# Entry points\n\n"
           f"Every C API function (API {a_major}.{a_minor}) and every plugin ABI entry "
           f"(ABI {p_major}.{p_minor}), as `{SPEC_REL}` lists them. How to add one: "
           "[adding-an-entry-point.md](adding-an-entry-point.md); what changed per minor: "
           "[changelog.md](changelog.md).\n\n"
           "## C API\n\n"
           "Loader kinds: *plain* (no handle), *call* (first handle resolved, traced), "
           "*create* (also remembered by the validation layer), *layer* (the layers run "
           "their own checks).\n\n"
           "| function | since | group | loader | plugin entry | what it does |\n"
           "|---|---|---|---|---|---|\n")
    for f in spec.functions:
        doc = " ".join(f.doc.split()).replace("|", "\\|")
        plugin = f"`{f.plugin}`" if f.plugin else ""
        out += f"| `{f.name}` | {f.since} | {f.group} | {f.kind} | {plugin} | {doc} |\n"
    out += ("\n## Plugin ABI\n\n"
            "*required*: a plugin with it NULL is refused. *module*: `module_create`, "
            "`module_destroy` and `kernel_get` are set together or not at all. *optional*: NULL "
            "makes the API call answer `AHAL_ERROR_UNSUPPORTED`. Every entry may return "
            "`AHAL_SUCCESS` and " + ", ".join(f"`{s}`" for s in spec.default_statuses) +
            "; the column lists what an entry may return besides. Any other status reaches "
            "the application as `AHAL_ERROR_PLUGIN` with a message.\n\n"
            "| entry | since | need | also returns | SDK method | what it does |\n"
            "|---|---|---|---|---|---|\n")
    for e in spec.entries:
        doc = " ".join(e.doc.split()).replace("|", "\\|")
        extra = ", ".join(f"`{s}`" for s in e.statuses)
        shape = e.sdk["shape"]
        if shape == "init":
            method = "constructor of the `Instance` type"
        elif shape == "destroy":
            method = f"`~{sdk_class(spec, e.params[sdk_self_index(e)].type)}()`"
        else:
            cls = sdk_class(spec, e.params[sdk_self_index(e)].type)
            method = f"`{cls}::{e.sdk['method']}`"
        out += f"| `{e.name}` | {e.since} | {e.need} | {extra} | {method} | {doc} |\n"
    return out


# ------------------------------------------------------------------ main


def outputs(spec: Spec) -> dict[Path, str]:
    read = lambda rel: (ROOT / rel).read_text()  # noqa: E731
    out = {
        ROOT / "hal/include/ahal/ahal.h": gen_api_header(spec, read("hal/include/ahal/ahal.h")),
        ROOT / "sdk/include/ahal/plugin.h":
            gen_plugin_header(spec, read("sdk/include/ahal/plugin.h")),
        ROOT / "sdk/include/ahal/plugin.hpp":
            gen_sdk_header(spec, read("sdk/include/ahal/plugin.hpp")),
        ROOT / "sdk/include/ahal/plugin_entries.hpp": gen_sdk_entries_header(spec),
        ROOT / "hal/src/generated/api_impl.hpp": gen_impl_header(spec),
        ROOT / "hal/src/generated/plugin_entries.hpp": gen_plugin_entries(spec),
        ROOT / "hal/src/generated/plugin_calls.hpp": gen_plugin_calls(spec),
        ROOT / "tests/generated/test_bad_handles.cpp": gen_bad_handle_test(spec),
        ROOT / "tests/plugins/generated/fault_plugin.cpp": gen_fault_plugin(spec),
        ROOT / "tests/generated/fault_scenarios.inc": gen_fault_scenarios(spec),
        ROOT / "docs/entries.md": gen_docs(spec),
    }
    for group in spec.groups:
        out[ROOT / f"hal/src/generated/{group}_entries.inc"] = gen_entries_inc(spec, group)
    # The next-minor header is made from the freshly generated plugin.h.
    current = out[ROOT / "sdk/include/ahal/plugin.h"]
    out[ROOT / "tests/abi/next/ahal/plugin.h"] = gen_next_abi_header(spec, current)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a generated file or region is stale")
    args = parser.parse_args()
    spec = load_spec()
    stale = []
    for path, text in outputs(spec).items():
        old = path.read_text() if path.exists() else None
        if old == text:
            continue
        rel = path.relative_to(ROOT)
        if args.check:
            stale.append(str(rel))
            diff = difflib.unified_diff((old or "").splitlines(True), text.splitlines(True),
                                        f"{rel} (committed)", f"{rel} (from the spec)", n=1)
            sys.stdout.writelines(list(diff)[:40])
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"generated {rel}")
    if stale:
        print(f"\n{len(stale)} generated file(s) are stale: {', '.join(stale)}\n"
              f"Run {TOOL_REL} and commit the result.", file=sys.stderr)
        return 1
    if args.check:
        print(f"{TOOL_REL}: every generated file matches {SPEC_REL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
