#!/usr/bin/env Rscript
# Reference outputs of the Farrington flexible method (Noufaily et al. 2013) as R's
# `surveillance` package computes it (farringtonFlexible), with the settings the service
# uses on weekly counts: 3 years back, windows of 3 weeks either side, 10 seasonal periods,
# the last 26 weeks kept out of the baseline, reweighting above Anscombe residuals of 2.58,
# the negative binomial quantile as threshold (alpha 0.01), a trend kept only when
# significant at 5 %, no alarm with fewer than 5 cases over the last 4 weeks.
# `crates/domain/src/observatory/farrington.rs` is tested against this file;
# `tests/api/observatory_reference.rs` runs this script again and compares.
#
#   Rscript scripts/farrington-reference.R > fixtures/observatory/farrington_reference.csv
suppressMessages(library(surveillance))

set.seed(20261205)
weeks <- 260
t <- seq_len(weeks)
season <- 1 + 0.5 * sin(2 * pi * t / 52)
series <- list(
  # Under one case a week, then six in one week.
  rare = {
    x <- rpois(weeks, 0.8)
    x[240] <- 6
    x
  },
  # About 40 a week with a yearly season; a wave of +25 over three weeks.
  seasonal = {
    x <- rpois(weeks, 40 * season)
    x[225:227] <- x[225:227] + c(25, 30, 20)
    x
  },
  # About 3,000 a week, seasonal and overdispersed; a wave of +30 % over three weeks.
  large = {
    x <- rnbinom(weeks, mu = 3000 * season, size = 50)
    x[245:247] <- round(x[245:247] * 1.3)
    x
  },
  # A rising trend, 15 to 45 a week, then a burst.
  trend = {
    x <- rpois(weeks, 15 + 30 * t / weeks)
    x[250] <- x[250] + 35
    x
  },
  # Nothing for years, then a few cases (fewer than 5 over 4 weeks raise no alarm).
  zeros = {
    x <- rep(0, weeks)
    x[230] <- 2
    x[231] <- 1
    x[250:252] <- c(3, 4, 6)
    x
  }
)

control <- list(
  b = 3, w = 3, noPeriods = 10, pastWeeksNotIncluded = 26, reweight = TRUE,
  weightsThreshold = 2.58, thresholdMethod = "nbPlugin", alpha = 0.01, trend = TRUE,
  pThresholdTrend = 0.05, limit54 = c(5, 4), glmWarnings = FALSE
)

# One line per week; the weeks before the first evaluated (3 years and 3 weeks in) are left
# empty.
cat("series,week,observed,expected,upperbound,alarm\n")
num <- function(v) ifelse(is.na(v), "NA", sprintf("%.10f", v))
for (name in names(series)) {
  x <- series[[name]]
  s <- sts(observed = matrix(x, ncol = 1), start = c(2020, 1), frequency = 52)
  control$range <- (52 * control$b + control$w + 1):weeks
  out <- farringtonFlexible(s, control = control)
  for (week in seq_len(min(control$range) - 1)) {
    cat(sprintf("%s,%d,%d,,,\n", name, week, x[week]))
  }
  for (i in seq_along(control$range)) {
    week <- control$range[i]
    al <- alarms(out)[i, 1]
    cat(sprintf(
      "%s,%d,%d,%s,%s,%s\n", name, week, x[week], num(out@control$expected[i, 1]),
      num(upperbound(out)[i, 1]), ifelse(is.na(al), "NA", ifelse(al, "true", "false"))
    ))
  }
}
