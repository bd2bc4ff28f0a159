"""The fixed C text of every kernel: Vensim's functions and the time loop.

Each function mirrors one function of :mod:`.runtime` (numpy) on one scenario with the
same operations in the same order, so a C run repeats the numpy run bit for bit where the
C library computes what numpy computes. The random numbers port ``_mix``/``_u01`` exactly
(uint64 arithmetic); RANDOM EXPONENTIAL is the same inverse CDF with ``log1p``/``expm1``;
RANDOM NORMAL ports Cephes' ``ndtri`` as scipy does, with ``ndtr``
from the C library's ``erf``/``erfc``. The other RANDOM distributions (triangular, Weibull,
gamma, beta, Poisson, binomial, negative binomial, lookup) are in :mod:`.c_distributions`,
appended to the text with the incomplete gamma and beta functions of :mod:`.c_incomplete`.

``sim_run`` is :func:`simsys.solve.simulate.simulate` for one block of ``nb`` scenarios:
Euler or RK4, saving the selected rows at save steps, the non-negative clamp, DELAY FIXED
rings and SAMPLE IF TRUE discrete states, and non-finite detection per scenario (the step,
the kind, and the state needed to name the variable are recorded; Python names it with the
numpy right-hand side). Global arrays are ``[rows][ld]`` with the block's first column at
the pointer; block-local arrays are ``[rows][nb]``.
"""
from __future__ import annotations

from ..functions.allocation import BISECTIONS, REACH, SQRT2, WALK
from .c_distributions import DISTRIBUTION_NAMES, DISTRIBUTIONS

