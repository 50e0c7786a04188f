"""cohort_table.py -- the cohort calls table: every called sample's rows of PREFIX.calls.tsv, in
sample-sheet order, the header once (so the table equals what one `metcn call` over the same
samples writes), and for a sample whose coverage or call step failed one row per gene with
qc=fail, qc_reasons=<step>_failed=<metcn's message> and NA elsewhere (the genes: the config's
`genes`, else those of the samples that were called).

Run by Snakemake (rule cohort: snakemake.input.statuses, snakemake.params.samples, .prefixes,
.genes, snakemake.output[0]); or by hand:
    python3 cohort_table.py OUT.tsv GENES SAMPLE:PREFIX:STATUS...
"""
import csv
import os
import sys


def read_status(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    if len(rows) != 1 or rows[0].get("status") not in ("ok", "fail"):
        raise ValueError(f"{path}: not a step status file")
    return rows[0]


def read_calls(path):
    """(comment lines, header line, data lines) of a calls table."""
    comments, header, data = [], None, []
    with open(path) as fh:
        for line in fh:
            line = line.rstrip("\n")
            if header is None and line.startswith("#"):
                comments.append(line)
            elif header is None:
                header = line
            elif line:
                data.append(line)
    if header is None:
        raise ValueError(f"{path}: no header line")
    return comments, header, data


def failure_rows(header, sample, genes, reason):
    cols = header.split("\t")
    rows = []
    for gene in genes or ["NA"]:
        values = {c: "NA" for c in cols}
        values["sample"] = sample
        if "gene" in values:
            values["gene"] = gene
        if "qc" in values:
            values["qc"] = "fail"
        if "qc_reasons" in values:
            values["qc_reasons"] = reason
        rows.append("\t".join(values[c] for c in cols))
        if "gene" not in values:
            break
    return rows


def cohort(samples, prefixes, statuses, genes, out):
    genes = [g for g in genes.split(",") if g] if genes else []
    comments, header, blocks = None, None, []
    for sample, prefix, status_path in zip(samples, prefixes, statuses):
        status = read_status(status_path)
        if status["status"] == "ok":
            c, h, data = read_calls(prefix + ".calls.tsv")
            if header is None:
                comments, header = c, h
            elif h != header:
                raise ValueError(f"{prefix}.calls.tsv: header differs from the first sample's")
            blocks.append(("ok", data))
        else:
            reason = f"{status['step']}_failed={status['reason']}"
            blocks.append(("fail", (sample, reason)))
    cols = header.split("\t") if header else []
    if not genes:  # metcn's default: the genes the successful calls name, in order
        genes = list(dict.fromkeys(r.split("\t")[cols.index("gene")] for kind, data in blocks
                                   if kind == "ok" for r in data)) if "gene" in cols else []
    if header is None:  # every sample failed: the columns that say so
        comments, header = [], "sample\tgene\tqc\tqc_reasons"
    lines = comments + [header]
    for kind, item in blocks:
        lines += item if kind == "ok" else failure_rows(header, item[0], genes, item[1])
    tmp = f"{out}.tmp.{os.getpid()}"
    with open(tmp, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.replace(tmp, out)
    failed = sum(1 for kind, _ in blocks if kind == "fail")
    print(f"cohort_table: {len(blocks)} samples, {failed} failed -> {out}", file=sys.stderr)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    cohort(sm.params.samples, sm.params.prefixes, sm.input.statuses, sm.params.genes, sm.output[0])
elif __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    triples = [a.split(":", 2) for a in sys.argv[3:]]
    cohort([t[0] for t in triples], [t[1] for t in triples], [t[2] for t in triples],
           sys.argv[2], sys.argv[1])
