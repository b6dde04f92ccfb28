#!/usr/bin/env bash
# Build the C hash engine with every compiler family a release targets, as far as this Linux
# machine can: GCC and Clang natively (built, linked and run against known answers), MinGW-w64
# (the Windows ABI: compiled and linked to an .exe), Clang in MSVC mode (the MSVC branch of the
# engine, checked for syntax with stand-in C headers, since MSVC itself does not run here), and
# Clang for arm64 (the portable path Apple Silicon takes). Warnings are errors. Exit 0 only when
# every compiler passed; a missing compiler is a failure, named.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
warn=(-Wall -Wextra -Werror -O2 -std=c99)
failed=()

step() {  # step NAME COMMAND...: run, report, remember failures
  local name=$1
  shift
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "check_compilers: FAIL $name: $1 is not installed"
    failed+=("$name")
    return
  fi
  if "$@" >"$out/log" 2>&1; then
    echo "check_compilers: ok   $name"
  else
    echo "check_compilers: FAIL $name"
    sed 's/^/    /' "$out/log"
    failed+=("$name")
  fi
}

engine=(cython/sha256d_engine.c tools/engine_kat.c -Icython)
step "gcc (build, known answers)" gcc "${warn[@]}" "${engine[@]}" -o "$out/kat-gcc"
[ -x "$out/kat-gcc" ] && step "gcc known answers" "$out/kat-gcc"
step "clang (build, known answers)" clang "${warn[@]}" "${engine[@]}" -o "$out/kat-clang"
[ -x "$out/kat-clang" ] && step "clang known answers" "$out/kat-clang"
step "mingw-w64 (Windows x64 .exe)" x86_64-w64-mingw32-gcc "${warn[@]}" "${engine[@]}" \
  -o "$out/kat.exe"

# Stand-in C library headers: only what the engine and Clang's intrinsic headers include.
shim="$out/shim"
mkdir -p "$shim"
printf '#pragma once\n#include <stddef.h>\nvoid *malloc(size_t);\nvoid free(void *);\nvoid *realloc(void *, size_t);\nunsigned long _byteswap_ulong(unsigned long);\n' >"$shim/stdlib.h"
printf '#pragma once\n#include <stddef.h>\nvoid *memcpy(void *, const void *, size_t);\nvoid *memset(void *, int, size_t);\nint memcmp(const void *, const void *, size_t);\n' >"$shim/string.h"
printf '#pragma once\n#include <stddef.h>\nvoid *_aligned_malloc(size_t, size_t);\nvoid _aligned_free(void *);\n' >"$shim/malloc.h"
printf '#pragma once\ntypedef struct { unsigned long long part[32]; } jmp_buf[1];\n' >"$shim/setjmp.h"
step "clang as MSVC (the _MSC_VER branch)" clang --target=x86_64-pc-windows-msvc -fms-extensions \
  -fms-compatibility -fms-compatibility-version=19.30 -DSHA256D_CHECK_MSVC_BRANCH \
  -msha -mssse3 -msse4.1 -mavx2 -Wall -Wextra -Werror -O2 -isystem "$shim" -Icython \
  -c cython/sha256d_engine.c -o "$out/engine-msvc.o"
step "clang for arm64 (portable tier only)" clang --target=aarch64-linux-gnu -ffreestanding \
  -Wall -Wextra -Werror -O2 -std=c99 -isystem "$shim" -Icython -c cython/sha256d_engine.c \
  -o "$out/engine-arm64.o"

if [ ${#failed[@]} -ne 0 ]; then
  echo "check_compilers: ${#failed[@]} failed: ${failed[*]}"
  exit 1
fi
echo "check_compilers: every compiler built the engine"