RUNTIME = f"""
static const long ALLOC_BISECTIONS = {BISECTIONS}, ALLOC_WALK = {WALK};
static const double ALLOC_R1 = {REACH[1]!r}, ALLOC_R2 = {REACH[2]!r}, ALLOC_R3 = {REACH[3]!r},
  ALLOC_R4 = {REACH[4]!r}, ALLOC_SQRT2 = {SQRT2!r};""" + r"""
static inline double ss_min(double a, double c) { return (a <= c || a != a) ? a : c; }
static inline double ss_max(double a, double c) { return (a >= c || a != a) ? a : c; }
static inline double ss_ite(double c, double a, double e) { return (c != 0) ? a : e; }
static inline double ss_xidz(double a, double c, double x) { return (fabs(c) < 1e-06) ? x : a / c; }
static inline double ss_zidz(double a, double c) { return (fabs(c) < 1e-06) ? 0.0 : a / c; }
static inline double ss_quantum(double a, double c) { return (c < 1e-06) ? a : c * trunc(a / c); }
static inline double ss_modulo(double x, double m) { return x - ss_quantum(x, m); }
static inline double ss_pymod(double a, double c) {
  double m = fmod(a, c);
  if (c == 0) return m;
  if (m != 0) {
    if ((c < 0) != (m < 0)) m += c;
  } else {
    m = copysign(0.0, c);
  }
  return m;
}
static inline double ss_ramp(double t, double slope, double start) {
  return (double)(t + 1e-06 > start) * slope * (t - start);
}
static inline double ss_ramp2(double t, double slope, double start, double finish) {
  return (double)(t + 1e-06 > start) * slope * (ss_min(finish, t) - start);
}
static inline double ss_xpulse(double t, double dt, double start, double mag) {
  return ((start - 1e-06 <= t) && (t < start + 0.5 * dt)) ? mag / dt : 0.0;
}
static inline double ss_xpulse_train(double t, double dt, double start, double rep, double mag) {
  int hit;
  if (rep == 0) hit = (start - 1e-06 <= t) && (t < start + 0.5 * dt);
  else hit = (start <= t) && (ss_pymod(t - start + 1e-06, rep) < 0.5 * dt);
  return hit ? mag / dt : 0.0;
}
static inline double ss_pulse(double t, double start, double width) {
  return ((start - 1e-06 <= t) && (t < start + width)) ? 1.0 : 0.0;
}
static inline double ss_pulse_train(double t, double start, double rep, double width, double end) {
  int hit;
  if (rep == 0) hit = (start - 1e-06 <= t) && (t < start + width);
  else hit = (start <= t) && (t < end) && (ss_pymod(t - start + 1e-06, rep) < width);
  return hit ? 1.0 : 0.0;
}
/* numpy.interp, NaN handling included, on xs[0:n], ys[0:n] */
static double ss_interp(double x, const double *xs, const double *ys, long n) {
  long lo, hi, mid, last;
  double slope, r;
  if (x != x) return x;
  if (n == 1) return ys[0];
  last = n - 1;
  if (x > xs[last]) return ys[last];
  if (x < xs[0]) return ys[0];
  if (x == xs[last]) return ys[last];
  lo = 0;
  if (n <= 32) {
    while (xs[lo + 1] <= x) lo++;
  } else {
    hi = last;
    while (hi - lo > 1) {
      mid = (lo + hi) >> 1;
      if (xs[mid] <= x) lo = mid; else hi = mid;
    }
  }
  if (xs[lo] == x) return ys[lo];
  slope = (ys[lo + 1] - ys[lo]) / (xs[lo + 1] - xs[lo]);
  r = slope * (x - xs[lo]) + ys[lo];
  if (r != r) {
    r = slope * (x - xs[lo + 1]) + ys[lo + 1];
    if (r != r && ys[lo] == ys[lo + 1]) r = ys[lo];
  }
  return r;
}
static double ss_extrap(double x, const double *xs, const double *ys, long n) {
  if (n > 1) {
    long last = n - 1;
    if (x < xs[0]) return ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0]);
    if (x > xs[last]) return ys[last] + (x - xs[last]) * (ys[last] - ys[last - 1]) / (xs[last] - xs[last - 1]);
  }
  return ss_interp(x, xs, ys, n);
}
static double ss_holdb(double x, const double *xs, const double *ys, long n) {
  long i = 0;
  if (x != x) return ys[n - 1];
  while (i < n && xs[i] <= x) i++;
  i--;
  if (i < 0) i = 0;
  return ys[i];
}
static double ss_lookf(double x, const double *xs, const double *ys, long n) {
  long i = 0;
  if (x != x) return ys[n - 1];
  while (i < n - 1 && xs[i] < x) i++;
  return ys[i];
}
/* :RAW: data: the listed value at a listed time (within rawm, relative), NaN elsewhere */
static double ss_raw(double x, const double *xs, const double *ys, long n) {
  long i;
  for (i = 0; i < n; i++)
    if (fabs(x - xs[i]) <= rawm * ss_max(1.0, fabs(xs[i]))) return ys[i];
  return NAN;
}
/* GET DATA BETWEEN TIMES as SDEverywhere 0.7.28 computes it (__get_data_between_times):
   m 5 forward, 6 backward, 7 interpolate (runtime._between says what each reads) */
static double ss_between(double x, const double *xs, const double *ys, long n, int m) {
  long i;
  if (m == 5) {
    x = floor(x);
    for (i = 0; i < n; i++) if (xs[i] >= x) return ys[i];
    return ys[n - 1];
  }
  if (n == 1) return ys[0];
  if (m == 6) {
    x = floor(x);
    for (i = 1; i < n; i++) if (xs[i] >= x) return ys[i - 1];
    return ys[n - 2];
  }
  for (i = 1; i < n; i++)
    if (xs[i] >= x) return ys[i - 1] + ((ys[i] - ys[i - 1]) / (xs[i] - xs[i - 1])) * (x - xs[i - 1]);
  return ys[n - 1];
}
static inline double ss_lookup(double x, long j) {
  const double *xs = tx + tof[j], *ys = ty + tof[j];
  if (tmd[j] == 0) return ss_interp(x, xs, ys, tln[j]);
  if (tmd[j] >= 5) return ss_between(x, xs, ys, tln[j], tmd[j]);
  if (tmd[j] == 4) return ss_raw(x, xs, ys, tln[j]);
  if (tmd[j] == 1) return ss_extrap(x, xs, ys, tln[j]);
  if (tmd[j] == 3) return ss_lookf(x, xs, ys, tln[j]);
  return ss_holdb(x, xs, ys, tln[j]);
}
static inline uint64_t ss_mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
static inline double ss_u01(uint64_t key, long site, long k) {
  uint64_t x = key ^ ss_mix((uint64_t)site * 0x9E3779B97F4A7C15ull + (uint64_t)k * 0xBF58476D1CE4E5B9ull
                            + 0x9E3779B97F4A7C15ull);
  uint64_t bits = ss_mix(x) >> 11;
  return ((double)bits + 0.5) * (1.0 / 9007199254740992.0);
}
static inline double ss_uniform(uint64_t key, long site, long k, double lo, double hi) {
  return lo + (hi - lo) * ss_u01(key, site, k);
}
/* Cephes ndtr and ndtri, as scipy.special computes them */
static double ss_ndtr(double a) {
  double x, y, z;
  if (a != a) return a;
  x = a * 0.7071067811865476;
  z = fabs(x);
  if (z < 0.7071067811865476) {
    y = 0.5 + 0.5 * erf(x);
  } else {
    y = 0.5 * erfc(z);
    if (x > 0) y = 1.0 - y;
  }
  return y;
}
static double ss_polevl(double x, const double *c, int n) {
  double ans = c[0];
  int i;
  for (i = 1; i <= n; i++) ans = ans * x + c[i];
  return ans;
}
static double ss_p1evl(double x, const double *c, int n) {
  double ans = x + c[0];
  int i;
  for (i = 1; i < n; i++) ans = ans * x + c[i];
  return ans;
}
static const double ss_p0[5] = {-5.99633501014107895267E1, 9.80010754185999661536E1,
  -5.66762857469070293439E1, 1.39312609387279679503E1, -1.23916583867381258016E0};
static const double ss_q0[8] = {1.95448858338141759834E0, 4.67627912898881538453E0,
  8.63602421390890590575E1, -2.25462687854119370527E2, 2.00260212380060660359E2,
  -8.20372256168333339912E1, 1.59056225126211695515E1, -1.18331621121330003142E0};
static const double ss_p1[9] = {4.05544892305962419923E0, 3.15251094599893866154E1,
  5.71628192246421288162E1, 4.40805073893200834700E1, 1.46849561928858024014E1,
  2.18663306850790267539E0, -1.40256079171354495875E-1, -3.50424626827848203418E-2,
  -8.57456785154685413611E-4};
static const double ss_q1[8] = {1.57799883256466749731E1, 4.53907635128879210584E1,
  4.13172038254672030440E1, 1.50425385692907503408E1, 2.50464946208309415979E0,
  -1.42182922854787788574E-1, -3.80806407691578277194E-2, -9.33259480895457427372E-4};
static const double ss_p2[9] = {3.23774891776946035970E0, 6.91522889068984211695E0,
  3.93881025292474443415E0, 1.33303460815807542389E0, 2.01485389549179081538E-1,
  1.23716634817820021358E-2, 3.01581553508235416007E-4, 2.65806974686737550832E-6,
  6.23974539184983293730E-9};
static const double ss_q2[8] = {6.02427039364742014255E0, 3.67983563856160859403E0,
  1.37702099489081330271E0, 2.16236993594496635890E-1, 1.34204006088543189037E-2,
  3.28014464682127739104E-4, 2.89247864745380683936E-6, 6.79019408009981274425E-9};
static double ss_ndtri(double y0) {
  double x, y, z, y2, x0, x1;
  int code;
  if (y0 == 0.0) return -INFINITY;
  if (y0 == 1.0) return INFINITY;
  if (y0 < 0.0 || y0 > 1.0 || y0 != y0) return NAN;
  code = 1;
  y = y0;
  if (y > (1.0 - 0.13533528323661269189)) {
    y = 1.0 - y;
    code = 0;
  }
  if (y > 0.13533528323661269189) {
    y = y - 0.5;
    y2 = y * y;
    x = y + y * (y2 * ss_polevl(y2, ss_p0, 4) / ss_p1evl(y2, ss_q0, 8));
    x = x * 2.50662827463100050242E0;
    return x;
  }
  x = sqrt(-2.0 * log(y));
  x0 = x - log(x) / x;
  z = 1.0 / x;
  if (x < 8.0) x1 = z * ss_polevl(z, ss_p1, 8) / ss_p1evl(z, ss_q1, 8);
  else x1 = z * ss_polevl(z, ss_p2, 8) / ss_p1evl(z, ss_q2, 8);
  x = x0 - x1;
  if (code != 0) x = -x;
  return x;
}
static double ss_normal(uint64_t key, long site, long k, double lo, double hi, double mean, double sd) {
  double a, e, u, z;
  sd = (sd > 0) ? sd : 1.0;
  a = ss_ndtr((lo - mean) / sd);
  e = ss_ndtr((hi - mean) / sd);
  u = ss_u01(key, site, k);
  z = ss_ndtri(a + u * (e - a));
  return ss_min(ss_max(mean + sd * z, lo), hi);
}
/* RANDOM EXPONENTIAL as runtime._random_exponential (scipy's truncexpon inverse CDF) */
static double ss_exponential(uint64_t key, long site, long k, double lo, double hi, double shift,
                             double stretch) {
  double loc = ss_max(lo, shift);
  double e = ss_xidz(hi - loc, stretch, INFINITY);
  double u = ss_u01(key, site, k);
  return loc + stretch * -log1p(u * expm1(-e));
}
/* INVERT MATRIX: LU factorisation with partial pivoting (row interchanges, as LAPACK's
   getrf) of a[n*n] (row-major, overwritten), applied to the identity, then back
   substitution: r receives the inverse. A non-finite entry or an exactly zero pivot (what
   LAPACK reports as singular) gives NaN in every entry, which stops the scenario. */
static void ss_matinv(long n, double *a, double *r) {
  long i, j, c, p;
  double v;
  for (i = 0; i < n * n; i++) {
    if (!isfinite(a[i])) {
      for (j = 0; j < n * n; j++) r[j] = NAN;
      return;
    }
    r[i] = 0.0;
  }
  for (i = 0; i < n; i++) r[i * n + i] = 1.0;
  for (c = 0; c < n; c++) {
    p = c;
    for (i = c + 1; i < n; i++)
      if (fabs(a[i * n + c]) > fabs(a[p * n + c])) p = i;
    if (a[p * n + c] == 0.0) {
      for (j = 0; j < n * n; j++) r[j] = NAN;
      return;
    }
    if (p != c) {
      for (j = 0; j < n; j++) {
        v = a[c * n + j]; a[c * n + j] = a[p * n + j]; a[p * n + j] = v;
        v = r[c * n + j]; r[c * n + j] = r[p * n + j]; r[p * n + j] = v;
      }
    }
    for (i = c + 1; i < n; i++) {
      v = a[i * n + c] / a[c * n + c];
      for (j = c; j < n; j++) a[i * n + j] -= v * a[c * n + j];
      for (j = 0; j < n; j++) r[i * n + j] -= v * r[c * n + j];
    }
  }
  for (c = n - 1; c >= 0; c--) {
    for (j = 0; j < n; j++) {
      v = r[c * n + j];
      for (i = c + 1; i < n; i++) v -= a[c * n + i] * r[i * n + j];
      r[c * n + j] = v / a[c * n + c];
    }
  }
}
static inline long ss_delay_order(double delay, double dt) {
  double r = rint(delay / dt + 1e-6);
  if (!(r >= 1.0)) return 1;
  return (long)r;
}
/* ALLOCATE AVAILABLE and ALLOCATE BY PRIORITY: simsys.functions.allocation on one scenario,
   the same operations in the same order. rq: n requests; pp: type, priority, width, extra
   of each target in turn; the value returned is target kd's share. */
static double ss_alloc_shape(double x, double q, double ty, double pr, double wd) {
  double half = wd * 0.5, u = (x - pr) + half, v = (pr + half) - x;
  if (q == 0) return 0.0;
  if (ty == 1) {
    if (x <= pr - half) return q;
    return (x < pr + half) ? q * (1 - u / wd) : 0.0;
  }
  if (ty == 2) {
    if (x <= pr - half) return q;
    if (x < pr) return q * (1 - 2 * (u * u) / (wd * wd));
    return (x < pr + half) ? 2 * q * (v * v) / (wd * wd) : 0.0;
  }
  if (ty == 3) return q * 0.5 * (2 - erfc((pr - x) / (ALLOC_SQRT2 * wd)));
  if (x < pr) return q * (1 - 0.5 * exp((x - pr) / wd));
  return q * 0.5 * exp((pr - x) / wd);
}
static double ss_alloc_total(double x, long n, const double *rq, const double *pp) {
  double acc = ss_alloc_shape(x, rq[0], pp[0], pp[1], pp[2]);
  long i;
  for (i = 1; i < n; i++) acc = acc + ss_alloc_shape(x, rq[i], pp[4 * i], pp[4 * i + 1], pp[4 * i + 2]);
  return acc;
}
/* every share of ALLOCATE AVAILABLE into res[0:n] */
static void ss_alloc_avail_all(long n, const double *rq, const double *pp, double av, double *res) {
  long i, it;
  double tot = rq[0], lo = INFINITY, hi = -INFINITY, reach, mid, ty;
  int bad = !(av >= 0), solve;
  for (i = 1; i < n; i++) tot = tot + rq[i];
  for (i = 0; i < n; i++) bad |= !(rq[i] >= 0);
  solve = !(av >= tot) && (av != 0);
  for (i = 0; i < n; i++) {
    ty = pp[4 * i];
    if (solve && (!(pp[4 * i + 2] > 0) || (rq[i] != 0 && !(ty == 1 || ty == 2 || ty == 3 || ty == 4))))
      bad = 1;
    reach = ((ty == 1) ? ALLOC_R1 : (ty == 2) ? ALLOC_R2 : (ty == 3) ? ALLOC_R3 : ALLOC_R4) * pp[4 * i + 2];
    if (rq[i] != 0) {
      lo = ss_min(lo, pp[4 * i + 1] - reach);
      hi = ss_max(hi, pp[4 * i + 1] + reach);
    }
  }
  if (bad || !solve) {
    for (i = 0; i < n; i++) res[i] = bad ? NAN : (av == 0) ? 0.0 : rq[i];
    return;
  }
  for (it = 0; it < ALLOC_BISECTIONS; it++) {
    mid = 0.5 * (lo + hi);
    if (ss_alloc_total(mid, n, rq, pp) > av) lo = mid; else hi = mid;
  }
  mid = 0.5 * (lo + hi);
  for (i = 0; i < n; i++) res[i] = ss_alloc_shape(mid, rq[i], pp[4 * i], pp[4 * i + 1], pp[4 * i + 2]);
}
/* every share of ALLOCATE BY PRIORITY into res[0:n] */
static void ss_alloc_prio_all(long n, const double *rq, const double *pr, double wd, double sup,
                              double *res) {
  long i, j, m = 0, c = 0, it, od[n];
  double r[n], p[n], dist[n], out[n], sl[n];
  int act[n], bad = !(wd > 0) || !(sup >= 0), any, run;
  double tot = rq[0], s = sup, sum, top, tt, start, dx;
  for (i = 1; i < n; i++) tot = tot + rq[i];
  for (i = 0; i < n; i++) bad |= !(rq[i] >= 0);
  if (bad || s >= tot || s == 0) {
    for (i = 0; i < n; i++) res[i] = bad ? NAN : (s >= tot) ? rq[i] : 0.0;
    return;
  }
  /* zero requests last, then by falling priority, ties in subscript order: a stable
     insertion sort, the order numpy's lexsort gives */
  for (i = 0; i < n; i++) {
    j = i;
    while (j > 0 && ((rq[od[j - 1]] == 0) > (rq[i] == 0)
                     || ((rq[od[j - 1]] == 0) == (rq[i] == 0) && -pr[od[j - 1]] > -pr[i]))) {
      od[j] = od[j - 1];
      j--;
    }
    od[j] = i;
  }
  for (i = 0; i < n; i++) {
    r[i] = rq[od[i]];
    p[i] = pr[od[i]];
    m += (r[i] != 0);
    out[i] = 0.0;
    act[i] = (i == 0);
  }
  for (i = 0; i < n; i++)
    dist[i] = (i < m - 1) ? ss_min(-(p[i + 1] - p[i]) / wd, 1) * r[i] : NAN;
  run = s > 0;
  for (it = 0; it < ALLOC_WALK * n + 4 && run; it++) {
    for (i = 0; i < n; i++) sl[i] = act[i] ? r[i] : 0.0;
    sum = sl[0];
    for (i = 1; i < n; i++) sum = sum + sl[i];
    for (i = 0; i < n; i++) sl[i] = sl[i] / sum;
    top = INFINITY;
    any = 0;
    for (i = 0; i < n; i++) {
      tt = (r[i] - out[i]) / sl[i];
      if (act[i] && tt == tt) { any = 1; top = ss_min(top, tt); }
    }
    if (!any) top = NAN;
    for (i = 0, any = 0; i < n; i++) any |= act[i];
    if (!any) bad = 1;
    start = (dist[c] - out[c]) / sl[c];
    dx = fmin(fmin(top, start), s);
    for (i = 0; i < n; i++) out[i] = out[i] + sl[i] * dx;
    if ((fabs(dx - start) <= 1e-16 + 1e-10 * fabs(start) && isfinite(start)) || dx == start) {
      c = (c + 1 < n - 1) ? c + 1 : n - 1;
      act[c] = 1;
    }
    if (dx == top)
      for (i = 0; i < n; i++)
        if (out[i] == r[i]) act[i] = 0;
    s = s - dx;
    run = s > 0;
  }
  for (i = 0; i < n; i++) res[od[i]] = (bad || run) ? NAN : out[i];
}
/* memo: [valid, the arguments (na doubles), the n shares]; the generated loop asks for the
   cells of one vector in a row, so the vector is solved once, not once per cell */
static int ss_alloc_hit(double *memo, long na, const double *x) {
  long i;
  int hit = memo[0] != 0;
  for (i = 0; i < na && hit; i++)
    hit = (memo[1 + i] == x[i]) && (!signbit(memo[1 + i]) == !signbit(x[i]));
  for (i = 0; i < na; i++) memo[1 + i] = x[i];
  memo[0] = 1;
  return hit;
}
static double ss_alloc_avail(long n, double kd, const double *rq, const double *pp, double av,
                             double *memo) {
  double x[5 * n + 1], *res = memo + 1 + 5 * n + 1;
  long i;
  for (i = 0; i < n; i++) x[i] = rq[i];
  for (i = 0; i < 4 * n; i++) x[n + i] = pp[i];
  x[5 * n] = av;
  if (!ss_alloc_hit(memo, 5 * n + 1, x)) ss_alloc_avail_all(n, rq, pp, av, res);
  return res[(long)kd];
}
static double ss_alloc_prio(long n, double kd, const double *rq, const double *pr, double wd,
                            double sup, double *memo) {
  double x[2 * n + 2], *res = memo + 1 + 2 * n + 2;
  long i;
  for (i = 0; i < n; i++) { x[i] = rq[i]; x[n + i] = pr[i]; }
  x[2 * n] = wd;
  x[2 * n + 1] = sup;
  if (!ss_alloc_hit(memo, 2 * n + 2, x)) ss_alloc_prio_all(n, rq, pr, wd, sup, res);
  return res[(long)kd];
}
""" + DISTRIBUTIONS

