/*
 * SHA-256d kernels: portable scalar, AVX2 8-way and SHA-NI with interleaved nonces.
 *
 * Per nonce only two compressions run: the second block of the header (the first 64 bytes are
 * the job's midstate, and its first three rounds do not depend on the nonce, so they are done
 * once as well) and the hash of the 32-byte digest.  A quick test on the most significant word
 * of the result rejects almost every nonce; the rest get the full 256-bit comparison.
 */
#include "sha256d_engine.h"

#include <stdlib.h>
#include <string.h>

/*
 * Compiler portability.  GCC and Clang (also MinGW-w64 and Apple Clang) compile each SIMD kernel
 * with a per-function target attribute, so the rest of the file stays baseline x86-64.  MSVC has
 * no such attribute and needs none: it accepts every intrinsic in any function.  Either way the
 * tier is chosen at run time from CPUID, never at compile time.
 */
#if defined(SHA256D_CHECK_MSVC_BRANCH)
/* Portability check only (tools/check_compilers.sh): Clang in MSVC mode compiles the MSVC
 * branch below, so its syntax is checked on a machine without MSVC. */
#elif (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define SHA256D_X86 1
#define SHA256D_GNU 1
#include <cpuid.h>
#include <immintrin.h>
#define SHANI_FN __attribute__((target("sha,ssse3,sse4.1")))
#define AVX2_FN __attribute__((target("avx2")))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define UNROLL16 _Pragma("GCC unroll 16")
#endif
#if !defined(SHA256D_X86) && defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#define SHA256D_X86 1
#define SHA256D_GNU 0
#include <immintrin.h>
#include <intrin.h>
#define SHANI_FN
#define AVX2_FN
#define ALWAYS_INLINE __forceinline
#define UNROLL16
#elif !defined(SHA256D_X86)
#define SHA256D_X86 0
#define SHA256D_GNU 0
#endif

#if SHA256D_GNU
#define BSWAP32(x) __builtin_bswap32(x)
#elif defined(_MSC_VER)
#define BSWAP32(x) _byteswap_ulong(x)
#else
#define BSWAP32(x) \
    ((((x) & 0xffu) << 24) | (((x) & 0xff00u) << 8) | (((x) >> 8) & 0xff00u) | ((x) >> 24))
#endif

/* 16-byte alignment for the round constants (aligned SSE loads): before the type on MSVC, after
 * the declarator elsewhere. */
#if defined(_MSC_VER) && !SHA256D_GNU
#define ALIGN16_BEFORE __declspec(align(16))
#define ALIGN16
#elif defined(__GNUC__) || defined(__clang__)
#define ALIGN16_BEFORE
#define ALIGN16 __attribute__((aligned(16)))
#else
#define ALIGN16_BEFORE
#define ALIGN16
#endif

