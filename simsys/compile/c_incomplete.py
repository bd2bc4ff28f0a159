"""The C twin of :mod:`simsys.functions.incomplete`, one scenario at a time.

The same algorithm with the same operations in the same order: Lanczos' log Gamma, Stirling's
log B for a large argument, the series and continued fractions of P(a, x), Q(a, x) and
I_x(a, b), and Newton's method in log x (gamma) or logit x (beta) from Numerical Recipes'
first guesses. The numpy kernel runs every lane through a loop until all have stopped,
freezing each lane where it stops; here a lane's loop breaks at the same test, so both
compute the same numbers (to the last bits of the C library's ``exp``/``log``). RANDOM GAMMA
and RANDOM BETA (:mod:`.c_distributions`) call ``ss_gpq``/``ss_gsolve`` and
``ss_bpq``/``ss_bsolve``.
"""
from __future__ import annotations

from ..functions import incomplete as I


def _array(name: str, vals) -> str:
    return f"static const double {name}[{len(vals)}] = {{{', '.join(repr(float(v)) for v in vals)}}};"


INCOMPLETE = f"""
static const long SS_ITERMS = {I.TERMS}, SS_NEWTON = {I.NEWTON};
static const double SS_EPS = {I.EPS!r}, SS_TINY = {I.TINY!r}, SS_STEP = {I.STEP!r},
  SS_TOL = {I.TOL!r}, SS_LIMIT = {I.LIMIT!r}, SS_LANCZOS_G = {I.LANCZOS_G!r},
  SS_HALF_LOG_2PI = {I.HALF_LOG_2PI!r}, SS_STIRLING_FROM = {I.STIRLING_FROM!r};
{_array("SS_LANCZOS", I.LANCZOS)}
{_array("SS_STIRLING", I.STIRLING)}""" + r"""
/* log Gamma(x), x > 0, as incomplete.lgamma */
static double ss_lgamma(double x) {
  int small = x < 1.0;
  double z = small ? x : x - 1.0, s = SS_LANCZOS[0], t, out;
  int i;
  for (i = 1; i < 9; i++) s = s + SS_LANCZOS[i] / (z + (double)i);
  t = z + SS_LANCZOS_G + 0.5;
  out = SS_HALF_LOG_2PI + (z + 0.5) * log(t) - t + log(s);
  return small ? out - log(x) : out;
}
static double ss_stirling(double x) {
  double r = 1.0 / (x * x), s = SS_STIRLING[6];
  int i;
  for (i = 5; i >= 0; i--) s = s * r + SS_STIRLING[i];
  return s / x;
}
/* log B(a, b) as incomplete.lbeta */
static double ss_lbeta(double a, double b) {
  double lo = ss_min(a, b), hi = ss_max(a, b), d;
  if (hi >= SS_STIRLING_FROM) {
    d = ss_stirling(hi) - ss_stirling(lo + hi) - lo * log(lo + hi) - (hi - 0.5) * log1p(lo / hi) + lo;
    return ss_lgamma(lo) + d;
  }
  return ss_lgamma(a) + ss_lgamma(b) - ss_lgamma(a + b);
}
/* P(a, x) and Q(a, x) into p, q; returns x^a e^-x / Gamma(a) (incomplete.gamma_pq) */
static double ss_gpq(double a, double lga, double x, double lx, double *p, double *q) {
  double pref, ap, d, s, b, c, h, an, de;
  long i;
  if (x == INFINITY) {
    *p = 1.0;
    *q = 0.0;
    return 0.0;
  }
  pref = exp(a * lx - x - lga);
  if (x < a + 1.0) {
    ap = a;
    d = 1.0 / a;
    s = d;
    for (i = 0; i < SS_ITERMS; i++) {
      ap = ap + 1.0;
      d = d * (x / ap);
      s = s + d;
      if (!(fabs(d) >= fabs(s) * SS_EPS)) break;
    }
    if (i == SS_ITERMS) s = NAN;
    *p = pref * s;
    *q = 1.0 - *p;
  } else {
    b = x + 1.0 - a;
    c = 1.0 / SS_TINY;
    d = 1.0 / b;
    h = d;
    for (i = 1; i <= SS_ITERMS; i++) {
      an = -(double)i * ((double)i - a);
      b = b + 2.0;
      d = an * d + b;
      if (fabs(d) < SS_TINY) d = SS_TINY;
      c = b + an / c;
      if (fabs(c) < SS_TINY) c = SS_TINY;
      d = 1.0 / d;
      de = d * c;
      h = h * de;
      if (!(fabs(de - 1.0) > SS_EPS)) break;
    }
    if (i > SS_ITERMS) h = NAN;
    *q = pref * h;
    *p = 1.0 - *q;
  }
  return pref;
}
/* Numerical Recipes' betacf, as incomplete._beta_fraction */
static double ss_betacf(double a, double b, double x) {
  double qab = a + b, qap = a + 1.0, qam = a - 1.0, c = 1.0, d, h, m, m2, aa, de;
  long i;
  d = 1.0 - qab * x / qap;
  if (fabs(d) < SS_TINY) d = SS_TINY;
  d = 1.0 / d;
  h = d;
  for (i = 1; i <= SS_ITERMS; i++) {
    m = (double)i;
    m2 = 2.0 * m;
    aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (fabs(d) < SS_TINY) d = SS_TINY;
    c = 1.0 + aa / c;
    if (fabs(c) < SS_TINY) c = SS_TINY;
    d = 1.0 / d;
    h = h * (d * c);
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (fabs(d) < SS_TINY) d = SS_TINY;
    c = 1.0 + aa / c;
    if (fabs(c) < SS_TINY) c = SS_TINY;
    d = 1.0 / d;
    de = d * c;
    h = h * de;
    if (!(fabs(de - 1.0) > SS_EPS)) break;
  }
  return (i > SS_ITERMS) ? NAN : h;
}
/* I_x(a, b) and 1 - I_x(a, b) into p, q; returns x^a y^b / B(a, b) (incomplete.beta_pq) */
static double ss_bpq(double a, double b, double lb, double x, double y, double lx, double ly,
                     double *p, double *q) {
  double pref = exp(a * lx + b * ly - lb);
  if (x < (a + 1.0) / (a + b + 2.0)) {
    *p = pref * ss_betacf(a, b, x) / a;
    *q = 1.0 - *p;
  } else {
    *q = pref * ss_betacf(b, a, y) / b;
    *p = 1.0 - *q;
  }
  return pref;
}
/* log x and log (1 - x) at x = 1 / (1 + exp(-s)) (incomplete._logs) */
static void ss_logs(double s, double *lx, double *ly) {
  double m = log1p(exp(-fabs(s)));
  *lx = ss_min(s, 0.0) - m;
  *ly = ss_min(-s, 0.0) - m;
}
/* F, 1 - F and dF/ds at s (kind 0: gamma, s = log x; 1: beta, s = logit x) */
static double ss_fat(int kind, double s, double a, double b, double lc, double *f, double *g) {
  double lx, ly;
  if (kind == 0) return ss_gpq(a, lc, exp(s), s, f, g);
  ss_logs(s, &lx, &ly);
  return ss_bpq(a, b, lc, exp(lx), exp(ly), lx, ly, f, g);
}
/* Newton's method on log V(s) = log target, V = F (q <= 1/2) or 1 - F (incomplete._solve) */
static double ss_solve(int kind, double s, double a, double b, double lc, double q, double r) {
  int lower = q <= 0.5, good;
  double lt = log(lower ? q : r), sign = lower ? 1.0 : -1.0, f, g, v, pref, d, nw, last = NAN;
  long it;
  for (it = 0; it < SS_NEWTON; it++) {
    pref = ss_fat(kind, s, a, b, lc, &f, &g);
    v = lower ? f : g;
    good = v > 0.0;
    d = -(log(v) - lt) * v / (sign * pref);
    d = ss_min(ss_max(d, -SS_STEP), SS_STEP);
    /* V underflowed: halfway back to the last point where it did not, or a full step */
    nw = good ? s + d : ((last == last) ? 0.5 * (s + last) : s + sign * SS_STEP);
    nw = ss_min(ss_max(nw, -SS_LIMIT), SS_LIMIT);
    if (good) last = s;
    s = nw;
    if (good && (fabs(d) <= SS_TOL * ss_max(1.0, fabs(nw)) || fabs(nw) >= SS_LIMIT)) return s;
  }
  return NAN;
}
/* NR's rough normal quantile of min(q, r), negated below 1/2 (incomplete._normal_guess) */
static double ss_zguess(double q, double r) {
  double t = sqrt(-2.0 * log(ss_min(q, r)));
  double z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t;
  return (q < 0.5) ? -z : z;
}
/* x with P(a, x) = q, r = 1 - q (incomplete.gamma_solve) */
static double ss_gsolve(double a, double lga, double q, double r) {
  double z, w, t, s0;
  if (a > 1.0) {
    z = ss_zguess(q, r);
    w = 1.0 - 1.0 / (9.0 * a) - z / (3.0 * sqrt(a));
    s0 = log(ss_max(a * w * w * w, 1e-3));
  } else {
    t = 1.0 - a * (0.253 + a * 0.12);
    s0 = (q < t) ? log(q / t) / a : log(1.0 - log(r / (1.0 - t)));
  }
  s0 = ss_min(ss_max(s0, -700.0), 700.0);
  return exp(ss_solve(0, s0, a, 0.0, lga, q, r));
}
/* x with I_x(a, b) = q, r = 1 - q (incomplete.beta_solve) */
static double ss_bsolve(double a, double b, double lb, double q, double r) {
  double z, al, h, w, lna, lnb, t, u, tot, lx, ly, s0;
  if (a >= 1.0 && b >= 1.0) {
    z = ss_zguess(q, r);
    al = (z * z - 3.0) / 6.0;
    h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
    w = z * sqrt(al + h) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) *
        (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
    s0 = log(a) - log(b) - 2.0 * w;
  } else {
    lna = log(a / (a + b));
    lnb = log(b / (a + b));
    t = exp(a * lna) / a;
    u = exp(b * lnb) / b;
    tot = t + u;
    if (q < t / tot) {
      lx = log(a * tot * q) / a;
      s0 = lx - log1p(-exp(lx));
    } else {
      ly = log(b * tot * r) / b;
      s0 = log1p(-exp(ly)) - ly;
    }
  }
  s0 = ss_min(ss_max(s0, -700.0), 700.0);
  s0 = ss_solve(1, s0, a, b, lb, q, r);
  ss_logs(s0, &lx, &ly);
  return exp(lx);
}
"""

#: identifiers of the text above that the vet checker's patterns do not cover
INCOMPLETE_NAMES = frozenset({
    "SS_ITERMS", "SS_NEWTON", "SS_EPS", "SS_TINY", "SS_STEP", "SS_TOL", "SS_LIMIT",
    "SS_LANCZOS_G", "SS_HALF_LOG_2PI", "SS_STIRLING_FROM", "SS_LANCZOS", "SS_STIRLING",
    "ss_lgamma", "ss_stirling", "ss_lbeta", "ss_gpq", "ss_betacf", "ss_bpq", "ss_logs",
    "ss_fat", "ss_solve", "ss_zguess", "ss_gsolve", "ss_bsolve",
    "small", "lx", "ly", "lga", "lb", "lc", "pref", "ap", "an", "de", "qab", "qap", "qam",
    "m2", "aa", "kind", "lower", "good", "lt", "sign", "nw", "al", "lna", "lnb", "tot", "s0", "h",
    "last",
})
