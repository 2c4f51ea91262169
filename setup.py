"""Build the Cython kernels; OpenMP where the compiler has it, serial otherwise.

Set ``CYSOLVE_NO_OPENMP=1`` to force a serial build (the fallback path the tests also cover),
and ``CYSOLVE_CFLAGS`` to add compiler flags (the sanitizer build uses it). A release build
(the default) carries no debug info and no run-time library path of the build machine; flags
in ``CYSOLVE_CFLAGS`` that ask for debug info (``-g``, ``-g3``, ...) keep it. The ``.pyx`` ->
``.c`` step and the C compiler run in parallel, one job per core (``CYSOLVE_BUILD_JOBS=N`` or
``build_ext -j N`` to choose).
"""

import multiprocessing
import os
import shlex
import sys
import sysconfig
import tempfile
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
OPENMP_PROBE = "#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n"
COMPILER_DIRECTIVES = {
    "language_level": 3,
    # Every kernel's wrapper converts and checks its input before calling the kernel.
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
}


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


def build_jobs():
    """``CYSOLVE_BUILD_JOBS``, else the cores this process may use."""
    if os.environ.get("CYSOLVE_BUILD_JOBS"):
        return max(1, int(os.environ["CYSOLVE_BUILD_JOBS"]))
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def wants_debug_info(flags):
    return any(f.startswith("-g") and f != "-g0" for f in flags)


class BuildExt(build_ext):
    """Cythonize in parallel, add OpenMP flags when they work (a compiler without OpenMP still
    builds, serially), build release binaries lean and compile the extensions in parallel."""

    def finalize_options(self):
        super().finalize_options()
        if not self.parallel:  # no -j given
            self.parallel = build_jobs()

    def build_extensions(self):
        from Cython.Build import cythonize

        jobs = self.parallel if isinstance(self.parallel, int) else build_jobs()
        # Cython's pool re-imports __main__ in its workers unless they are forked, and
        # __main__ may be this setup.py: a pool only where workers fork (Linux up to 3.13).
        fork = multiprocessing.get_start_method() == "fork"
        generated = cythonize(
            self.extensions,
            compiler_directives=COMPILER_DIRECTIVES,
            annotate=os.environ.get("CYSOLVE_ANNOTATE", "") not in ("", "0"),
            nthreads=jobs if fork and jobs > 1 else 0,
            force=bool(self.force),
        )
        # Keep the Extension objects setuptools has prepared; only their sources change.
        sources = {ext.name: ext.sources for ext in generated}
        for ext in self.extensions:
            ext.sources = sources[ext.name]

        extra = shlex.split(os.environ.get("CYSOLVE_CFLAGS", ""))
        use_openmp = os.environ.get("CYSOLVE_NO_OPENMP", "") in ("", "0")
        msvc = self.compiler.compiler_type == "msvc"
        flag = "/openmp" if msvc else "-fopenmp"
        if use_openmp and not has_openmp(self.compiler, flag):
            print("cysolve: the compiler has no OpenMP; building the kernels serially")
            use_openmp = False
        compile_args = [] if msvc else ["-O3"]
        link_args = []
        if not msvc and not wants_debug_info(extra):
            # Release: Python's CFLAGS say -g, which makes the wheel ~5x larger.
            compile_args.append("-g0")
            if sys.platform.startswith("linux"):
                link_args.append("-s")
                self._drop_interpreter_rpath()
        for ext in self.extensions:
            ext.extra_compile_args += compile_args + extra + ([flag] if use_openmp else [])
            ext.extra_link_args += link_args + extra + ([flag] if use_openmp and not msvc else [])
        super().build_extensions()

    def _drop_interpreter_rpath(self):
        """A Python built with a run-time library path (pyenv, custom prefixes) puts it into
        every extension's RUNPATH; the kernels never load anything from there."""
        libdir = sysconfig.get_config_var("LIBDIR")
        if not libdir:
            return
        rpaths = {f"-Wl,-rpath,{libdir}", f"-Wl,-rpath={libdir}", f"-Wl,-R,{libdir}"}
        for attr in ("linker_so", "linker_so_cxx"):
            command = getattr(self.compiler, attr, None)
            if isinstance(command, list):
                setattr(self.compiler, attr, [a for a in command if a not in rpaths])


def extensions():
    """One extension per .pyx under src/cysolve, named after its path (cythonized by
    ``BuildExt``, so an sdist carries the .pyx sources and never generated C)."""
    exts = []
    for pyx in sorted((HERE / "src").rglob("*.pyx")):
        rel = pyx.relative_to(HERE / "src").with_suffix("")
        exts.append(
            Extension(
                ".".join(rel.parts),
                [str(pyx.relative_to(HERE))],
                define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
                include_dirs=["src/cysolve"],  # the headers every kernel shares
            )
        )
    return exts


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildExt})
