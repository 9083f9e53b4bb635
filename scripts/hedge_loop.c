/* Hedge with a fixed rate and the regret bookkeeping, as a plain C loop: the baseline of bench_simulate.py.
 *
 * Same arithmetic as ftrl's fused kernel: per round t, with m = min_i L_i (the leader's cumulative loss),
 *     w_i = exp(-eta (L_i - m)),  s = sum_i w_i,  d = sum_i w_i l_i,  <p_t, l_t> = d / s,
 *     L_i += l_i,  m' = min_i L_i,
 * in one pass over the experts; at every record_every-th round (and the last) the regret
 * cum_loss - min_i L_i and the best expert are written out.
 *
 * Build: gcc -O3 -march=native -ffast-math -shared -fPIC hedge_loop.c -o libhedge_loop.so -lm
 * (with -ffast-math, gcc vectorizes the reductions and calls glibc's vector exp from libmvec).
 */
#include <math.h>
#include <stddef.h>

long hedge_loop(const double *losses, long horizon, long n_experts, double eta, long record_every,
                double *cum_losses, double *regret_out, long *best_expert_out)
{
    double lowest = 0.0;
    double cum_loss = 0.0;
    long n_records = 0;
    for (long i = 0; i < n_experts; ++i) cum_losses[i] = 0.0;
    for (long t = 1; t <= horizon; ++t) {
        const double *row = losses + (size_t)(t - 1) * (size_t)n_experts;
        double total = 0.0, weighted = 0.0, next_lowest = INFINITY;
        for (long i = 0; i < n_experts; ++i) {
            double weight = exp(-eta * (cum_losses[i] - lowest));
            total += weight;
            weighted += weight * row[i];
            double updated = cum_losses[i] + row[i];
            cum_losses[i] = updated;
            next_lowest = updated < next_lowest ? updated : next_lowest;
        }
        lowest = next_lowest;
        cum_loss += weighted / total;
        if (t % record_every == 0 || t == horizon) {
            long best = 0;
            for (long i = 1; i < n_experts; ++i)
                if (cum_losses[i] < cum_losses[best]) best = i;
            regret_out[n_records] = cum_loss - cum_losses[best];
            best_expert_out[n_records] = best;
            ++n_records;
        }
    }
    return n_records;
}