TEMPLATE = r"""
static void sim_record(long nb, long ld, long s, const double *Y, const double *w, const double *P,
                       long nsy, const int64_t *sy, long nsv, const int64_t *svr, long nsp,
                       const int64_t *sp, double *oy, double *ov, double *op) {
  long j, b;
  for (j = 0; j < nsy; j++)
    for (b = 0; b < nb; b++) oy[(s * nsy + j) * ld + b] = Y[sy[j] * nb + b];
  for (j = 0; j < nsv; j++)
    for (b = 0; b < nb; b++) ov[(s * nsv + j) * ld + b] = w[svr[j] * nb + b];
  for (j = 0; j < nsp; j++)
    for (b = 0; b < nb; b++) op[(s * nsp + j) * ld + b] = P[sp[j] * nb + b];
}

static void sim_policies(long nb, long ld, long n, long stage, long nst, long npol,
                         const int64_t *prow, const double *pv, double *P) {
  long q, b;
  for (q = 0; q < npol; q++)
    for (b = 0; b < nb; b++) P[prow[q] * nb + b] = pv[((n * nst + stage) * npol + q) * ld + b];
}

static void sim_keep(long nb, long ld, long b, const double *X, long nx, double *out) {
  long r;
  for (r = 0; r < nx; r++) out[r * ld + b] = X[r * nb + b];
}

/* nf[b] = 1 where column b of the first nx rows of X holds a non-finite value: rows outer
   and the batch inner, so a block reads X once, in order (column by column it strode) */
static void sim_nonfinite(long nb, const double *X, long nx, int8_t *nf) {
  long r, b;
  if (nb == 1) {
    int bad = 0;
    for (r = 0; r < nx; r++) bad |= !isfinite(X[r]);
    nf[0] = (int8_t)bad;
    return;
  }
  for (b = 0; b < nb; b++) nf[b] = 0;
  for (r = 0; r < nx; r++)
    for (b = 0; b < nb; b++) nf[b] |= (int8_t)!isfinite(X[r * nb + b]);
}

/* One block of nb scenarios over the whole run; returns 0. */
int sim_run(long nb, long ld, long nt, const double *tg, const int8_t *svf, double dt, long meth,
            const double *Pg, const uint64_t *S, long npol, const int64_t *prow, const double *pv,
            long nst, long nsy, const int64_t *sy, long nsv, const int64_t *svr, long nsp,
            const int64_t *sp, double *oy, double *ov, double *op, int8_t *st, int64_t *fs,
            int8_t *fk, double *fy, double *fz, double *fn, long cap, double *wk, int64_t *iw) {
  double *Y = wk, *Yn = Y + ny * nb, *D = Yn + ny * nb, *w = D + ny * nb, *P = w + nv * nb;
  double *Z = P + np * nb, *ZN = Z + nz * nb, *F = ZN + nz * nb, *K1 = F + nz * nb;
  double *K2 = K1 + ny * nb, *K3 = K2 + ny * nb, *K4 = K3 + ny * nb, *Yi = K4 + ny * nb;
  double *ring = Yi + ny * nb, *sw;
  int64_t *rp = iw, *ro = iw + nfx * nb;
  long r, b, n, q, j, s = 0;
  double t, h0, h1, h2, h3;
  int8_t nf[nb > 0 ? nb : 1];
  for (r = 0; r < np; r++)
    for (b = 0; b < nb; b++) P[r * nb + b] = Pg[r * ld + b];
  for (b = 0; b < nb; b++) { st[b] = 0; fs[b] = -1; fk[b] = 0; }
  sim_policies(nb, ld, 0, 0, nst, npol, prow, pv, P);
  sim_init(nb, tg[0], dt, 0, P, S, Y, Z, F, w);
  sim_aux(nb, tg[0], dt, 0, P, S, Y, Z, w, D);
  for (b = 0; b < nb; b++) {
    int bad = 0;
    for (r = 0; r < ny; r++) bad |= !isfinite(Y[r * nb + b]);
    for (r = 0; r < nz; r++) bad |= !isfinite(Z[r * nb + b]);
    if (bad) {
      st[b] = 1; fs[b] = 0; fk[b] = 0;
      sim_keep(nb, ld, b, Y, ny, fy);
      sim_keep(nb, ld, b, Z, nz, fz);
      for (r = 0; r < ny; r++) Y[r * nb + b] = NAN;
    }
  }
  for (q = 0; q < nfx; q++) {
    j = fxj[q];
    for (b = 0; b < nb; b++) {
      ro[q * nb + b] = ss_delay_order(F[j * nb + b], dt);
      rp[q * nb + b] = 0;
    }
    for (r = 0; r < cap; r++)
      for (b = 0; b < nb; b++) ring[(q * cap + r) * nb + b] = Z[j * nb + b];
  }
  /* the Runge-Kutta weights as numpy multiplies them: (dt * b_i) * k_i */
  h0 = dt * 0.16666666666666666; h1 = dt * 0.3333333333333333;
  h2 = dt * 0.3333333333333333; h3 = dt * 0.16666666666666666;
  for (n = 0; n < nt; n++) {
    t = tg[n];
    sim_policies(nb, ld, n, 0, nst, npol, prow, pv, P);
    if (n == nt - 1) {
      if (svf[n]) {
        sim_rhs(nb, t, dt, n, P, S, Y, Z, w, D, ZN, 0, npol, 1);
        sim_record(nb, ld, s, Y, w, P, nsy, sy, nsv, svr, nsp, sp, oy, ov, op);
        s++;
      }
      break;
    }
    if (meth == 0) {
      sim_rhs(nb, t, dt, n, P, S, Y, Z, w, D, ZN, 1, npol, svf[n]);
      if (svf[n]) sim_record(nb, ld, s, Y, w, P, nsy, sy, nsv, svr, nsp, sp, oy, ov, op);
      for (r = 0; r < ny * nb; r++) Yn[r] = Y[r] + D[r] * dt;
    } else {
      sim_rhs(nb, t, dt, n, P, S, Y, Z, w, K1, ZN, 1, npol, svf[n]);
      if (svf[n]) sim_record(nb, ld, s, Y, w, P, nsy, sy, nsv, svr, nsp, sp, oy, ov, op);
    }
    if (svf[n]) {
      for (b = 0; b < nb; b++) {
        int bad = 0;
        if (st[b]) continue;
        for (j = 0; j < nsv; j++) bad |= !vgp[svr[j]] && !isfinite(w[svr[j] * nb + b]);
        if (bad) {
          st[b] = 1; fs[b] = n; fk[b] = 1;
          sim_keep(nb, ld, b, Y, ny, fy);
          sim_keep(nb, ld, b, Z, nz, fz);
        }
      }
    }
    if (meth != 0) {
      sim_policies(nb, ld, n, 1, nst, npol, prow, pv, P);
      for (r = 0; r < ny * nb; r++) Yi[r] = Y[r] + (dt * 0.5) * K1[r];
      sim_rhs(nb, t + 0.5 * dt, dt, n, P, S, Yi, Z, w, K2, ZN, 0, npol, 0);
      for (r = 0; r < ny * nb; r++) Yi[r] = Y[r] + (dt * 0.5) * K2[r];
      sim_rhs(nb, t + 0.5 * dt, dt, n, P, S, Yi, Z, w, K3, ZN, 0, npol, 0);
      sim_policies(nb, ld, n, 2, nst, npol, prow, pv, P);
      for (r = 0; r < ny * nb; r++) Yi[r] = Y[r] + (dt * 1.0) * K3[r];
      sim_rhs(nb, t + 1.0 * dt, dt, n, P, S, Yi, Z, w, K4, ZN, 0, npol, 0);
      for (r = 0; r < ny * nb; r++) Yn[r] = (((Y[r] + h0 * K1[r]) + h1 * K2[r]) + h2 * K3[r]) + h3 * K4[r];
      sim_policies(nb, ld, n, 0, nst, npol, prow, pv, P);
    }
    if (svf[n]) {
      for (b = 0; b < nb; b++)
        if (st[b] && fs[b] == n && fk[b] == 1)
          for (r = 0; r < ny; r++) Yn[r * nb + b] = NAN;
      s++;
    }
    for (q = 0; q < nnn; q++)
      for (b = 0; b < nb; b++) Yn[nnr[q] * nb + b] = ss_max(Yn[nnr[q] * nb + b], 0.0);
    for (q = 0; q < nsm; q++)
      for (b = 0; b < nb; b++) Z[smj[q] * nb + b] = ZN[smj[q] * nb + b];
    for (q = 0; q < nfx; q++) {
      j = fxj[q];
      for (b = 0; b < nb; b++) {
        long p0 = rp[q * nb + b];
        ring[(q * cap + p0) * nb + b] = ZN[j * nb + b];
        p0 = (p0 + 1) % ro[q * nb + b];
        rp[q * nb + b] = p0;
        Z[j * nb + b] = ring[(q * cap + p0) * nb + b];
      }
    }
    sim_nonfinite(nb, Yn, ny, nf);
    for (b = 0; b < nb; b++) {
      if (st[b] || !nf[b]) continue;
      st[b] = 1; fs[b] = n; fk[b] = 2;
      sim_keep(nb, ld, b, Y, ny, fy);
      sim_keep(nb, ld, b, Z, nz, fz);
      sim_keep(nb, ld, b, Yn, ny, fn);
      for (r = 0; r < ny; r++) Yn[r * nb + b] = NAN;
    }
    sw = Y; Y = Yn; Yn = sw;
  }
  return 0;
}

/* scratch doubles per scenario column that sim_run needs */
long sim_scratch(long cap) { return 7 * ny + nv + np + 3 * nz + ny + nfx * cap; }
"""

