# cython: language_level=3, boundscheck=False, wraparound=False, embedsignature=True
"""Compiled SHA-256d engine: CPU tiers, sha256d of bytes, and a midstate nonce scanner.

Thin Cython layer over cython/sha256d_engine.c. Arguments are checked again here (lengths,
ranges) so that a direct caller cannot make the C code read past a buffer; the friendly
messages come from the dispatcher, commission.hashing, which checks first.
"""

from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free


cdef extern from "sha256d_engine.h" nogil:
    int SHA256D_TIER_PORTABLE
    int SHA256D_TIER_AVX2
    int SHA256D_TIER_SHANI
    int SHA256D_TIER_SHANI_X2

    ctypedef struct sha256d_job:
        pass

    ctypedef struct sha256d_hits:
        uint32_t *nonces
        size_t len
        size_t cap

    int sha256d_tier_supported(int tier)
    void sha256d_job_init(sha256d_job *job, const uint8_t *header76, const uint8_t *target_le)
    int sha256d_scan(int tier, const sha256d_job *job, uint32_t start, uint64_t count,
                     sha256d_hits *hits)
    void sha256d_digest(int tier, const uint8_t *data, size_t length, uint8_t *out)


TIER_CODES = {
    "sha-ni": SHA256D_TIER_SHANI,
    "avx2": SHA256D_TIER_AVX2,
    "portable": SHA256D_TIER_PORTABLE,
}
"""Public tiers, fastest first."""

BENCH_TIER_CODES = {"sha-ni-x2": SHA256D_TIER_SHANI_X2}
"""Variants for the benchmark only (SHA-NI with two nonces in flight instead of four)."""

NOGIL_MIN_COUNT = 1024
"""Scans of at least this many nonces (and digests of at least 64 KiB) release the GIL."""

cdef size_t NOGIL_MIN_BYTES = 65536


cdef int _tier_code(str tier) except -1:
    code = TIER_CODES.get(tier, BENCH_TIER_CODES.get(tier))
    if code is None:
        raise ValueError(f"unknown hash tier {tier!r}")
    if not sha256d_tier_supported(code):
        raise ValueError(f"hash tier {tier!r} is not supported by this CPU")
    return code


def tiers_available():
    """The public tiers this CPU can run, fastest first."""
    return tuple(name for name, code in TIER_CODES.items() if sha256d_tier_supported(code))


def sha256d(const uint8_t[::1] data, str tier):
    """SHA256(SHA256(data)) computed by the given tier's compression function."""
    cdef int code = _tier_code(tier)
    cdef uint8_t out[32]
    cdef size_t length = data.shape[0]
    cdef const uint8_t *pointer = &data[0] if length else <const uint8_t *>b""
    if length >= NOGIL_MIN_BYTES:
        with nogil:
            sha256d_digest(code, pointer, length, out)
    else:
        sha256d_digest(code, pointer, length, out)
    return bytes(out[:32])


cdef class Scanner:
    """Midstate of one 76-byte header prefix and a target, on one tier."""

    cdef sha256d_job job
    cdef int code
    cdef readonly str tier

    def __cinit__(self, bytes header76, bytes target_le, str tier):
        if len(header76) != 76:
            raise ValueError(f"header76 must be 76 bytes, got {len(header76)}")
        if len(target_le) != 32:
            raise ValueError(f"target must be 32 bytes little-endian, got {len(target_le)}")
        self.code = _tier_code(tier)
        self.tier = tier
        sha256d_job_init(&self.job, <const uint8_t *>header76, <const uint8_t *>target_le)

    def scan(self, uint32_t start, uint64_t count):
        """Nonces in [start, start + count) whose sha256d is <= the target, ascending."""
        if count > (<uint64_t>1 << 32) - start:
            raise ValueError(f"nonce range {start} + {count} goes past 2**32")
        cdef sha256d_hits hits
        hits.nonces = NULL
        hits.len = 0
        hits.cap = 0
        cdef int status
        if count >= NOGIL_MIN_COUNT:
            with nogil:
                status = sha256d_scan(self.code, &self.job, start, count, &hits)
        else:
            status = sha256d_scan(self.code, &self.job, start, count, &hits)
        try:
            if status != 0:
                raise MemoryError("out of memory collecting matching nonces")
            return [hits.nonces[i] for i in range(hits.len)]
        finally:
            free(hits.nonces)
