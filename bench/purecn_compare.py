#!/usr/bin/python3
"""purecn_compare.py OUT -- the table of bench/purecn_compare.sh.

Reads OUT/samples.txt, OUT/grid (purity_grid.sh: truth files and metcn's grid.tsv),
OUT/purecn/out/NAME/NAME.csv (PureCN.R) and NAME.genes.tsv (bench/purecn_genes.R), OUT/cnvkit/NAME.cnr (CNVkit batch).
Writes OUT/compare.tsv (one row per tumour and tool) and prints the per-tool summary.

Tier of a peer: the MET/chr7 copy-number ratio (chr7 = the C7p/C7q control bins, metcn's
default control) against the truth's thresholds (negative < 1.8 <= low <= 2.2 < intermediate
< 5 <= high, metcn-sim's fish_tier).  metcn's tier is its own call (`tier`, with `equivocal`).
"""
import csv
import glob
import math
import os
import statistics
import sys

out = sys.argv[1]
grid = os.path.join(out, "grid")
samples = [l.strip() for l in open(os.path.join(out, "samples.txt")) if l.strip()]


def one_row(path):
    with open(path) as f:
        return next(csv.DictReader(f, delimiter="\t"))


def num(s):
    try:
        v = float(s)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


def tier(r):
    if r is None:
        return "NA"
    e = 1e-9
    return "negative" if r < 1.8 - e else "low" if r <= 2.2 + e else "intermediate" if r < 5 - e else "high"


metcn = {r["sample"]: r for r in csv.DictReader(open(os.path.join(grid, "grid.tsv")), delimiter="\t")}


def truth_p(s):
    return float(one_row(os.path.join(grid, s + ".truth.tsv"))["purity"])


def purecn(s):
    d = os.path.join(out, "purecn", "out", s)
    res = {"purity": None, "ploidy": None, "cn": None, "chr7": None, "flag": "", "near": None}
    p = os.path.join(d, s + ".csv")
    if not os.path.exists(p):
        res["flag"] = "failed"
        return res
    r = next(csv.DictReader(open(p)))
    res["purity"], res["ploidy"] = num(r.get("Purity")), num(r.get("Ploidy"))
    res["flag"] = ("flagged:" + r.get("Comment", "")) if r.get("Flagged") == "TRUE" else ""
    sol = os.path.join(d, s + ".solutions.tsv")  # its ranked solutions: the first within 0.05
    res["near"] = None
    if os.path.exists(sol):
        for r in csv.DictReader(open(sol), delimiter="\t"):
            if res["near"] is None and abs(float(r["purity"]) - truth_p(s)) <= 0.05 + 1e-9:
                res["near"] = int(r["rank"])
    g = os.path.join(d, s + ".genes.tsv")  # bench/purecn_genes.R on NAME.rds
    if os.path.exists(g):
        c7 = []
        for r in csv.DictReader(open(g), delimiter="\t"):
            if r["gene"] == "MET":
                res["cn"] = num(r["C"])
            elif r["gene"] in ("C7p", "C7q"):
                c7.append((num(r["C"]), num(r["number.targets"]) or 1))
        c7 = [x for x in c7 if x[0] is not None]
        if c7:
            res["chr7"] = sum(c * w for c, w in c7) / sum(w for _, w in c7)
    return res


def cnvkit(s):
    p = os.path.join(out, "cnvkit", s + ".cnr")
    if not os.path.exists(p):
        return None, None
    met, c7 = [], []
    for r in csv.DictReader(open(p), delimiter="\t"):
        g = r["gene"].split(",")[0]
        w = num(r.get("weight")) or 1.0
        if g.startswith("MET_"):
            met.append((num(r["log2"]), w))
        elif g.startswith("C7p_") or g.startswith("C7q_"):
            c7.append((num(r["log2"]), w))
    wm = lambda v: sum(l * w for l, w in v) / sum(w for _, w in v) if v else None
    return wm(met), wm(c7)


def cn_at(l2, p):  # copy number per tumour cell from a log2 ratio against a diploid reference
    return None if l2 is None else (2 * 2 ** l2 - 2 * (1 - p)) / p


