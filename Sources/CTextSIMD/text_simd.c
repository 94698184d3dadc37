// UTF-8 validation fused with JSON escaping, 32 bytes at a time with AVX2.
//
// The validation is the lookup algorithm of Keiser and Lemire, "Validating UTF-8 In Less Than
// One Instruction Per Byte" (Software: Practice and Experience, 2021): three 16-entry table
// lookups on the high and low nibbles of each byte and of the byte before it classify every
// two-byte window into error bits (too short, too long, overlong, surrogate, too large), and a
// saturating-subtract test of the bytes two and three back says where a continuation byte must
// be. A block whose last bytes start a character that runs past it is "incomplete": the next
// block's first bytes complete it (or the caller does, from the character's first byte).
//
// Blocks without anything to escape and without bytes >= 0x80 are copied whole; a block with a
// byte to escape is written byte by byte (the validation still runs on the whole block: escaped
// bytes are ASCII).
#include "CTextSIMD.h"


static inline long escape_byte(uint8_t c, uint8_t *d) {
  static const char hex[] = "0123456789abcdef";
  if (c >= 0x20 && c != 0x22 && c != 0x5C) {
    d[0] = c;
    return 1;
  }
  uint8_t s = 0;
  switch (c) {
    case 0x22: s = 0x22; break;
    case 0x5C: s = 0x5C; break;
    case 0x0A: s = 'n'; break;
    case 0x0D: s = 'r'; break;
    case 0x09: s = 't'; break;
    case 0x08: s = 'b'; break;
    case 0x0C: s = 'f'; break;
  }
  d[0] = '\\';
  if (s) {
    d[1] = s;
    return 2;
  }
  d[1] = 'u';
  d[2] = '0';
  d[3] = '0';
  d[4] = (uint8_t)hex[c >> 4];
  d[5] = (uint8_t)hex[c & 15];
  return 6;
}

static inline long sql_escape_byte(uint8_t c, uint8_t *d) {
  uint8_t e;
  switch (c) {
    case 0x27: e = 0x27; break;
    case 0x5C: e = 0x5C; break;
    case 0x00: e = '0'; break;
    case 0x0A: e = 'n'; break;
    case 0x0D: e = 'r'; break;
    case 0x1A: e = 'Z'; break;
    default: d[0] = c; return 1;
  }
  d[0] = '\\';
  d[1] = e;
  return 2;
}

static inline long put_ascii(uint8_t c, uint8_t *d, int mode) {
  if (mode == 1) return escape_byte(c, d);
  if (mode == 2) return sql_escape_byte(c, d);
  d[0] = c;
  return 1;
}

// Table transcoding (CharsetTable, latin1): one character at p[i], through the table, into d + *o.
// Returns where the next character starts, or -1 when the bytes have no character.

static inline __attribute__((always_inline)) long table_char(const uint8_t *p, long i, long n, const uint16_t *rows,
                                                           int mode, uint8_t *d, long *o) {
  uint32_t e = rows[p[i++]];
  while (__builtin_expect((e & 0xF800) == 0xD800, 0)) {
    if (i >= n) return -1;
    e = rows[((e - 0xD800) << 8) | p[i++]];
  }
  uint8_t *w = d + *o;
  if (__builtin_expect(e >= 0x800, 1)) {
    if (e == 0xFFFF) return -1;
    // One 4-byte store (the output has slack past the character).
    uint32_t u = (0xE0 | (e >> 12)) | (0x80 | ((e >> 6) & 0x3F)) << 8 | (0x80 | (e & 0x3F)) << 16;
    __builtin_memcpy(w, &u, 4);
    *o += 3;
  } else if (e >= 0x80) {
    uint16_t u = (uint16_t)((0xC0 | (e >> 6)) | (0x80 | (e & 0x3F)) << 8);
    __builtin_memcpy(w, &u, 2);
    *o += 2;
  } else {
    *o += put_ascii((uint8_t)e, w, mode);
  }
  return i;
}

static long table_scalar(const uint8_t *p, long from, long to, long n, const uint16_t *rows, int mode, uint8_t *d,
                         long *next) {
  long i = from, o = 0;
  while (i < to) {
    i = table_char(p, i, n, rows, mode, d, &o);
    if (i < 0) {
      *next = -1;
      return 0;
    }
  }
  *next = i;
  return o;
}

static inline long latin1_byte(uint8_t c, const uint32_t *high, int mode, uint8_t *d) {
  if (c < 0x80) return put_ascii(c, d, mode);
  uint32_t u = high[c - 0x80];
  __builtin_memcpy(d, &u, 4);
  return (long)(u >> 24);
}

static long latin1_scalar(const uint8_t *p, long from, long n, const uint32_t *high, int mode, uint8_t *d) {
  long o = 0;
  for (long i = from; i < n; i++) o += latin1_byte(p[i], high, mode, d + o);
  return o;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int sluice_text_has_avx2(void) {
  static int cached = -1;
  if (cached >= 0) return cached;
  int ok = 0;
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE) && (c & bit_AVX)) {
    // The OS saves the YMM registers (XCR0 bits 1 and 2).
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) == 6 && __get_cpuid_count(7, 0, &a, &b, &c, &d)) ok = (b & bit_AVX2) != 0;
  }
  cached = ok;
  return ok;
}

