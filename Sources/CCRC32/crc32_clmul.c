// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) by carry-less multiplication, following
// Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction" (Gopal et
// al., 2009): fold four 128-bit lanes 64 bytes at a time, fold them into one, fold the rest 16
// bytes at a time, then reduce 128 → 64 → 32 bits with a bit-reflected Barrett reduction.
// The constants are x^k mod P(x) for the reflected polynomial, as in that paper's CRC-32 example.
#include "CCRC32.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

static int has_vpclmul = 0;

int sluice_crc32_has_clmul(void) {
  static int cached = -1;
  if (cached >= 0) return cached;
  unsigned a, b, c, d;
  int ok = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) ok = (c & bit_PCLMUL) && (c & bit_SSE4_1) && (c & bit_SSSE3);
  // 512-bit VPCLMULQDQ (AVX-512F/BW/VL + VPCLMULQDQ) for long inputs, when the OS saves the
  // ZMM state (XCR0 bits 1, 2, 5, 6, 7).
  if (ok && (c & bit_OSXSAVE) && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    int zmmState = (lo & 0xE6) == 0xE6;
    has_vpclmul = zmmState && (b & bit_AVX512F) && (b & bit_AVX512BW) && (b & bit_AVX512VL) && (c & bit_VPCLMULQDQ);
  }
  cached = ok;
  return ok;
}

int sluice_crc32_uses_vpclmul(void) { return sluice_crc32_has_clmul() && has_vpclmul; }

// k1 = x^(4*128+32) mod P, k2 = x^(4*128-32) mod P (fold by 512 bits), bit-reflected, shifted.
#define K1 0x0154442bd4ULL
#define K2 0x01c6e41596ULL
// k3 = x^(128+32) mod P, k4 = x^(128-32) mod P (fold by 128 bits).
#define K3 0x01751997d0ULL
#define K4 0x00ccaa009eULL
// k5 = x^64 mod P (64 → 32 bit fold).
#define K5 0x0163cd6124ULL
// x^(2048+32) mod P, x^(2048-32) mod P (fold by 2048 bits: sixteen 128-bit lanes in four ZMM).
#define K2048A 0x011542778aULL
#define K2048B 0x01322d1430ULL
// Barrett: P' = P(x) reflected with its x^32 term, u = floor(x^64 / P) reflected.
#define POLY 0x01db710641ULL
#define MU 0x01f7011641ULL

// pshufb masks for the last r = 1-15 bytes, 16 bytes loaded from offset r of each: `shift_left`
// moves a register's bytes 16 - r positions up (its low 16 - r bytes become zero; their mask
// bytes, 0x80, also pick the blend's second operand), `shift_right` moves them r positions down.
static const unsigned char shift_left[32] = {
  0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const unsigned char shift_right[32] = {
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};

__attribute__((target("pclmul,sse4.1")))
static inline __m128i fold(__m128i x, __m128i k, __m128i data) {
  __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
  __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(lo, hi), data);
}

// Folds the first `*len` bytes (a multiple of 256 is taken, at least 256) 64 bytes per lane
// into one 128-bit remainder; `reg` enters with the first block.
__attribute__((target("pclmul,sse4.1,avx512f,avx512bw,avx512vl,vpclmulqdq")))
static __m128i fold_zmm(uint32_t reg, const unsigned char **pp, size_t *plen, __m128i k) {
  const unsigned char *p = *pp;
  size_t len = *plen;
  __m512i z0 = _mm512_xor_si512(_mm512_loadu_si512((const void *)p), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)reg)));
  __m512i z1 = _mm512_loadu_si512((const void *)(p + 64));
  __m512i z2 = _mm512_loadu_si512((const void *)(p + 128));
  __m512i z3 = _mm512_loadu_si512((const void *)(p + 192));
  p += 256;
  len -= 256;
  __m512i kb = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)K2048B, (long long)K2048A));
#define FOLD512(x, kk, d) \
  _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128((x), (kk), 0x00), _mm512_clmulepi64_epi128((x), (kk), 0x11), (d), 0x96)
  while (len >= 256) {
    z0 = FOLD512(z0, kb, _mm512_loadu_si512((const void *)p));
    z1 = FOLD512(z1, kb, _mm512_loadu_si512((const void *)(p + 64)));
    z2 = FOLD512(z2, kb, _mm512_loadu_si512((const void *)(p + 128)));
    z3 = FOLD512(z3, kb, _mm512_loadu_si512((const void *)(p + 192)));
    p += 256;
    len -= 256;
  }
  // Four ZMM (64 bytes apart) into one, then its four lanes (16 bytes apart) into one.
  __m512i k12 = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)K2, (long long)K1));
  __m512i z = FOLD512(z0, k12, z1);
  z = FOLD512(z, k12, z2);
  z = FOLD512(z, k12, z3);
#undef FOLD512
  __m128i x = fold(_mm512_extracti32x4_epi32(z, 0), k, _mm512_extracti32x4_epi32(z, 1));
  x = fold(x, k, _mm512_extracti32x4_epi32(z, 2));
  x = fold(x, k, _mm512_extracti32x4_epi32(z, 3));
  *pp = p;
  *plen = len;
  return x;
}

__attribute__((target("pclmul,sse4.1,ssse3")))
uint32_t sluice_crc32_clmul_fold(uint32_t reg, const void *buf, size_t len) {
  const unsigned char *p = (const unsigned char *)buf;
  const unsigned char *end = p + len;
  __m128i k = _mm_set_epi64x((long long)K4, (long long)K3);
  __m128i x;
  if (has_vpclmul && len >= 512) {
    x = fold_zmm(reg, &p, &len, k);
  } else {
    x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)reg));
    p += 16;
    len -= 16;
  }
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
  if (len > 0) {
    // The last r = len (1-15) bytes. The remainder x stands for 16 message bytes (with a zero
    // register before them), so the rest of the message is x followed by the r bytes, or, with
    // 16 - r zero bytes in front (which change nothing), two whole blocks: the first r bytes
    // of x shifted to the top of a block, then x's other 16 - r bytes followed by the r bytes,
    // which are the top of the input's last 16 bytes (the whole input is at least 16 bytes).
    __m128i m1 = _mm_loadu_si128((const __m128i *)(shift_left + len));
    __m128i m2 = _mm_loadu_si128((const __m128i *)(shift_right + len));
    __m128i last = _mm_loadu_si128((const __m128i *)(end - 16));
    __m128i first = _mm_shuffle_epi8(x, m1);
    __m128i second = _mm_blendv_epi8(last, _mm_shuffle_epi8(x, m2), m1);
    x = fold(first, k, second);
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
  return (uint32_t)_mm_extract_epi32(x, 1);
}

#else

int sluice_crc32_has_clmul(void) { return 0; }
int sluice_crc32_uses_vpclmul(void) { return 0; }
uint32_t sluice_crc32_clmul_fold(uint32_t reg, const void *buf, size_t len) {
  (void)buf;
  (void)len;
  return reg;
}

#endif
