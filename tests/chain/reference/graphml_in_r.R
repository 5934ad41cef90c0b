# Read hkfactor's GraphML export in R (igraph) and run sna::brokerage on it, grouped by side.
# Usage: Rscript graphml_in_r.R chain.graphml
# Prints JSON: vertex/edge counts, vertex ids, DJI's label, and brokerage counts/z-scores.
suppressPackageStartupMessages({
  library(igraph)
  library(sna)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
g <- read_graph(args[1], format = "graphml")
a <- as.matrix(as_adjacency_matrix(g, sparse = FALSE))
a[a > 0] <- 1  # parallel relations collapse to one tie
b <- sna::brokerage(a, V(g)$side)
rows <- function(x) lapply(seq_len(nrow(x)), function(i) unname(x[i, ]))
cat(toJSON(list(
  n = vcount(g), m = ecount(g), ids = V(g)$id, dji_label = V(g)$label[V(g)$id == "E-DJI"],
  raw = rows(b$raw.nli), z = rows(b$z.nli)
), auto_unbox = TRUE, digits = I(15), na = "string"))
