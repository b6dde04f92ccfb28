"""Build the optional compiled hash engine, commission.hashing._sha256d.

Everything else about the package is declared in pyproject.toml. The extension is optional: when
there is no C compiler (or Cython) the package still installs and commission.hashing runs on its
pure-Python twin, saying so. The C that Cython generates goes to build/, never into the source tree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext


REQUIRE_EXTENSION = os.environ.get("COMMISSION_REQUIRE_EXTENSION", "").strip() in {"1", "true", "yes"}
"""Release and CI builds set COMMISSION_REQUIRE_EXTENSION=1: a failed compile is then an error."""


class OptionalBuildExt(build_ext):
    """build_ext with optimisation flags per compiler; a failed compile only warns (unless required).

    GCC, Clang and MinGW-w64 get -O3; MSVC gets /O2 (the engine's MSVC branch needs no arch flags:
    every kernel is chosen at run time from CPUID).
    """

    def build_extensions(self) -> None:
        flags = {"unix": ["-O3", "-fno-strict-aliasing"], "mingw32": ["-O3"], "msvc": ["/O2"]}
        for extension in self.extensions:
            extension.extra_compile_args = flags.get(self.compiler.compiler_type, [])
            extension.optional = not REQUIRE_EXTENSION
        super().build_extensions()
        built = all(Path(self.get_ext_fullpath(ext.name)).exists() for ext in self.extensions)
        if built:
            print("commission: built the compiled hash engine (tiers chosen at run time)")
        else:
            print(
                "commission: the compiled hash engine did not build; the package uses its "
                "pure-Python twin (about 20x slower). `commission --version` says which runs.",
                file=sys.stderr,
            )


def _extensions() -> list[Extension]:
    extension = Extension(
        "commission.hashing._sha256d",
        sources=["cython/_sha256d.pyx", "cython/sha256d_engine.c"],
        include_dirs=["cython"],
        depends=["cython/sha256d_engine.h"],
        optional=True,
    )
    try:
        from Cython.Build import cythonize
    except ImportError:
        if REQUIRE_EXTENSION:
            raise SystemExit("commission: COMMISSION_REQUIRE_EXTENSION=1 but Cython is missing")
        print(
            "commission: Cython is missing; installing without the compiled hash engine",
            file=sys.stderr,
        )
        return []
    extensions: list[Extension] = cythonize(
        [extension],
        build_dir="build/cython",
        compiler_directives={"language_level": 3},
        quiet=True,
    )
    for built in extensions:
        built.optional = not REQUIRE_EXTENSION  # cythonize makes new Extensions without this flag
    return extensions


CHECKLISTS_PACKAGE = "commission.checklist.files"
"""The top-level checklists/ folder, shipped as this package (read with importlib.resources)."""

setup(
    packages=[*find_packages(include=["commission", "commission.*"]), CHECKLISTS_PACKAGE],
    package_dir={CHECKLISTS_PACKAGE: "checklists"},
    ext_modules=_extensions(),
    cmdclass={"build_ext": OptionalBuildExt},
)
