# Extracts the raw subset used by kiln's trained forecaster from the `air` data set of the R package
# spacetime (Debian package r-cran-spacetime, 1.2-8+dfsg-1): daily mean PM10 (ug/m3) at rural background
# stations in Germany, from the European Environment Agency's AirBase. Missing values are left empty.
# Usage: Rscript extract.R OUT.csv
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "raw.csv"
suppressPackageStartupMessages(library(spacetime))
data(air)  # air: matrix [70 stations, 4383 days]; dates: Date vector 1998-01-01 .. 2009-12-31
stations <- c("DEUB005", "DENI060", "DENI063", "DENI059", "DENI058", "DEMV017", "DEUB030", "DEUB028")
keep <- dates >= as.Date("2002-01-01") & dates <= as.Date("2009-12-31")
m <- t(air[stations, keep])
df <- data.frame(date = format(dates[keep]), m, check.names = FALSE)
write.csv(df, out, row.names = FALSE, na = "", quote = FALSE)
