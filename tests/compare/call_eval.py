#!/usr/bin/env python3
"""call_eval.py -- score MET calls against the simulator's truth (manifest.tsv).

  call_eval.py MANIFEST CALLS.tsv [CALLS.tsv ...] [--label NAME] [--assert] [--min-purity 0.3]

CALLS files are `metcn call` tables (PREFIX.calls.tsv: the gene-neutral columns, MET rows
only, or the 0.1 columns) or any TSV with at least the columns sample, met_cn, tier (and
optionally met_cn_low, met_cn_high, equivocal, high_amp, pattern, chr7_cn, lod_met_cn), e.g.
the one tests/compare/call_cnvkit.sh writes for CNVkit.
Prints one line of metrics; with --assert exits 1 when a metcn acceptance criterion fails:
  - true MET copy number inside [met_cn_low, met_cn_high] in >= 95% of tumours at purity >= 0.3
  - a non-equivocal tier equals the truth tier in >= 95% of tumours
  - a truth ratio exactly on a tier boundary (>= 0.3 purity) is called equivocal in >= 80%
  - high_amp (yes/no, equivocal excluded) right in >= 95%
  - pattern right in >= 90% of tumours at purity >= 0.3 whose focal excess is 0 or at least
    4x the sample's own detection-limit excess
  - normals: never tier > negative, never gcn amplified, never high_amp yes
"""
import math
import sys

BOUNDS = {"camidge": (1.8, 2.2, 5.0), "profile2021": (1.8, 2.2, 4.0)}


def tier_of(r, crit="camidge"):
    lo, mid, hi = BOUNDS[crit]
    if not r >= lo:
        return "negative"
    if r >= hi:
        return "high"
    if r > mid:
        return "intermediate"
    return "low"


# gene-neutral calls-table columns -> the 0.1 names this script scores (docs/call.md)
NEUTRAL = {"cn": "met_cn", "cn_low": "met_cn_low", "cn_high": "met_cn_high",
           "control_cn": "chr7_cn", "ratio": "met_chr7_ratio", "lod_cn": "lod_met_cn"}


def read_tsv(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f if line.strip()]
    if "control_cn" in head:  # gene-neutral table: MET rows, 0.1 names
        rows = [{NEUTRAL.get(k, k): v for k, v in r.items()} for r in rows
                if r.get("gene", "MET") == "MET"]
    return rows


