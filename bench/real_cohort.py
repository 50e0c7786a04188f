#!/usr/bin/python3
"""Helper of bench/real_cohort.sh: public real capture data (CNVkit's example cohorts,
github.com/etal/cnvkit-examples) turned into metcn inputs, and the noise/QC analysis of the
results.  Needs /usr/bin/python3 with numpy (Debian python3-numpy, installed with cnvkit).

    real_cohort.py prep DATA_DIR OUT_DIR COHORT...   inputs per cohort under OUT_DIR/COHORT/
    real_cohort.py summarise OUT_DIR COHORT...       OUT_DIR/summary.md and OUT_DIR/*.tsv

Cohorts (docs/realdata.md says what each holds):
  TR     targeted panel, 41 normals + 41 tumours, on-target bins (MET: 45 bins)
  CL     the same kind of panel (cell-line baits), 4 normals + 1 cell line (MET: 46 bins)
  TRoff  TR's off-target ("antitarget") bins alone, MET = the bins over its GRCh37 extent
  EXoff  exome cohort, off-target bins alone (its on-target files are not in the repository),
         10 normals + 10 tumours, no GC (no CNVkit reference shipped for it)

GC: the .cnn coverage files carry no GC; CNVkit's shipped references (reference-tr.cnn,
reference-cell.cnn) hold the GC fraction CNVkit computed from hg19 for every bin, and a
coverage .cnn may carry a `gc` column that both metcn and `cnvkit.py reference` read.  prep
copies each coverage file with that column added (nothing else changes).
"""
import gzip
import json
import math
import os
import re
import sys

import numpy as np

COHORTS = {
    # name: (data subdir of normals, of tumours, coverage kind, GC reference, off-target bins)
    "TR": ("targeted", "targeted", "targetcoverage", "reference-tr.cnn", False),
    "CL": ("cell/normal", "cell", "targetcoverage", "reference-cell.cnn", False),
    "TRoff": ("targeted", "targeted", "antitargetcoverage", "reference-tr.cnn", True),
    "EXoff": ("exome", "exome", "antitargetcoverage", None, True),
}
CNVKIT_COHORTS = ("TR", "CL")  # on-target + off-target through CNVkit's own pipeline


def die(msg):
    sys.stderr.write("real_cohort.py: %s\n" % msg)
    sys.exit(1)


def read_table(path):
    """Tab-separated file with one header line -> (header list, list of row lists)."""
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = [ln.rstrip("\n").split("\t") for ln in f if ln.strip()]
    return head, rows


def gc_map(path):
    head, rows = read_table(path)
    ig = head.index("gc")
    return {(r[0], r[1], r[2]): r[ig] for r in rows}


def write_cnn(src, dst, gc):
    """Copy a CNVkit coverage .cnn, adding the gc column when a GC map is given."""
    head, rows = read_table(src)
    if head[:4] != ["chromosome", "start", "end", "gene"] or "log2" not in head:
        die("%s: not a CNVkit coverage .cnn" % src)
    with open(dst + ".tmp", "w") as f:
        if gc is None or "gc" in head:
            f.write("\t".join(head) + "\n")
            for r in rows:
                f.write("\t".join(r) + "\n")
        else:
            f.write("\t".join(head + ["gc"]) + "\n")
            for r in rows:
                g = gc.get((r[0], r[1], r[2]))
                if g is None:
                    die("%s: bin %s:%s-%s not in the GC reference" % (src, r[0], r[1], r[2]))
                f.write("\t".join(r + [g]) + "\n")
    os.replace(dst + ".tmp", dst)
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def sample_files(data, sub, kind, suffix):
    d = os.path.join(data, sub)
    if not os.path.isdir(d):
        return []
    return sorted(
        os.path.join(d, f) for f in os.listdir(d) if f.endswith("%s.%s.cnn" % (suffix, kind))
    )


def prep(data, out, cohorts):
    for co in cohorts:
        if co not in COHORTS:
            die("unknown cohort %s (known: %s)" % (co, " ".join(COHORTS)))
        nsub, tsub, kind, gcref, offtarget = COHORTS[co]
        normals = sample_files(data, nsub, kind, "_N")
        if co == "CL":
            tumours = [os.path.join(data, "cell", "CL_seq.%s.cnn" % kind)]
        else:
            tumours = sample_files(data, tsub, kind, "_T")
        if len(normals) < 4 or not tumours or not all(os.path.exists(t) for t in tumours):
            die("%s: normals or tumours missing under %s" % (co, data))
        gc = gc_map(os.path.join(data, gcref)) if gcref else None
        cdir = os.path.join(out, co)
        os.makedirs(os.path.join(cdir, "cov"), exist_ok=True)
        bins = None
        lists = {"normals": [], "tumours": []}
        for role, files in (("normals", normals), ("tumours", tumours)):
            for src in files:
                name = os.path.basename(src).split(".")[0]
                dst = os.path.join(cdir, "cov", name + ".cnn")
                b = write_cnn(src, dst, gc)
                if bins is None:
                    bins = b
                elif [x[:3] for x in b] != [x[:3] for x in bins]:
                    die("%s: bins differ from the first sample's" % src)
                lists[role].append(dst)
                if co in CNVKIT_COHORTS:  # CNVkit wants both files, named its way
                    for k in ("targetcoverage", "antitargetcoverage"):
                        s2 = src.replace("." + kind + ".", "." + k + ".")
                        write_cnn(s2, os.path.join(cdir, "cov", "%s.%s.cnn" % (name, k)), gc)
        with open(os.path.join(cdir, "panel.bed"), "w") as f:
            for c, s, e, g in bins:
                f.write("%s\t%s\t%s\t%s\n" % (c, s, e, "Background" if offtarget else g))
        for role in lists:
            with open(os.path.join(cdir, role + ".list"), "w") as f:
                f.write("\n".join(lists[role]) + "\n")
        # the PoN is gene-independent; the gene is the call's.  Off-target bins carry no gene
        # name, so MET's bins are those overlapping its extent in metcn's built-in GRCh37 gene
        # table (chr7:116,312,444-116,438,440, 1-based): five off-target bins of 7-144 kb.
        with open(os.path.join(cdir, "panel.opts"), "w") as f:
            f.write("--panel %s --build grch37\n" % os.path.join(cdir, "panel.bed"))
        with open(os.path.join(cdir, "gene.opts"), "w") as f:
            f.write("--gene MET\n")
        with open(os.path.join(cdir, "cnvkit.use"), "w") as f:
            f.write("1\n" if co in CNVKIT_COHORTS else "0\n")
        print(
            "%s: %d normals, %d tumours, %d bins, GC %s"
            % (co, len(normals), len(tumours), len(bins), "from " + gcref if gcref else "none")
        )