#: identifiers of the fixed text above that the vet checker's patterns do not cover
TEMPLATE_NAMES = frozenset({
    "sim_nonfinite", "nf", "ny", "nv", "np", "nz", "nlk", "nfx", "nsm", "nnn", "tx", "ty", "tof",
    "tln", "tmd", "fxj",
    "smj", "nnr", "ss_lookup", "ss_pymod", "ss_mix", "ss_uniform", "ss_ndtr", "ss_ndtri",
    "ss_polevl", "ss_p1evl", "ss_p0", "ss_q0", "ss_p1", "ss_q1", "ss_p2", "ss_q2", "copysign",
    "rint", "erf", "erfc", "log1p", "expm1", "loc", "shift", "stretch", "lo", "hi", "mid", "last", "slope", "start", "finish", "mag", "rep",
    "width", "end", "hit", "bits", "code", "ans", "sd", "mean", "delay", "x", "xs", "ys", "x0",
    "x1", "y0", "y2", "m", "c", "a", "e", "u", "r", "h0", "h1", "h2", "h3", "q", "ld", "meth",
    "svf", "Pg", "npol", "prow", "pv", "nst", "nsy", "sy", "nsv", "svr", "nsp", "sp", "oy", "ov",
    "op", "fs", "fk", "fy", "fz", "fn", "cap", "wk", "iw", "Y", "Yn", "D", "w", "P", "Z", "ZN",
    "F", "K1", "K2", "K3", "K4", "Yi", "ring", "sw", "rp", "ro", "bad", "p0", "S", "X", "nx",
    "stage", "sim_scratch", "sim_record", "sim_policies", "sim_keep", "sim_init", "sim_rhs", "dt", "first",
    "site", "tg", "ss_alloc_shape", "ss_alloc_total", "ALLOC_BISECTIONS", "ALLOC_WALK", "ALLOC_R1", "ALLOC_R2", "ALLOC_R3",
    "ALLOC_R4", "ALLOC_SQRT2",
    "ty", "pr", "wd", "half", "rq", "pp", "av", "kd", "tot", "reach", "solve", "it",
    "od", "act", "dist", "sl", "sup", "top", "tt", "any", "run", "dx", "sum", "fmin",
    "ss_alloc_avail_all", "ss_alloc_prio_all", "ss_alloc_hit", "memo", "res", "na", "signbit",
    "ss_raw", "rawm", "vgp",
}) | DISTRIBUTION_NAMES