def num(x):
    try:
        v = float(x)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    check = "--assert" in argv
    label = "metcn"
    minp = 0.3
    for i, a in enumerate(argv):
        if a == "--label":
            label = argv[i + 1]
            args.remove(argv[i + 1])
        if a == "--min-purity":
            minp = float(argv[i + 1])
            args.remove(argv[i + 1])
    truth = {r["sample"]: r for r in read_tsv(args[0])}
    calls = {}
    for p in args[1:]:
        for r in read_tsv(p):
            calls[r["sample"]] = r
    fails = []
    m = dict(n=0, cov_n=0, cov_ok=0, ae=[], tier_n=0, tier_ok=0, tier_all_ok=0, bnd_n=0,
             bnd_eq=0, amp_n=0, amp_ok=0, pat_n=0, pat_ok=0, norm_n=0, norm_ok=0)
    missing = [s for s in truth if s not in calls and truth[s]["kind"] in ("tumour", "normal")]
    for s, t in truth.items():
        c = calls.get(s)
        if c is None:
            continue
        if t["kind"] != "tumour":
            m["norm_n"] += 1
            ok = c.get("tier") == "negative" and c.get("gcn_class", "none") != "amplified" \
                and c.get("high_amp", "no") != "yes"
            m["norm_ok"] += ok
            if not ok:
                fails.append(f"normal {s} called {c.get('tier')}/{c.get('gcn_class')}")
            continue
        m["n"] += 1
        tc, pur, c7 = float(t["met_cn"]), float(t["purity"]), float(t["chr7_cn"])
        cn = num(c.get("met_cn"))
        if cn is not None:
            m["ae"].append(abs(cn - tc))
        lo, hi = num(c.get("met_cn_low")), num(c.get("met_cn_high"))
        if pur >= minp and lo is not None and hi is not None:
            m["cov_n"] += 1
            m["cov_ok"] += lo <= tc <= hi
            if not lo <= tc <= hi:
                print(f"  miss {s}: truth {tc} call {cn} [{lo}, {hi}]", file=sys.stderr)
        ratio = tc / c7
        ttier = tier_of(ratio)
        m["tier_all_ok"] += c.get("tier") == ttier
        eq = c.get("equivocal", "no") == "yes"
        if not eq:
            m["tier_n"] += 1
            m["tier_ok"] += c.get("tier") == ttier
            if c.get("tier") != ttier:
                print(f"  tier {s}: truth {ttier} ({ratio:.2f}) call {c.get('tier')}",
                      file=sys.stderr)
        if pur >= minp and any(abs(ratio - b) < 1e-9 for b in BOUNDS["camidge"]):
            m["bnd_n"] += 1
            m["bnd_eq"] += eq
        ha = c.get("high_amp")
        if ha in ("yes", "no"):
            m["amp_n"] += 1
            m["amp_ok"] += (ha == "yes") == (tc > 10)
        lod = num(c.get("lod_met_cn"))
        c7c = num(c.get("chr7_cn"))
        if "pattern" in c and pur >= minp and lod is not None and c7c is not None:
            arm = float(t["chr7q_cn"]) if t.get("chr7q_cn") not in (None, "", "NA") else c7
            excess = tc - arm
            if excess <= 0 or excess > 4 * (lod - c7c):
                m["pat_n"] += 1
                m["pat_ok"] += c["pattern"] == t["pattern"]
                if c["pattern"] != t["pattern"]:
                    print(f"  pattern {s}: truth {t['pattern']} call {c['pattern']}",
                          file=sys.stderr)
    ae = sorted(m["ae"])
    med = ae[len(ae) // 2] if ae else float("nan")
    mean = sum(ae) / len(ae) if ae else float("nan")
    frac = lambda a, b: f"{a}/{b} ({100.0 * a / b:.1f}%)" if b else "n/a"
    print(f"{label}: tumours {m['n']}; MET CN abs error median {med:.2f} mean {mean:.2f}; "
          f"tier accuracy {frac(m['tier_all_ok'], m['n'])}; "
          f"non-equivocal tier {frac(m['tier_ok'], m['tier_n'])}; "
          f"interval coverage (purity>={minp}) {frac(m['cov_ok'], m['cov_n'])}; "
          f"boundary equivocal {frac(m['bnd_eq'], m['bnd_n'])}; "
          f">10 flag {frac(m['amp_ok'], m['amp_n'])}; pattern {frac(m['pat_ok'], m['pat_n'])}; "
          f"normals clean {frac(m['norm_ok'], m['norm_n'])}")
    if check:
        if missing:
            fails.append(f"no call for {len(missing)} samples, e.g. {missing[0]}")
        if m["cov_n"] == 0 or m["cov_ok"] < 0.95 * m["cov_n"]:
            fails.append("interval coverage below 95%")
        if m["tier_n"] == 0 or m["tier_ok"] < 0.95 * m["tier_n"]:
            fails.append("non-equivocal tier accuracy below 95%")
        if m["bnd_n"] and m["bnd_eq"] < 0.8 * m["bnd_n"]:
            fails.append("boundary cases not equivocal")
        if m["amp_n"] == 0 or m["amp_ok"] < 0.95 * m["amp_n"]:
            fails.append(">10 flag accuracy below 95%")
        if m["pat_n"] == 0 or m["pat_ok"] < 0.9 * m["pat_n"]:
            fails.append("pattern accuracy below 90%")
        if m["norm_ok"] != m["norm_n"]:
            fails.append("a normal was called amplified")
        for f in fails:
            print("FAIL: " + f, file=sys.stderr)
        return 1 if fails else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