# ---- reading metcn and CNVkit outputs -------------------------------------------------------

MEDIAN_CHI2_1 = 0.454936  # median of chi-square with 1 df
GENERIC_NAMES = {"-", ".", "CGH", "Background", "Antitarget"}


def opener(path):
    return gzip.open(path, "rt") if path.endswith(".gz") else open(path)


def fnum(s):
    try:
        return float(s)
    except ValueError:
        return math.nan


def load_pon(path):
    """metcn PoN file (format 1 or 2; columns found by their '#' header lines) -> dict of
    per-bin arrays (panel order), meta and the normals' QC rows (dicts)."""
    bins, meta, samples, head = [], {}, {}, {}
    with opener(path) as f:
        for ln in f:
            r = ln.rstrip("\n").split("\t")
            if r[0].startswith("#") and not r[0].startswith("#metcn"):
                head[r[0][1:]] = r[1:]
            elif r[0] == "bin":
                bins.append(r[1:])
            elif r[0] == "meta":
                meta[r[1]] = r[2]
            elif r[0] == "sample":
                samples[r[1]] = dict(zip(head.get("sample", [])[1:], r[2:]))
    col = {c: i for i, c in enumerate(head["bin"])}

    def column(name, conv):
        return np.array([conv(b[col[name]]) for b in bins])

    p = {
        "chrom": column("chrom", str),
        "start": column("start", int),
        "end": column("end", int),
        "name": column("name", str),
        "role": column("role", str),
        "gc": column("gc", fnum),
        "rel": column("rel_depth", fnum),
        "spread": column("spread", fnum),
        "sd": column("sd", fnum),
        "excl": column("excluded", str),
        "meta": meta,
        "samples": samples,
    }
    p["key"] = {(c, s): i for i, (c, s) in enumerate(zip(p["chrom"], p["start"]))}
    return p


def load_seg(path):
    """IGV SEG (1-based start) -> {chrom: (starts0, ends, means)} sorted by start."""
    _, rows = read_table(path)
    out = {}
    for r in rows:
        out.setdefault(r[1], []).append((int(r[2]) - 1, int(r[3]), float(r[5])))
    return {c: tuple(np.array(v) for v in zip(*sorted(s))) for c, s in out.items()}


def seg_level(seg, chrom, start):
    """Segment mean for each bin (NaN outside every segment)."""
    lv = np.full(len(chrom), math.nan)
    for c in set(chrom):
        if c not in seg:
            continue
        st, en, mu = seg[c]
        m = chrom == c
        j = np.searchsorted(st, start[m], side="right") - 1
        ok = (j >= 0) & (start[m] < en[np.clip(j, 0, None)])
        v = np.full(m.sum(), math.nan)
        v[ok] = mu[j[ok]]
        lv[m] = v
    return lv


def solve_tau(m, v):
    """tau with median(m^2 / (v + tau^2)) = median of chi2(1); 0 when already below."""
    m2, v = np.asarray(m) ** 2, np.asarray(v)
    if len(m2) < 5:
        return math.nan
    lo, hi = 0.0, 2.0
    if np.median(m2 / v) <= MEDIAN_CHI2_1:
        return 0.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if np.median(m2 / (v + mid * mid)) > MEDIAN_CHI2_1:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def mad_sd(x):
    x = np.asarray(x)
    x = x[np.isfinite(x)]
    return 1.4826 * np.median(np.abs(x - np.median(x))) if len(x) else math.nan


def chi2_sf(q, df):
    """Upper tail of chi-square (Wilson-Hilferty; ample for flagging at 1e-3)."""
    if df <= 0:
        return math.nan
    z = ((q / df) ** (1 / 3) - (1 - 2 / (9 * df))) / math.sqrt(2 / (9 * df))
    return 0.5 * math.erfc(z / math.sqrt(2))


def runs(chrom, keyv):
    """Index runs of consecutive positions with equal (chrom, key)."""
    out, a = [], 0
    for i in range(1, len(chrom) + 1):
        if i == len(chrom) or chrom[i] != chrom[a] or keyv[i] != keyv[a]:
            out.append((a, i))
            a = i
    return out


def blocks(chrom, size):
    """Consecutive blocks of `size` positions within a contig (last partial kept if >= size/2)."""
    out = []
    for a, b in runs(chrom, np.zeros(len(chrom))):
        for s in range(a, b, size):
            e = min(s + size, b)
            if 2 * (e - s) >= size:
                out.append((s, e))
    return out


def block_stats(r, w, spans):
    m = np.array([np.sum(w[a:b] * r[a:b]) / np.sum(w[a:b]) for a, b in spans])
    v = np.array([1.0 / np.sum(w[a:b]) for a, b in spans])
    return m, v


