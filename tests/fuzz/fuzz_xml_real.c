/*
 * fuzz_xml_real.c - libFuzzer target: the real-environment loader of vmibctl
 * (fuzz_xml.c), fed any bytes as the real file.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_xml_load(data, size, 1);
}
