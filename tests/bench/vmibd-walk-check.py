#!/usr/bin/env python3
"""vmibd-walk-check.py WORK N ROOT [ns] - compare vmibd's walks with virsh.

Used by tests/integration/20-vmibd-testdriver.sh.  Reads, from WORK:
  vm.walk vif.walk host.walk image.walk rfc.walk [ifdescr.walk]
    snmpbulkwalk output with -On -Oq -Ot -Ox (strings in hex)
  virsh.out
    one virsh -q session: list --all --name, then dominfo and domiflist of
    every domain (the domains come from vmibd-walk-env.sh vw_gen_node)
Prints "failures N" last (the first 15 failures before it), the index of
dom0001 ("dom0001-index N") and, with "ns", how many vifs had their
ifIndex checked against IF-MIB's ifDescr.
"""
import sys

work, n, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ns = len(sys.argv) > 4 and sys.argv[4] == "ns"


def load(name):
    d = {}
    try:
        f = open("%s/%s" % (work, name))
    except OSError:
        return d
    for line in f:
        line = line.rstrip("\n")
        if not line.startswith("."):
            continue
        oid, _, val = line.partition(" ")
        d[oid[1:]] = val.strip()
    return d


def hexstr(v):
    """a string value printed with -Ox: "41 42 " (quotes optional)"""
    v = v.strip().strip('"').strip()
    return bytes(int(x, 16) for x in v.split())


def cols(d, prefix):
    """prefix.col.idx... -> {(col, idx tuple): value}"""
    out = {}
    pl = prefix + "."
    for oid, v in d.items():
        if oid.startswith(pl):
            parts = [int(x) for x in oid[len(pl):].split(".")]
            out[(parts[0], tuple(parts[1:]))] = v
    return out


fails = []


def check(cond, msg):
    if not cond:
        fails.append(msg)


vm = cols(load("vm.walk"), root + ".1.3.1")
vif = cols(load("vif.walk"), root + ".1.4.1")
host = cols(load("host.walk"), root + ".1.1")
img = cols(load("image.walk"), root + ".1.2.1")
rfc = load("rfc.walk")
rvm = cols(rfc, "1.3.6.1.2.1.236.1.4.1")
rcpu = cols(rfc, "1.3.6.1.2.1.236.1.5.1")
rnet = cols(rfc, "1.3.6.1.2.1.236.1.8.1")

# the virsh view: chunks after each "virsh # " prompt start with the command
names, info, ifl = [], {}, {}
for ch in open(work + "/virsh.out").read().split("virsh # "):
    lines = ch.strip("\n").split("\n")
    if not lines or not lines[0]:
        continue
    cmd, body = lines[0].split(), lines[1:]
    if cmd[:1] == ["list"]:
        names = [l.strip() for l in body if l.strip()]
    elif cmd[:1] == ["dominfo"]:
        info[cmd[1]] = {k.strip(): v.strip()
                        for k, _, v in (l.partition(":") for l in body) if k.strip()}
    elif cmd[:1] == ["domiflist"]:
        ifl[cmd[1]] = [l.split() for l in body
                       if l.strip() and not l.startswith("---") and "Interface" not in l]

check(len(names) == n, "virsh lists %d domains, expected %d" % (len(names), n))
rows = sorted({idx[0] for (c, idx) in vm})
check(len(rows) == n, "vmibVmTable has %d rows, expected %d" % (len(rows), n))
check(len(vm) == n * 17, "vmibVmTable has %d instances, expected %d" % (len(vm), n * 17))

byname = {}
for i in rows:
    name = hexstr(vm.get((2, (i,)), "")).decode()
    check(name not in byname, "name %s twice" % name)
    byname[name] = i
check(set(byname) == set(names), "VM names differ from virsh list")

