"""python3 -m ahal info: the plugins and devices ahal finds, as ahal-info prints them."""

import sys

import ahal


def info():
    rt = ahal.Runtime()
    plugins = rt.plugins()
    print(f"ahal {ahal.version()}")
    print(f"search path: {rt.search_path}")
    print(f"\nplugins ({len(plugins)}):")
    for p in plugins:
        if p["state"] == "loaded":
            print(f"  {p['name']:<12} loaded, {p['device_count']} device(s)  {p['path']}")
        else:
            print(f"  {p['name']:<12} refused: {p['reason']}")
    devices = rt.devices()
    print(f"\ndevices ({len(devices)}):")
    for d in devices:
        p = d.properties
        print(f"  {d.selector:<12} {p['name']} ({p['vendor']}), {p['compute_units']} compute units, "
              f"{p['global_memory_bytes'] >> 20} MiB")
    rt.close()
    return 0


def main(argv):
    if argv[1:2] == ["info"]:
        return info()
    print("usage: python3 -m ahal info", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
