# Oracle for hkfactor.chain.brokerage: R package sna (Butts), function brokerage(g, cl).
#
# Usage:  Rscript brokerage_reference.R brokerage_inputs.json brokerage_r.json
#
# Reads a JSON list of cases {name, nodes, groups, adjacency (row-major list of rows)}
# and writes, for each case, every component of sna::brokerage's result. Numbers are
# written with 17 significant digits; NaN/Inf as the strings "NaN"/"Inf"/"-Inf".
suppressPackageStartupMessages({
  library(sna)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
cases <- fromJSON(args[1], simplifyVector = FALSE)
out <- list()
for (cs in cases) {
  n <- length(cs$nodes)
  a <- matrix(unlist(cs$adjacency), nrow = n, byrow = TRUE)
  cl <- unlist(cs$groups)
  b <- brokerage(a, cl)
  mat <- function(x) lapply(seq_len(nrow(x)), function(i) unname(as.numeric(x[i, ])))
  out[[cs$name]] <- list(
    raw_nli = mat(b$raw.nli), exp_nli = mat(b$exp.nli), sd_nli = mat(b$sd.nli),
    z_nli = mat(b$z.nli), raw_gli = unname(as.numeric(b$raw.gli)),
    exp_gli = unname(as.numeric(b$exp.gli)), sd_gli = unname(as.numeric(b$sd.gli)),
    z_gli = unname(as.numeric(b$z.gli)), exp_grp = mat(b$exp.grp), sd_grp = mat(b$sd.grp),
    clid = as.character(b$clid), n = as.numeric(b$n), N = as.numeric(b$N)
  )
}
meta <- list(oracle = "R sna::brokerage", sna_version = as.character(packageVersion("sna")),
             r_version = R.version.string)
writeLines(toJSON(list(meta = meta, cases = out), auto_unbox = TRUE, digits = I(17),
                  na = "string", pretty = TRUE), args[2])