state_map = {"running": "2", "paused": "4", "shut off": "6"}
for name, i in sorted(byname.items()):
    vi = info.get(name, {})
    num = int(name[3:])
    check(hexstr(vm[(3, (i,))]).decode() == vi.get("UUID"), "%s uuid" % name)
    check(vm[(7, (i,))] == state_map.get(vi.get("State")),
          "%s oper state %s vs %s" % (name, vm[(7, (i,))], vi.get("State")))
    check(vm[(5, (i,))] == vi.get("Max memory", "").split()[0], "%s memory" % name)
    check(vm[(6, (i,))] == vi.get("CPU(s)"), "%s vcpus" % name)
    check(hexstr(vm[(4, (i,))]) == b"vmib-test", "%s image" % name)
    check(vm[(17, (i,))] == "1", "%s row status" % name)
    if num % 7 == 0:
        check(i == 5000 + num, "%s: recorded index %d not kept (got %d)" % (name, 5000 + num, i))
    else:
        check(1 <= i <= n, "%s: index %d outside 1..%d" % (name, i, n))
    # RFC 7666: the same index names the same VM
    check(hexstr(rvm.get((2, (i,)), "")) == name.encode(), "%s: vmName at vmIndex %d" % (name, i))
    check(hexstr(rvm.get((3, (i,)), "")).hex() == vi.get("UUID", "").replace("-", ""),
          "%s vmUUID" % name)
    check(rvm.get((9, (i,))) == vi.get("CPU(s)"), "%s vmCurCpuNumber" % name)
    ncpu = len([1 for (c, idx) in rcpu if idx[0] == i])
    check(ncpu == int(vi.get("CPU(s)", 0)), "%s: %d vmCpuTable rows" % (name, ncpu))
    # vifs, numbered in definition order
    want = ifl.get(name, [])
    got = sorted(k[1] for (c, k) in vif if c == 2 and k[0] == i)
    check(len(got) == len(want) == 3, "%s: %d vifs vs virsh %d" % (name, len(got), len(want)))
    active = vi.get("State") != "shut off"
    for pos, row in enumerate(want):
        k = (i, pos + 1)
        dev, _type, src, model, mac = row
        # a shut off VM has no host device (VMIB-MIB vmibVifDevice)
        check(hexstr(vif.get((2, k), "")).decode() == (dev if active else ""),
              "%s vif %d device" % (name, pos + 1))
        check(hexstr(vif.get((3, k), "")).hex(":") == mac, "%s vif %d mac" % (name, pos + 1))
        check(hexstr(vif.get((4, k), "")).decode() == src, "%s vif %d bridge" % (name, pos + 1))
        check(hexstr(rnet.get((4, k), "")).decode() == model, "%s vmNetworkModel" % name)
        check(hexstr(rnet.get((5, k), "")).hex(":") == mac, "%s vmNetworkPhysAddress" % name)
        for c in range(9, 17):
            check((c, k) in vif, "%s vif %d counter column %d" % (name, pos + 1, c))
    net = 1 + num // 65000
    check(vif.get((5, (i, 1))) == "10.%d.%d.%d" % (net, (num >> 8) & 255, num & 255),
          "%s vif 1 address %s" % (name, vif.get((5, (i, 1)))))
    check(vif.get((6, (i, 1))) == "16", "%s vif 1 prefix" % name)
    check(hexstr(vif.get((7, (i, 1)), "")) == b"10.250.0.0/24,10.%d.0.1" % net,
          "%s vif 1 routes" % name)

check(host.get((9, (0,))) == str(n), "vmibHostVmCount %s" % host.get((9, (0,))))
check(host.get((11, (0,))) == "1", "vmibHostLibvirtState connected")
check(hexstr(host.get((2, (0,)), "")) == b"TEST", "vmibHostHypervisorType")
check(rfc.get("1.3.6.1.2.1.236.1.2.0") == str(n), "vmNumber")
check(hexstr(img.get((2, (1,)), "")) == b"vmib-test", "vmibImageName.1")
check(hexstr(img.get((5, (1,)), "")) == b"6.1.0-test", "vmibImageKernelVersion.1")

if ns:
    ifdescr = {hexstr(v).decode(): oid.rsplit(".", 1)[1]
               for oid, v in load("ifdescr.walk").items()}
    checked = 0
    for (c, k), v in sorted(vif.items()):
        if c != 8:
            continue
        dev = hexstr(vif[(2, k)]).decode()
        check(v == ifdescr.get(dev, "0"),
              "ifIndex of vif %s (%s): %s, IF-MIB says %s" % (k, dev, v, ifdescr.get(dev, "0")))
        checked += v != "0"
        bridge = hexstr(vif[(4, k)]).decode()
        check(rnet.get((3, k)) == ifdescr.get(bridge, "0"), "vmNetworkParent of %s" % (k,))
    check(checked > 0, "no vif with a non-zero ifIndex")
    print("ifindex-checked %d" % checked)

print("dom0001-index %d" % byname.get("dom0001", 0))
for f in fails[:15]:
    print("FAIL " + f)
print("failures %d" % len(fails))