#define TOO_SHORT (1 << 0)
#define TOO_LONG (1 << 1)
#define OVERLONG_3 (1 << 2)
#define TOO_LARGE (1 << 3)
#define SURROGATE (1 << 4)
#define OVERLONG_2 (1 << 5)
#define TOO_LARGE_1000 (1 << 6)
#define OVERLONG_4 (1 << 6)
#define TWO_CONTS (1 << 7)
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

#define AVX2 __attribute__((target("avx2")))

// A 16-entry byte table in both 128-bit lanes (entries given as ints: TWO_CONTS is 0x80).
static inline AVX2 __m256i table16(int t0, int t1, int t2, int t3, int t4, int t5, int t6, int t7, int t8, int t9,
                                   int t10, int t11, int t12, int t13, int t14, int t15) {
  const __m128i t = _mm_setr_epi8((char)t0, (char)t1, (char)t2, (char)t3, (char)t4, (char)t5, (char)t6, (char)t7,
                                  (char)t8, (char)t9, (char)t10, (char)t11, (char)t12, (char)t13, (char)t14,
                                  (char)t15);
  return _mm256_broadcastsi128_si256(t);
}

// The 32 bytes ending `n` bytes before `input`'s end: the last n of `prev`, then input's first.
#define PREV(input, prev, n) \
  _mm256_alignr_epi8((input), _mm256_permute2x128_si256((prev), (input), 0x21), 16 - (n))

struct utf8_state {
  __m256i prev;        // the block before
  __m256i incomplete;  // nonzero lanes: the block before ended inside a character
  __m256i error;
};

static inline AVX2 void utf8_check(struct utf8_state *s, __m256i input) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  if (_mm256_movemask_epi8(input) == 0) {
    // All ASCII: valid unless the block before left a character open.
    s->error = _mm256_or_si256(s->error, s->incomplete);
    s->prev = input;
    s->incomplete = _mm256_setzero_si256();
    return;
  }
  __m256i prev1 = PREV(input, s->prev, 1);
  __m256i byte1_high = _mm256_shuffle_epi8(
      table16(TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TWO_CONTS, TWO_CONTS,
              TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT, TOO_SHORT | OVERLONG_3 | SURROGATE,
              TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4),
      _mm256_and_si256(_mm256_srli_epi16(prev1, 4), low4));
  __m256i byte1_low = _mm256_shuffle_epi8(
      table16(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY, CARRY | TOO_LARGE,
              CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
              CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
              CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
              CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
              CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, CARRY | TOO_LARGE | TOO_LARGE_1000,
              CARRY | TOO_LARGE | TOO_LARGE_1000),
      _mm256_and_si256(prev1, low4));
  __m256i byte2_high = _mm256_shuffle_epi8(
      table16(TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
              TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
              TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
              TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
              TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT),
      _mm256_and_si256(_mm256_srli_epi16(input, 4), low4));
  __m256i special = _mm256_and_si256(_mm256_and_si256(byte1_high, byte1_low), byte2_high);
  // Where the byte two or three back starts a 3- or 4-byte character: a continuation is due.
  __m256i prev2 = PREV(input, s->prev, 2);
  __m256i prev3 = PREV(input, s->prev, 3);
  __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
  __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
  __m256i must23 = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
  s->error = _mm256_or_si256(s->error, _mm256_xor_si256(must23, special));
  // Incomplete: the last byte is a lead of 2+, the one before of 3+, the one before that of 4.
  const __m256i max = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                       -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1), (char)(0xE0 - 1),
                                       (char)(0xC0 - 1));
  s->incomplete = _mm256_subs_epu8(input, max);
  s->prev = input;
}

static inline AVX2 __m256i escape_mask(__m256i v) {
  // Bytes below 0x20 (unsigned), '"' and '\\'.
  __m256i control = _mm256_cmpeq_epi8(_mm256_max_epu8(v, _mm256_set1_epi8(0x1F)), _mm256_set1_epi8(0x1F));
  __m256i quote = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x22));
  __m256i backslash = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x5C));
  return _mm256_or_si256(control, _mm256_or_si256(quote, backslash));
}

static inline AVX2 long escaped_block(const uint8_t *p, long i, long to, uint32_t m, uint8_t *d, long o, int sql);
static AVX2 long escape_blocks_avx2(const uint8_t *p, long n, uint8_t *d, long *consumed, int sql);


static AVX2 long escape_validate_avx2(const uint8_t *p, long from, long to, uint8_t *d, long *next) {
  struct utf8_state s = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
  long i = from, o = 0;
  while (i + 32 <= to) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
    utf8_check(&s, v);
    uint32_t esc = (uint32_t)_mm256_movemask_epi8(escape_mask(v));
    if (esc == 0) {
      _mm256_storeu_si256((__m256i *)(d + o), v);
      o += 32;
    } else {
      o = escaped_block(p, i, to, esc, d, o, 0);
    }
    i += 32;
  }
  if (!_mm256_testz_si256(s.error, s.error)) {
    *next = -1;
    return 0;
  }
  if (i > from && !_mm256_testz_si256(s.incomplete, s.incomplete)) {
    // The last block ends inside a character: hand it back from its first byte (never
    // escaped: it is >= 0x80, as are its continuation bytes, written one for one).
    long j = i - 1;
    while (j > i - 4 && (p[j] & 0xC0) == 0x80) j--;
    o -= i - j;
    i = j;
  }
  *next = i;
  return o;
}

