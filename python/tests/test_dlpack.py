"""Zero-copy DLPack round trips between ahal and NumPy (and PyTorch when
installed) on host memory: the data pointer never changes."""

import numpy as np
import pytest

import ahal

KDLCPU = 1


def test_numpy_to_ahal_to_numpy_shares_memory(cpu):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = ahal.from_dlpack(a, cpu)
    assert x.shape == (3, 4) and x.dtype == "float32"
    assert x.data_ptr == a.ctypes.data
    assert x.__dlpack_device__() == (KDLCPU, 0)
    back = np.from_dlpack(x)
    assert back.ctypes.data == a.ctypes.data
    a[1, 2] = 99  # one memory: a write through one view shows in the other
    assert back[1, 2] == 99


def test_ahal_buffer_to_numpy_sees_device_work(cpu):
    x = ahal.empty((8,), np.int32, cpu)
    s = cpu.stream()
    s.fill(x, np.int32(-3).tobytes())  # not synchronized: __dlpack__ waits for it
    v = np.from_dlpack(x)
    assert v.ctypes.data == x.buffer.native()["handle"]
    assert v.tolist() == [-3] * 8


def test_imported_memory_outlives_the_producer_reference(cpu):
    x = ahal.from_dlpack(np.arange(5, dtype=np.int64), cpu)  # only x holds the array now
    assert np.from_dlpack(x).tolist() == [0, 1, 2, 3, 4]


def test_sliced_array_keeps_its_address(cpu):
    a = np.arange(64, dtype=np.uint8)
    x = ahal.from_dlpack(a[3:20], cpu)
    assert x.data_ptr == a.ctypes.data + 3
    assert np.from_dlpack(x).ctypes.data == a.ctypes.data + 3


def test_non_contiguous_and_bad_dtype_are_refused(cpu):
    with pytest.raises(ValueError, match="not C-contiguous"):
        ahal.from_dlpack(np.arange(16, dtype=np.float32)[::2], cpu)
    with pytest.raises(TypeError, match="is not supported"):
        ahal.from_dlpack(np.zeros(4, dtype=np.complex64), cpu)
    with pytest.raises(TypeError, match="has no __dlpack__"):
        ahal.from_dlpack([1, 2, 3], cpu)


def test_versioned_capsule_on_request(cpu):
    x = ahal.empty(4, np.float32, cpu)
    cap = x.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(cap)


def test_torch_round_trip_shares_memory(cpu):
    torch = pytest.importorskip("torch")
    from torch.utils import dlpack as tdl

    t = torch.arange(10, dtype=torch.float32)
    x = ahal.from_dlpack(t, cpu)
    assert x.data_ptr == t.data_ptr()
    back = tdl.from_dlpack(x)
    assert back.data_ptr() == t.data_ptr()
    y = ahal.empty((2, 3), torch.int32, cpu)
    cpu.stream().fill(y, np.int32(4).tobytes())
    u = tdl.from_dlpack(y)
    assert u.data_ptr() == y.data_ptr and u.tolist() == [[4, 4, 4], [4, 4, 4]]


# DLPack readiness: the producer stream records an event and the consumer
# waits for it. A fill of 64 MiB on cpu:0 takes milliseconds, far longer
# than the Python calls between its enqueue and the consumer's read, so a
# missing wait shows as zeros at the end.
BIG = 16 << 20  # int32 elements


def _pending_fill(cpu, value):
    x = ahal.empty((BIG,), np.int32, cpu)
    s = cpu.stream()
    s.fill(x, np.int32(0).tobytes())
    s.synchronize()
    s.fill(x, np.int32(value).tobytes())  # queued, not waited for
    return x, s


def test_host_consumer_waits_for_the_producer_stream(cpu):
    x, _ = _pending_fill(cpu, 7)
    v = np.from_dlpack(x)  # stream None: the host waits for the event
    assert v[-1] == 7 and v[0] == 7


def test_ahal_stream_consumer_waits_on_the_device(cpu):
    x, producer = _pending_fill(cpu, 9)
    consumer = cpu.stream()
    x.__dlpack__(stream=consumer)  # the consumer stream waits for the event
    tail = np.zeros(4, dtype=np.int32)
    consumer.read(x, tail, offset=(BIG - 4) * 4)
    consumer.synchronize()
    assert tail.tolist() == [9] * 4


def test_the_arrays_stream_is_the_producer(cpu):
    b = cpu.buffer(BIG * 4)
    s = cpu.stream()
    s.fill(b, np.int32(5).tobytes())  # through the Buffer: the Array's stream says where
    x = ahal.Array(b, (BIG,), np.int32)
    assert x.stream is None
    x.stream = s
    assert x.stream is s
    assert np.from_dlpack(x)[-1] == 5


def test_stream_argument_checks(cpu, runtime):
    x = ahal.empty(4, np.float32, cpu)
    x.__dlpack__(stream=-1)  # no synchronization asked
    with pytest.raises(ValueError, match="stream must be None, -1 or an ahal.Stream"):
        x.__dlpack__(stream=5)  # an integer stream means nothing for host memory
    with pytest.raises(TypeError, match="stream must be None, -1, an integer stream"):
        x.__dlpack__(stream="default")
    s = cpu.stream()
    s.destroy()
    with pytest.raises(ValueError, match="the Stream was destroyed"):
        x.__dlpack__(stream=s)
