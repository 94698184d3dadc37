#ifndef SLUICE_CTEXTSIMD_H
#define SLUICE_CTEXTSIMD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the AVX2 text routines below run on this CPU, else 0 (they then do nothing).
int sluice_text_has_avx2(void);

/// JSON-escapes and validates as UTF-8 the bytes p[from..<to] 32 at a time, into d (room for
/// 6 bytes per input byte), while at least 32 bytes are left. Returns the bytes written and sets
/// *next to where the input stopped: a character boundary at most 35 bytes before `to` (the
/// caller finishes from there), `from` when nothing was done (no AVX2, fewer than 32 bytes), or
/// -1 when the bytes seen are not UTF-8 (strict: no overlongs, surrogates or values above
/// U+10FFFF). Escapes as RFC 8259: \" \\ \n \r \t \b \f and \u00XX for other controls.
long sluice_json_escape_validate(const uint8_t *p, long from, long to, uint8_t *d, long *next);

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

/// Whether p[0..<n] is valid UTF-8 (strict), 32 bytes at a time; -1 when AVX2 is missing.
int sluice_utf8_valid(const uint8_t *p, long n);

/// Asks the CPU to bring the cache line at p in ahead of its use (a walk from event header to
/// event header waits on each one's size otherwise). Never faults.
static inline void sluice_prefetch(const void *p) { __builtin_prefetch(p, 0, 0); }

#ifdef __cplusplus
}
#endif

#endif