// ---- AVX-512 (F, BW, VL, VBMI, VBMI2 and BMI2): 64 bytes per block, escapes without branches.
//
// The same validation over 64-byte blocks. Escaping inserts a backslash before each '"', '\\'
// and the controls with a two-byte escape (\b \t \n \f \r; the control itself becomes the
// letter): per 32-byte half, PEXT of a "hole, byte" bit pair per input byte gives the output
// positions of the input bytes, and VPEXPANDB spreads the half there over a register of
// backslashes. Blocks with any other control (\u00XX) go byte by byte.

int sluice_text_has_avx512(void) {
  static int cached = -1;
  if (cached >= 0) return cached;
  int ok = 0;
  unsigned a, b, c, d;
  if (sluice_text_has_avx2() && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    // The OS saves the opmask and ZMM state (XCR0 bits 5, 6, 7) besides the YMM state.
    int zmm = (lo & 0xE6) == 0xE6;
    ok = zmm && (b & bit_AVX512F) && (b & bit_AVX512BW) && (b & bit_AVX512VL) && (b & bit_BMI2) &&
         (c & bit_AVX512VBMI) && (c & bit_AVX512VBMI2);
  }
  cached = ok;
  return ok;
}

/// The kernel `sluice_json_escape_validate` uses: 2 AVX-512, 1 AVX2, 0 none; tests lower it.
static int text_level = -1;

int sluice_text_level(void) {
  if (text_level < 0) text_level = sluice_text_has_avx512() ? 2 : sluice_text_has_avx2() ? 1 : 0;
  return text_level;
}

int sluice_text_set_level(int level) {
  int old = sluice_text_level();
  int best = sluice_text_has_avx512() ? 2 : sluice_text_has_avx2() ? 1 : 0;
  text_level = level < 0 ? best : level > best ? best : level;
  return old;
}

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,bmi2,popcnt")))

static inline AVX512 __m512i table64(__m256i t) { return _mm512_broadcast_i32x4(_mm256_castsi256_si128(t)); }

// The 64 bytes ending `n` bytes before `input`'s end: the last n of `prev`, then input's first.
#define PREV512(input, prev, n)                                                                                   \
  _mm512_alignr_epi8((input), _mm512_permutex2var_epi64((input), _mm512_set_epi64(5, 4, 3, 2, 1, 0, 15, 14), (prev)), \
                     16 - (n))

struct utf8_state512 {
  __m512i prev;
  __m512i incomplete;
  __m512i error;
};

