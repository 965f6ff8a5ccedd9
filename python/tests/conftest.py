import pytest

import ahal


@pytest.fixture
def runtime():
    rt = ahal.Runtime()
    yield rt
    rt.close()


@pytest.fixture
def cpu(runtime):
    return runtime.device("cpu:0")
