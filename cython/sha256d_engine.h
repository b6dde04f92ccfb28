/*
 * SHA-256d nonce scanning for Bitcoin block headers: the C kernels behind commission.hashing.
 *
 * One build carries three tiers (SHA-NI, AVX2 8-way, portable scalar); the SHA-NI and AVX2 code
 * is compiled with per-function target attributes and only called when CPUID says the CPU has
 * the instructions (sha256d_tier_supported).  Callers validate arguments; these functions trust
 * them (header 76 bytes, target 32 bytes, start + count <= 2^32).
 */
#ifndef COMMISSION_SHA256D_ENGINE_H
#define COMMISSION_SHA256D_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#define SHA256D_TIER_PORTABLE 0
#define SHA256D_TIER_AVX2 1
#define SHA256D_TIER_SHANI 2
/* SHA-NI with two nonces in flight instead of four; for the benchmark only. */
#define SHA256D_TIER_SHANI_X2 3

typedef struct {
    uint32_t midstate[8];  /* state after the first 64 header bytes */
    uint32_t pre3[8];      /* working variables after rounds 0-2 of the second block */
    uint32_t tail[3];      /* header bytes 64..75 as big-endian message words */
    uint32_t target[8];    /* the target, most significant 32-bit word first */
} sha256d_job;

typedef struct {
    uint32_t *nonces;
    size_t len;
    size_t cap;
} sha256d_hits;

/* 1 when this CPU (and this build) can run the tier, else 0. */
int sha256d_tier_supported(int tier);

/* Prepare a scan: midstate of header76[0:64], the tail words and the target (32 bytes, LE). */
void sha256d_job_init(sha256d_job *job, const uint8_t header76[76], const uint8_t target_le[32]);

/* Append to hits every nonce in [start, start + count) whose sha256d, read as a little-endian
 * 256-bit integer, is <= the target.  Returns 0, or -1 when memory ran out.  No Python calls:
 * safe without the GIL. */
int sha256d_scan(int tier, const sha256d_job *job, uint32_t start, uint64_t count,
                 sha256d_hits *hits);

/* SHA256(SHA256(data)) of any length with the tier's single-block compression. */
void sha256d_digest(int tier, const uint8_t *data, size_t len, uint8_t out[32]);

#endif
