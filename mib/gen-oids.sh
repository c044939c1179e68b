#!/bin/sh
# gen-oids.sh MIB OUT.h
#
# Generate the C header of OIDs, column numbers, enumerations, BITS positions
# and value ranges from a MIB module, so that C code never types an OID by
# hand.  The MIB is read with libsmi's `smidump -f xml` (the same parser as
# smilint); imported textual conventions whose values the MIB's objects use
# (RowStatus, TruthValue, ...) are read from their own modules the same way.
#
# For every named node of the module (node, scalar, table, row, column,
# notification, group, compliance):
#   #define VMIB_OID_<name>      1,3,6,1,4,1,...
#   #define VMIB_OID_<name>_LEN  <number of sub-identifiers>
# For every column:
#   #define VMIB_COL_<name>      <column number>
# For every scalar and notification:
#   #define VMIB_SUB_<name>      <its last sub-identifier> (the scalar's or
#                                notification's number under its parent)
# For every table:
#   #define VMIB_TABLE_<table>_MIN_COL / _MAX_COL  (first accessible, last)
# For every object whose syntax is an enumeration (inline or through a TC):
#   #define VMIB_ENUM_<object>_<label>  <value>
# For every BITS object:
#   #define VMIB_BIT_<object>_<label>   <bit number>
#   #define VMIB_BITS_<object>_OCTETS   <octets needed for all bits>
# For every object with one explicit range or size:
#   #define VMIB_RANGE_<object>_MIN / _MAX   (integers)
#   #define VMIB_SIZE_<object>_MIN  / _MAX   (strings, in octets)
#
# The module name of the MIB gives the macro prefix: VMIB-MIB -> VMIB_,
# VM-MIB -> VM_.
#
# Environment:
#   SMIPATH   where libsmi finds imported modules; default
#             <repo>/build/mibs:/usr/share/snmp/mibs
#
# Needs smidump (smitools) and python3.

set -eu

usage() {
	echo "usage: $0 MIB OUT.h" >&2
	exit 2
}

[ $# -eq 2 ] || usage
mib=$1
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
: "${SMIPATH:=$root/build/mibs:/usr/share/snmp/mibs}"
export SMIPATH

[ -r "$mib" ] || {
	echo "$0: cannot read $mib" >&2
	exit 1
}
for tool in smidump python3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "$0: $tool not found" >&2
		exit 1
	}
done

outdir=$(dirname "$out")
mkdir -p "$outdir"
tmp=$(mktemp "$outdir/.gen-oids.XXXXXX")
trap 'rm -f "$tmp"' EXIT INT TERM

python3 - "$mib" "$tmp" <<'EOF'
import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

mib_path, out_path = sys.argv[1], sys.argv[2]


def die(msg):
    sys.stderr.write("gen-oids: %s\n" % msg)
    sys.exit(1)


def smidump_xml(target, strict):
    """Return the <module> element of smidump's XML dump of target.

    strict: the dumped module is ours, so any diagnostic at level 3 or
    below (an error) is fatal.  Imported base modules are dumped with
    -k and without diagnostics: some fetched copies carry harmless
    import errors of their own, and only their TC definitions are used.
    """
    cmd = ["smidump", "-f", "xml"]
    cmd += ["-l", "3"] if strict else ["-k", "-l", "0"]
    cmd.append(target)
    res = subprocess.run(cmd, capture_output=True, text=True)
    if strict and (res.returncode != 0 or res.stderr.strip()):
        die("smidump %s failed:\n%s" % (target, res.stderr.strip()))
    try:
        tree = ET.fromstring(res.stdout)
    except ET.ParseError as e:
        die("cannot parse smidump output for %s: %s" % (target, e))
    mod = tree.find("module")
    if mod is None:
        die("smidump output for %s has no module" % target)
    return tree


tree = smidump_xml(mib_path, True)
module = tree.find("module").get("name")
prefix = re.sub(r"-MIB$", "", module).replace("-", "_").upper() + "_"

typedef_cache = {}


def typedefs_of(modname):
    """Map TC name -> <typedef> element for a module."""
    if modname not in typedef_cache:
        t = tree if modname == module else smidump_xml(modname, False)
        typedef_cache[modname] = {
            td.get("name"): td for td in t.iter("typedef") if td.get("name")
        }
    return typedef_cache[modname]


def resolve(syntax):
    """Follow <type module= name=> references to the defining <typedef>."""
    if syntax is None:
        return None
    td = syntax.find("typedef")
    if td is not None:
        return td
    ref = syntax.find("type")
    if ref is None or not ref.get("module"):
        return None             # a base type: nothing to resolve
    td = typedefs_of(ref.get("module")).get(ref.get("name"))
    return td


def oid_of(el):
    return el.get("oid").split(".")


C_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def cname(s):
    # SMI labels may contain '-' (SMIv1 heritage); C macros may not.
    s = s.replace("-", "_")
    if not C_IDENT.match(s):
        die("label %r is not usable in a C identifier" % s)
    return s


