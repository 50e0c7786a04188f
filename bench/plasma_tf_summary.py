#!/usr/bin/env python3
"""plasma_tf_summary.py OUT_DIR -- the tables of bench/plasma_tf.sh from its calls.

Writes OUT_DIR/panel.tsv and OUT_DIR/lowpass.tsv (one row per tumour: truth, the estimate with
its interval and status, MET's call with the estimate and with the true fraction) and
OUT_DIR/results.md (by tumour fraction).  "within" is |error| <= max(0.01, 25% of the fraction),
docs/purity.md section 9's tolerance for plasma; "flagged" is a status other than `estimated` or
the remark purity_ambiguous; "wrong" is within-tolerance failed and not flagged."""
import csv
import glob
import math
import os
import sys

out = sys.argv[1]
design = {}
for line in open(os.path.join(out, "design.txt")):
    name, kind, genome, f, seed, depth = line.split()
    design[name] = dict(kind=kind, genome=genome, tf=float(f), depth=depth)


def met_rows(pattern):
    res = {}
    for fn in glob.glob(os.path.join(out, "calls", pattern)):
        for r in csv.DictReader(open(fn), delimiter="\t"):
            if r["gene"] == "MET":
                res[r["sample"]] = r
    return res


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return float("nan")


def median(v):
    v = sorted(x for x in v if not math.isnan(x))
    if not v:
        return float("nan")
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def fit_view(r, tf):
    """the estimate of one call against the truth"""
    if r is None:
        return None
    est, lo, hi = num(r["purity_estimate"]), num(r["purity_estimate_low"]), num(r["purity_estimate_high"])
    st = r["purity_estimate_status"]
    amb = "purity_ambiguous" in r["qc_reasons"]
    flagged = st != "estimated" or amb
    within = st == "estimated" and abs(est - tf) <= max(0.01, 0.25 * tf)
    return dict(est=est, lo=lo, hi=hi, status=st, ambiguous=amb, flagged=flagged, within=within,
                err=abs(est - tf) if st == "estimated" else float("nan"),
                covered=lo <= tf <= hi, wrong=not within and not flagged,
                detection=r["detection"], cn=num(r["cn"]), cn_lo=num(r["cn_low"]),
                cn_hi=num(r["cn_high"]), pcn=num(r["plasma_cn"]), pcn_lo=num(r["plasma_cn_low"]),
                pcn_hi=num(r["plasma_cn_high"]), qc=r["qc"])


def fmt(x, p=3):
    return "NA" if x is None or (isinstance(x, float) and math.isnan(x)) else ("%.*g" % (p, x))


def status_counts(views):
    n_e = sum(v["status"] == "estimated" for v in views)
    n_u = sum(v["status"] == "upper_bound" for v in views)
    n_d = sum(v["status"] in ("undetermined", "none") for v in views)
    return "%d / %d / %d" % (n_e, n_u, n_d)


lines = ["# Tumour fraction estimated from the reads (bench/plasma_tf.sh)", ""]
cols = ["sample", "kind", "genome", "depth", "tf", "est", "est_low", "est_high", "status",
        "ambiguous", "within", "covered", "detection_est", "cn_est", "cn_est_low", "cn_est_high",
        "dep_est", "dep_low", "dep_high", "dep_status", "detection_true", "cn_true",
        "cn_true_low", "cn_true_high", "plasma_cn", "plasma_cn_low", "plasma_cn_high", "mix_cn"]


def write_rows(fn, rows):
    with open(os.path.join(out, fn), "w") as fh:
        fh.write("\t".join(cols) + "\n")
        for row in rows:
            fh.write("\t".join(fmt(row.get(c)) if isinstance(row.get(c), float) else str(row.get(c, "NA"))
                               for c in cols) + "\n")


# ---- panel -----------------------------------------------------------------------------------
snp, dep, true, tis = met_rows("pt_snp.calls.tsv"), met_rows("pt_dep.calls.tsv"), \
    met_rows("pt_true_f*.calls.tsv"), met_rows("tt_snp.calls.tsv")
panel = []
for name, d in sorted(design.items(), key=lambda x: (x[1]["kind"], x[1]["tf"], x[0])):
    if d["kind"] not in ("pt", "tt"):
        continue
    s = fit_view((snp if d["kind"] == "pt" else tis).get(name), d["tf"])
    if s is None:
        continue
    row = dict(sample=name, kind=d["kind"], genome=d["genome"], depth=d["depth"], tf=d["tf"],
               est=s["est"], est_low=s["lo"], est_high=s["hi"], status=s["status"],
               ambiguous="yes" if s["ambiguous"] else "no", within="yes" if s["within"] else "no",
               covered="yes" if s["covered"] else "no", detection_est=s["detection"],
               cn_est=s["cn"], cn_est_low=s["cn_lo"], cn_est_high=s["cn_hi"],
               mix_cn=d["tf"] * 10 + 2 * (1 - d["tf"]))
    dv = fit_view(dep.get(name), d["tf"])
    if dv:
        row.update(dep_est=dv["est"], dep_low=dv["lo"], dep_high=dv["hi"], dep_status=dv["status"])
    t = true.get(name)
    if t:
        row.update(detection_true=t["detection"], cn_true=num(t["cn"]), cn_true_low=num(t["cn_low"]),
                   cn_true_high=num(t["cn_high"]), plasma_cn=num(t["plasma_cn"]),
                   plasma_cn_low=num(t["plasma_cn_low"]), plasma_cn_high=num(t["plasma_cn_high"]))
    row["_s"], row["_d"] = s, dv
    panel.append(row)
