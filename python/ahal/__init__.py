"""ahal for Python: runtimes, devices, buffers, streams, kernels, and
zero-copy DLPack exchange with NumPy and PyTorch (docs/python.md)."""

from ._ahal import (  # noqa: F401
    EVENT_TIMING,
    Array,
    Buffer,
    CommandBuffer,
    Device,
    Error,
    Event,
    HostAlloc,
    Kernel,
    Mapping,
    Module,
    Runtime,
    Stream,
    version,
)

_default_runtime = None


def default_runtime():
    """A process-wide Runtime, made on first use (from_dlpack without a device)."""
    global _default_runtime
    if _default_runtime is None:
        _default_runtime = Runtime()
    return _default_runtime


def empty(shape, dtype, device):
    """An uninitialized Array of a new buffer of `device`."""
    n = 1
    for d in shape if isinstance(shape, (tuple, list)) else (shape,):
        n *= d
    return Array(device.buffer(max(n * _ahal._itemsize(dtype), 1)), shape, dtype)


def from_dlpack(obj, device=None):
    """Wraps a DLPack producer's host memory (NumPy array, torch tensor, ...)
    as an ahal Array without a copy; `obj` stays alive while the Array does.
    The device defaults to cpu:0 of default_runtime()."""
    if device is None:
        device = default_runtime().device("cpu:0")
    return _ahal._from_dlpack(obj, device)


from . import _ahal  # noqa: E402
