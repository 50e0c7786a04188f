"""metcn_mqc.py -- MultiQC custom-content files (*_mqc.json) for the cohort, made from the
cohort calls table and the PoN's `metcn pon info` output, all under one "metcn" section:
  metcn_general_mqc.json  General Statistics: per gene copy number and ratio, tier, QC, purity
  metcn_calls_mqc.json    table: one row per sample and gene, with intervals and QC reasons
  metcn_cn_mqc.json       bar graph: copy number per sample with its interval (stacked)
  metcn_ratio_mqc.json    scatter: ratio against copy number (focal vs polysomy at a glance)
  metcn_pon_mqc.json      table: the normals' QC (metcn pon info) and normals that failed
This stands in until `metcn call` and `metcn pon build` write these files themselves (issue 19).
Reads both the 0.1 calls table (met_cn, chr7_cn, met_chr7_ratio ...) and the gene-neutral one
(cn, control_cn, ratio ...).

Run by Snakemake (rule multiqc_content) or by hand:
    python3 metcn_mqc.py CALLS.tsv PON_INFO.tsv NORMALS.tsv|- OUTDIR
"""
import csv
import json
import math
import os
import sys

# gene-neutral name -> names to look for, newest first
ALIASES = {
    "sample": ["sample"],
    "gene": ["gene"],
    "cn": ["cn", "met_cn"],
    "cn_low": ["cn_low", "met_cn_low"],
    "cn_high": ["cn_high", "met_cn_high"],
    "control_cn": ["control_cn", "chr7_cn"],
    "ratio": ["ratio", "met_chr7_ratio"],
    "ratio_low": ["ratio_low", "met_chr7_ratio_low"],
    "ratio_high": ["ratio_high", "met_chr7_ratio_high"],
    "tier": ["tier"],
    "equivocal": ["equivocal"],
    "high_amp": ["high_amp"],
    "pattern": ["pattern"],
    "purity": ["purity"],
    "purity_source": ["purity_source"],
    "qc": ["qc"],
    "qc_reasons": ["qc_reasons"],
}
QC_ORDER = {"pass": 0, "warn": 1, "fail": 2}
PARENT = {
    "parent_id": "metcn",
    "parent_name": "metcn",
    "parent_description": "Gene copy number per tumour cell with its interval, the control "
    "chromosome's level, the FISH-like ratio and tier, and QC, from metcn call against the "
    "cohort's panel of normals (metcn pon build).",
}


def number(text):
    try:
        x = float(text)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def read_calls(path):
    with open(path, newline="") as fh:
        lines = [line for line in fh if not line.startswith("##")]
    reader = csv.DictReader(lines, delimiter="\t")
    rows = []
    for raw in reader:
        row = {}
        for key, names in ALIASES.items():
            row[key] = next((raw[n] for n in names if n in raw), "NA")
        rows.append(row)
    return rows


def read_pon_normals(path):
    """The normals' table of `metcn pon info` (after the '#sample' header)."""
    header, rows = None, []
    with open(path) as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("#sample"):
                header = line[1:].split("\t")
            elif header and line:
                rows.append(dict(zip(header, line.split("\t"))))
    return header or [], rows


def write(outdir, name, content):
    content = dict(content, **PARENT)
    path = os.path.join(outdir, f"{name}_mqc.json")
    with open(path + ".tmp", "w") as fh:
        json.dump(content, fh, indent=1, sort_keys=False)
    os.replace(path + ".tmp", path)


def general_stats(rows, genes):
    data, headers = {}, {}
    for r in rows:
        d = data.setdefault(r["sample"], {})
        gene = r["gene"] if r["gene"] != "NA" else "gene"
        for key, title, desc in (
            ("cn", f"{gene} CN", f"{gene} copies per tumour cell"),
            ("ratio", f"{gene} ratio", f"{gene} / control chromosome ratio (FISH-like)"),
        ):
            col = f"{gene}_{key}"
            value = number(r[key])
            if value is not None:
                d[col] = value
            headers[col] = {"title": title, "description": desc, "format": "{:,.2f}",
                            "scale": "OrRd" if key == "cn" else "Purples"}
        if r["tier"] != "NA":
            d[f"{gene}_tier"] = r["tier"]
            headers[f"{gene}_tier"] = {"title": f"{gene} tier", "description": "FISH-style tier"}
        worst = max(d.get("qc", "pass"), r["qc"], key=lambda q: QC_ORDER.get(q, 2))
        d["qc"] = worst
        if number(r["purity"]) is not None:
            d["purity"] = number(r["purity"])
    headers["qc"] = {"title": "metcn QC", "description": "worst QC of the sample's calls"}
    headers["purity"] = {"title": "Purity", "description": "tumour-cell fraction used",
                         "min": 0, "max": 1, "format": "{:,.2f}", "scale": "Greens"}
    return {"id": "metcn_general", "plot_type": "generalstats", "pconfig": [headers],
            "data": data}


def row_key(r, genes):
    return r["sample"] if len(genes) <= 1 else f"{r['sample']} {r['gene']}"


