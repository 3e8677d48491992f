"""The one compiled part: the sound-device callbacks (``vdi_adapter/audio/_device_ring.c``).

Everything else about the package is in ``pyproject.toml``.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "vdi_adapter.audio._device_ring",
            ["vdi_adapter/audio/_device_ring.c"],
            extra_compile_args=["-O2", "-Wall", "-Wextra"] if __import__("os").name != "nt" else [],
        )
    ]
)
