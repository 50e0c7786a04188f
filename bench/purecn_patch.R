# purecn_patch.R -- the local patch of PureCN 2.4 (Debian r-bioc-purecn) that
# bench/purecn_compare.sh applies, read as R_PROFILE_USER before PureCN.R runs.
#
# PureCN 2.4's CBS segmentation draws perm = 2000 interval positions without replacement in
# .getAverageWeightPV, so a panel with fewer than 2000 intervals stops with "cannot take a sample
# larger than the population when 'replace = FALSE'" (lima1/PureCN#363, fixed upstream after
# 2.4).  The same function, drawing with replacement when the panel is smaller than perm; nothing
# else is changed.
setHook(packageEvent("PureCN", "onLoad"), function(...) {
    ns <- asNamespace("PureCN")
    f <- function(seg, weights, perm = 2000) {
        num_marks <- sort(unique(seg$num.mark))
        .do_permutation <- function(i, l) {
            if (l > 25) return(0)
            i <- if (length(weights) < i + l - 1) length(weights) - l + 1 else i
            mean(weights[seq(i, i + l - 1)], na.rm = TRUE)
        }
        permutations <- lapply(num_marks, function(l)
            sapply(sample(length(weights), perm, replace = length(weights) < perm),
                .do_permutation, l))
        names(permutations) <- num_marks
        sapply(seq(nrow(seg)), function(i)
            sum(seg$seg.weight[i] > permutations[[as.character(seg$num.mark[i])]]) / perm)
    }
    environment(f) <- ns
    unlockBinding(".getAverageWeightPV", ns)
    assign(".getAverageWeightPV", f, envir = ns)
    lockBinding(".getAverageWeightPV", ns)
    message("purecn_patch.R: .getAverageWeightPV patched (lima1/PureCN#363)")
})