def interval(r, key):
    v, lo, hi = (number(r[key]), number(r[key + "_low"]), number(r[key + "_high"]))
    if v is None:
        return "NA"
    if lo is None or hi is None:
        return f"{v:.2f}"
    return f"{v:.2f} [{lo:.2f}-{hi:.2f}]"


def calls_table(rows, genes):
    data = {}
    for r in rows:
        data[row_key(r, genes)] = {
            "gene": r["gene"],
            "cn": interval(r, "cn"),
            "control_cn": r["control_cn"],
            "ratio": interval(r, "ratio"),
            "tier": r["tier"],
            "equivocal": r["equivocal"],
            "high_amp": r["high_amp"],
            "pattern": r["pattern"],
            "purity": r["purity"] + (f" ({r['purity_source']})" if r["purity_source"] != "NA" else ""),
            "qc": r["qc"],
            "qc_reasons": r["qc_reasons"],
        }
    headers = {
        "gene": {"title": "Gene"},
        "cn": {"title": "Copy number [95% CI]", "description": "copies per tumour cell"},
        "control_cn": {"title": "Control CN", "description": "control chromosome level"},
        "ratio": {"title": "Ratio [95% CI]", "description": "gene / control (FISH-like)"},
        "tier": {"title": "Tier"},
        "equivocal": {"title": "Equivocal"},
        "high_amp": {"title": "High-level"},
        "pattern": {"title": "Pattern"},
        "purity": {"title": "Purity"},
        "qc": {"title": "QC"},
        "qc_reasons": {"title": "QC reasons"},
    }
    return {"id": "metcn_calls", "section_name": "Calls", "plot_type": "table",
            "description": "One row per sample and gene, as in calls.tsv; failed samples "
            "carry the reason.",
            "pconfig": {"id": "metcn_calls_table", "title": "metcn: calls", "sortRows": False},
            "headers": headers, "data": data}


def cn_bargraph(rows, genes):
    data = {}
    for r in rows:
        v, lo, hi = number(r["cn"]), number(r["cn_low"]), number(r["cn_high"])
        if None in (v, lo, hi):
            continue
        data[row_key(r, genes)] = {"lower": lo, "to_estimate": v - lo, "to_upper": hi - v}
    cats = {"lower": {"name": "up to the lower bound", "color": "#9ecae1"},
            "to_estimate": {"name": "lower bound to estimate", "color": "#3182bd"},
            "to_upper": {"name": "estimate to upper bound", "color": "#fdae6b"}}
    return {"id": "metcn_cn", "section_name": "Copy number", "plot_type": "bargraph",
            "description": "Copies per tumour cell: the bar ends at the upper bound of the "
            "interval; the dark segment ends at the estimate, the light one at the lower bound.",
            "categories": cats,
            "pconfig": {"id": "metcn_cn_plot", "title": "metcn: copy number per tumour cell",
                        "ylab": "copies per tumour cell", "cpswitch": False,
                        "tt_percentages": False},
            "data": data}


def ratio_scatter(rows, genes):
    data = {}
    for r in rows:
        x, y = number(r["control_cn"]), number(r["cn"])
        if x is None or y is None:
            continue
        data[row_key(r, genes)] = {"x": x, "y": y}
    return {"id": "metcn_scatter", "section_name": "Gene vs control", "plot_type": "scatter",
            "description": "Gene copy number against the control chromosome's: focal "
            "amplification rises above the diagonal, polysomy moves along it.",
            "pconfig": {"id": "metcn_scatter_plot", "title": "metcn: gene vs control copy number",
                        "xlab": "control copy number", "ylab": "gene copy number"},
            "data": data}


def pon_table(info_path, normals_path):
    header, rows = read_pon_normals(info_path)
    data = {r.get("sample", f"normal{i}"): {k: r[k] for k in header if k != "sample"}
            for i, r in enumerate(rows)}
    if normals_path and normals_path != "-":
        with open(normals_path, newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                if r["status"] != "ok":
                    data[r["sample"]] = {"status": "failed", "reason": r["reason"]}
    headers = {k: {"title": k} for k in header if k != "sample"}
    if any("reason" in d for d in data.values()):
        headers["reason"] = {"title": "reason"}
    return {"id": "metcn_pon", "section_name": "Panel of normals", "plot_type": "table",
            "description": "The normals' QC from metcn pon info; normals whose coverage failed "
            "are listed with the reason.",
            "pconfig": {"id": "metcn_pon_table", "title": "metcn: normals", "sortRows": False},
            "headers": headers, "data": data}


def main(calls, pon_info, normals, outdir):
    os.makedirs(outdir, exist_ok=True)
    rows = read_calls(calls)
    genes = sorted({r["gene"] for r in rows})
    write(outdir, "metcn_general", general_stats(rows, genes))
    write(outdir, "metcn_calls", calls_table(rows, genes))
    write(outdir, "metcn_cn", cn_bargraph(rows, genes))
    write(outdir, "metcn_scatter", ratio_scatter(rows, genes))
    write(outdir, "metcn_pon", pon_table(pon_info, normals))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.calls, sm.input.pon_info, sm.input.normals or "-", sm.output[0])
elif __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
