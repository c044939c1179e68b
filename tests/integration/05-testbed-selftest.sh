#!/usr/bin/env bash
# The local testbed on its own (issue: foundation): up 2, SNMP and libvirt on
# each host, one guest per host, cross-host ping, live migration under ping
# with the loss reported, down leaves nothing.  It manages its own testbed,
# so it runs before the shared one is brought up (see run-all).
exec bash "$(dirname "$0")/../testbed/selftest"
