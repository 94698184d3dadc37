// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) by carry-less multiplication, following
// Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction" (Gopal et
// al., 2009): fold four 128-bit lanes 64 bytes at a time, fold them into one, fold the rest 16
// bytes at a time, then reduce 128 → 64 → 32 bits with a bit-reflected Barrett reduction.
// The constants are x^k mod P(x) for the reflected polynomial, as in that paper's CRC-32 example.
#include "CCRC32.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

// Byte-at-a-time table for the 0-15 bytes after the last whole 16-byte block.
static uint32_t tail_table[256];

int sluice_crc32_has_clmul(void) {
  static int cached = -1;
  if (cached >= 0) return cached;
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    tail_table[i] = c;
  }
  unsigned a, b, c, d;
  int ok = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) ok = (c & bit_PCLMUL) && (c & bit_SSE4_1);
  cached = ok;
  return ok;
}

// k1 = x^(4*128+32) mod P, k2 = x^(4*128-32) mod P (fold by 512 bits), bit-reflected, shifted.
#define K1 0x0154442bd4ULL
#define K2 0x01c6e41596ULL
// k3 = x^(128+32) mod P, k4 = x^(128-32) mod P (fold by 128 bits).
#define K3 0x01751997d0ULL
#define K4 0x00ccaa009eULL
// k5 = x^64 mod P (64 → 32 bit fold).
#define K5 0x0163cd6124ULL
// Barrett: P' = P(x) reflected with its x^32 term, u = floor(x^64 / P) reflected.
#define POLY 0x01db710641ULL
#define MU 0x01f7011641ULL

__attribute__((target("pclmul,sse4.1")))
static inline __m128i fold(__m128i x, __m128i k, __m128i data) {
  __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
  __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(lo, hi), data);
}

__attribute__((target("pclmul,sse4.1")))
uint32_t sluice_crc32_clmul_fold(uint32_t reg, const void *buf, size_t len) {
  const unsigned char *p = (const unsigned char *)buf;
  __m128i x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)reg));
  p += 16;
  len -= 16;
  __m128i k = _mm_set_epi64x((long long)K4, (long long)K3);
  if (len >= 48) {
    __m128i x1 = x;
    __m128i x2 = _mm_loadu_si128((const __m128i *)p);
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x4 = _mm_loadu_si128((const __m128i *)(p + 32));
    p += 48;
    len -= 48;
    __m128i k12 = _mm_set_epi64x((long long)K2, (long long)K1);
    while (len >= 64) {
      x1 = fold(x1, k12, _mm_loadu_si128((const __m128i *)p));
      x2 = fold(x2, k12, _mm_loadu_si128((const __m128i *)(p + 16)));
      x3 = fold(x3, k12, _mm_loadu_si128((const __m128i *)(p + 32)));
      x4 = fold(x4, k12, _mm_loadu_si128((const __m128i *)(p + 48)));
      p += 64;
      len -= 64;
    }
    x = fold(x1, k, x2);
    x = fold(x, k, x3);
    x = fold(x, k, x4);
  }
  while (len >= 16) {
    x = fold(x, k, _mm_loadu_si128((const __m128i *)p));
    p += 16;
    len -= 16;
  }
  // 128 → 64 bits (appending 32 zero bits): low half times k4, plus the high half.
  __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
  x = _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x10), _mm_srli_si128(x, 8));
  // 64 → 32 bits: low 32 bits times k5, plus the rest.
  __m128i k5 = _mm_set_epi64x(0, (long long)K5);
  x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, mask32), k5, 0x00), _mm_srli_si128(x, 4));
  // Barrett reduction to the 32-bit remainder.
  __m128i pu = _mm_set_epi64x((long long)MU, (long long)POLY);
  __m128i t = _mm_and_si128(x, mask32);
  t = _mm_clmulepi64_si128(t, pu, 0x10);
  t = _mm_and_si128(t, mask32);
  t = _mm_clmulepi64_si128(t, pu, 0x00);
  x = _mm_xor_si128(x, t);
  reg = (uint32_t)_mm_extract_epi32(x, 1);
  while (len--) reg = tail_table[(reg ^ *p++) & 0xFF] ^ (reg >> 8);
  return reg;
}

#else

int sluice_crc32_has_clmul(void) { return 0; }
uint32_t sluice_crc32_clmul_fold(uint32_t reg, const void *buf, size_t len) {
  (void)buf;
  (void)len;
  return reg;
}

#endif
