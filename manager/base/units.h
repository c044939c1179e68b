/*
 * units.h - strict parsing and printing of the quantities in scenario files.
 *
 * A quantity is a decimal number (digits, optionally '.' and more digits; no
 * sign, exponent or blank) immediately followed by a case-sensitive unit:
 *
 *   rate   bit kbit Mbit Gbit       (decimal, as tc: 1Mbit = 1000kbit)
 *   time   us ms s
 *   ratio  %                         (of packets)
 *   size   B kB MB (decimal)  KiB MiB (binary)
 *   count  pkt pkts                  (queue limits)
 *
 * The value is converted to the vMIB's unit (rate_kbps, delay_us, loss_ppm,
 * burst_bytes, limit_pkts), must be within the range of its VMIB-MIB column
 * (delays up to 60 s, ratios up to 100%, limits up to 1000000 packets,
 * the rest up to 2^32 - 1) and must land on a whole number of it, without
 * rounding: "1500bit" is refused, not silently made 1 or 2 kbit/s.  Names
 * that tc reads differently from what people mean (kbps = kilobytes per
 * second, mbit in lower case) are refused with a hint rather than guessed.
 */
#ifndef VMIB_UNITS_H
#define VMIB_UNITS_H

#include <stddef.h>
#include <stdint.h>

enum units_kind {
	UNITS_RATE_KBPS,
	UNITS_TIME_US,
	UNITS_RATIO_PPM,
	UNITS_SIZE_BYTES,
	UNITS_COUNT_PKTS,
};

#define UNITS_WHY_LEN 128

/*
 * Parse s as a quantity of the given kind into *out (the vMIB unit).
 * On failure returns -1 and writes a one-line reason (no value echo, the
 * caller names the attribute and the value) into why[UNITS_WHY_LEN].
 */
int units_parse(enum units_kind kind, const char *s, uint32_t *out, char *why);

/* Print value (in the vMIB unit) with the largest unit that keeps it short
 * and exact: 1500 kbps -> "1.5Mbit", 250 us -> "250us", 5000 ppm -> "0.5%". */
char *units_format(enum units_kind kind, uint32_t value, char *buf, size_t len);

#endif