if panel:
    write_rows("panel.tsv", panel)
    pts = [r for r in panel if r["kind"] == "pt"]
    tts = [r for r in panel if r["kind"] == "tt"]
    lines += ["## Deep panel (380 targets, ~700 SNP sites), MET 10 copies, genomes two/four",
              "",
              "Plasma (`-d %s`), estimated with the sites; depth alone; MET detected with the "
              "estimate / with the true fraction.  Tissue: the same genomes, `-d %s`, sites." %
              (pts[0]["depth"] if pts else "NA", tts[0]["depth"] if tts else "NA"), "",
              "| TF | n | median abs error | within | covered | estimated / upper_bound / undetermined | "
              "ambiguous | wrong, not flagged | detected (est. TF) | detected (true TF) | "
              "depth alone: within / covered / estimated | tissue: n, within, covered, est./ub/und., wrong |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for tf in sorted({r["tf"] for r in pts}):
        g = [r for r in pts if r["tf"] == tf]
        s = [r["_s"] for r in g]
        dv = [r["_d"] for r in g if r["_d"]]
        tg = [r["_s"] for r in tts if r["tf"] == tf]
        lines.append("| %g | %d | %s | %d | %d | %s | %d | %d | %d | %d | %d / %d / %d | %s |" % (
            tf, len(g), fmt(median([v["err"] for v in s]), 2), sum(v["within"] for v in s),
            sum(v["covered"] for v in s), status_counts(s), sum(v["ambiguous"] for v in s),
            sum(v["wrong"] for v in s), sum(v["detection"] == "detected" for v in s),
            sum(r.get("detection_true") == "detected" for r in g), sum(v["within"] for v in dv),
            sum(v["covered"] for v in dv), sum(v["status"] == "estimated" for v in dv),
            ("%d, %d, %d, %s, %d" % (len(tg), sum(v["within"] for v in tg), sum(v["covered"] for v in tg),
                                     status_counts(tg), sum(v["wrong"] for v in tg))) if tg else "—"))
    lines.append("")
    lines.append("Detection with the estimate, by status (plasma): " + ", ".join(
        "%s %d/%d" % (st, sum(r["_s"]["detection"] == "detected" for r in pts if r["_s"]["status"] == st),
                      sum(r["_s"]["status"] == st for r in pts))
        for st in sorted({r["_s"]["status"] for r in pts})))
    lines.append("")

# ---- low-pass --------------------------------------------------------------------------------
lp = []
for d in sorted({x["depth"] for x in design.values() if x["kind"] == "lt"}, key=float):
    est, tr = met_rows("lt_d%s_est.calls.tsv" % d), met_rows("lt_d%s_true_f*.calls.tsv" % d)
    for name, x in sorted(design.items(), key=lambda y: (y[1]["tf"], y[0])):
        if x["kind"] != "lt" or x["depth"] != d or name not in est:
            continue
        s = fit_view(est[name], x["tf"])
        row = dict(sample=name, kind="lt", genome=x["genome"], depth=d, tf=x["tf"], est=s["est"],
                   est_low=s["lo"], est_high=s["hi"], status=s["status"],
                   ambiguous="yes" if s["ambiguous"] else "no", within="yes" if s["within"] else "no",
                   covered="yes" if s["covered"] else "no", detection_est=s["detection"], cn_est=s["cn"],
                   cn_est_low=s["cn_lo"], cn_est_high=s["cn_hi"], mix_cn=x["tf"] * 10 + 2 * (1 - x["tf"]))
        t = tr.get(name)
        if t:
            row.update(detection_true=t["detection"], cn_true=num(t["cn"]), cn_true_low=num(t["cn_low"]),
                       cn_true_high=num(t["cn_high"]), plasma_cn=num(t["plasma_cn"]),
                       plasma_cn_low=num(t["plasma_cn_low"]), plasma_cn_high=num(t["plasma_cn_high"]))
        row["_s"] = s
        lp.append(row)
if lp:
    write_rows("lowpass.tsv", lp)
    lines += ["## Low-pass whole genome (100 kb tiles), 4 chromosome-level events, MET 10 copies", "",
              "| depth | TF | n | estimates (interval) | median abs error | within | covered | "
              "estimated / upper_bound / undetermined | wrong, not flagged | MET cn, est. TF (interval) | "
              "MET cn, true TF (interval) | plasma_cn (interval) / truth | detected est. / true TF |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for d in sorted({r["depth"] for r in lp}, key=float):
        for tf in sorted({r["tf"] for r in lp if r["depth"] == d}):
            g = [r for r in lp if r["depth"] == d and r["tf"] == tf]
            s = [r["_s"] for r in g]
            lines.append("| %sx | %g | %d | %s | %s | %d | %d | %s | %d | %s | %s | %s / %s | %d / %d |" % (
                d, tf, len(g), "; ".join("%s [%s, %s]" % (fmt(v["est"], 2), fmt(v["lo"], 2), fmt(v["hi"], 2)) for v in s),
                fmt(median([v["err"] for v in s]), 2), sum(v["within"] for v in s), sum(v["covered"] for v in s),
                status_counts(s), sum(v["wrong"] for v in s),
                "; ".join("%s [%s, %s]" % (fmt(r["cn_est"]), fmt(r["cn_est_low"]), fmt(r["cn_est_high"])) for r in g),
                "; ".join("%s [%s, %s]" % (fmt(r.get("cn_true")), fmt(r.get("cn_true_low")), fmt(r.get("cn_true_high"))) for r in g),
                "; ".join("%s [%s, %s]" % (fmt(r.get("plasma_cn")), fmt(r.get("plasma_cn_low")), fmt(r.get("plasma_cn_high"))) for r in g),
                fmt(g[0]["mix_cn"]), sum(v["detection"] == "detected" for v in s),
                sum(r.get("detection_true") == "detected" for r in g)))
    lines.append("")
open(os.path.join(out, "results.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
