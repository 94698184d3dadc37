#ifndef SLUICE_CTEXTSIMD_H
#define SLUICE_CTEXTSIMD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the AVX2 text routines below run on this CPU, else 0 (they then do nothing).
int sluice_text_has_avx2(void);

/// 1 when the AVX-512 kernels (F, BW, VL, VBMI, VBMI2, with BMI2) run on this CPU, else 0.
int sluice_text_has_avx512(void);

/// The kernel `sluice_json_escape_validate` uses: 2 AVX-512, 1 AVX2, 0 none (the best the CPU
/// has, unless lowered). `sluice_text_set_level` lowers it (tests run each kernel; -1 restores
/// the best) and returns the level before.
int sluice_text_level(void);
int sluice_text_set_level(int level);

/// JSON-escapes and validates as UTF-8 the characters starting in p[from..<to] (the text is
/// p[0..<n]; the last character may run past `to`), into d (room for 6 bytes per input byte
/// plus 128). Returns the bytes written and sets *next to where the input stopped: a character
/// boundary the caller finishes from (AVX2: at most 35 bytes before `to`, and only from 64
/// bytes; AVX-512: at most 3 bytes before `to`, any length), `from` when nothing was done (no
/// AVX2, fewer than 64 bytes without AVX-512), or -1 when the bytes seen are not UTF-8 (strict: no
/// overlongs, surrogates or values above U+10FFFF). Escapes as RFC 8259: \" \\ \n \r \t \b
/// \f and \u00XX for other controls.
long sluice_json_escape_validate(const uint8_t *p, long from, long to, long n, uint8_t *d, long *next);

/// The same escaping without validation (the input is known to be UTF-8) over whole 32-byte
/// blocks of p[0..<n]; returns the bytes written and sets *consumed (a multiple of 32).
long sluice_json_escape(const uint8_t *p, long n, uint8_t *d, long *consumed);

/// The inside of a MySQL string literal (' \ NUL LF CR Ctrl-Z backslash-escaped, other bytes as
/// they are) over whole 32-byte blocks of p[0..<n] into d (room for 2 bytes per input byte);
/// returns the bytes written and sets *consumed (a multiple of 32; 0 without AVX2).
long sluice_sql_escape(const uint8_t *p, long n, uint8_t *d, long *consumed);

/// Hex digits of whole 16-byte blocks of p[0..<n] into d (2 per byte, upper- or lower-case);
/// returns the input bytes consumed (a multiple of 16; 0 without AVX2).
long sluice_hex(const uint8_t *p, long n, uint8_t *d, int upper);

/// Standard base64 (RFC 4648) of whole 48-byte blocks of p[0..<n] into d (64 characters per
/// block, no padding); returns the input bytes consumed (a multiple of 48; 0 below the AVX-512
/// level, see sluice_text_level).
long sluice_base64(const uint8_t *p, long n, uint8_t *d);

/// Whether p[0..<n] is valid UTF-8 (strict), 32 bytes at a time; -1 when AVX2 is missing.
int sluice_utf8_valid(const uint8_t *p, long n);

/// Asks the CPU to bring the cache line at p in ahead of its use (a walk from event header to
/// event header waits on each one's size otherwise). Never faults.
static inline void sluice_prefetch(const void *p) { __builtin_prefetch(p, 0, 0); }

/// Transcodes the characters starting in p[from..<to] (the last may run on to p[n - 1]) from a
/// charset given by its conversion table to UTF-8, escaped as `mode` says (0 none, 1 inside a JSON
/// string, 2 inside a MySQL string literal), into d (room for 6 * (to - from + 3) + 32 bytes).
/// `rows`: 256-entry rows of UInt16 (CharsetTable's layout: 0xFFFF no character, 0xD800 + k a lead
/// byte continued in row k, else the BMP scalar; row 0 for a character's first byte). Flags:
/// SLUICE_TABLE_ASCII when row 0 maps every byte below 0x80 to itself (32-byte ASCII blocks then
/// go through the AVX2 copy/escape whole, other bytes through the table), SLUICE_TABLE_SCALAR to
/// use no AVX2 (tests). Returns the bytes written and sets *next to where the input stopped (at
/// or past `to`), or -1 (0 written) at a byte sequence the table has no character for.
long sluice_table_transcode(const uint8_t *p, long from, long to, long n, const uint16_t *rows, int mode, int flags,
                            uint8_t *d, long *next);
#define SLUICE_TABLE_ASCII 1

/// Latin-1 p[0..<n] to UTF-8 into d (room for 6 * n + 64 bytes), escaped as `mode` says (as
/// sluice_table_transcode). `high`: the UTF-8 of bytes 0x80...0xFF (bytes in the low lanes, the
/// length in the top byte); `planes` (may be NULL): the same as four 128-byte tables (first,
/// second and third UTF-8 byte, length), for the AVX-512 kernel (16 bytes at a time);
/// `cp1252`: bytes 0x80...0x9F are not 2-byte characters (cp1252's Windows characters). Without
/// AVX-512, groups of 8 bytes with nothing to escape and no such byte are expanded with SSSE3
/// shuffles (AVX2 CPUs); others byte by byte; all byte by byte when `scalar`. Returns bytes written.
long sluice_latin1_utf8(const uint8_t *p, long n, const uint32_t *high, const uint8_t *planes, int cp1252, int mode,
                        int scalar, uint8_t *d);
#define SLUICE_TABLE_SCALAR 2

#ifdef __cplusplus
}
#endif

#endif
