"""The ahal module's objects on cpu:0: runtime, devices, buffers, streams,
events, modules, kernels, launches, and the errors of bad use."""

import os
import struct
import subprocess
import sys

import numpy as np
import pytest

import ahal


def test_runtime_lists_plugins_and_devices(runtime):
    plugins = {p["name"]: p for p in runtime.plugins()}
    assert plugins["cpu"]["state"] == "loaded"
    assert plugins["cpu"]["device_count"] == 1
    selectors = [d.selector for d in runtime.devices()]
    assert "cpu:0" in selectors
    props = runtime.device("cpu:0").properties
    assert props["plugin"] == "cpu" and props["compute_units"] >= 1


def test_unknown_device_raises_ahal_error(runtime):
    with pytest.raises(ahal.Error) as e:
        runtime.device("nosuch:3")
    assert e.value.status_name == "AHAL_ERROR_NOT_FOUND"
    assert e.value.status != 0
    assert "ahal_device_find" in e.value.message


def test_write_fill_read_round_trip(cpu):
    b = cpu.buffer(64)
    s = cpu.stream()
    s.write(b, np.arange(16, dtype=np.uint32))
    s.fill(b, struct.pack("<I", 7), offset=32, size=16)
    out = np.zeros(16, dtype=np.uint32)
    s.read(b, out)
    s.synchronize()
    assert out.tolist() == list(range(8)) + [7, 7, 7, 7] + [12, 13, 14, 15]


def test_launch_vector_add_from_the_bundle(cpu):
    bundle = os.environ.get("AHAL_TEST_BUNDLE")
    if not bundle or not os.path.exists(bundle):
        pytest.skip("AHAL_TEST_BUNDLE (the standard kernel bundle) is not built")
    kernel = cpu.module(bundle).kernel("vector_add")
    assert kernel.attributes["binding_count"] == 3
    n = 1000
    a = ahal.from_dlpack(np.arange(n, dtype=np.float32), cpu)
    b = ahal.from_dlpack(np.full(n, 0.5, dtype=np.float32), cpu)
    c = ahal.empty(n, np.float32, cpu)
    s = cpu.stream()
    start, end = cpu.event(ahal.EVENT_TIMING), cpu.event(ahal.EVENT_TIMING)
    s.record(start)
    s.launch(kernel, [(n + 63) // 64], [64], [a, b, c], struct.pack("<I", n))
    s.record(end)
    end.wait()
    assert end.query()
    assert start.elapsed_ns(end) >= 0
    assert np.array_equal(np.from_dlpack(c), np.arange(n, dtype=np.float32) + 0.5)


def test_destroyed_objects_refuse_use(runtime, cpu):
    b = cpu.buffer(16)
    s = cpu.stream()
    b.destroy()
    with pytest.raises(ValueError, match="Stream.fill: the Buffer was destroyed"):
        s.fill(b, b"\0")
    runtime.close()
    with pytest.raises(ValueError, match="Runtime was closed"):
        s.synchronize()


def test_buffer_of_another_device_is_refused(runtime, cpu):
    others = [d for d in runtime.devices() if d.selector != "cpu:0"]
    if not others:
        other_rt = ahal.Runtime()
        other = other_rt.device("cpu:0")  # same device, another runtime: other handle
    else:
        other = others[0]
    b = other.buffer(16)
    with pytest.raises(ValueError, match="belongs to .*, not to cpu:0"):
        cpu.stream().fill(b, b"\0")


def test_wrong_dtype_and_oversized_view(cpu):
    with pytest.raises(TypeError, match="dtype 'complex64' is not supported"):
        ahal.Array(cpu.buffer(64), 4, "complex64")
    with pytest.raises(ValueError, match="do not fit the buffer's 64 bytes"):
        ahal.Array(cpu.buffer(64), 17, np.float32)


def test_module_info_prints_plugins_and_devices():
    out = subprocess.run([sys.executable, "-m", "ahal", "info"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("ahal " + ahal.version())
    assert "cpu:0" in out and "plugins (" in out
    assert "global_memory_bytes" in out and "features" in out
    tool = os.environ.get("AHAL_TEST_AHAL_INFO")
    if tool and os.path.exists(tool):  # the same text as ahal-info, line for line
        assert out == subprocess.run([tool], capture_output=True, text=True, check=True).stdout
    js = subprocess.run([sys.executable, "-m", "ahal", "info", "--json"], capture_output=True,
                        text=True, check=True).stdout
    import json
    doc = json.loads(js)
    assert any(d["selector"] == "cpu:0" for d in doc["devices"])


def test_host_alloc_and_mapping_are_numpy_views(cpu):
    h = cpu.host_alloc(64)
    src = np.frombuffer(h, dtype=np.float32)  # the pinned memory itself
    src[:] = np.arange(16)
    b = cpu.buffer(64, flags=2)  # AHAL_MEMORY_HOST_VISIBLE
    s = cpu.stream()
    s.write(b, h)
    s.synchronize()
    with b.map() as m:
        view = np.frombuffer(m, dtype=np.float32)
        assert view.tolist() == list(range(16))
        view[0] = 42  # writes the buffer
    out = np.zeros(16, dtype=np.float32)
    s.read(b, out)
    s.synchronize()
    assert out[0] == 42
    assert len(memoryview(m)) == 0  # closed: no bytes to reach
    h.destroy()
    assert len(memoryview(h)) == 0


def test_command_buffer_records_once_and_runs_twice(cpu):
    b = ahal.empty(16, np.uint32, cpu)
    cb = cpu.command_buffer()
    cb.fill(b, struct.pack("<I", 5))
    cb.fill(b, struct.pack("<I", 9), offset=8, size=8)
    out = np.zeros(16, dtype=np.uint32)
    cb.read(b, out)
    cb.finalize()
    s = cpu.stream()
    for _ in range(2):
        out[:] = 0
        s.submit(cb)
        s.synchronize()
        assert out.tolist() == [5, 5, 9, 9] + [5] * 12
    with pytest.raises(ahal.Error) as e:
        cb.fill(b, b"\0")  # recording after finalize
    assert "ahal_command_buffer_fill" in e.value.message
