/* rng.h — the simulator's deterministic random numbers.
 *
 * xoshiro256** seeded through splitmix64. Every simulated account draws from
 * its own stream, derived from (seed, stream id), so an account's traffic
 * depends only on the seed and its index: the output is byte-identical for a
 * seed on a given platform and libm, and adding a population does not reshuffle others. */
#ifndef WARDEN_SIM_RNG_H
#define WARDEN_SIM_RNG_H
#include <stdbool.h>
#include <stdint.h>

struct warden_rng {
    uint64_t s[4];
};

void warden_rng_seed(struct warden_rng *r, uint64_t seed, uint64_t stream);
uint64_t warden_rng_next(struct warden_rng *r);
/* Uniform integer in [0, n); 0 when n is 0. */
uint32_t warden_rng_below(struct warden_rng *r, uint32_t n);
/* Uniform integer in [lo, hi]. */
int64_t warden_rng_range(struct warden_rng *r, int64_t lo, int64_t hi);
/* Uniform in [0, 1). */
double warden_rng_unit(struct warden_rng *r);
bool warden_rng_chance(struct warden_rng *r, double p);
double warden_rng_normal(struct warden_rng *r);
double warden_rng_lognormal(struct warden_rng *r, double median, double sigma);
double warden_rng_exp(struct warden_rng *r, double mean);
/* Poisson-distributed count with the given mean (normal approximation above 30). */
uint32_t warden_rng_poisson(struct warden_rng *r, double mean);
/* Index drawn with probability proportional to w[i]. */
uint32_t warden_rng_weighted(struct warden_rng *r, const double *w, uint32_t n);

#endif
