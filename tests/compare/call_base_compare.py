#!/usr/bin/env python3
"""call_base_compare.py -- compare two call_dump_driver dumps (BASE NEW): every number equal
within 1e-9 (absolute, or relative to its size), every other field identical; the 0.1 QC
strings are mapped to the gene-neutral records first.  Prints a summary; exits 1 on any
difference."""
import math
import re
import sys

TOL = 1e-9


def load(path):
    d = {}
    with open(path) as f:
        for line in f:
            s, k, v = line.rstrip("\n").split("\t", 2)
            d[(s, k)] = v
    return d


def qc_01_to_new(q):
    """0.1 remarks -> gene-neutral records (same values, new names and forms)."""
    if q == ".":
        return []
    out = []
    for r in q.split(";"):
        m = re.match(r"^MET_bins_heterogeneous\(se=([^,]+),model=([^)]+)\)$", r)
        if m:
            out.append(("gene_bins_heterogeneous", float(m.group(1)) / float(m.group(2)), 3.0))
            continue
        m = re.match(r"^noise=([^x]+)x_pon_model$", r)
        if m:
            out.append(("noise", float(m.group(1)), 1.5))
            continue
        if r == "chr7_control_fragmented":
            out.append(("control_fragmented", None, None))
            continue
        m = re.match(r"^([A-Za-z0-9_]+)=([-0-9.e+]+)(?:[<>]([-0-9.e+]+))?$", r)
        if not m:
            out.append((r, None, None))
            continue
        name = m.group(1).replace("MET_bins", "gene_bins")
        thr = float(m.group(3)) if m.group(3) else None
        out.append((name, float(m.group(2)), thr))
    return out


def qc_new(q):
    if q == ".":
        return []
    out = []
    for r in q.split(";"):
        m = re.match(r"^([a-z0-9_]+)=([-0-9.e+]+)(?:[<>]([-0-9.e+]+))?$", r)
        out.append((m.group(1), float(m.group(2)), float(m.group(3)) if m.group(3) else None))
    return out


def close3(a, b):
    """equal at the 3 significant digits both strings print (1%: the 0.1 heterogeneity remark
    printed SE and model SE apart, each rounded, and their ratio is compared)"""
    if a is None or b is None:
        return True
    return abs(a - b) <= 0.01 * max(abs(a), abs(b), 1e-12)


def main(base_path, new_path):
    a, b = load(base_path), load(new_path)
    samples = sorted({s for s, _ in a})
    diffs = []
    nnum = nother = 0
    maxdiff = 0.0
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            diffs.append(f"{key}: only in {'new' if key in b else 'base'}")
            continue
        va, vb = a[key], b[key]
        if key[1] == "qc_reasons":
            qa, qb = qc_01_to_new(va), qc_new(vb)
            same = len(qa) == len(qb) and all(
                x[0] == y[0] and close3(x[1], y[1]) and close3(x[2], y[2]) for x, y in zip(qa, qb))
            nother += 1
            if not same:
                diffs.append(f"{key}: base '{va}' new '{vb}'")
            continue
        try:
            fa, fb = float(va), float(vb)
        except ValueError:
            nother += 1
            if va != vb:
                diffs.append(f"{key}: base {va} new {vb}")
            continue
        nnum += 1
        if (math.isnan(fa) and math.isnan(fb)) or fa == fb:
            continue
        d = abs(fa - fb)
        if not (d <= TOL or d <= TOL * max(abs(fa), abs(fb))):
            diffs.append(f"{key}: base {va} new {vb}")
        elif math.isfinite(d):
            maxdiff = max(maxdiff, d)
    print(f"samples {len(samples)}; numbers compared {nnum}, other fields {nother}; "
          f"largest absolute difference {maxdiff:.3g}; differences beyond 1e-9: {len(diffs)}")
    for x in diffs[:40]:
        print("  " + x)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
