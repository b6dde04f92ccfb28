/*
 * Known answers for the C hash engine on its own, for compilers the Python build does not use
 * here (tools/check_compilers.sh builds and runs it with Clang).  The Bitcoin genesis block:
 * its sha256d on every tier this CPU has, and a scan that must find exactly its nonce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256d_engine.h"

static const char *GENESIS_HEX =
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2"
    "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
/* sha256d of the header as bytes (the block hash printed the other way round). */
static const char *GENESIS_DIGEST_HEX =
    "6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000";
static const uint32_t GENESIS_NONCE = 2083236893u;

static void unhex(const char *hex, uint8_t *out, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned int byte = 0;
        sscanf(hex + 2 * i, "%2x", &byte);
        out[i] = (uint8_t)byte;
    }
}

int main(void) {
    static const char *NAMES[] = {"portable", "avx2", "sha-ni", "sha-ni-x2"};
    uint8_t header[80], expected[32], target[32];
    unhex(GENESIS_HEX, header, sizeof(header));
    unhex(GENESIS_DIGEST_HEX, expected, sizeof(expected));
    /* Target from nBits 0x1d00ffff, little-endian: 0xffff << 208. */
    memset(target, 0, sizeof(target));
    target[26] = 0xff;
    target[27] = 0xff;
    int failures = 0, tiers = 0;
    for (int tier = 0; tier < 4; tier++) {
        if (!sha256d_tier_supported(tier)) {
            printf("skip %s (not on this CPU)\n", NAMES[tier]);
            continue;
        }
        tiers++;
        uint8_t digest[32];
        sha256d_digest(tier, header, sizeof(header), digest);
        int digest_ok = memcmp(digest, expected, 32) == 0;
        sha256d_job job;
        sha256d_job_init(&job, header, target);
        sha256d_hits hits = {NULL, 0, 0};
        int rc = sha256d_scan(tier, &job, GENESIS_NONCE - 37, 101, &hits);
        int scan_ok = rc == 0 && hits.len == 1 && hits.nonces[0] == GENESIS_NONCE;
        free(hits.nonces);
        printf("%s %s (digest %s, scan %s)\n", digest_ok && scan_ok ? "ok  " : "FAIL", NAMES[tier],
               digest_ok ? "matches" : "differs", scan_ok ? "finds the nonce" : "wrong");
        failures += !(digest_ok && scan_ok);
    }
    if (tiers == 0) {
        printf("FAIL no tier ran\n");
        return 1;
    }
    return failures != 0;
}
