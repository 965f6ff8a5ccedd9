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
    s.fill(x, np.int32(-3).tobytes())  # not synchronized: __dlpack__ waits for the device
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
    with pytest.raises(ValueError, match="stream must be None or -1"):
        x.__dlpack__(stream=5)


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