static inline AVX512 void utf8_check512(struct utf8_state512 *s, __m512i input, __m512i t1h, __m512i t1l,
                                        __m512i t2h) {
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  if (_mm512_movepi8_mask(input) == 0) {
    s->error = _mm512_or_si512(s->error, s->incomplete);
    s->prev = input;
    s->incomplete = _mm512_setzero_si512();
    return;
  }
  __m512i prev1 = PREV512(input, s->prev, 1);
  __m512i byte1_high = _mm512_shuffle_epi8(t1h, _mm512_and_si512(_mm512_srli_epi16(prev1, 4), low4));
  __m512i byte1_low = _mm512_shuffle_epi8(t1l, _mm512_and_si512(prev1, low4));
  __m512i byte2_high = _mm512_shuffle_epi8(t2h, _mm512_and_si512(_mm512_srli_epi16(input, 4), low4));
  // byte1_high & byte1_low & byte2_high in one ternary operation.
  __m512i special = _mm512_ternarylogic_epi64(byte1_high, byte1_low, byte2_high, 0x80);
  __m512i prev2 = PREV512(input, s->prev, 2);
  __m512i prev3 = PREV512(input, s->prev, 3);
  __m512i third = _mm512_subs_epu8(prev2, _mm512_set1_epi8((char)(0xE0 - 0x80)));
  __m512i fourth = _mm512_subs_epu8(prev3, _mm512_set1_epi8((char)(0xF0 - 0x80)));
  // ((third | fourth) & 0x80) ^ special, folded into the error.
  __m512i must23 = _mm512_and_si512(_mm512_or_si512(third, fourth), _mm512_set1_epi8((char)0x80));
  s->error = _mm512_ternarylogic_epi64(s->error, must23, special, 0xF6);  // error | (must23 ^ special)
  const __m512i max = _mm512_set_epi8((char)(0xC0 - 1), (char)(0xE0 - 1), (char)(0xF0 - 1), -1, -1, -1, -1, -1, -1,
                                      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  s->incomplete = _mm512_subs_epu8(input, max);
  s->prev = input;
}

// Output positions (bit j set: output byte j is the next input byte, clear: a backslash) of a
// 32-byte half whose bytes `e` get a backslash before them.
static inline AVX512 uint64_t expand_mask(uint32_t e) {
  const uint64_t odd = 0xAAAAAAAAAAAAAAAAULL;
  return _pext_u64(odd, odd | _pdep_u64(e, 0x5555555555555555ULL));
}

// Escapes the `len` bytes (len <= 64) of block v at d; the block has no control needing \u00XX.
// `e`: bytes getting a backslash, `letters`: v with the two-byte controls made letters.
static inline AVX512 long expand_block(__m512i letters, uint64_t e, long len, uint8_t *d) {
  const __m512i bs = _mm512_set1_epi8(0x5C);
  uint32_t e0 = (uint32_t)e;
  _mm512_storeu_si512((void *)d, _mm512_mask_expand_epi8(bs, expand_mask(e0), letters));
  if (len <= 32) return len + __builtin_popcount(e0);
  long o = 32 + __builtin_popcount(e0);
  uint32_t e1 = (uint32_t)(e >> 32);
  __m512i high = _mm512_shuffle_i64x2(letters, letters, 0xEE);
  _mm512_storeu_si512((void *)(d + o), _mm512_mask_expand_epi8(bs, expand_mask(e1), high));
  return o + (len - 32) + __builtin_popcount(e1);
}

// Base64 of 48 bytes into 64 characters (Muła and Lemire, "Base64 encoding and decoding at
// almost the speed of a memory copy", 2019, the AVX512VBMI encoder): VPERMB gathers each 3-byte
// group into a 32-bit lane as bytes 1 0 2 1, VPMULTISHIFTQB takes the four 6-bit fields at bit
// offsets 10, 4, 22 and 16 of each lane, and VPERMB looks them up in the alphabet.
static AVX512 long base64_avx512(const uint8_t *p, long n, uint8_t *d) {
  const __m512i gather = _mm512_setr_epi32(0x01020001, 0x04050304, 0x07080607, 0x0a0b090a, 0x0d0e0c0d, 0x10110f10,
                                           0x13141213, 0x16171516, 0x191a1819, 0x1c1d1b1c, 0x1f201e1f, 0x22232122,
                                           0x25262425, 0x28292728, 0x2b2c2a2b, 0x2e2f2d2e);
  const __m512i shifts = _mm512_set1_epi64(0x3036242a1016040aLL);
  const __m512i alphabet =
      _mm512_loadu_si512((const void *)"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  long i = 0, o = 0;
  for (; i + 48 <= n; i += 48, o += 64) {
    __m512i v = _mm512_maskz_loadu_epi8(0xFFFFFFFFFFFFULL, (const void *)(p + i));
    v = _mm512_permutexvar_epi8(gather, v);
    v = _mm512_multishift_epi64_epi8(shifts, v);
    _mm512_storeu_si512((void *)(d + o), _mm512_permutexvar_epi8(v, alphabet));
  }
  return i;
}

long sluice_base64(const uint8_t *p, long n, uint8_t *d) {
  if (n < 48 || sluice_text_level() < 2) return 0;
  return base64_avx512(p, n, d);
}

static AVX512 long escape_validate_avx512(const uint8_t *p, long from, long to, long n, uint8_t *d, long *next) {
  const __m512i t1h = _mm512_broadcast_i32x4(_mm_setr_epi8(
      TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, (char)TWO_CONTS,
      (char)TWO_CONTS, (char)TWO_CONTS, (char)TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,
      TOO_SHORT | OVERLONG_3 | SURROGATE, TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4));
  const __m512i t1l = _mm512_broadcast_i32x4(_mm_setr_epi8(
      (char)(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4), (char)(CARRY | OVERLONG_2), (char)CARRY, (char)CARRY,
      (char)(CARRY | TOO_LARGE), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
      (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
      (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
      (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000),
      (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE),
      (char)(CARRY | TOO_LARGE | TOO_LARGE_1000), (char)(CARRY | TOO_LARGE | TOO_LARGE_1000)));
  const __m512i t2h = _mm512_broadcast_i32x4(_mm_setr_epi8(
      TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
      (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4),
      (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE),
      (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
      (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE), TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT));
  // Controls by their low 6 bits: the letter of a two-byte escape, 0 for \u00XX.
  const __m512i letters = _mm512_zextsi256_si512(_mm256_setr_epi8(
      0, 0, 0, 0, 0, 0, 0, 0, 'b', 't', 'n', 0, 'f', 'r', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  const __m512i space = _mm512_set1_epi8(0x20), quote = _mm512_set1_epi8(0x22), bslash = _mm512_set1_epi8(0x5C);
  struct utf8_state512 s = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
  long i = from, o = 0;
  // The last block stops at the last character boundary at or before `to` (a character that
  // runs past `to` is the caller's): it then holds whole characters only.
  long stop = to;
  if (to < n) {
    while (stop > from && to - stop < 3 && (p[stop] & 0xC0) == 0x80) stop--;
  }
  while (i < stop) {
    long len = stop - i;
    __m512i v;
    __mmask64 live;
    if (len >= 64) {
      len = 64;
      live = ~0ULL;
      v = _mm512_loadu_si512((const void *)(p + i));
    } else {
      // The rest, zero-padded (zeros are ASCII: they close nothing, so a character cut at the
      // end errs as it should).
      live = _bzhi_u64(~0ULL, (unsigned)len);
      v = _mm512_maskz_loadu_epi8(live, (const void *)(p + i));
    }
    utf8_check512(&s, v, t1h, t1l, t2h);
    __mmask64 ctl = _mm512_mask_cmplt_epu8_mask(live, v, space);
    __mmask64 e = _mm512_cmpeq_epi8_mask(v, quote) | _mm512_cmpeq_epi8_mask(v, bslash);
    __m512i w = v;
    if (ctl) {
      __m512i letter = _mm512_permutexvar_epi8(v, letters);
      __mmask64 two = _mm512_mask_test_epi8_mask(ctl, letter, letter);
      if (__builtin_expect(two != ctl, 0)) {
        for (long t = 0; t < len; t++) o += escape_byte(p[i + t], d + o);
        i += len;
        continue;
      }
      w = _mm512_mask_blend_epi8(two, v, letter);
      e |= two;
    }
    o += expand_block(w, e, len, d + o);
    i += len;
  }
  // A character still open after the last block is cut short: the byte at `stop` (if any) is
  // not a continuation byte, or is a fourth one in a row.
  if (_mm512_test_epi8_mask(s.error, s.error) || _mm512_test_epi8_mask(s.incomplete, s.incomplete)) {
    *next = -1;
    return 0;
  }
  *next = i;
  return o;
}

long sluice_json_escape_validate(const uint8_t *p, long from, long to, long n, uint8_t *d, long *next) {
  int level = sluice_text_level();
  if (level >= 2 && to > from) return escape_validate_avx512(p, from, to, n, d, next);
  // AVX2 from 64 bytes: shorter texts are quicker in the caller's words than in one block.
  if (to - from < 64 || level < 1) {
    *next = from;
    return 0;
  }
  return escape_validate_avx2(p, from, to, d, next);
}

long sluice_json_escape(const uint8_t *p, long n, uint8_t *d, long *consumed) {
  if (n < 32 || !sluice_text_has_avx2()) {
    *consumed = 0;
    return 0;
  }
  return escape_blocks_avx2(p, n, d, consumed, 0);
}


// Writes the 32-byte block at p + i with the bytes flagged in `m` escaped (JSON or SQL): the
// clean runs between them as 32-byte stores where the input has 32 bytes from there (the
// output has room: at least 2 bytes per input byte are reserved), else byte by byte.
static inline AVX2 long escaped_block(const uint8_t *p, long i, long to, uint32_t m, uint8_t *d, long o, int sql) {
  long k = 0;
  while (m) {
    long e = __builtin_ctz(m);
    m &= m - 1;
    if (e > k) {
      if (i + k + 32 <= to) {
        _mm256_storeu_si256((__m256i *)(d + o), _mm256_loadu_si256((const __m256i *)(p + i + k)));
      } else {
        for (long t = k; t < e; t++) d[o + t - k] = p[i + t];
      }
      o += e - k;
    }
    o += sql ? sql_escape_byte(p[i + e], d + o) : escape_byte(p[i + e], d + o);
    k = e + 1;
  }
  if (k < 32) {
    if (i + k + 32 <= to) {
      _mm256_storeu_si256((__m256i *)(d + o), _mm256_loadu_si256((const __m256i *)(p + i + k)));
    } else {
      for (long t = k; t < 32; t++) d[o + t - k] = p[i + t];
    }
    o += 32 - k;
  }
  return o;
}

static inline AVX2 __m256i sql_escape_mask(__m256i v) {
  // ' \ NUL LF CR Ctrl-Z.
  return _mm256_or_si256(
      _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x27)), _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x5C))),
      _mm256_or_si256(
          _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_setzero_si256()), _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x0A))),
          _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x0D)), _mm256_cmpeq_epi8(v, _mm256_set1_epi8(0x1A)))));
}

