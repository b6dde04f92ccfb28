"""Build the optional compiled hash engine, commission.hashing._sha256d.

Everything else about the package is declared in pyproject.toml. The extension is optional: when
there is no C compiler (or Cython) the package still installs and commission.hashing runs on its
pure-Python twin, saying so. The C that Cython generates goes to build/, never into the source tree.
"""

from __future__ import annotations

import sys

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext with optimisation flags per compiler; a failed compile only warns."""

    def build_extensions(self) -> None:
        if self.compiler.compiler_type == "unix":
            for extension in self.extensions:
                extension.extra_compile_args = ["-O3", "-fno-strict-aliasing"]
        super().build_extensions()


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
        built.optional = True  # cythonize makes new Extension objects without this flag
    return extensions


CHECKLISTS_PACKAGE = "commission.checklist.files"
"""The top-level checklists/ folder, shipped as this package (read with importlib.resources)."""

setup(
    packages=[*find_packages(include=["commission", "commission.*"]), CHECKLISTS_PACKAGE],
    package_dir={CHECKLISTS_PACKAGE: "checklists"},
    ext_modules=_extensions(),
    cmdclass={"build_ext": OptionalBuildExt},
)
