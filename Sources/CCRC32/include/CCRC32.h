#ifndef SLUICE_CCRC32_H
#define SLUICE_CCRC32_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has PCLMULQDQ, SSSE3 and SSE4.1 (checked once with cpuid), else 0.
int sluice_crc32_has_clmul(void);

/// 1 when inputs of 512 bytes and more are folded 256 bytes at a time with 512-bit VPCLMULQDQ
/// (AVX-512F/BW/VL, VPCLMULQDQ, ZMM state saved by the OS).
int sluice_crc32_uses_vpclmul(void);

/// Advances a reflected CRC-32 register (poly 0xEDB88320, no pre/post inversion: pass ~crc,
/// get ~crc back) over `len` bytes: whole 16-byte blocks by PCLMULQDQ folding (256-byte blocks
/// by VPCLMULQDQ first when available), the last 1-15 bytes folded as one shifted block. `len`
/// must be at least 16, and sluice_crc32_has_clmul() must have returned 1.
uint32_t sluice_crc32_clmul_fold(uint32_t reg, const void *buf, size_t len);

#endif
