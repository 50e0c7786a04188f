# purecn_genes.R RDS OUT.tsv -- the gene-level copy numbers of PureCN's chosen solution
# (results[[1]]$gene.calls: the BED names bench/purecn_compare.sh put back into the intervals)
# as a TSV: gene, C, seg.mean, number.targets.  PureCN.R's own _genes.csv came out empty on
# these panels (no gene symbol annotation without TxDb.Hsapiens.UCSC.hg38.knownGene).
a <- commandArgs(trailingOnly = TRUE)
res <- readRDS(a[1])
g <- res$results[[1]]$gene.calls
write.table(data.frame(gene = rownames(g), C = g$C, seg.mean = g$seg.mean,
    number.targets = g$number.targets), a[2], sep = "\t", quote = FALSE, row.names = FALSE)
# and its ranked solutions (rank, purity, ploidy, log-likelihood) as OUT.tsv's sibling .solutions.tsv
s <- res$results
write.table(data.frame(rank = seq_along(s), purity = sapply(s, function(x) x$purity),
    ploidy = sapply(s, function(x) x$ploidy), total.log.likelihood = sapply(s, function(x) x$total.log.likelihood)),
    sub("\\.genes\\.tsv$", ".solutions.tsv", a[2]), sep = "\t", quote = FALSE, row.names = FALSE)
