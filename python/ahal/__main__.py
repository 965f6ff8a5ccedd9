"""python3 -m ahal info [--json]: the plugins and devices ahal finds, printed
as ahal-info (tools/info) prints them."""

import json
import sys

import ahal

_TYPES = {0: "other", 1: "cpu", 2: "gpu", 3: "asic"}
_FEATURES = [
    (1 << 0, "fp64"),
    (1 << 1, "fp16"),
    (1 << 2, "int64_atomics"),
    (1 << 3, "host_visible_memory"),
    (1 << 4, "unified_memory"),
    (1 << 5, "timestamps"),
    (1 << 6, "host_callbacks"),
    (1 << 7, "builtin_kernels"),
    (1 << 8, "dynamic_shared_memory"),
    (1 << 9, "general_kernels"),
]


def _abi_text(abi):
    return "?" if abi == 0 else f"{abi >> 16}.{abi & 0xFFFF}"


def _uuid_text(uuid):
    if not uuid:
        return ""
    h = uuid.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def device_fields(p):
    """One device's properties as (key, value) pairs, in ahal-info's order."""
    return [
        ("selector", p["selector"]),
        ("name", p["name"]),
        ("vendor", p["vendor"]),
        ("plugin", p["plugin"]),
        ("type", _TYPES.get(p["type"], "other")),
        ("driver_version", p["driver_version"]),
        ("arch", p["arch"]),
        ("compute_units", p["compute_units"]),
        ("global_memory_bytes", p["global_memory_bytes"]),
        ("max_allocation_bytes", p["max_allocation_bytes"]),
        ("max_workgroup_size", p["max_workgroup_size"]),
        ("max_workgroup_dims", list(p["max_workgroup_dims"])),
        ("max_grid_dims", list(p["max_grid_dims"])),
        ("shared_memory_per_workgroup", p["shared_memory_per_workgroup"]),
        ("subgroup_size_min", p["subgroup_size_min"]),
        ("subgroup_size_max", p["subgroup_size_max"]),
        ("clock_mhz", p["clock_mhz"]),
        ("max_bindings", p["max_bindings"]),
        ("max_constants_size", p["max_constants_size"]),
        ("binding_offset_alignment", p["binding_offset_alignment"]),
        ("module_formats", list(p["module_format_names"])),
        ("features", [name for bit, name in _FEATURES if p["features"] & bit]),
        ("timestamp_resolution_ps", p["timestamp_resolution_ps"]),
        ("uuid", _uuid_text(p["uuid"])),
        ("peak_memory_bandwidth_gbps", p["peak_memory_bandwidth_gbps"]),
        ("peak_fp32_gflops", p["peak_fp32_gflops"]),
        ("peak_fp64_gflops", p["peak_fp64_gflops"]),
    ]


def _plain(value):
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:f}"
    return str(value)


def info(as_json=False):
    rt = ahal.Runtime()
    plugins = rt.plugins()
    devices = [d.properties for d in rt.devices()]
    if as_json:
        out = {
            "version": ahal.version(),
            "search_path": rt.search_path,
            "plugins": [
                {
                    "name": p["name"],
                    "state": p["state"],
                    "reason": p["reason"],
                    "abi": _abi_text(p["abi_version"]),
                    "path": p["path"],
                    "description": p["description"],
                    "device_count": p["device_count"],
                }
                for p in plugins
            ],
            "devices": [dict(device_fields(p)) for p in devices],
        }
        print(json.dumps(out, indent=2))
        rt.close()
        return 0
    print(f"ahal {ahal.version()}\nsearch path: {rt.search_path}\n\nplugins ({len(plugins)}):")
    for p in plugins:
        loaded = p["state"] == "loaded"
        n = p["device_count"]
        print(f"  {p['name']:<12} {'loaded' if loaded else 'REFUSED':<8} "
              f"ABI {_abi_text(p['abi_version']):<5} {n} device{' ' if n == 1 else 's'}  "
              f"{p['path']}")
        if p["description"]:
            print(f"               {p['description']}")
        if p["reason"]:
            print(f"               {'note' if loaded else 'reason'}: {p['reason']}")
    print(f"\ndevices ({len(devices)}):")
    for i, p in enumerate(devices):
        print(f"  [{i}] {p['selector']}  {p['name']}")
        for key, value in device_fields(p):
            print(f"      {key:<28} {_plain(value)}")
    rt.close()
    return 0


def main(argv):
    if argv[1:2] == ["info"] and argv[2:] in ([], ["--json"]):
        return info(as_json=argv[2:] == ["--json"])
    print("usage: python3 -m ahal info [--json]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