// Escapes whole 32-byte blocks of p[0..<n] for JSON (sql = 0) or a MySQL literal (sql = 1):
// blocks without a byte to escape are copied whole.
static AVX2 long escape_blocks_avx2(const uint8_t *p, long n, uint8_t *d, long *consumed, int sql) {
  long i = 0, o = 0;
  while (i + 32 <= n) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
    uint32_t esc = (uint32_t)_mm256_movemask_epi8(sql ? sql_escape_mask(v) : escape_mask(v));
    if (esc == 0) {
      _mm256_storeu_si256((__m256i *)(d + o), v);
      o += 32;
    } else {
      o = escaped_block(p, i, n, esc, d, o, sql);
    }
    i += 32;
  }
  *consumed = i;
  return o;
}

long sluice_sql_escape(const uint8_t *p, long n, uint8_t *d, long *consumed) {
  if (n < 32 || !sluice_text_has_avx2()) {
    *consumed = 0;
    return 0;
  }
  return escape_blocks_avx2(p, n, d, consumed, 1);
}

static AVX2 long hex_avx2(const uint8_t *p, long n, uint8_t *d, int upper) {
  const __m128i digits = upper ? _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F')
                               : _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f');
  const __m256i table = _mm256_broadcastsi128_si256(digits);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  long i = 0;
  while (i + 16 <= n) {
    // The 16 bytes in both lanes, high nibbles and low nibbles interleaved by unpack: lane 0
    // gives bytes 0-7, lane 1 bytes 8-15.
    __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(p + i)));
    __m256i hi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), low4));
    __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(v, low4));
    __m256i a = _mm256_unpacklo_epi8(hi, lo);  // lane 0: bytes 0-7; lane 1: bytes 0-7 again
    __m256i b = _mm256_unpackhi_epi8(hi, lo);  // lane 0: bytes 8-15
    _mm_storeu_si128((__m128i *)(d + 2 * i), _mm256_castsi256_si128(a));
    _mm_storeu_si128((__m128i *)(d + 2 * i + 16), _mm256_castsi256_si128(b));
    i += 16;
  }
  return i;
}