GAP_CLASSES = [(0, 1, "abutting (one target split)"), (1, 1000, "< 1 kb"),
               (1000, 10000, "1-10 kb"), (10000, 100000, "10-100 kb"),
               (100000, 1000000, "0.1-1 Mb"), (1000000, 1 << 40, "> 1 Mb")]
BLOCK_SIZES = (1, 2, 5, 10, 20, 45)


class Sample:
    """One call of metcn (JSON record + .cnr + .seg) with its noise diagnostics."""

    def __init__(self, cohort, kind, js, cnr_path, seg_path, pon, offtarget):
        self.cohort, self.kind, self.js, self.name = cohort, kind, js, js["sample"]
        q, lv = js["qc"], js["levels"]
        self.qc = q["status"]
        if "records" in q:  # metcn >= format-2 PoN: QC records (code, level, value, threshold)
            self.codes = sorted({r["code"] for r in q["records"] if r["level"] in ("warn", "fail")})
        else:  # older: "code=value>threshold" strings
            self.codes = sorted({re.split(r"[=(<>]", x)[0] for x in q["reasons"]})
        self.k, self.sys = q["noise_factor"], q["systematic_sd"]
        self.mapd, self.depth, self.gcs = q["mapd"], q["median_depth"], q["gc_strength"]
        g, c7 = lv["gene"], lv.get("control", lv.get("chr7"))
        self.met, self.met_se, self.met_se_model, self.met_n = g["log2"], g["se"], g["se_model"], g["bins"]
        self.c7, self.c7_se, self.c7_se_model, self.c7_n = c7["log2"], c7["se"], c7["se_model"], c7["bins"]
        cl = js["call"]
        if "ratio" in cl:
            self.ratio, self.ratio_lo, self.ratio_hi, self.lod = cl["ratio"], cl["ratio_low"], cl["ratio_high"], cl["lod_cn"]
        else:
            self.ratio, self.ratio_lo, self.ratio_hi, self.lod = (cl["met_chr7_ratio"], cl["met_chr7_ratio_low"],
                                                                  cl["met_chr7_ratio_high"], cl["lod_met_cn"])
        self.tier, self.equivocal = cl["tier"], cl["equivocal"]
        self.gene_keys = [(js.get("chromosome"), b["start"]) for b in js["gene_bins"]]
        # gene bins: their own scatter about the gene level, with the SDs the caller used
        gb = [b for b in js["gene_bins"] if b["used"]]
        x = np.array([b["log2"] for b in gb])
        sd = np.array([b["sd"] for b in gb])
        v = 1 / sd ** 2
        n = len(x)
        self.met_se_emp = (math.sqrt(np.sum(v * v * (x - self.met) ** 2) / np.sum(v) ** 2 * n / (n - 1))
                           if n > 1 else math.nan)
        self.met_q = float(np.sum((x - self.met) ** 2 * v))
        self.met_qp = chi2_sf(self.met_q, n - 1)
        self._bins(cnr_path, seg_path, pon, offtarget)

    def _bins(self, cnr_path, seg_path, pon, offtarget):
        _, rows = read_table(cnr_path)
        idx = np.array([pon["key"][(r[0], int(r[1]))] for r in rows])
        x = np.array([float(r[4]) for r in rows])
        w = np.array([float(r[6]) for r in rows])
        kk = max(self.k, 1.0)
        sd0 = 1 / np.sqrt(w) / kk  # the PoN model (per-bin SD x MAPD scale) before k
        role = np.array([r[7] for r in rows])
        chrom = pon["chrom"][idx]
        start, end = pon["start"][idx], pon["end"][idx]
        lvl = seg_level(load_seg(seg_path), chrom, start)
        ref = (role == "reference") & np.isfinite(lvl)
        # scatter about the segment level by role: the gene's own bins, its flanks, the control
        # bins of its chromosome, the genome reference
        zall = (x - lvl) / sd0
        self.k_role = {r: mad_sd(zall[(role == r) & np.isfinite(lvl)]) if ((role == r) & np.isfinite(lvl)).sum() >= 10
                       else math.nan for r in ("target", "flank", "control", "reference")}
        self.n_ref = int(ref.sum())
        # reference bins only from here on
        x, sd0, lvl, chrom, start, end = x[ref], sd0[ref], lvl[ref], chrom[ref], start[ref], end[ref]
        idx = idx[ref]
        depth = np.array([float(r[5]) for r in rows])[ref]
        resid = x - lvl
        z = resid / sd0
        self.bin_z = z
        self.bin_cov = {"depth": depth, "rel_depth": pon["rel"][idx], "gc": pon["gc"][idx],
                        "size": (end - start).astype(float), "pon_sd": pon["sd"][idx],
                        "model_sd": sd0}
        self.k_tot = mad_sd(z)  # whole per-bin scatter about the segment level / model
        same = chrom[1:] == chrom[:-1]
        self.k_diff = np.median(np.abs(np.diff(x / sd0)[same])) / (0.67449 * math.sqrt(2))
        gap = (start[1:] - end[:-1])[same]
        self.pairs = (z[:-1][same], z[1:][same], gap,
                      (pon["name"][idx][:-1] == pon["name"][idx][1:])[same])
        w0 = 1 / sd0 ** 2
        self.vif = {}
        for B in BLOCK_SIZES:
            m, v = block_stats(resid, w0, blocks(chrom, B))
            self.vif[B] = np.median(m * m / v) / MEDIAN_CHI2_1 if len(m) >= 5 else math.nan
        # shared error of a locus: genes of the panel (on-target), or blocks as many bins as
        # the gene has (off-target); residuals about the segment level, and (normals) about 0
        if offtarget:
            spans = blocks(chrom, max(self.met_n, 2))
        else:
            nm = pon["name"][idx]
            spans = [(a, b) for a, b in runs(chrom, nm) if b - a >= 5 and nm[a] not in GENERIC_NAMES]
        wk = 1 / (kk * sd0) ** 2
        self.loci_m, self.loci_v = block_stats(resid, wk, spans)
        self.loci_m0, _ = block_stats(x, wk, spans)
        self.loci_n = np.array([b - a for a, b in spans])
        self.loci_key = [(chrom[a], int(start[a]), int(end[b - 1])) for a, b in spans]
        self.tau = solve_tau(self.loci_m, self.loci_v)
        self.tau0 = solve_tau(self.loci_m0, self.loci_v)
        # metcn's block estimate redone about the segment level instead of 0
        B = min(max(self.met_n, 2), 10)
        m, v = block_stats(resid, wk, blocks(chrom, B))
        self.sys_seg = solve_tau(m, v * 1.0)



