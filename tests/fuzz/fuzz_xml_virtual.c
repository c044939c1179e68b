/*
 * fuzz_xml_virtual.c - libFuzzer target: the virtual-environment loader of vmibctl
 * (fuzz_xml.c), fed any bytes as the virtual file.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_xml_load(data, size, 0);
}