long sluice_hex(const uint8_t *p, long n, uint8_t *d, int upper) {
  if (n < 16 || !sluice_text_has_avx2()) return 0;
  return hex_avx2(p, n, d, upper);
}

static AVX2 int utf8_valid_avx2(const uint8_t *p, long n) {
  struct utf8_state s = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
  long i = 0;
  for (; i + 32 <= n; i += 32) utf8_check(&s, _mm256_loadu_si256((const __m256i *)(p + i)));
  if (i < n) {
    // The tail padded with ASCII spaces (which also close nothing: an open character errs).
    uint8_t last[32];
    for (int k = 0; k < 32; k++) last[k] = 0x20;
    for (long k = i; k < n; k++) last[k - i] = p[k];
    utf8_check(&s, _mm256_loadu_si256((const __m256i *)last));
  }
  s.error = _mm256_or_si256(s.error, s.incomplete);
  return _mm256_testz_si256(s.error, s.error) ? 1 : 0;
}

int sluice_utf8_valid(const uint8_t *p, long n) {
  if (!sluice_text_has_avx2()) return -1;
  return utf8_valid_avx2(p, n);
}

// A run of `len` (< 32 + 1) clean bytes p[a..<a+len] to d: one 32-byte copy when 32 bytes are
// readable from a (the output has room past the run), else byte by byte.
static inline AVX2 void copy_run(const uint8_t *p, long a, long len, long n, uint8_t *d) {
  if (a + 32 <= n) {
    _mm256_storeu_si256((__m256i *)d, _mm256_loadu_si256((const __m256i *)(p + a)));
  } else {
    for (long t = 0; t < len; t++) d[t] = p[a + t];
  }
}

// Blocks of 32 bytes without a byte >= 0x80 are copied (or escaped) whole; in the others the
// clean ASCII runs between the bytes to convert or escape are copied whole, and a character
// begun there may run past the block (the next block starts after it).
static AVX2 long table_avx2(const uint8_t *p, long from, long to, long n, const uint16_t *rows, int mode, uint8_t *d,
                            long *next) {
  long i = from, o = 0;
  while (i + 32 <= to) {
    __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
    uint32_t high = (uint32_t)_mm256_movemask_epi8(v);
    uint32_t esc = mode == 1 ? (uint32_t)_mm256_movemask_epi8(escape_mask(v))
                 : mode == 2 ? (uint32_t)_mm256_movemask_epi8(sql_escape_mask(v))
                             : 0;
    if ((high | esc) == 0) {
      _mm256_storeu_si256((__m256i *)(d + o), v);
      o += 32;
      i += 32;
      continue;
    }
    if (high == 0) {
      o = escaped_block(p, i, n, esc, d, o, mode == 2);
      i += 32;
      continue;
    }
    uint32_t stop = high | esc;
    long k = 0;
    while (stop) {
      long e = __builtin_ctz(stop);
      if (e > k) {
        copy_run(p, i + k, e - k, n, d + o);
        o += e - k;
      }
      long j = i + e;
      if (p[j] < 0x80) {
        o += put_ascii(p[j], d + o, mode);
        j++;
      } else {
        j = table_char(p, j, n, rows, mode, d, &o);
        if (j < 0) {
          *next = -1;
          return 0;
        }
      }
      k = j - i;
      if (k >= 32) break;
      stop &= ~0u << k;
    }
    if (k < 32) {
      copy_run(p, i + k, 32 - k, n, d + o);
      o += 32 - k;
      k = 32;
    }
    i += k;
  }
  long rest = table_scalar(p, i, to > i ? to : i, n, rows, mode, d + o, next);
  if (*next < 0) return 0;
  return o + rest;
}

long sluice_table_transcode(const uint8_t *p, long from, long to, long n, const uint16_t *rows, int mode, int flags,
                            uint8_t *d, long *next) {
  if ((flags & SLUICE_TABLE_ASCII) && !(flags & SLUICE_TABLE_SCALAR) && to - from >= 32 && sluice_text_has_avx2())
    return table_avx2(p, from, to, n, rows, mode, d, next);
  return table_scalar(p, from, to, n, rows, mode, d, next);
}

// For each 8-bit mask of the bytes >= 0x80 in 8 input bytes: the shuffle that keeps, from the
// interleaved (first byte, continuation byte) pairs, the continuation only where the mask is set.
static uint8_t latin1_shuffles[256][16];
static uint8_t latin1_lengths[256];