# ---- CNVkit side ------------------------------------------------------------------------------


def running_median(x, half=10):
    n = len(x)
    return np.array([np.median(x[max(0, i - half):i + half + 1]) for i in range(n)])


def spread_stats(chrom, x):
    """MAPD (consecutive bins, same contig) and robust SD about a 21-bin running median."""
    same = chrom[1:] == chrom[:-1]
    mapd = float(np.median(np.abs(np.diff(x)[same])))
    res = np.concatenate([x[a:b] - running_median(x[a:b]) for a, b in runs(chrom, np.zeros(len(x)))])
    return mapd, mad_sd(res)


def cnvkit_compare(smp, cnr_metcn, cnr_cnvkit, pon):
    """Same reference bins, both tools: spreads, and the gene's mean log2."""
    _, rm = read_table(cnr_metcn)
    h, rc = read_table(cnr_cnvkit)
    ic = {(r[0], int(r[1])): float(r[h.index("log2")]) for r in rc}
    keys = [(r[0], int(r[1])) for r in rm if r[7] == "reference" and (r[0], int(r[1])) in ic]
    xm = {(r[0], int(r[1])): float(r[4]) for r in rm}
    chrom = np.array([k[0] for k in keys])
    a = np.array([xm[k] for k in keys])
    b = np.array([ic[k] for k in keys])
    out = {}
    out["metcn_mapd"], out["metcn_sd_local"] = spread_stats(chrom, a)
    out["cnvkit_mapd"], out["cnvkit_sd_local"] = spread_stats(chrom, b)
    # the gene: metcn's level vs CNVkit's mean over the same bins (all target-role bins)
    g = np.array([ic[k] for k in smp.gene_keys if k in ic])
    out["cnvkit_gene_mean"] = float(np.mean(g)) if len(g) else math.nan
    out["cnvkit_gene_sd"] = float(np.std(g, ddof=1)) if len(g) > 1 else math.nan
    # CNVkit's off-target bins when present (same file): their spread, for TRoff
    anti = [r for r in rc if r[3] in ("Background", "Antitarget")]
    if anti:
        ch = np.array([r[0] for r in anti if not r[0].endswith(("X", "Y"))])
        x = np.array([float(r[h.index("log2")]) for r in anti if not r[0].endswith(("X", "Y"))])
        out["cnvkit_anti_mapd"], out["cnvkit_anti_sd_local"] = spread_stats(ch, x)
    return out


# ---- QC rules: the current ones (as metcn reports them) and the proposal ------------------------


def proposed_qc(s, th):
    """Reasons (code, level) under the proposed rules (docs/realdata.md section 6)."""
    r = []
    if s.met_qp < th["het_p"]:
        r.append(("gene_bins_heterogeneous", "warn"))
    if s.mapd > th["mapd_fail"]:
        r.append(("mapd", "fail"))
    elif s.mapd > th["mapd_warn"]:
        r.append(("mapd", "warn"))
    if s.depth < th["depth_fail"]:
        r.append(("depth", "fail"))
    elif s.depth < th["depth_warn"]:
        r.append(("depth", "warn"))
    if s.gcs > th["gc_warn"]:
        r.append(("gc_bias", "warn"))
    if s.tau > th["tau_warn"]:
        r.append(("shared_noise", "warn"))
    if s.k_tot > th["k_warn"]:
        r.append(("noise", "warn"))
    return r


PROPOSED = {"het_p": 1e-3, "mapd_warn": 0.30, "mapd_fail": 0.50, "depth_warn": 30, "depth_fail": 10,
            "gc_warn": 0.40, "tau_warn": 0.10, "k_warn": 1.5}


def status(reasons):
    lv = {x[1] for x in reasons}
    return "fail" if "fail" in lv else "warn" if "warn" in lv else "pass"


# ---- summary ----------------------------------------------------------------------------------


def fmt(x, d=3):
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "NA"
    return ("%%.%dg" % d) % x


def med(v, d=3):
    v = np.array([x for x in v if x is not None and math.isfinite(x)])
    return "NA" if not len(v) else "%s (%s-%s)" % (fmt(np.median(v), d), fmt(np.quantile(v, 0.1), d),
                                                    fmt(np.quantile(v, 0.9), d))