ALIGN16_BEFORE static const uint32_t K[64] ALIGN16 = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t IV[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* Message words 4..15 of the header's second block (76 header bytes + nonce = 80 bytes). */
#define PAD80_W4 0x80000000u
#define PAD80_W15 640u
/* Message words 8..15 of a 32-byte message (the second hash). */
#define PAD32_W8 0x80000000u
#define PAD32_W15 256u

/* ------------------------------------------------------------------------------------------ */
/* Shared helpers                                                                             */
/* ------------------------------------------------------------------------------------------ */

static uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t load_le32(const uint8_t *p) {
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

static void store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The digest (state words H0..H7, big-endian bytes) read as a little-endian integer <= target. */
static int digest_meets_target(const uint32_t h[8], const uint32_t target[8]) {
    for (int k = 0; k < 8; k++) {
        uint32_t word = BSWAP32(h[7 - k]);
        if (word != target[k]) {
            return word < target[k];
        }
    }
    return 1;
}

static int hits_push(sha256d_hits *hits, uint32_t nonce) {
    if (hits->len == hits->cap) {
        size_t cap = hits->cap ? hits->cap * 2 : 64;
        uint32_t *grown = (uint32_t *)realloc(hits->nonces, cap * sizeof(uint32_t));
        if (grown == NULL) {
            return -1;
        }
        hits->nonces = grown;
        hits->cap = cap;
    }
    hits->nonces[hits->len++] = nonce;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Round macros, written once over an operation set V_* (scalar words or AVX2 vectors)        */
/* ------------------------------------------------------------------------------------------ */

#define V_BSIG0(x) V_XOR(V_XOR(V_ROTR(x, 2), V_ROTR(x, 13)), V_ROTR(x, 22))
#define V_BSIG1(x) V_XOR(V_XOR(V_ROTR(x, 6), V_ROTR(x, 11)), V_ROTR(x, 25))
#define V_SSIG0(x) V_XOR(V_XOR(V_ROTR(x, 7), V_ROTR(x, 18)), V_SHR(x, 3))
#define V_SSIG1(x) V_XOR(V_XOR(V_ROTR(x, 17), V_ROTR(x, 19)), V_SHR(x, 10))
#define V_CH(x, y, z) V_XOR(z, V_AND(x, V_XOR(y, z)))
#define V_MAJ(x, y, z) V_OR(V_AND(x, y), V_AND(z, V_OR(x, y)))

/* Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)), and this round's a ^ b is the next round's b ^ c, so
 * it is carried in bc_ (set it to b ^ c before the first round).  K + W is added first so that
 * it folds into one constant where the message word is a constant (the padding words). */
#define RND(a, b, c, d, e, f, g, h, i)                                                    \
    do {                                                                                  \
        V_T t1_ = V_ADD(V_ADD(h, V_BSIG1(e)), V_ADD(V_CH(e, f, g), V_ADD(V_K(i), W[(i)&15]))); \
        V_T ab_ = V_XOR(a, b);                                                            \
        V_T t2_ = V_ADD(V_BSIG0(a), V_XOR(b, V_AND(ab_, bc_)));                           \
        bc_ = ab_;                                                                        \
        d = V_ADD(d, t1_);                                                                \
        h = V_ADD(t1_, t2_);                                                              \
    } while (0)

#define SCHED(i)                                                                          \
    (W[(i)&15] = V_ADD(V_ADD(V_SSIG1(W[((i)-2) & 15]), W[((i)-7) & 15]),                 \
                       V_ADD(V_SSIG0(W[((i)-15) & 15]), W[(i)&15])))

#define RNDS(a, b, c, d, e, f, g, h, i) \
    do {                                \
        SCHED(i);                       \
        RND(a, b, c, d, e, f, g, h, i); \
    } while (0)

/* Rounds 3..7 (rounds 0..2 of the header's second block are the job's pre3). */
#define ROUNDS_3_TO_7()                    \
    RND(f, g, h, a, b, c, d, e, 3);        \
    RND(e, f, g, h, a, b, c, d, 4);        \
    RND(d, e, f, g, h, a, b, c, 5);        \
    RND(c, d, e, f, g, h, a, b, 6);        \
    RND(b, c, d, e, f, g, h, a, 7)

#define ROUNDS_0_TO_2()             \
    RND(a, b, c, d, e, f, g, h, 0); \
    RND(h, a, b, c, d, e, f, g, 1); \
    RND(g, h, a, b, c, d, e, f, 2)

#define ROUNDS8(R, i)                   \
    R(a, b, c, d, e, f, g, h, (i) + 0); \
    R(h, a, b, c, d, e, f, g, (i) + 1); \
    R(g, h, a, b, c, d, e, f, (i) + 2); \
    R(f, g, h, a, b, c, d, e, (i) + 3); \
    R(e, f, g, h, a, b, c, d, (i) + 4); \
    R(d, e, f, g, h, a, b, c, (i) + 5); \
    R(c, d, e, f, g, h, a, b, (i) + 6); \
    R(b, c, d, e, f, g, h, a, (i) + 7)

#define ROUNDS_8_TO_63()  \
    ROUNDS8(RND, 8);      \
    ROUNDS8(RNDS, 16);    \
    ROUNDS8(RNDS, 24);    \
    ROUNDS8(RNDS, 32);    \
    ROUNDS8(RNDS, 40);    \
    ROUNDS8(RNDS, 48);    \
    ROUNDS8(RNDS, 56)

#define ROUNDS_0_TO_63() \
    ROUNDS8(RND, 0);     \
    ROUNDS_8_TO_63()

/* Rounds 0..60 only: enough for the most significant word of a digest.  After round 60 the
 * variable h holds e, which rounds 61..63 only move along into the final h. */
#define ROUNDS_0_TO_60()                   \
    ROUNDS8(RND, 0);                       \
    ROUNDS8(RND, 8);                       \
    ROUNDS8(RNDS, 16);                     \
    ROUNDS8(RNDS, 24);                     \
    ROUNDS8(RNDS, 32);                     \
    ROUNDS8(RNDS, 40);                     \
    ROUNDS8(RNDS, 48);                     \
    RNDS(a, b, c, d, e, f, g, h, 56);      \
    RNDS(h, a, b, c, d, e, f, g, 57);      \
    RNDS(g, h, a, b, c, d, e, f, 58);      \
    RNDS(f, g, h, a, b, c, d, e, 59);      \
    RNDS(e, f, g, h, a, b, c, d, 60)

/* ------------------------------------------------------------------------------------------ */
/* Portable scalar tier                                                                       */
/* ------------------------------------------------------------------------------------------ */

#define V_T uint32_t
#define V_ADD(x, y) ((x) + (y))
#define V_XOR(x, y) ((x) ^ (y))
#define V_AND(x, y) ((x) & (y))
#define V_OR(x, y) ((x) | (y))
#define V_SHR(x, n) ((x) >> (n))
#define V_ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define V_K(i) K[i]

static void compress_scalar(uint32_t state[8], const uint8_t block[64]) {
    uint32_t W[16];
    for (int i = 0; i < 16; i++) {
        W[i] = load_be32(block + 4 * i);
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    uint32_t bc_ = b ^ c;
    ROUNDS_0_TO_63();
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

/* pre3: the working variables after rounds 0..2 of the second block (nonce-independent). */
static void scalar_pre3(const uint32_t midstate[8], const uint32_t tail[3], uint32_t pre3[8]) {
    uint32_t W[16] = {tail[0], tail[1], tail[2], 0};
    uint32_t a = midstate[0], b = midstate[1], c = midstate[2], d = midstate[3];
    uint32_t e = midstate[4], f = midstate[5], g = midstate[6], h = midstate[7];
    uint32_t bc_ = b ^ c;
    ROUNDS_0_TO_2();
    pre3[0] = a; pre3[1] = b; pre3[2] = c; pre3[3] = d;
    pre3[4] = e; pre3[5] = f; pre3[6] = g; pre3[7] = h;
}

/* The first hash of header76 + nonce into W[0..7], padded as the second hash's message block. */
#define SCALAR_FIRST_HASH(job, nonce)                                                          \
    uint32_t W[16] = {(job)->tail[0], (job)->tail[1], (job)->tail[2], BSWAP32(nonce), PAD80_W4, \
                      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, PAD80_W15};                                 \
    uint32_t a = (job)->pre3[0], b = (job)->pre3[1], c = (job)->pre3[2], d = (job)->pre3[3];   \
    uint32_t e = (job)->pre3[4], f = (job)->pre3[5], g = (job)->pre3[6], h = (job)->pre3[7];   \
    uint32_t bc_ = g ^ h; /* b ^ c in the roles of round 3 */                                  \
    ROUNDS_3_TO_7();                                                                            \
    ROUNDS_8_TO_63();                                                                           \
    W[0] = (job)->midstate[0] + a; W[1] = (job)->midstate[1] + b;                               \
    W[2] = (job)->midstate[2] + c; W[3] = (job)->midstate[3] + d;                               \
    W[4] = (job)->midstate[4] + e; W[5] = (job)->midstate[5] + f;                               \
    W[6] = (job)->midstate[6] + g; W[7] = (job)->midstate[7] + h;                               \
    W[8] = PAD32_W8;                                                                            \
    W[9] = W[10] = W[11] = W[12] = W[13] = W[14] = 0;                                           \
    W[15] = PAD32_W15;                                                                          \
    a = IV[0]; b = IV[1]; c = IV[2]; d = IV[3];                                                 \
    e = IV[4]; f = IV[5]; g = IV[6]; h = IV[7];                                                 \
    bc_ = b ^ c

/* Full sha256d of header76 + nonce (every tier confirms its candidates with this). */
static void scalar_sha256d_nonce(const sha256d_job *job, uint32_t nonce, uint32_t out[8]) {
    SCALAR_FIRST_HASH(job, nonce);
    ROUNDS_0_TO_63();
    out[0] = IV[0] + a; out[1] = IV[1] + b; out[2] = IV[2] + c; out[3] = IV[3] + d;
    out[4] = IV[4] + e; out[5] = IV[5] + f; out[6] = IV[6] + g; out[7] = IV[7] + h;
}

/* The digest's last state word H7 (its most significant word as a little-endian number). */
static inline uint32_t scalar_sha256d_h7(const sha256d_job *job, uint32_t nonce) {
    SCALAR_FIRST_HASH(job, nonce);
    ROUNDS_0_TO_60();
    (void)a; (void)b; (void)c; (void)d; (void)e; (void)f; (void)g;
    return IV[7] + h;
}

/* Confirm a candidate whose top word passed, and record it when the whole digest does. */
static int confirm_candidate(const sha256d_job *job, uint32_t nonce, sha256d_hits *hits) {
    uint32_t out[8];
    scalar_sha256d_nonce(job, nonce, out);
    if (digest_meets_target(out, job->target)) {
        return hits_push(hits, nonce);
    }
    return 0;
}

static int scan_portable(const sha256d_job *job, uint32_t start, uint64_t count,
                         sha256d_hits *hits) {
    const sha256d_job local = *job; /* a copy the hits buffer cannot alias */
    for (uint64_t i = 0; i < count; i++) {
        uint32_t nonce = (uint32_t)(start + i);
        if (BSWAP32(scalar_sha256d_h7(&local, nonce)) <= local.target[0] &&
            confirm_candidate(&local, nonce, hits) != 0) {
            return -1;
        }
    }
    return 0;
}

#undef V_T
#undef V_ADD
#undef V_XOR
#undef V_AND
#undef V_OR
#undef V_SHR
#undef V_ROTR
#undef V_K

/* ------------------------------------------------------------------------------------------ */
/* AVX2 tier: eight nonces per pass, one per 32-bit lane                                      */
/* ------------------------------------------------------------------------------------------ */

#if SHA256D_X86

#define V_T __m256i
#define V_ADD(x, y) _mm256_add_epi32(x, y)
#define V_XOR(x, y) _mm256_xor_si256(x, y)
#define V_AND(x, y) _mm256_and_si256(x, y)
#define V_OR(x, y) _mm256_or_si256(x, y)
#define V_SHR(x, n) _mm256_srli_epi32(x, n)
#define V_ROTR(x, n) _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - (n)))
#define V_K(i) _mm256_set1_epi32((int)K[i])
#define SET1(x) _mm256_set1_epi32((int)(x))

AVX2_FN static int scan_avx2(const sha256d_job *job, uint32_t start, uint64_t count,
                             sha256d_hits *hits) {
    const __m256i lane_offsets = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i bswap_mask = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14,
                                                13, 12, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8,
                                                15, 14, 13, 12);
    /* Loop invariants in locals, so that writes to the hits buffer cannot alias them. */
    const __m256i tail0 = SET1(job->tail[0]), tail1 = SET1(job->tail[1]),
                  tail2 = SET1(job->tail[2]);
    __m256i pre[8], mid[8];
    for (int i = 0; i < 8; i++) {
        pre[i] = SET1(job->pre3[i]);
        mid[i] = SET1(job->midstate[i]);
    }
    /* Unsigned x <= t is min(x, t) == x; the first word of the target decides almost always. */
    const __m256i target0 = SET1(job->target[0]);
    for (uint64_t done = 0; done < count; done += 8) {
        uint32_t base = (uint32_t)(start + done);
        __m256i nonces = _mm256_add_epi32(SET1(base), lane_offsets);
        __m256i W[16];
        W[0] = tail0;
        W[1] = tail1;
        W[2] = tail2;
        W[3] = _mm256_shuffle_epi8(nonces, bswap_mask);
        W[4] = SET1(PAD80_W4);
        for (int i = 5; i < 15; i++) {
            W[i] = _mm256_setzero_si256();
        }
        W[15] = SET1(PAD80_W15);
        __m256i a = pre[0], b = pre[1], c = pre[2], d = pre[3];
        __m256i e = pre[4], f = pre[5], g = pre[6], h = pre[7];
        __m256i bc_ = V_XOR(g, h); /* b ^ c in the roles of round 3 */
        ROUNDS_3_TO_7();
        ROUNDS_8_TO_63();
        W[0] = V_ADD(a, mid[0]);
        W[1] = V_ADD(b, mid[1]);
        W[2] = V_ADD(c, mid[2]);
        W[3] = V_ADD(d, mid[3]);
        W[4] = V_ADD(e, mid[4]);
        W[5] = V_ADD(f, mid[5]);
        W[6] = V_ADD(g, mid[6]);
        W[7] = V_ADD(h, mid[7]);
        W[8] = SET1(PAD32_W8);
        for (int i = 9; i < 15; i++) {
            W[i] = _mm256_setzero_si256();
        }
        W[15] = SET1(PAD32_W15);
        a = SET1(IV[0]); b = SET1(IV[1]); c = SET1(IV[2]); d = SET1(IV[3]);
        e = SET1(IV[4]); f = SET1(IV[5]); g = SET1(IV[6]); h = SET1(IV[7]);
        bc_ = V_XOR(b, c);
        ROUNDS_0_TO_60();
        __m256i top = _mm256_shuffle_epi8(V_ADD(h, SET1(IV[7])), bswap_mask);
        __m256i pass = _mm256_cmpeq_epi32(_mm256_min_epu32(top, target0), top);
        unsigned mask = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(pass));
        if (mask == 0) {
            continue;
        }
        uint64_t left = count - done;
        for (unsigned lane = 0; lane < 8 && lane < left; lane++) {
            if ((mask & (1u << lane)) && confirm_candidate(job, base + lane, hits) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

#undef V_T
#undef V_ADD
#undef V_XOR
#undef V_AND
#undef V_OR
#undef V_SHR
#undef V_ROTR
#undef V_K
#undef SET1

/* ------------------------------------------------------------------------------------------ */
/* SHA-NI tier: several nonces in flight, held apart by an empty asm barrier per round group   */
/* ------------------------------------------------------------------------------------------ */

/* The state lives in the ABEF/CDGH register layout sha256rnds2 uses. */
SHANI_FN static ALWAYS_INLINE void shani_to_abef(const uint32_t s[8], __m128i *abef,
                                                   __m128i *cdgh) {
    *abef = _mm_set_epi32((int)s[0], (int)s[1], (int)s[4], (int)s[5]);
    *cdgh = _mm_set_epi32((int)s[2], (int)s[3], (int)s[6], (int)s[7]);
}

/* ABEF/CDGH back to two vectors of words in order (A, B, C, D) and (E, F, G, H). */
SHANI_FN static ALWAYS_INLINE void shani_to_words(__m128i abef, __m128i cdgh, __m128i *abcd,
                                                    __m128i *efgh) {
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    *abcd = _mm_blend_epi16(feba, dchg, 0xF0);
    *efgh = _mm_alignr_epi8(dchg, feba, 8);
}

/* Message quad q >= 4 from the previous four (m[q & 3] holds quad q - 4 on entry). */
#define SHANI_SCHEDULE(m, q)                                                                \
    (m)[(q)&3] = _mm_sha256msg2_epu32(                                                      \
        _mm_add_epi32(_mm_sha256msg1_epu32((m)[(q)&3], (m)[((q) + 1) & 3]),                 \
                      _mm_alignr_epi8((m)[((q) + 3) & 3], (m)[((q) + 2) & 3], 4)),          \
        (m)[((q) + 3) & 3])

/* Keep the lanes of one quad together: the compiler may not move work across this point.  An
 * empty asm statement that "changes" the state registers does it on GCC and Clang; MSVC has no
 * inline asm on x64, so there the scheduling is the compiler's (same results, maybe slower). */
#if SHA256D_GNU
#define SHANI_BARRIER(s0, s1, lanes)                                                         \
    do {                                                                                     \
        if ((lanes) == 4) {                                                                  \
            __asm__ volatile("" : "+x"(s0[0]), "+x"(s1[0]), "+x"(s0[1]), "+x"(s1[1]),         \
                             "+x"(s0[2]), "+x"(s1[2]), "+x"(s0[3]), "+x"(s1[3]));            \
        } else if ((lanes) == 2) {                                                           \
            __asm__ volatile("" : "+x"(s0[0]), "+x"(s1[0]), "+x"(s0[1]), "+x"(s1[1]));       \
        } else {                                                                             \
            __asm__ volatile("" : "+x"(s0[0]), "+x"(s1[0]));                                 \
        }                                                                                    \
    } while (0)
#else
#define SHANI_BARRIER(s0, s1, lanes) ((void)(lanes))
#endif

/* Quads from..to-1 with the schedule, on every lane.  Within a quad each step runs on all lanes
 * before the next step, so independent sha256rnds2 instructions sit next to each other. */
#define SHANI_QUADS(s0, s1, m, lanes, from, to)                                              \
    do {                                                                                     \
        UNROLL16 for (int q = (from); q < (to); q++) {                                       \
            __m128i wk_[4];                                                                  \
            for (int l = 0; l < (lanes); l++) {                                              \
                if (q >= 4) {                                                                \
                    SHANI_SCHEDULE(m[l], q);                                                 \
                }                                                                            \
                wk_[l] = _mm_add_epi32(m[l][q & 3], _mm_load_si128((const __m128i *)&K[4 * q])); \
            }                                                                                \
            for (int l = 0; l < (lanes); l++) {                                              \
                s1[l] = _mm_sha256rnds2_epu32(s1[l], s0[l], wk_[l]);                         \
            }                                                                                \
            for (int l = 0; l < (lanes); l++) {                                              \
                s0[l] = _mm_sha256rnds2_epu32(s0[l], s1[l], _mm_shuffle_epi32(wk_[l], 0x0E)); \
            }                                                                                \
            SHANI_BARRIER(s0, s1, lanes);                                                    \
        }                                                                                    \
    } while (0)

typedef struct {
    __m128i mid_abef, mid_cdgh;  /* midstate */
    __m128i pre_cdgh;            /* CDGH after the first two rounds (nonce-independent) */
    __m128i m0;                  /* message words 0..3 with the nonce word zero */
    __m128i iv_abef, iv_cdgh;
} shani_consts;

SHANI_FN static void shani_prepare(const sha256d_job *job, shani_consts *kc) {
    shani_to_abef(job->midstate, &kc->mid_abef, &kc->mid_cdgh);
    shani_to_abef(IV, &kc->iv_abef, &kc->iv_cdgh);
    kc->m0 = _mm_set_epi32(0, (int)job->tail[2], (int)job->tail[1], (int)job->tail[0]);
    /* Rounds 0 and 1 use message words 0 and 1 only; the nonce is word 3. */
    __m128i wk = _mm_add_epi32(kc->m0, _mm_load_si128((const __m128i *)&K[0]));
    kc->pre_cdgh = _mm_sha256rnds2_epu32(kc->mid_cdgh, kc->mid_abef, wk);
}

/* Digest word H7 of sha256d for `lanes` consecutive nonces from nonce0. */
SHANI_FN static ALWAYS_INLINE void shani_sha256d_h7(const shani_consts *kc, uint32_t nonce0,
                                                      int lanes, uint32_t *out_h7) {
    __m128i s0[4], s1[4], m[4][4];
    for (int l = 0; l < lanes; l++) {
        m[l][0] = _mm_insert_epi32(kc->m0, (int)BSWAP32(nonce0 + (uint32_t)l), 3);
        m[l][1] = _mm_set_epi32(0, 0, 0, (int)PAD80_W4);
        m[l][2] = _mm_setzero_si128();
        m[l][3] = _mm_set_epi32((int)PAD80_W15, 0, 0, 0);
        /* Quad 0: the first two rounds are kc->pre_cdgh; do rounds 2 and 3 here. */
        __m128i wk = _mm_add_epi32(m[l][0], _mm_load_si128((const __m128i *)&K[0]));
        s1[l] = kc->pre_cdgh;
        s0[l] = _mm_sha256rnds2_epu32(kc->mid_abef, s1[l], _mm_shuffle_epi32(wk, 0x0E));
    }
    SHANI_BARRIER(s0, s1, lanes);
    SHANI_QUADS(s0, s1, m, lanes, 1, 16);
    for (int l = 0; l < lanes; l++) {
        shani_to_words(_mm_add_epi32(s0[l], kc->mid_abef), _mm_add_epi32(s1[l], kc->mid_cdgh),
                       &m[l][0], &m[l][1]);
        m[l][2] = _mm_set_epi32(0, 0, 0, (int)PAD32_W8);
        m[l][3] = _mm_set_epi32((int)PAD32_W15, 0, 0, 0);
        s0[l] = kc->iv_abef;
        s1[l] = kc->iv_cdgh;
    }
    SHANI_QUADS(s0, s1, m, lanes, 0, 15);
    /* Quad 15: only its first two rounds.  They leave F in lane 0 of the new ABEF, and rounds
     * 62 and 63 merely move that F into H, so lane 0 plus IV[7] is the digest's word H7. */
    for (int l = 0; l < lanes; l++) {
        SHANI_SCHEDULE(m[l], 15);
        __m128i wk = _mm_add_epi32(m[l][3], _mm_load_si128((const __m128i *)&K[60]));
        out_h7[l] = (uint32_t)_mm_cvtsi128_si32(_mm_sha256rnds2_epu32(s1[l], s0[l], wk)) + IV[7];
    }
}

#define SHANI_SCAN_BODY(lanes)                                                              \
    do {                                                                                    \
        const sha256d_job local = *job; /* a copy the hits buffer cannot alias */           \
        shani_consts kc;                                                                    \
        shani_prepare(&local, &kc);                                                         \
        uint64_t i = 0;                                                                     \
        uint32_t h7[4];                                                                     \
        for (; i + (lanes) <= count; i += (lanes)) {                                        \
            uint32_t nonce0 = (uint32_t)(start + i);                                        \
            shani_sha256d_h7(&kc, nonce0, (lanes), h7);                                     \
            for (int l = 0; l < (lanes); l++) {                                             \
                if (BSWAP32(h7[l]) <= local.target[0] &&                                    \
                    confirm_candidate(&local, nonce0 + (uint32_t)l, hits) != 0) {           \
                    return -1;                                                              \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
        for (; i < count; i++) {                                                            \
            uint32_t nonce = (uint32_t)(start + i);                                         \
            shani_sha256d_h7(&kc, nonce, 1, h7);                                            \
            if (BSWAP32(h7[0]) <= local.target[0] &&                                        \
                confirm_candidate(&local, nonce, hits) != 0) {                              \
                return -1;                                                                  \
            }                                                                               \
        }                                                                                   \
        return 0;                                                                           \
    } while (0)

SHANI_FN static int scan_shani_x4(const sha256d_job *job, uint32_t start, uint64_t count,
                                  sha256d_hits *hits) {
    SHANI_SCAN_BODY(4);
}

SHANI_FN static int scan_shani_x2(const sha256d_job *job, uint32_t start, uint64_t count,
                                  sha256d_hits *hits) {
    SHANI_SCAN_BODY(2);
}

/* One block of plain SHA-256 with SHA-NI (for sha256d_digest). */
SHANI_FN static void compress_shani(uint32_t state[8], const uint8_t block[64]) {
    const __m128i bswap_mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i s0[4], s1[4], m[4][4];
    __m128i abef, cdgh;
    shani_to_abef(state, &abef, &cdgh);
    s0[0] = abef;
    s1[0] = cdgh;
    for (int i = 0; i < 4; i++) {
        m[0][i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * i)), bswap_mask);
    }
    SHANI_QUADS(s0, s1, m, 1, 0, 16);
    __m128i abcd, efgh;
    shani_to_words(_mm_add_epi32(s0[0], abef), _mm_add_epi32(s1[0], cdgh), &abcd, &efgh);
    _mm_storeu_si128((__m128i *)&state[0], abcd);
    _mm_storeu_si128((__m128i *)&state[4], efgh);
}

/* CPUID leaf/subleaf into regs = {eax, ebx, ecx, edx}; 0 when the leaf does not exist. */
static int cpuid_leaf(unsigned int leaf, unsigned int subleaf, unsigned int regs[4]) {
#if SHA256D_GNU
    if ((unsigned int)__get_cpuid_max(leaf & 0x80000000u, NULL) < leaf) {
        return 0;
    }
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
#else
    int info[4];
    __cpuid(info, (int)(leaf & 0x80000000u));
    if ((unsigned int)info[0] < leaf) {
        return 0;
    }
    __cpuidex(info, (int)leaf, (int)subleaf);
    for (int i = 0; i < 4; i++) {
        regs[i] = (unsigned int)info[i];
    }
#endif
    return 1;
}

static int cpu_has_shani(void) {
    unsigned int leaf1[4], leaf7[4];
    if (!cpuid_leaf(1, 0, leaf1) || !cpuid_leaf(7, 0, leaf7)) {
        return 0;
    }
    int ssse3 = (leaf1[2] >> 9) & 1;
    int sse41 = (leaf1[2] >> 19) & 1;
    return ssse3 && sse41 && ((leaf7[1] >> 29) & 1);  /* leaf 7, EBX bit 29: SHA extensions */
}

static int cpu_has_avx2(void) {
#if SHA256D_GNU
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;  /* also checks the OS saves the YMM state */
#else
    unsigned int leaf1[4], leaf7[4];
    if (!cpuid_leaf(1, 0, leaf1) || !cpuid_leaf(7, 0, leaf7)) {
        return 0;
    }
    int osxsave = (leaf1[2] >> 27) & 1;
    int avx = (leaf1[2] >> 28) & 1;
    if (!osxsave || !avx || ((_xgetbv(0) & 6) != 6)) {  /* the OS saves XMM and YMM state */
        return 0;
    }
    return (leaf7[1] >> 5) & 1;  /* leaf 7, EBX bit 5: AVX2 */
#endif
}

#endif /* SHA256D_X86 */

/* ------------------------------------------------------------------------------------------ */
/* Public entry points                                                                        */
/* ------------------------------------------------------------------------------------------ */

int sha256d_tier_supported(int tier) {
    switch (tier) {
    case SHA256D_TIER_PORTABLE:
        return 1;
#if SHA256D_X86
    case SHA256D_TIER_AVX2:
        return cpu_has_avx2();
    case SHA256D_TIER_SHANI:
    case SHA256D_TIER_SHANI_X2:
        return cpu_has_shani();
#endif
    default:
        return 0;
    }
}

void sha256d_job_init(sha256d_job *job, const uint8_t header76[76], const uint8_t target_le[32]) {
    memcpy(job->midstate, IV, sizeof(IV));
    compress_scalar(job->midstate, header76);
    for (int i = 0; i < 3; i++) {
        job->tail[i] = load_be32(header76 + 64 + 4 * i);
    }
    scalar_pre3(job->midstate, job->tail, job->pre3);
    for (int k = 0; k < 8; k++) {
        job->target[k] = load_le32(target_le + 28 - 4 * k);
    }
}

int sha256d_scan(int tier, const sha256d_job *job, uint32_t start, uint64_t count,
                 sha256d_hits *hits) {
    switch (tier) {
#if SHA256D_X86
    case SHA256D_TIER_SHANI:
        return scan_shani_x4(job, start, count, hits);
    case SHA256D_TIER_SHANI_X2:
        return scan_shani_x2(job, start, count, hits);
    case SHA256D_TIER_AVX2:
        return scan_avx2(job, start, count, hits);
#endif
    default:
        return scan_portable(job, start, count, hits);
    }
}

void sha256d_digest(int tier, const uint8_t *data, size_t len, uint8_t out[32]) {
    void (*compress)(uint32_t *, const uint8_t *) = compress_scalar;
#if SHA256D_X86
    if (tier == SHA256D_TIER_SHANI || tier == SHA256D_TIER_SHANI_X2) {
        compress = compress_shani;
    }
#else
    (void)tier;
#endif
    uint32_t state[8];
    uint8_t block[128];
    uint8_t first[32];
    for (int round = 0; round < 2; round++) {
        const uint8_t *message = round == 0 ? data : first;
        size_t size = round == 0 ? len : sizeof(first);
        memcpy(state, IV, sizeof(IV));
        size_t full = size / 64;
        for (size_t i = 0; i < full; i++) {
            compress(state, message + 64 * i);
        }
        size_t rest = size - 64 * full;
        size_t padded = rest + 9 <= 64 ? 64 : 128;
        memset(block, 0, sizeof(block));
        memcpy(block, message + 64 * full, rest);
        block[rest] = 0x80;
        uint64_t bits = (uint64_t)size * 8;
        for (int i = 0; i < 8; i++) {
            block[padded - 1 - i] = (uint8_t)(bits >> (8 * i));
        }
        for (size_t i = 0; i < padded; i += 64) {
            compress(state, block + i);
        }
        uint8_t *dest = round == 0 ? first : out;
        for (int i = 0; i < 8; i++) {
            store_be32(dest + 4 * i, state[i]);
        }
    }
}
