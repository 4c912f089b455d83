/// \file hash.h
/// The project's 64-bit hashes: FNV-1a over bytes (study hashes, checkpoint checksums,
/// sample files' checksums) and a four-lane FNV-style hash of doubles' bits with a
/// splitmix64 finish (the results hash of the self-check: fast over tens of megabytes).
#ifndef JS_HASH_H
#define JS_HASH_H

#include <stddef.h>
#include <stdint.h>

/// FNV-1a's offset basis: the hash of no bytes.
#define JS_FNV_OFFSET 0xcbf29ce484222325ULL

/// Continue an FNV-1a hash h over len bytes.
uint64_t js_fnv1a(uint64_t h, const void *data, size_t len);
/// Continue a hash h over n doubles' bits: four FNV-style lanes, folded and finalized.
uint64_t js_hash_doubles(uint64_t h, const double *x, size_t n);

#endif