def load_cohort(out, co):
    cdir = os.path.join(out, co)
    pon = load_pon(os.path.join(cdir, "pon.tsv.gz"))
    off = COHORTS[co][4]
    sets = {"tumours": [], "held-out normals": []}
    js = json.load(open(os.path.join(cdir, "calls.json")))
    for rec in js["samples"]:
        base = os.path.join(cdir, "calls.%s.%s" % (rec["sample"], rec["gene"]))
        sets["tumours"].append(Sample(co, "tumour", rec, base + ".cnr", base + ".seg", pon, off))
        sets["tumours"][-1].cnr = base + ".cnr"
        sets["tumours"][-1].pon = pon
    ldir = os.path.join(cdir, "loo")
    folds = sorted(f[:-5] for f in os.listdir(ldir) if f.startswith("fold") and f.endswith(".json")) \
        if os.path.isdir(ldir) else []
    for fo in folds:
        fpon = load_pon(os.path.join(ldir, fo + ".pon.tsv.gz"))
        for rec in json.load(open(os.path.join(ldir, fo + ".json")))["samples"]:
            base = os.path.join(ldir, "%s.%s.%s" % (fo, rec["sample"], rec["gene"]))
            sm = Sample(co, "normal", rec, base + ".cnr", base + ".seg", fpon, off)
            sm.pon = fpon
            sm.cnr = base + ".cnr"
            sets["held-out normals"].append(sm)
    # CNVkit (TR, CL: on-target cohort files; TRoff: TR's CNVkit run covers the off-target bins)
    cnv_dir = os.path.join(out, "TR" if co == "TRoff" else co, "cnvkit")
    for kind, lst in sets.items():
        for sm in lst:
            f = os.path.join(cnv_dir, ("loo/" if kind != "tumours" else "") + sm.name + ".cnr")
            sm.cnvkit = cnvkit_compare(sm, sm.cnr, f, sm.pon) if os.path.exists(f) else None
    return pon, sets, len(folds)


def fold_of(s):
    return os.path.basename(s.cnr).split(".")[0]


def cross_fold_tau2(normals, values, variances):
    """Per-normal shared variance of one quantity learned from the normals of the OTHER folds:
    robust variance of their values minus their median model variance (>= 0)."""
    folds = np.array([fold_of(s) for s in normals])
    out = np.full(len(normals), math.nan)
    for f in set(folds):
        o = (folds != f) & np.isfinite(values)
        if o.sum() >= 5:
            out[folds == f] = max(0.0, mad_sd(values[o]) ** 2 - np.median(variances[o]))
    return out


SE_MODELS = ("model only", "current main", "per-sample tau", "per-gene tau",
             "per-sample + per-gene tau")


def coverage_rows(label, err, v_model, v_cur, tau_s2, tau_g2):
    rows = []
    for name, v in zip(SE_MODELS, (v_model, v_cur, v_model + tau_s2, v_model + tau_g2,
                                   v_model + tau_s2 + tau_g2)):
        ok = np.isfinite(err) & np.isfinite(v)
        if not ok.any():
            continue
        z = err[ok] / np.sqrt(v[ok])
        rows.append((label, name, int(ok.sum()), float(np.median(np.sqrt(v[ok]))),
                     float(np.mean(np.abs(z) <= 1.959964)), float(np.mean(np.abs(z) > 3)), mad_sd(z)))
    return rows


def truth_table(normals):
    """Held-out normals (truth: no copy-number change): the gene level, the control level, the
    gene/chr7 ratio and every other panel locus, with the 95% coverage of each SE model."""
    e = np.array([s.met for s in normals])
    vm = np.array([s.met_se_model for s in normals]) ** 2
    vc = np.array([s.met_se for s in normals]) ** 2
    ts2 = np.array([s.tau for s in normals]) ** 2
    # the gene's own between-normal term, from the held-out normals of the other folds (the
    # PoN is gene-independent: it keeps no per-gene levels of its normals)
    tg2 = cross_fold_tau2(normals, e, vm)
    rows = coverage_rows("MET level (log2)", e, vm, vc, ts2, tg2)
    nct = np.array([s.c7_n for s in normals], dtype=float)
    c7 = np.array([s.c7 for s in normals])
    c7m = np.array([s.c7_se_model for s in normals]) ** 2
    c7c = np.array([s.c7_se for s in normals]) ** 2
    # the control level averages the shared error over its genes (one per ~10 bins, as main)
    c7t = ts2 * np.minimum(1, 10 / np.maximum(nct, 1))
    # the control level's own between-normal term (a whole-chromosome offset), learned from
    # the held-out normals of the other folds
    c7g = cross_fold_tau2(normals, c7, c7m)
    rows += coverage_rows("chr7 control level (log2)", c7, c7m, c7c, c7t, c7g)
    rows += coverage_rows("MET - chr7 (log2 ratio)", e - c7, vm + c7m, vc + c7c, ts2 + c7t, tg2 + c7g)
    # every other panel locus, keyed by position; its per-locus shared variance is learned from
    # the held-out normals of the other folds (what a PoN could store per gene)
    keys = {}
    for j, s in enumerate(normals):
        for k, m, v in zip(s.loci_key, s.loci_m0, s.loci_v):
            keys.setdefault(k, []).append((j, m, v))
    E, VM, TS, TG = [], [], [], []
    for k, lst in keys.items():
        idx = [x[0] for x in lst]
        m = np.array([x[1] for x in lst])
        v = np.array([x[2] for x in lst])
        E.append(m)
        VM.append(v)
        TS.append(np.array([normals[j].tau for j in idx]) ** 2)
        TG.append(cross_fold_tau2([normals[j] for j in idx], m, v))
    if E:
        E, VM, TS, TG = (np.concatenate(x) for x in (E, VM, TS, TG))
        rows += coverage_rows("other panel loci (log2)", E, VM, np.full(len(E), math.nan), TS, TG)
    return rows


def pair_table(samples):
    za = np.concatenate([s.pairs[0] for s in samples])
    zb = np.concatenate([s.pairs[1] for s in samples])
    gap = np.concatenate([s.pairs[2] for s in samples])
    rows = []
    for lo, hi, lab in GAP_CLASSES:
        m = (gap >= lo) & (gap < hi)
        if m.sum() < 30:
            continue
        a, b = np.clip(za[m], -4, 4), np.clip(zb[m], -4, 4)
        rows.append((lab, int(m.sum()), np.corrcoef(a, b)[0, 1]))
    return rows


