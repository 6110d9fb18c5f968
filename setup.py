"""Build script: maps the top-level component folders into the ``paddock`` package and
compiles the Cython extensions in ``_native/`` (each has a pure-Python twin)."""

import os

from setuptools import Extension, setup

COMPONENTS = ["core", "apiserver", "scheduler", "controllers", "kubelet", "proxy", "bench", "_native", "proto"]


def _packages() -> tuple[list[str], dict[str, str]]:
    packages = ["paddock"]
    package_dir = {"paddock": "paddock"}
    for top in COMPONENTS:
        for dirpath, _dirs, files in os.walk(top):
            if "__init__.py" in files:
                name = "paddock." + dirpath.replace(os.sep, ".")
                packages.append(name)
                package_dir[name] = dirpath
    return packages, package_dir


def _extensions() -> list:
    from Cython.Build import cythonize

    debug = os.environ.get("PADDOCK_DEBUG") == "1"
    exts = [
        Extension(
            "paddock._native.labels",
            ["_native/labels.pyx"],
            extra_compile_args=["-O2"],
        ),
        Extension(
            "paddock._native.protobuf",
            ["_native/protobuf.pyx"],
            extra_compile_args=["-O2"],
        ),
        Extension(
            "paddock._native.scheduler",
            ["_native/scheduler.pyx"],
            # scores must round exactly as the pure twin's: no fused multiply-add;
            # OpenMP for prange
            extra_compile_args=["-O2", "-ffp-contract=off", "-fopenmp"],
            extra_link_args=["-fopenmp"],
        ),
    ]
    return cythonize(
        exts,
        language_level=3,
        compile_time_env={"DEBUG": debug},
        compiler_directives={"boundscheck": debug, "wraparound": debug},
    )


packages, package_dir = _packages()
setup(packages=packages, package_dir=package_dir, ext_modules=_extensions())
