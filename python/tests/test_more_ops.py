"""Device copies, stream queries, memory usage, native imports, and the
command-buffer commands beyond copies and launches, on cpu:0 (and asic_sim,
which has no native handles)."""

import os
import struct

import numpy as np
import pytest

import ahal


def test_stream_copy_and_query(cpu):
    a = ahal.from_dlpack(np.arange(16, dtype=np.uint32), cpu)
    b = ahal.empty(16, np.uint32, cpu)
    s = cpu.stream()
    s.copy(a, b, src_offset=8, dst_offset=0, size=32)
    s.copy(a, b, dst_offset=32, size=32)
    s.synchronize()
    assert s.query()
    assert np.from_dlpack(b).tolist() == list(range(2, 10)) + list(range(8))


def test_memory_usage_counts_buffers(cpu):
    used, total = cpu.memory_usage()
    assert total > 0 and used <= total
    b = cpu.buffer(1 << 20)
    assert cpu.memory_usage()[0] >= used + (1 << 20)
    b.destroy()


def test_import_native_wraps_memory_without_freeing_it(cpu):
    host = np.zeros(64, dtype=np.uint8)  # numpy aligns to 16 bytes at least
    n = {"kind": 1, "handle": host.ctypes.data, "size": host.nbytes}  # HOST_POINTER
    b = cpu.import_native(n, owner=host)
    assert b.native()["handle"] == host.ctypes.data
    s = cpu.stream()
    s.fill(b, b"\x2a")
    s.synchronize()
    assert host.tolist() == [42] * 64
    alias = cpu.import_native(b.native())  # the dict round-trips
    alias.destroy()
    b.destroy()
    assert host.tolist() == [42] * 64  # still the caller's memory
    with pytest.raises(ahal.Error) as e:
        cpu.import_native({"kind": 1, "handle": 0, "size": 64})
    assert e.value.status_name == "AHAL_ERROR_INVALID_ARGUMENT"
    assert "native->handle is 0" in e.value.message


def test_asic_sim_has_no_native_handle():
    rt = ahal.Runtime(plugins="asic_sim")
    sim = rt.device("asic_sim:0")
    x = ahal.empty(4, np.float32, sim)
    with pytest.raises(ahal.Error) as e:
        x.buffer.native()
    assert e.value.status_name == "AHAL_ERROR_UNSUPPORTED"
    assert "asic_sim buffers have no native handle" in e.value.message
    with pytest.raises(ahal.Error, match="no native handle"):
        np.from_dlpack(x)
    rt.close()


def test_command_buffer_events_barrier_and_copy(cpu):
    a = ahal.from_dlpack(np.arange(8, dtype=np.uint32), cpu)
    b = ahal.empty(8, np.uint32, cpu)
    gate, done = cpu.event(), cpu.event()
    cb = cpu.command_buffer()
    cb.wait(gate)
    cb.copy(a, b)
    cb.barrier()
    cb.fill(b, struct.pack("<I", 7), offset=0, size=4)
    cb.record(done)
    cb.finalize()
    other = cpu.stream()
    other.record(gate)
    s = cpu.stream()
    s.submit(cb)
    done.wait()
    assert np.from_dlpack(b).tolist() == [7] + list(range(1, 8))


def test_command_buffer_update_launch(cpu):
    bundle = os.environ.get("AHAL_TEST_BUNDLE")
    if not bundle or not os.path.exists(bundle):
        pytest.skip("AHAL_TEST_BUNDLE (the standard kernel bundle) is not built")
    kernel = cpu.module(bundle).kernel("vector_add")
    n = 256
    a = ahal.from_dlpack(np.arange(n, dtype=np.float32), cpu)
    one = ahal.from_dlpack(np.ones(n, dtype=np.float32), cpu)
    two = ahal.from_dlpack(np.full(n, 2, dtype=np.float32), cpu)
    c = ahal.empty(n, np.float32, cpu)
    cb = cpu.command_buffer()
    index = cb.launch(kernel, [n // 64], [64], [a, one, c], struct.pack("<I", n))
    cb.finalize()
    s = cpu.stream()
    s.submit(cb)
    s.synchronize()
    assert np.from_dlpack(c)[-1] == n
    cb.update_launch(index, buffers=[a, two, c])
    s.submit(cb)
    s.synchronize()
    assert np.array_equal(np.from_dlpack(c), np.arange(n, dtype=np.float32) + 2)


def test_vulkan_buffers_are_extdev_and_streams_wait_on_the_device():
    rt = ahal.Runtime(plugins="vulkan")
    if not [d for d in rt.devices() if d.selector == "vulkan:0"]:
        rt.close()
        pytest.skip("no vulkan:0 on this machine")
    vk = rt.device("vulkan:0")
    x = ahal.empty((1 << 20,), np.uint32, vk)
    n = x.buffer.native()
    assert n["kind"] == 6 and n["memory"] != 0 and n["context"] != 0  # VULKAN_BUFFER
    assert x.__dlpack_device__() == (12, 0)  # kDLExtDev: a VkBuffer, not a pointer
    producer, consumer = vk.stream(), vk.stream()
    producer.fill(x, struct.pack("<I", 0x5EED))
    x.__dlpack__(stream=consumer)  # consumer waits for the fill on the device
    tail = np.zeros(4, dtype=np.uint32)
    consumer.read(x, tail, offset=x.nbytes - 16)
    consumer.synchronize()
    assert tail.tolist() == [0x5EED] * 4
    with pytest.raises(ValueError, match="stream must be None, -1 or an ahal.Stream"):
        x.__dlpack__(stream=1)
    rt.close()