def sd_trend(pon):
    """Per-bin SD models from a PoN: the raw per-bin SD, a depth trend (log SD quadratic in log
    relative depth, least squares over used reference bins), and the raw SD shrunk towards the
    trend on the log scale by the empirical-Bayes weight B = (sampling variance of the log of a
    MAD-based SD from N normals, about 1.35/N) / (robust variance of log SD about the trend)."""
    if "trend_coef" not in pon:
        ok = (pon["role"] == "reference") & (pon["excl"] == "ok") & np.isfinite(pon["sd"]) & (pon["rel"] > 0)
        lr = np.log(pon["rel"][ok])
        A = np.vstack([np.ones(ok.sum()), lr, lr * lr]).T
        coef = np.linalg.lstsq(A, np.log(pon["sd"][ok]), rcond=None)[0]
        resid = np.log(pon["sd"][ok]) - A @ coef
        n = int(pon["meta"].get("n_normals", "0")) or len(pon["samples"])
        pon["trend_coef"] = coef
        pon["shrink_B"] = min(1.0, (1.35 / n) / mad_sd(resid) ** 2)
        pon["trend_resid_var"] = mad_sd(resid) ** 2
    return pon["trend_coef"], pon["shrink_B"]


def sd_models(s):
    """The three per-bin SD models for a sample's reference bins (same MAPD scale)."""
    coef, B = sd_trend(s.pon)
    psd, rel = s.bin_cov["pon_sd"], np.maximum(s.bin_cov["rel_depth"], 1e-3)
    scale = s.bin_cov["model_sd"] / psd
    lr = np.log(rel)
    tr = np.exp(coef[0] + coef[1] * lr + coef[2] * lr * lr)
    sh = np.exp((1 - B) * np.log(psd) + B * np.log(tr))
    return {"PoN per-bin SD (main)": psd * scale, "depth trend only": tr * scale,
            "PoN SD shrunk to the trend": sh * scale}


def model_table(samples):
    """Robust SD of residual / model SD by within-sample quintile of the PoN's per-bin SD,
    for each per-bin SD model: a calibrated model is flat across the quintiles."""
    acc = {}
    for s in samples:
        r = s.bin_z * s.bin_cov["model_sd"]
        psd = s.bin_cov["pon_sd"]
        q = np.quantile(psd, np.linspace(0, 1, 6))
        for name, sd in sd_models(s).items():
            a = acc.setdefault(name, [[] for _ in range(6)])
            for j in range(5):
                m = (psd >= q[j]) & (psd <= q[j + 1])
                a[j].append(mad_sd(r[m] / sd[m]))
            a[5].append(mad_sd(r / sd))
    return {k: [np.median(x) for x in v] for k, v in acc.items()}


def covariate_table(samples):
    """Robust SD of the standardised residual z by within-sample decile of each covariate."""
    out = {}
    for cov in ("rel_depth", "gc", "size", "pon_sd"):
        acc = [[] for _ in range(5)]
        for s in samples:
            c, z = s.bin_cov[cov], s.bin_z
            ok = np.isfinite(c) & np.isfinite(z)
            if ok.sum() < 50:
                continue
            q = np.quantile(c[ok], np.linspace(0, 1, 6))
            for j in range(5):
                m = ok & (c >= q[j]) & (c <= q[j + 1])
                acc[j].append(mad_sd(z[m]))
        out[cov] = [np.median(a) if a else math.nan for a in acc]
    return out


def camidge_tier(r):
    return 0 if r < 1.8 else 1 if r <= 2.2 else 2 if r < 5 else 3


def tumour_effect(tumours, normals):
    """What the proposed SE would do to the tumours' MET/chr7 intervals (purity 1, as run):
    median SE of log2(MET/chr7) and the number of equivocal calls, current vs proposed.  The
    gene's and the control level's between-normal terms come from all held-out normals."""
    e = np.array([s.met for s in normals])
    c7 = np.array([s.c7 for s in normals])
    vm = np.array([s.met_se_model for s in normals]) ** 2
    c7m = np.array([s.c7_se_model for s in normals]) ** 2
    tg2 = max(0.0, mad_sd(e) ** 2 - np.median(vm)) if len(normals) >= 5 else 0.0
    chr_t2 = max(0.0, mad_sd(c7) ** 2 - np.median(c7m)) if len(normals) >= 5 else 0.0
    cur, prop, eq_c, eq_p = [], [], 0, 0
    for s in tumours:
        n7 = s.c7_n
        v = (s.met_se_model ** 2 + s.tau ** 2 + tg2 + s.c7_se_model ** 2 + s.tau ** 2 * min(1, 10 / max(n7, 1))
             + chr_t2)
        d = s.met - s.c7
        cur.append(math.sqrt(s.met_se ** 2 + s.c7_se ** 2))
        prop.append(math.sqrt(v))
        eq_c += bool(s.equivocal)
        lo, hi = 2 ** (d - 1.959964 * math.sqrt(v)), 2 ** (d + 1.959964 * math.sqrt(v))
        eq_p += camidge_tier(lo) != camidge_tier(hi)
    return np.median(cur), np.median(prop), eq_c, eq_p, math.sqrt(tg2), math.sqrt(chr_t2)


