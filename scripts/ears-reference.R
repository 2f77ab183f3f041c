#!/usr/bin/env Rscript
# Reference outputs of EARS C1, C2 and C3 as R's `surveillance` package computes them
# (earsC, default settings: baseline 7 days, alpha 0.001 for C1 and C2, 0.025 for C3,
# minSigma 0), on reference series: rare counts, a weekday pattern, large counts, and
# injected waves. `crates/domain/src/observatory/ears.rs` is tested against this file;
# `tests/api/observatory_reference.rs` runs this script again and compares, so the file
# stays what the package computes.
#
#   Rscript scripts/ears-reference.R > fixtures/observatory/ears_reference.csv
suppressMessages(library(surveillance))

set.seed(20261205)
days <- 140
weekday <- rep(c(1.35, 1.2, 1.1, 1.05, 1.0, 0.7, 0.6), length.out = days)
series <- list(
  # About 0.7 a day, then a day of 3 (plain EARS flags it).
  rare = {
    x <- rpois(days, 0.7)
    x[100] <- 3
    x
  },
  # Around 52 a day with a weekday pattern (Mondays busiest); 100 on a Monday, later 120.
  weekdays = {
    x <- rpois(days, 52 * weekday)
    x[85] <- 100
    x[113] <- 120
    x
  },
  # Large counts (about 2,000 a day) with a wave of +40 % over five days.
  large = {
    x <- rpois(days, 2000 * weekday)
    x[90:94] <- round(x[90:94] * 1.4)
    x
  },
  # Middling counts (about 12 a day) with a wave doubling them for a week.
  wave = {
    x <- rpois(days, 12)
    x[70:76] <- x[70:76] + rpois(7, 14)
    x
  },
  # Zeros, then a single case, then a few: sd 0 in the baseline.
  zeros = {
    x <- rep(0, days)
    x[60] <- 1
    x[61:63] <- c(0, 2, 5)
    x
  }
)

# One line per day and method; the days before the method's first are left empty.
cat("series,day,observed,method,upperbound,alarm\n")
for (name in names(series)) {
  x <- series[[name]]
  s <- sts(observed = matrix(x, ncol = 1), start = c(2026, 1), frequency = 365)
  for (method in c("C1", "C2", "C3")) {
    out <- earsC(s, control = list(method = method))
    first <- days - nrow(out) + 1
    for (day in seq_len(days)) {
      if (day < first) {
        cat(sprintf("%s,%d,%d,%s,,\n", name, day, x[day], method))
        next
      }
      ub <- upperbound(out)[day - first + 1, 1]
      al <- alarms(out)[day - first + 1, 1]
      cat(sprintf(
        "%s,%d,%d,%s,%s,%s\n", name, day, x[day], method,
        ifelse(is.na(ub), "NA", sprintf("%.10f", ub)),
        ifelse(is.na(al), "NA", ifelse(al, "true", "false"))
      ))
    }
  }
}
