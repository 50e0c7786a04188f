#!/usr/bin/env python3
"""make_case.py -- the golden-output case: a small panel and per-bin coverage tables made by
formula (no random library: a fixed linear congruential generator), so the same bytes come
out on every machine.

  make_case.py OUTDIR

Writes OUTDIR/panel.bed, OUTDIR/N01.tsv ... N10.tsv (normals) and OUTDIR/T1.tsv (a tumour at
purity 0.7: MET 8 copies, ERBB2 9 copies, EGFR 2, chromosome 7 and 17 at 2) as `metcn
coverage` tables with a gc column.  tests/cli/call_golden.sh calls it and compares the outputs
with tests/golden/*.expected."""
import os
import sys


class Lcg:
    """Numerical Recipes LCG: deterministic uniform numbers in [0, 1)."""

    def __init__(self, seed):
        self.x = seed & 0xFFFFFFFF

    def uniform(self):
        self.x = (1664525 * self.x + 1013904223) & 0xFFFFFFFF
        return self.x / 2**32


def bins():
    out = []  # (chrom, start, end, name)
    for k in range(1, 23):
        c = f"chr{k}"
        if k == 7:
            for e in range(5):  # MET exons (GRCh38 neighbourhood)
                s = 116700000 + e * 20000
                out.append((c, s, s + 200, f"MET_ex{e + 2}"))
            for e in range(4):  # EGFR exons
                s = 55100000 + e * 20000
                out.append((c, s, s + 200, f"EGFR_ex{e + 1}"))
            for j in range(36):  # controls every 4 Mb
                s = 2000000 + j * 4000000
                out.append((c, s, s + 250, f"C7_{j + 1:03d}"))
        elif k == 17:
            for e in range(4):
                s = 39700000 + e * 8000
                out.append((c, s, s + 200, f"ERBB2_ex{e + 1}"))
            for j in range(20):
                s = 1000000 + j * 4000000
                out.append((c, s, s + 250, f"C17_{j + 1:03d}"))
        else:
            for j in range(12):
                s = 1000000 + j * 5000000
                out.append((c, s, s + 220, f"R{k}_{j + 1:03d}"))
    return sorted(out, key=lambda b: (int(b[0][3:]), b[1]))


def cn_of(b):
    if b[3].startswith("MET_"):
        return 8.0
    if b[3].startswith("ERBB2_"):
        return 9.0
    return 2.0


def table(path, sample, bs, purity, seed, depth):
    rng = Lcg(seed)
    slope = -0.5 + 1.0 * Lcg(seed * 7 + 3).uniform()
    with open(path, "w") as f:
        f.write("##metcn-coverage version=golden\n")
        f.write(f"##sample={sample}\n")
        f.write("#chrom\tstart\tend\tname\trole\tlength\tfragments\tmean_depth\tgc\n")
        for i, b in enumerate(bs):
            gc = 0.35 + 0.3 * ((i * 0.6180339887) % 1.0)
            eff = 0.6 + 0.8 * ((i * 0.7548776662) % 1.0)  # capture efficiency of the bin
            ratio = (purity * cn_of(b) + 2 * (1 - purity)) / 2 if purity > 0 else 1.0
            noise = 1 + 0.12 * (rng.uniform() - 0.5)
            d = depth * eff * ratio * (1 + slope * (gc - 0.5)) * noise
            ln = b[2] - b[1]
            f.write(f"{b[0]}\t{b[1]}\t{b[2]}\t{b[3]}\treference\t{ln}\t{round(d * ln / 300)}\t"
                    f"{d:.4f}\t{gc:.4f}\n")


def main(out):
    os.makedirs(out, exist_ok=True)
    bs = bins()
    with open(os.path.join(out, "panel.bed"), "w") as f:
        for b in bs:
            f.write(f"{b[0]}\t{b[1]}\t{b[2]}\t{b[3]}\n")
    for n in range(1, 11):
        table(os.path.join(out, f"N{n:02d}.tsv"), f"N{n:02d}", bs, 0, 100 + n, 150 + 20 * n)
    table(os.path.join(out, "T1.tsv"), "T1", bs, 0.7, 999, 260)


if __name__ == "__main__":
    main(sys.argv[1])
