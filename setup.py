"""Build the Cython kernels; OpenMP where the compiler has it, serial otherwise.

Set ``CYSOLVE_NO_OPENMP=1`` to force a serial build (the fallback path the tests also cover),
and ``CYSOLVE_CFLAGS`` to add compiler flags (the sanitizer build uses it).
"""

import os
import shlex
import tempfile
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
OPENMP_PROBE = "#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n"


def has_openmp(compiler, flag):
    """True when ``compiler`` compiles and links a tiny OpenMP program with ``flag``."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "probe.c")
        source.write_text(OPENMP_PROBE)
        try:
            objects = compiler.compile([str(source)], output_dir=tmp, extra_postargs=[flag])
            compiler.link_executable(objects, "probe", output_dir=tmp, extra_postargs=[flag])
        except Exception:
            return False
    return True


class BuildExt(build_ext):
    """Add OpenMP flags when they work, so a compiler without OpenMP still builds (serially)."""

    def build_extensions(self):
        extra = shlex.split(os.environ.get("CYSOLVE_CFLAGS", ""))
        use_openmp = os.environ.get("CYSOLVE_NO_OPENMP", "") in ("", "0")
        flag = "/openmp" if self.compiler.compiler_type == "msvc" else "-fopenmp"
        if use_openmp and not has_openmp(self.compiler, flag):
            print("cysolve: the compiler has no OpenMP; building the kernels serially")
            use_openmp = False
        optimise = [] if self.compiler.compiler_type == "msvc" else ["-O3"]
        for ext in self.extensions:
            ext.extra_compile_args += optimise + extra + ([flag] if use_openmp else [])
            ext.extra_link_args += extra + ([flag] if use_openmp and flag != "/openmp" else [])
        super().build_extensions()


def extensions():
    """One extension per .pyx under src/cysolve, named after its path."""
    exts = []
    for pyx in sorted((HERE / "src").rglob("*.pyx")):
        rel = pyx.relative_to(HERE / "src").with_suffix("")
        exts.append(
            Extension(
                ".".join(rel.parts),
                [str(pyx.relative_to(HERE))],
                define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            )
        )
    return cythonize(
        exts,
        compiler_directives={
            "language_level": 3,
            # Every kernel's wrapper validates its input in cysolve._validate first.
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
        annotate=os.environ.get("CYSOLVE_ANNOTATE", "") not in ("", "0"),
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildExt})
