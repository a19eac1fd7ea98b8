/* rng.c — xoshiro256** with splitmix64 seeding (public-domain algorithms by
 * Blackman and Vigna), plus the few distributions the simulator needs. Only
 * integer arithmetic and libm functions with exact IEEE results feed the
 * output, so a seed gives the same bytes everywhere. */
#include "sim/rng.h"

#include <math.h>

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void warden_rng_seed(struct warden_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL) ^ 0x5157a11eULL;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t warden_rng_next(struct warden_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t warden_rng_below(struct warden_rng *r, uint32_t n)
{
    if (n == 0) return 0;
    return (uint32_t)(((warden_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

int64_t warden_rng_range(struct warden_rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo) return lo;
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(warden_rng_next(r) % span);
}

double warden_rng_unit(struct warden_rng *r)
{
    return (double)(warden_rng_next(r) >> 11) * 0x1.0p-53;
}

bool warden_rng_chance(struct warden_rng *r, double p)
{
    return warden_rng_unit(r) < p;
}

double warden_rng_normal(struct warden_rng *r)
{
    /* Box-Muller; one value per call keeps the stream simple. */
    double u = warden_rng_unit(r), v = warden_rng_unit(r);
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

double warden_rng_lognormal(struct warden_rng *r, double median, double sigma)
{
    return median * exp(sigma * warden_rng_normal(r));
}

double warden_rng_exp(struct warden_rng *r, double mean)
{
    double u = warden_rng_unit(r);
    return -mean * log(1.0 - u);
}

uint32_t warden_rng_poisson(struct warden_rng *r, double mean)
{
    if (mean <= 0) return 0;
    if (mean > 30) {
        double v = mean + sqrt(mean) * warden_rng_normal(r);
        return v < 0 ? 0 : (uint32_t)(v + 0.5);
    }
    double l = exp(-mean), p = 1.0;
    uint32_t k = 0;
    do {
        k++;
        p *= warden_rng_unit(r);
    } while (p > l);
    return k - 1;
}

uint32_t warden_rng_weighted(struct warden_rng *r, const double *w, uint32_t n)
{
    double total = 0;
    for (uint32_t i = 0; i < n; i++) total += w[i];
    double x = warden_rng_unit(r) * total;
    for (uint32_t i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n ? n - 1 : 0;
}