__attribute__((constructor)) static void latin1_init(void) {
  for (int m = 0; m < 256; m++) {
    int k = 0;
    for (int b = 0; b < 8; b++) {
      latin1_shuffles[m][k++] = (uint8_t)(2 * b);
      if (m & (1 << b)) latin1_shuffles[m][k++] = (uint8_t)(2 * b + 1);
    }
    latin1_lengths[m] = (uint8_t)k;
    while (k < 16) latin1_shuffles[m][k++] = 0x80;
  }
}

static AVX2 long latin1_avx2(const uint8_t *p, long n, const uint32_t *high, int cp1252, int mode, uint8_t *d) {
  long i = 0, o = 0;
  const __m128i x1f = _mm_set1_epi8(0x1F), c0 = _mm_set1_epi8((char)0xC0), x3f = _mm_set1_epi8(0x3F);
  const __m128i x80 = _mm_set1_epi8((char)0x80), x9f = _mm_set1_epi8((char)0x9F);
  while (i + 8 <= n) {
    __m128i v = _mm_loadl_epi64((const __m128i *)(p + i));
    // Groups to do byte by byte: something to escape, or a cp1252 byte 0x80...0x9F.
    __m128i bad;
    if (mode == 1) {
      bad = _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, x1f), x1f),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x22)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5C))));
    } else if (mode == 2) {
      bad = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x27)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x5C))),
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_setzero_si128()), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0A))),
                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x0D)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x1A)))));
    } else {
      bad = _mm_setzero_si128();
    }
    if (cp1252) bad = _mm_or_si128(bad, _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, x80), v),
                                                      _mm_cmpeq_epi8(_mm_min_epu8(v, x9f), v)));
    if (_mm_movemask_epi8(bad) & 0xFF) {
      for (long k = 0; k < 8; k++) o += latin1_byte(p[i + k], high, mode, d + o);
      i += 8;
      continue;
    }
    int m = _mm_movemask_epi8(v) & 0xFF;
    if (m == 0) {
      _mm_storel_epi64((__m128i *)(d + o), v);
      o += 8;
      i += 8;
      continue;
    }
    // A byte >= 0x80 is C2/C3 then 80 | (b & 3F); ASCII bytes stay themselves.
    __m128i isHigh = _mm_cmplt_epi8(v, _mm_setzero_si128());
    __m128i lead = _mm_or_si128(_mm_srli_epi16(_mm_and_si128(v, c0), 6), c0);
    __m128i first = _mm_blendv_epi8(v, lead, isHigh);
    __m128i second = _mm_or_si128(_mm_and_si128(v, x3f), x80);
    __m128i pairs = _mm_unpacklo_epi8(first, second);
    __m128i out = _mm_shuffle_epi8(pairs, _mm_loadu_si128((const __m128i *)latin1_shuffles[m]));
    _mm_storeu_si128((__m128i *)(d + o), out);
    o += latin1_lengths[m];
    i += 8;
  }
  return o + latin1_scalar(p, i, n, high, mode, d + o);
}