rows = []
for s in samples:
    t = one_row(os.path.join(grid, s + ".truth.tsv"))
    tp, tcn, ttier = float(t["purity"]), float(t["met_cn"]), t["fish_tier"]
    genome = s.split("_")[1]
    base = {"sample": s, "genome": genome, "purity": tp, "ploidy": float(t["ploidy"]),
            "met_cn": tcn, "fish_tier": ttier}
    m = metcn.get(s, {})
    est = num(m.get("est")) if m.get("status") == "estimated" else None
    rows.append(dict(base, tool="metcn", purity_est=est, ploidy_est=num(m.get("ploidy_est")),
                     note=m.get("status", "") + (" " + m["qc_reasons"] if m.get("qc_reasons") not in (None, "", "NA", ".") else ""),
                     cn=num(m.get("cn_est")), tier=m.get("tier_est", "NA"),
                     equivocal=m.get("equivocal_est", "")))
    rows.append(dict(base, tool="metcn_true_purity", purity_est=tp, ploidy_est=None, note="given",
                     cn=num(m.get("cn_given")), tier=m.get("tier_given", "NA"),
                     equivocal=m.get("equivocal_given", "")))
    pc = purecn(s)
    pr = pc["cn"] / pc["chr7"] if pc["cn"] is not None and pc["chr7"] else None
    rows.append(dict(base, tool="purecn", purity_est=pc["purity"], ploidy_est=pc["ploidy"],
                     note=("solution within 0.05 at rank %s; " % (pc["near"] or "none")) + pc["flag"], cn=pc["cn"], tier=tier(pr), equivocal=""))
    lm, l7 = cnvkit(s)
    for tool, p in (("cnvkit_p1", 1.0), ("cnvkit_true_purity", tp)):
        c, c7 = cn_at(lm, p), cn_at(l7, p)
        rows.append(dict(base, tool=tool, purity_est=None, ploidy_est=None, note="",
                         cn=c, tier=tier(c / c7 if c is not None and c7 else None), equivocal=""))

cols = ["sample", "genome", "purity", "ploidy", "met_cn", "fish_tier", "tool", "purity_est",
        "ploidy_est", "note", "cn", "tier", "equivocal"]
fmt = lambda v: "NA" if v is None else ("%.4g" % v if isinstance(v, float) else str(v))
with open(os.path.join(out, "compare.tsv"), "w") as f:
    f.write("\t".join(cols) + "\n")
    for r in rows:
        f.write("\t".join(fmt(r[c]) for c in cols) + "\n")

# summary per tool
tools = ["metcn", "purecn", "metcn_true_purity", "cnvkit_p1", "cnvkit_true_purity"]
print("%-20s %3s %12s %14s %12s %12s %10s %12s" % ("tool", "n", "purity_given", "med|p_err|",
                                                  "p+-0.05", "med|cn_err|", "tier_ok", "tier_ok(ne)"))
for tool in tools:
    rs = [r for r in rows if r["tool"] == tool]
    n = len(rs)
    pe = [abs(r["purity_est"] - r["purity"]) for r in rs if r["purity_est"] is not None]
    ce = [abs(r["cn"] - r["met_cn"]) for r in rs if r["cn"] is not None]
    ok = sum(r["tier"] == r["fish_tier"] for r in rs)
    ne = [r for r in rs if r["equivocal"] != "yes"]
    peer = tool in ("purecn", "metcn")
    print("%-20s %3d %12s %14s %12s %12s %10s %12s" % (
        tool, n, "%d/%d" % (len(pe), n) if peer else "-",
        "%.3f" % statistics.median(pe) if peer and pe else "-",
        "%d/%d" % (sum(e <= 0.05 + 1e-9 for e in pe), n) if peer else "-",
        "%.2f (%d)" % (statistics.median(ce), len(ce)) if ce else "-",
        "%d/%d" % (ok, n), "%d/%d" % (sum(r["tier"] == r["fish_tier"] for r in ne), len(ne))))
print()
print("per genome (purity estimate / MET cn, truth -> metcn | PureCN | CNVkit p=1):")
for s in samples:
    rr = {r["tool"]: r for r in rows if r["sample"] == s}
    m, p, c = rr["metcn"], rr["purecn"], rr["cnvkit_p1"]
    print("%-14s p=%.1f cn=%-4g %-12s | metcn %5s %6s %-12s %-30s | PureCN %5s %6s %-12s %s | CNVkit %6s %s" % (
        s, m["purity"], m["met_cn"], m["fish_tier"], fmt(m["purity_est"]), fmt(m["cn"]), m["tier"],
        m["note"][:30], fmt(p["purity_est"]), fmt(p["cn"]), p["tier"], p["note"][:60],
        fmt(c["cn"]), c["tier"]))
