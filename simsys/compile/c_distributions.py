"""The C twins of :mod:`simsys.functions.distributions`, one scenario at a time (the
incomplete gamma and beta functions they invert come first, from :mod:`.c_incomplete`).

Each function takes the scenario's key, the call site and the step number, draws one
uniform with ``ss_u01`` (as RANDOM NORMAL does) and repeats the numpy kernel's operations
in the same order, so both backends give the same draws (to the last bit where the C
library's ``log``/``exp``/``pow`` are numpy's).
"""
from __future__ import annotations

from ..functions.distributions import BINOMIAL, DISCRETE_TERMS, NEGATIVE_BINOMIAL, POISSON
from .c_incomplete import INCOMPLETE, INCOMPLETE_NAMES

DISTRIBUTIONS = INCOMPLETE + f"""
static const long SS_TERMS = {DISCRETE_TERMS};
enum {{ SS_POISSON = {POISSON}, SS_BINOMIAL = {BINOMIAL}, SS_NBINOMIAL = {NEGATIVE_BINOMIAL} }};""" + r"""
/* RANDOM TRIANGULAR as distributions.random_triangular */
static double ss_tricdf(double x, double m) {
  if (x <= 0) return 0.0;
  if (x >= 1) return 1.0;
  return (x <= m) ? x * x / m : 1.0 - (1.0 - x) * (1.0 - x) / (1.0 - m);
}
static double ss_triangular(uint64_t key, long site, long k, double lo, double hi, double a,
                            double c, double e) {
  double w = e - a, m = (c - a) / w, lo2 = ss_max(lo, a), hi2 = ss_min(hi, e), fa, fb, q, x;
  double u = ss_u01(key, site, k);
  if (!(a <= c && c <= e && a < e && lo2 <= hi2 && lo <= hi)) return NAN;
  fa = ss_tricdf((lo2 - a) / w, m);
  fb = ss_tricdf((hi2 - a) / w, m);
  q = fa + u * (fb - fa);
  x = (q < m) ? sqrt(m * q) : 1.0 - sqrt((1.0 - m) * (1.0 - q));
  return ss_min(ss_max(a + w * x, lo2), hi2);
}
/* RANDOM WEIBULL as distributions.random_weibull */
static double ss_weibull(uint64_t key, long site, long k, double lo, double hi, double shape,
                         double shift, double stretch) {
  double xlo = ss_max((lo - shift) / stretch, 0.0), xhi = (hi - shift) / stretch, fa, fb, q, x;
  double u = ss_u01(key, site, k);
  if (!(shape > 0 && stretch > 0 && lo <= hi && xlo <= xhi)) return NAN;
  fa = -expm1(-pow(xlo, shape));
  fb = -expm1(-pow(xhi, shape));
  q = fa + u * (fb - fa);
  x = pow(-log1p(-q), 1.0 / shape);
  return ss_min(ss_max(shift + stretch * x, lo), hi);
}
/* the probability to invert and its complement, as distributions._target */
static void ss_target(double u, double fa, double fb, double ga, double gb, double *q, double *r) {
  *q = fa + u * (fb - fa);
  *r = ga + u * (gb - ga);
}
/* RANDOM GAMMA as distributions.random_gamma */
static double ss_gamma(uint64_t key, long site, long k, double lo, double hi, double shape,
                       double shift, double stretch) {
  double xlo = ss_max((lo - shift) / stretch, 0.0), xhi = (hi - shift) / stretch, lga, fa, fb, ga, gb, q, r, x;
  double u = ss_u01(key, site, k);
  if (!(shape > 0 && shape < INFINITY && stretch > 0 && lo <= hi && xlo <= xhi)) return NAN;
  lga = ss_lgamma(shape);
  ss_gpq(shape, lga, xlo, log(xlo), &fa, &ga);
  ss_gpq(shape, lga, xhi, log(xhi), &fb, &gb);
  ss_target(u, fa, fb, ga, gb, &q, &r);
  if (q > 0 && r > 0) x = ss_gsolve(shape, lga, q, r);
  else x = (q <= 0) ? xhi : ((r <= 0) ? xlo : NAN); /* distributions._unresolved */
  x = ss_min(ss_max(x, xlo), xhi);
  return ss_min(ss_max(shift + stretch * x, lo), hi);
}
/* RANDOM BETA as distributions.random_beta */
static double ss_beta(uint64_t key, long site, long k, double lo, double hi, double alpha,
                      double beta, double shift, double stretch) {
  double xlo = ss_max((lo - shift) / stretch, 0.0), xhi = ss_min((hi - shift) / stretch, 1.0);
  double u = ss_u01(key, site, k), lb, fa, fb, ga, gb, q, r, x;
  if (!(alpha > 0 && alpha < INFINITY && beta > 0 && beta < INFINITY && stretch > 0 && lo <= hi
        && xlo <= xhi)) return NAN;
  lb = ss_lbeta(alpha, beta);
  ss_bpq(alpha, beta, lb, xlo, 1.0 - xlo, log(xlo), log1p(-xlo), &fa, &ga);
  ss_bpq(alpha, beta, lb, xhi, 1.0 - xhi, log(xhi), log1p(-xhi), &fb, &gb);
  ss_target(u, fa, fb, ga, gb, &q, &r);
  if (q > 0 && r > 0) x = ss_bsolve(alpha, beta, lb, q, r);
  else x = (q <= 0) ? xhi : ((r <= 0) ? xlo : NAN); /* distributions._unresolved */
  x = ss_min(ss_max(x, xlo), xhi);
  return ss_min(ss_max(shift + stretch * x, lo), hi);
}
/* RANDOM LOOKUP as lookup_density.random_lookup: lookup table tab read as a density */
static double ss_larea(double x, const double *xs, const double *ys, const double *c, long n) {
  long i = 0;
  double dx, yx;
  x = ss_min(ss_max(x, xs[0]), xs[n - 1]);
  while (i < n - 2 && xs[i + 1] <= x) i++;
  dx = x - xs[i];
  yx = ys[i] + (ys[i + 1] - ys[i]) * dx / (xs[i + 1] - xs[i]);
  return c[i] + dx * (ys[i] + yx) * 0.5;
}
static double ss_rlookup(uint64_t key, long site, long k, long tab, double lo, double hi) {
  const double *xs = tx + tof[tab], *ys = ty + tof[tab];
  long n = tln[tab], i, j = 0;
  double u = ss_u01(key, site, k), lo2, hi2, alo, ahi, t, w, r, y0, disc, den, dx, x;
  double c[n > 1 ? n : 1];
  if (n < 2) return NAN;
  for (i = 0; i < n; i++)
    if (ys[i] < 0) return NAN;
  c[0] = 0.0;
  for (i = 0; i + 1 < n; i++) c[i + 1] = c[i] + (xs[i + 1] - xs[i]) * (ys[i] + ys[i + 1]) * 0.5;
  lo2 = ss_max(lo, xs[0]);
  hi2 = ss_min(hi, xs[n - 1]);
  alo = ss_larea(lo2, xs, ys, c, n);
  ahi = ss_larea(hi2, xs, ys, c, n);
  if (!(lo <= hi && lo2 <= hi2 && (ahi > alo || lo2 == hi2))) return NAN;
  t = alo + u * (ahi - alo);
  while (j < n - 2 && c[j + 1] < t) j++;
  w = xs[j + 1] - xs[j];
  r = t - c[j];
  y0 = ys[j];
  disc = ss_max(y0 * y0 + 2.0 * ((ys[j + 1] - y0) / w) * r, 0.0);
  den = y0 + sqrt(disc);
  dx = (den > 0) ? 2.0 * r / den : 0.0;
  x = xs[j] + ss_min(ss_max(dx, 0.0), w);
  return ss_min(ss_max(x, lo2), hi2);
}
/* the discrete draws as distributions._discrete: log pmf(j) - log pmf(j - 1) */
static inline double ss_dstep(int kind, double j, double n, double lc) {
  if (kind == SS_POISSON) return lc - log(j);
  if (kind == SS_BINOMIAL) return log(n - j + 1.0) - log(j) + lc;
  return log(j + n - 1.0) - log(j) + lc;
}
static double ss_discrete(int kind, double u, double lo, double hi, double shift, double stretch,
                          double lp0, double lc, double n, double top, int ok) {
  double klo = ss_max(ceil((lo - shift) / stretch), 0.0);
  double khi = ss_min(floor((hi - shift) / stretch), top);
  double flo = 0.0, fhi = NAN, c = 0.0, cn, p, prev = -1.0, lp = lp0, t, j, found = NAN;
  long i;
  if (!(ok && stretch > 0 && lo <= hi && klo <= khi)) return NAN;
  for (i = 0; i < SS_TERMS; i++) {
    j = (double)i;
    if (i) lp = lp + ss_dstep(kind, j, n, lc);
    p = exp(lp);
    cn = c + p;
    if (j == klo - 1.0) flo = cn;
    if (j >= khi || (p < prev && cn == c)) {
      fhi = cn;
      if (j < klo - 1.0) flo = cn;
      break;
    }
    c = cn;
    prev = p;
  }
  if (fhi != fhi) return NAN;
  if (fhi == flo) {
    found = klo;
  } else {
    t = ss_min(flo + u * (fhi - flo), fhi);
    c = 0.0;
    lp = lp0;
    for (i = 0; i < SS_TERMS; i++) {
      j = (double)i;
      if (i) lp = lp + ss_dstep(kind, j, n, lc);
      cn = c + exp(lp);
      if (j >= klo && cn >= t) {
        found = j;
        break;
      }
      c = cn;
    }
  }
  return ss_min(ss_max(shift + stretch * found, lo), hi);
}
static double ss_poisson(uint64_t key, long site, long k, double lo, double hi, double mean,
                         double shift, double stretch) {
  double u = ss_u01(key, site, k);
  int ok = mean >= 0 && isfinite(mean);
  return ss_discrete(SS_POISSON, u, lo, hi, shift, stretch, -mean, log(mean), 0.0, INFINITY, ok);
}
static double ss_binomial(uint64_t key, long site, long k, double lo, double hi, double prob,
                          double n, double shift, double stretch) {
  double u = ss_u01(key, site, k), x;
  int ok = prob >= 0 && prob <= 1 && n >= 0 && isfinite(n) && n == floor(n);
  if (ok && prob == 1) {
    /* all of the mass at count, whose log pmf the recurrence cannot reach */
    x = shift + stretch * n;
    return (stretch > 0 && lo <= x && x <= hi) ? x : NAN;
  }
  return ss_discrete(SS_BINOMIAL, u, lo, hi, shift, stretch, n * log1p(-prob),
                     log(prob) - log1p(-prob), n, n, ok);
}
static double ss_nbinomial(uint64_t key, long site, long k, double lo, double hi, double prob,
                           double n, double shift, double stretch) {
  double u = ss_u01(key, site, k);
  int ok = prob > 0 && prob <= 1 && n >= 1 && isfinite(n) && n == floor(n);
  return ss_discrete(SS_NBINOMIAL, u, lo, hi, shift, stretch, n * log(prob), log1p(-prob), n,
                     INFINITY, ok);
}
"""

#: identifiers of the text above that the vet checker's patterns do not cover
DISTRIBUTION_NAMES = frozenset({
    "SS_TERMS", "SS_POISSON", "SS_BINOMIAL", "SS_NBINOMIAL", "enum", "ss_tricdf", "ss_dstep",
    "ss_discrete", "ceil", "pow", "lo2", "hi2", "fa", "fb", "xlo", "xhi", "shape", "klo", "khi",
    "flo", "fhi", "cn", "prev", "lp", "lp0", "lc", "top", "found", "ok", "kind", "prob",
    "alpha", "beta", "ss_larea", "ss_target", "ga", "gb", "alo", "ahi", "disc", "den", "dx",
    "yx", "tab",
}) | INCOMPLETE_NAMES
