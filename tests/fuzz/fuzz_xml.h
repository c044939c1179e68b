/*
 * fuzz_xml.h - what the two XML loader targets share: run the whole load
 * (parse, DTD refusal, schema, model, checks, placement, merge) of one
 * fuzzed file paired with the valid base file of the other kind, and check
 * the loader's promises about every problem it reports.
 */
#ifndef VMIB_FUZZ_XML_H
#define VMIB_FUZZ_XML_H

#include <stddef.h>
#include <stdint.h>

/* real: the input is the real environment (else the virtual one) */
int fuzz_xml_load(const uint8_t *data, size_t size, int real);

#endif