def summarise(out, cohorts):
    lines = ["# Real capture data through metcn: QC and noise diagnostics", "",
             "Generated by `bench/real_cohort.sh` (real_cohort.py summarise); see docs/realdata.md.", ""]
    tsv = []
    for co in cohorts:
        if not os.path.exists(os.path.join(out, co, "calls.json")):
            continue
        pon, sets, nfolds = load_cohort(out, co)
        lines += ["## %s" % co, "",
                  "PoN: %s normals, %s bins, GC corrected: %s, %s components, median MAPD %s; "
                  "held-out normals in %d folds." % (
                      pon["meta"].get("n_normals"), pon["meta"].get("n_bins"), pon["meta"].get("gc_corrected"),
                      pon["meta"].get("n_components"), fmt(fnum(pon["meta"].get("median_mapd", "nan"))), nfolds),
                  ""]
        lines += ["### QC with the current rules (main) and the proposed ones", "",
                  "| set | n | pass | warn | fail | reasons (samples) | proposed: pass | warn | fail | reasons |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for kind, lst in sets.items():
            if not lst:
                continue
            cnt = {k: sum(s.qc == k for s in lst) for k in ("pass", "warn", "fail")}
            rc = {}
            for s in lst:
                for c in s.codes:
                    rc[c] = rc.get(c, 0) + 1
            prop = [proposed_qc(s, PROPOSED) for s in lst]
            pc = {k: sum(status(p) == k for p in prop) for k in ("pass", "warn", "fail")}
            prc = {}
            for p in prop:
                for c in {x[0] for x in p}:
                    prc[c] = prc.get(c, 0) + 1
            lines.append("| %s | %d | %d | %d | %d | %s | %d | %d | %d | %s |" % (
                kind, len(lst), cnt["pass"], cnt["warn"], cnt["fail"],
                ", ".join("%s %d" % kv for kv in sorted(rc.items(), key=lambda kv: -kv[1])) or "-",
                pc["pass"], pc["warn"], pc["fail"],
                ", ".join("%s %d" % kv for kv in sorted(prc.items(), key=lambda kv: -kv[1])) or "-"))
        lines += ["", "### Noise diagnostics per sample: median (10th-90th percentile)", "",
                  "| quantity | " + " | ".join(k for k in sets if sets[k]) + " |",
                  "| --- |" + " --- |" * sum(1 for k in sets if sets[k])]
        diag = [
            ("MET se/se_model as QC uses it (se includes the systematic term)", lambda s: s.met_se / s.met_se_model),
            ("MET bins' own scatter: sandwich SE / se_model", lambda s: s.met_se_emp / s.met_se_model),
            ("MET bins chi2/df about the MET level", lambda s: s.met_q / max(s.met_n - 1, 1)),
            ("noise factor k (metcn, consecutive differences)", lambda s: s.k),
            ("per-bin scatter about the segment level / model (k_tot)", lambda s: s.k_tot),
            ("... the gene's own bins", lambda s: s.k_role["target"]),
            ("... flank bins (within 10 Mb of the gene)", lambda s: s.k_role["flank"]),
            ("... control bins (rest of chr7)", lambda s: s.k_role["control"]),
            ("systematic_sd (metcn: blocks of 10 bins about 0)", lambda s: s.sys),
            ("the same blocks about the segment level", lambda s: s.sys_seg),
            ("tau: shared error of a gene (panel genes about the segment level)", lambda s: s.tau),
            ("tau0: the same about 0", lambda s: s.tau0),
            ("MAPD", lambda s: s.mapd),
            ("GC strength", lambda s: s.gcs),
            ("median depth", lambda s: s.depth),
            ("MET se_model", lambda s: s.met_se_model),
        ]
        for lab, f in diag:
            lines.append("| %s | %s |" % (lab, " | ".join(med([f(s) for s in lst]) for lst in sets.values() if lst)))
        for B in BLOCK_SIZES:
            lines.append("| variance of a mean of %d consecutive reference bins / model | %s |" % (
                B, " | ".join(med([s.vif[B] for s in lst]) for lst in sets.values() if lst)))
        lines += ["", "GC strength and noise: median (n) of samples at or below / above gc_strength 0.15 "
                  "(the current warn threshold)", "",
                  "| set | quantity | gc <= 0.15 | gc > 0.15 |", "| --- | --- | --- | --- |"]
        for kind, lst in sets.items():
            lo = [s for s in lst if s.gcs <= 0.15]
            hi = [s for s in lst if s.gcs > 0.15]
            if not lst:
                continue
            qs = [("k_tot", lambda s: s.k_tot), ("tau", lambda s: s.tau),
                  ("MET chi2/df", lambda s: s.met_q / max(s.met_n - 1, 1))]
            if kind != "tumours":
                qs.append(("abs(MET error) / per-sample-tau SE",
                           lambda s: abs(s.met) / math.sqrt(s.met_se_model ** 2 + s.tau ** 2)))
            for lab, f in qs:
                cell = lambda g: "%s (%d)" % (fmt(np.median([f(s) for s in g])), len(g)) if g else "- (0)"  # noqa: E731
                lines.append("| %s | %s | %s | %s |" % (kind, lab, cell(lo), cell(hi)))
        hp = [(k, sum(s.met_qp < PROPOSED["het_p"] for s in lst), len(lst)) for k, lst in sets.items() if lst]
        lines += ["", "MET bins heterogeneous by chi-square (p < %g): %s." % (
            PROPOSED["het_p"], "; ".join("%s %d of %d" % x for x in hp)), ""]
        lines += ["### Correlation of neighbouring reference bins (standardised residuals), by gap", "",
                  "| gap | " + " | ".join("%s: pairs, r" % k for k in sets if sets[k]) + " |",
                  "| --- |" + " --- |" * sum(1 for k in sets if sets[k])]
        pt = {k: {r[0]: r for r in pair_table(lst)} for k, lst in sets.items() if lst}
        for _, _, lab in GAP_CLASSES:
            cells = [("%d, %.3f" % (pt[k][lab][1], pt[k][lab][2])) if lab in pt[k] else "-" for k in pt]
            if any(c != "-" for c in cells):
                lines.append("| %s | %s |" % (lab, " | ".join(cells)))
        lines += ["", "### Per-bin scatter (robust SD of z = residual / model SD) by within-sample quintile", "",
                  "| set | covariate | Q1 | Q2 | Q3 | Q4 | Q5 |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for kind, lst in sets.items():
            if not lst:
                continue
            for cov, v in covariate_table(lst).items():
                lines.append("| %s | %s | %s |" % (kind, cov, " | ".join(fmt(x) for x in v)))
        lines += ["", "### Per-bin SD models: robust SD of residual / model SD by quintile of the PoN's per-bin SD",
                  "", "| set | model | Q1 | Q2 | Q3 | Q4 | Q5 | all bins |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for kind, lst in sets.items():
            if not lst:
                continue
            for name, v in model_table(lst).items():
                lines.append("| %s | %s | %s |" % (kind, name, " | ".join(fmt(x) for x in v)))
        coef, B = sd_trend(pon)
        lines += ["", "Trend (PoN of all normals): log SD = %.3f %+.3f log rel_depth %+.3f (log rel_depth)^2; "
                  "robust variance of log SD about it %.4f; shrinkage weight B = %.2f." % (
                      coef[0], coef[1], coef[2], pon["trend_resid_var"], B)]
        if sets["held-out normals"]:
            lines += ["", "### Held-out normals against the truth (no change): 95% coverage per SE model", "",
                      "| quantity | SE model | n | median SE | coverage | abs(z) > 3 | robust SD of z |",
                      "| --- | --- | --- | --- | --- | --- | --- |"]
            for r in truth_table(sets["held-out normals"]):
                lines.append("| %s | %s | %d | %s | %s | %s | %s |" % (r[0], r[1], r[2], fmt(r[3]), fmt(r[4]),
                                                                  fmt(r[5]), fmt(r[6])))
        if sets["held-out normals"] and sets["tumours"]:
            sc, sp, ec, ep, tg, tc = tumour_effect(sets["tumours"], sets["held-out normals"])
            lines += ["", "Tumours under the proposed SE (per-sample tau + the gene's tau from the held-out normals, %s, + "
                      "the control level's whole-chromosome term from the held-out normals, %s): median SE of "
                      "log2(MET/chr7) %s (current %s); equivocal calls (purity 1) %d (current %d) of %d." % (
                          fmt(tg), fmt(tc), fmt(sp), fmt(sc), ep, ec, len(sets["tumours"]))]
        cmp_ = [(k, [s.cnvkit for s in lst if s.cnvkit]) for k, lst in sets.items()]
        cmp_ = [(k, c) for k, c in cmp_ if c]
        if cmp_:
            lines += ["", "### metcn vs CNVkit on the same reference bins", "",
                      "| set | n | MAPD metcn | MAPD CNVkit | local SD metcn | local SD CNVkit "
                      "| robust SD across samples of the gene's mean (truth 0 in normals): metcn | CNVkit |",
                      "| --- | --- | --- | --- | --- | --- | --- | --- |"]
            for k, c in cmp_:
                lst = [s for s in sets[k] if s.cnvkit]
                lines.append("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
                    k, len(c), med([x["metcn_mapd"] for x in c]), med([x["cnvkit_mapd"] for x in c]),
                    med([x["metcn_sd_local"] for x in c]), med([x["cnvkit_sd_local"] for x in c]),
                    fmt(mad_sd([s.met for s in lst])), fmt(mad_sd([x["cnvkit_gene_mean"] for x in c]))))
                if "cnvkit_anti_mapd" in c[0]:
                    lines.append("| %s, CNVkit off-target bins | %d | | %s | | %s | | |" % (
                        k, len(c), med([x["cnvkit_anti_mapd"] for x in c]),
                        med([x["cnvkit_anti_sd_local"] for x in c])))
        lines.append("")
        for kind, lst in sets.items():
            for s in lst:
                cv = s.cnvkit or {}
                tsv.append([co, "tumour" if kind == "tumours" else "normal", s.name, s.qc, ";".join(s.codes) or ".",
                            status(proposed_qc(s, PROPOSED)), s.mapd, s.depth, s.gcs, s.k, s.k_tot, s.sys, s.sys_seg,
                            s.tau, s.tau0, s.met, s.met_se, s.met_se_model, s.met_se_emp, s.met_n,
                            s.met_q / max(s.met_n - 1, 1), s.met_qp, s.c7, s.c7_se, s.ratio, s.tier, s.lod,
                            s.vif[10], s.vif[45], cv.get("metcn_mapd"), cv.get("cnvkit_mapd"),
                            cv.get("cnvkit_gene_mean")])
    head = ["cohort", "set", "sample", "qc", "qc_codes", "qc_proposed", "mapd", "median_depth", "gc_strength",
            "noise_k", "k_tot", "systematic_sd", "sys_seg", "tau", "tau0", "met_log2", "met_se", "met_se_model",
            "met_se_emp", "met_bins", "met_chi2_df", "met_chi2_p", "chr7_log2", "chr7_se", "ratio", "tier",
            "lod_met_cn", "vif10", "vif45", "metcn_mapd_common", "cnvkit_mapd_common", "cnvkit_met_mean"]
    with open(os.path.join(out, "samples.tsv"), "w") as f:
        f.write("\t".join(head) + "\n")
        for r in tsv:
            f.write("\t".join(fmt(x, 4) if not isinstance(x, str) else x for x in r) + "\n")
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "prep":
        prep(sys.argv[2], sys.argv[3], sys.argv[4:] or list(COHORTS))
    elif len(sys.argv) >= 3 and sys.argv[1] == "summarise":
        summarise(sys.argv[2], sys.argv[3:] or list(COHORTS))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