// The escape of each ASCII byte as a letter after a backslash: 0 none, 0xFF \u00XX (JSON).
static const uint8_t json_escape_letters[128] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 'b',  't',  'n',  0xFF, 'f',  'r',  0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t sql_escape_letters[128] = {
    '0', 0, 0, 0, 0, 0, 0, 0, 0, 0, 'n', 0, 0, 'r', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'Z', 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, '\'', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t no_escape_letters[128] = {0};

// Latin-1 to UTF-8, 16 bytes at a time: each input byte gets a 4-byte lane (VPERMB), the lanes
// are filled from per-byte tables (VPERMT2B over the 128 bytes >= 0x80: the UTF-8 bytes and
// length; for ASCII the byte, or a backslash and its escape letter), and VPCOMPRESSB keeps the
// first `length` bytes of each lane. A group with a byte to write as \u00XX goes byte by byte.
static AVX512 long latin1_avx512(const uint8_t *p, long n, const uint32_t *high, const uint8_t *planes, int mode,
                                 uint8_t *d) {
  const __m512i t0a = _mm512_loadu_si512((const void *)planes), t0b = _mm512_loadu_si512((const void *)(planes + 64));
  const __m512i t1a = _mm512_loadu_si512((const void *)(planes + 128));
  const __m512i t1b = _mm512_loadu_si512((const void *)(planes + 192));
  const __m512i t2a = _mm512_loadu_si512((const void *)(planes + 256));
  const __m512i t2b = _mm512_loadu_si512((const void *)(planes + 320));
  const __m512i tla = _mm512_loadu_si512((const void *)(planes + 384));
  const __m512i tlb = _mm512_loadu_si512((const void *)(planes + 448));
  const uint8_t *letters = mode == 1 ? json_escape_letters : mode == 2 ? sql_escape_letters : no_escape_letters;
  const __m512i ea = _mm512_loadu_si512((const void *)letters), eb = _mm512_loadu_si512((const void *)(letters + 64));
  // Lane j of the output holds input byte j / 4; its position in the lane is j % 4.
  const __m512i spread = _mm512_set_epi32(0x0F0F0F0F, 0x0E0E0E0E, 0x0D0D0D0D, 0x0C0C0C0C, 0x0B0B0B0B, 0x0A0A0A0A,
                                          0x09090909, 0x08080808, 0x07070707, 0x06060606, 0x05050505, 0x04040404,
                                          0x03030303, 0x02020202, 0x01010101, 0x00000000);
  const __m512i position = _mm512_set1_epi32(0x03020100);
  const __mmask64 pos0 = 0x1111111111111111ULL, pos1 = pos0 << 1, pos2 = pos0 << 2;
  const __m512i one = _mm512_set1_epi8(1), two = _mm512_set1_epi8(2), ff = _mm512_set1_epi8((char)0xFF);
  const __m512i bslash = _mm512_set1_epi8(0x5C);
  long i = 0, o = 0;
  while (i < n) {
    long len = n - i < 16 ? n - i : 16;
    __m128i x = _mm_maskz_loadu_epi8((__mmask16)_bzhi_u32(0xFFFF, (unsigned)len), (const void *)(p + i));
    __mmask64 live = _bzhi_u64(~0ULL, (unsigned)(4 * len));
    __m512i x4 = _mm512_permutexvar_epi8(spread, _mm512_castsi128_si512(x));
    __mmask64 high_lanes = _mm512_movepi8_mask(x4);
    __m512i esc = _mm512_permutex2var_epi8(ea, x4, eb);
    __mmask64 escaped = _mm512_mask_test_epi8_mask(live & ~high_lanes, esc, esc);
    if (__builtin_expect(_mm512_mask_cmpeq_epi8_mask(escaped, esc, ff) != 0, 0)) {
      for (long k = 0; k < len; k++) o += latin1_byte(p[i + k], high, mode, d + o);
      i += len;
      continue;
    }
    // High bytes: their UTF-8 bytes in lane positions 0-2 and their length.
    __m512i v = _mm512_permutex2var_epi8(t0a, x4, t0b);
    v = _mm512_mask_blend_epi8(pos1, v, _mm512_permutex2var_epi8(t1a, x4, t1b));
    v = _mm512_mask_blend_epi8(pos2, v, _mm512_permutex2var_epi8(t2a, x4, t2b));
    __m512i l = _mm512_permutex2var_epi8(tla, x4, tlb);
    // ASCII bytes: the byte, or a backslash then the letter.
    __m512i a = _mm512_mask_blend_epi8(pos1, x4, esc);
    a = _mm512_mask_blend_epi8(escaped & pos0, a, bslash);
    __m512i al = _mm512_mask_blend_epi8(escaped, one, two);
    v = _mm512_mask_blend_epi8(high_lanes, a, v);
    l = _mm512_mask_blend_epi8(high_lanes, al, l);
    __mmask64 keep = _mm512_mask_cmplt_epu8_mask(live, position, l);
    _mm512_storeu_si512((void *)(d + o), _mm512_maskz_compress_epi8(keep, v));
    o += __builtin_popcountll(keep);
    i += len;
  }
  return o;
}

long sluice_latin1_utf8(const uint8_t *p, long n, const uint32_t *high, const uint8_t *planes, int cp1252, int mode,
                        int scalar, uint8_t *d) {
  if (!scalar && planes && n >= 8 && sluice_text_level() >= 2) return latin1_avx512(p, n, high, planes, mode, d);
  if (!scalar && n >= 8 && sluice_text_level() >= 1) return latin1_avx2(p, n, high, cp1252, mode, d);
  return latin1_scalar(p, 0, n, high, mode, d);
}

#else

int sluice_text_has_avx2(void) { return 0; }
int sluice_text_has_avx512(void) { return 0; }
int sluice_text_level(void) { return 0; }
int sluice_text_set_level(int level) {
  (void)level;
  return 0;
}
long sluice_json_escape_validate(const uint8_t *p, long from, long to, long n, uint8_t *d, long *next) {
  (void)p; (void)to; (void)n; (void)d;
  *next = from;
  return 0;
}
long sluice_json_escape(const uint8_t *p, long n, uint8_t *d, long *consumed) {
  (void)p; (void)n; (void)d;
  *consumed = 0;
  return 0;
}
int sluice_utf8_valid(const uint8_t *p, long n) {
  (void)p; (void)n;
  return -1;
}
long sluice_sql_escape(const uint8_t *p, long n, uint8_t *d, long *consumed) {
  (void)p; (void)n; (void)d;
  *consumed = 0;
  return 0;
}
long sluice_hex(const uint8_t *p, long n, uint8_t *d, int upper) {
  (void)p; (void)n; (void)d; (void)upper;
  return 0;
}
long sluice_base64(const uint8_t *p, long n, uint8_t *d) {
  (void)p; (void)n; (void)d;
  return 0;
}
long sluice_latin1_utf8(const uint8_t *p, long n, const uint32_t *high, const uint8_t *planes, int cp1252, int mode,
                        int scalar, uint8_t *d) {
  (void)planes; (void)cp1252; (void)scalar;
  return latin1_scalar(p, 0, n, high, mode, d);
}
long sluice_table_transcode(const uint8_t *p, long from, long to, long n, const uint16_t *rows, int mode, int flags,
                            uint8_t *d, long *next) {
  (void)flags;
  return table_scalar(p, from, to, n, rows, mode, d, next);
}

#endif
