#ifndef SLUICE_CCRC32_H
#define SLUICE_CCRC32_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has PCLMULQDQ and SSE4.1 (checked once with cpuid), else 0.
int sluice_crc32_has_clmul(void);

/// Advances a reflected CRC-32 register (poly 0xEDB88320, no pre/post inversion: pass ~crc,
/// get ~crc back) over `len` bytes: whole 16-byte blocks by PCLMULQDQ folding, the last 0-15
/// bytes by a byte table. `len` must be at least 16, and sluice_crc32_has_clmul() must have
/// returned 1 (it also builds that table).
uint32_t sluice_crc32_clmul_fold(uint32_t reg, const void *buf, size_t len);

#endif