lines = []
seen = set()


def define(name, value, comment=None):
    if name in seen:
        die("duplicate macro %s" % name)
    seen.add(name)
    text = "#define %-50s %s" % (name, value)
    if comment:
        text += "  /* %s */" % comment
    lines.append(text)


def int_literal(v, unsigned):
    n = int(v)
    if unsigned or n > 2147483647:
        return "%dU" % n if n >= 0 else str(n)
    if n == -2147483648:
        return "(-2147483647 - 1)"
    return str(n)


def emit_syntax(name, syntax):
    td = resolve(syntax)
    if td is None:
        return
    base = td.get("basetype")
    numbers = td.findall("namednumber")
    if base == "Enumeration":
        for nn in numbers:
            define("%sENUM_%s_%s" % (prefix, name, cname(nn.get("name"))),
                   nn.get("number"))
    elif base == "Bits":
        top = 0
        for nn in numbers:
            define("%sBIT_%s_%s" % (prefix, name, cname(nn.get("name"))),
                   nn.get("number"))
            top = max(top, int(nn.get("number")))
        define("%sBITS_%s_OCTETS" % (prefix, name), str(top // 8 + 1))
    ranges = td.findall("range")
    if len(ranges) != 1:
        return
    lo, hi = ranges[0].get("min"), ranges[0].get("max")
    if base == "OctetString":
        define("%sSIZE_%s_MIN" % (prefix, name), lo)
        define("%sSIZE_%s_MAX" % (prefix, name), hi)
    elif base in ("Integer32", "Unsigned32", "Gauge32", "Counter32"):
        unsigned = base != "Integer32"
        define("%sRANGE_%s_MIN" % (prefix, name), int_literal(lo, unsigned))
        define("%sRANGE_%s_MAX" % (prefix, name), int_literal(hi, unsigned))


def emit_oid(el, kind):
    name = cname(el.get("name"))
    sub = oid_of(el)
    lines.append("")
    lines.append("/* %s (%s) */" % (el.get("name"), kind))
    define("%sOID_%s" % (prefix, name), ",".join(sub))
    define("%sOID_%s_LEN" % (prefix, name), str(len(sub)))
    return name


count = 0
nodes = tree.find("nodes")
if nodes is None:
    die("smidump output has no nodes")
for el in nodes:
    tag = el.tag
    if tag in ("node", "scalar"):
        name = emit_oid(el, tag)
        count += 1
        if tag == "scalar":
            define("%sSUB_%s" % (prefix, name), el.get("oid").rsplit(".", 1)[1])
            emit_syntax(name, el.find("syntax"))
    elif tag == "table":
        tname = emit_oid(el, "table")
        count += 1
        row = el.find("row")
        rname = emit_oid(row, "row")
        count += 1
        cols = row.findall("column")
        accessible = [int(c.get("oid").rsplit(".", 1)[1]) for c in cols
                      if c.findtext("access") != "noaccess"]
        if accessible:
            define("%sTABLE_%s_MIN_COL" % (prefix, tname), str(min(accessible)))
            define("%sTABLE_%s_MAX_COL" % (prefix, tname), str(max(accessible)))
        for c in cols:
            cname_ = emit_oid(c, "column")
            count += 1
            define("%sCOL_%s" % (prefix, cname_), c.get("oid").rsplit(".", 1)[1])
            emit_syntax(cname_, c.find("syntax"))
    else:
        die("unexpected element <%s> in nodes" % tag)

for section, tag in (("notifications", "notification"),
                     ("groups", "group"),
                     ("compliances", "compliance")):
    sec = tree.find(section)
    if sec is None:
        continue
    for el in sec.findall(tag):
        name = emit_oid(el, tag)
        count += 1
        if tag == "notification":
            define("%sSUB_%s" % (prefix, name), el.get("oid").rsplit(".", 1)[1])

with open(mib_path, "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
version = subprocess.run(["smidump", "-V"], capture_output=True,
                         text=True).stdout.strip().splitlines()[0]
guard = prefix + "OIDS_H"
head = [
    "/*",
    " * Generated by mib/gen-oids.sh from %s (%s)," % (
        os.path.basename(mib_path), module),
    " * sha256 %s," % digest,
    " * with %s.  Do not edit: change the MIB and regenerate." % version,
    " *",
    " * %d named OIDs.  OID macros expand to comma-separated sub-identifiers," % count,
    " * for use in initialisers: static const oid x[] = { %sOID_name };" % prefix,
    " * BITS: bit n is bit (7 - n % 8) of octet n / 8 on the wire (RFC 2578 7.1.4).",
    " */",
    "#ifndef %s" % guard,
    "#define %s" % guard,
]
tail = ["", "#endif /* %s */" % guard, ""]
with open(out_path, "w") as f:
    f.write("\n".join(head + lines + tail))
print("gen-oids: %d OIDs from %s" % (count, module))
EOF

mv -f "$tmp" "$out"
trap - EXIT INT TERM
