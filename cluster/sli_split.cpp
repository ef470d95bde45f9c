#include "cluster/sli_split.h"

#include <stdexcept>

namespace kvcheck::cluster {

std::vector<double> sli_solo_probabilities(const theory::P3Rates& rates,
                                           const std::vector<double>& y_m,
                                           const std::vector<double>& y_s) {
  const auto I = rates.mu_s.size();
  if (y_m.size() != I || y_s.size() != I || rates.mu_m.size() != I)
    throw std::invalid_argument("cluster: the SLI router needs y*_m and y*_s for every class");
  std::vector<double> p(I, 1.0);
  for (std::size_t i = 0; i < I; ++i) {
    const double solo = rates.mu_s[i] * y_s[i];
    const double total = rates.mu_m[i] * y_m[i] + solo;
    if (total > 0.0) p[i] = solo / total;
  }
  return p;
}

}  // namespace kvcheck::cluster
