#include "checkers/fuzz/generators.h"

#include <algorithm>

namespace kvcheck::fuzz {
namespace {

using Table = std::vector<std::int64_t> FuzzModel::*;
using Arrivals = ArrivalTables FuzzModel::*;

struct Len {
  std::int64_t prompt = 1, output = 1, klass = 0;
};

/// A value from one of the model's quantile tables; the index shrinks towards entry 0.
rc::Gen<std::int64_t> from_table(const ModelPtr& m, Table t) {
  const auto n = ((*m).*t).size();
  return rc::gen::map(rc::gen::inRange<std::size_t>(0, n),
                      [m, t](std::size_t i) { return ((*m).*t)[i]; });
}

rc::Gen<std::int64_t> range(std::int64_t lo, std::int64_t hi_inclusive) {
  return rc::gen::inRange<std::int64_t>(lo, std::max(lo, hi_inclusive) + 1);
}

rc::Gen<std::int64_t> length(const ModelPtr& m, LengthDist d, bool prompt) {
  const auto cap = prompt ? m->spec.max_prompt : m->spec.max_output;
  switch (d) {
    case LengthDist::Uniform: return range(1, cap);
    case LengthDist::LogNormal:
      return from_table(m, prompt ? &FuzzModel::lognormal_prompt : &FuzzModel::lognormal_output);
    case LengthDist::Pareto:
      return from_table(m, prompt ? &FuzzModel::pareto_prompt : &FuzzModel::pareto_output);
  }
  return range(1, cap);
}

rc::Gen<Len> class_len(const ModelPtr& m) {
  const auto n = static_cast<std::int64_t>(m->params.classes.size());
  return rc::gen::map(range(0, n - 1), [m](std::int64_t k) {
    const auto& c = m->params.classes[static_cast<std::size_t>(k)];
    return Len{c.prompt, c.output, k};
  });
}

/// Lengths of a group: the class's with [[classes]], else from `d`.
rc::Gen<Len> gen_len(const ModelPtr& m, LengthDist d) {
  if (!m->params.classes.empty()) return class_len(m);
  return rc::gen::apply([](std::int64_t p, std::int64_t o) { return Len{p, o, 0}; },
                        length(m, d, true), length(m, d, false));
}

/// Lengths of a burst of long prompts (the upper half of the prompt range).
rc::Gen<Len> long_len(const ModelPtr& m, LengthDist d) {
  if (!m->params.classes.empty()) return class_len(m);
  const auto cap = m->spec.max_prompt;
  return rc::gen::apply([](std::int64_t p, std::int64_t o) { return Len{p, o, 0}; },
                        range(std::max<std::int64_t>(1, cap / 2), cap), length(m, d, false));
}

Group make_group(std::int64_t gap, std::int64_t count, const Len& l) {
  return Group{gap, count, l.prompt, l.output, l.klass};
}

/// One group of per-step Poisson arrivals: a geometric gap, a zero-truncated Poisson count.
rc::Gen<Group> poisson_group(const ModelPtr& m, Arrivals a, rc::Gen<Len> len) {
  const auto n = ((*m).*a).gap.size();
  return rc::gen::apply(
      [m, a](std::size_t gi, std::size_t ci, Len l) {
        const auto& t = (*m).*a;
        return make_group(t.gap[gi], std::min(t.count[ci], m->max_group), l);
      },
      rc::gen::inRange<std::size_t>(0, n), rc::gen::inRange<std::size_t>(0, n), std::move(len));
}

/// At least one element; at most about `max` (scaled with RapidCheck's size).
template <class T>
rc::Gen<std::vector<T>> some(rc::Gen<T> g, std::int64_t max) {
  const double scale = static_cast<double>(std::max<std::int64_t>(0, max - 1)) / 100.0;
  return rc::gen::apply(
      [max](T first, std::vector<T> rest) {
        rest.insert(rest.begin(), std::move(first));
        if (static_cast<std::int64_t>(rest.size()) > max) rest.resize(static_cast<std::size_t>(max));
        return rest;
      },
      g, rc::gen::scale(scale, rc::gen::container<std::vector<T>>(g)));
}

rc::Gen<std::vector<Group>> poisson_groups(const ModelPtr& m, LengthDist d) {
  return some(poisson_group(m, &FuzzModel::base, gen_len(m, d)), m->spec.max_groups);
}

rc::Gen<std::vector<Group>> on_off_groups(const ModelPtr& m, LengthDist d) {
  auto g = rc::gen::apply([](std::int64_t gap, std::int64_t n, Len l) { return make_group(gap, n, l); },
                          range(0, 100), range(1, m->max_group), gen_len(m, d));
  return some(std::move(g), m->spec.max_groups);
}

rc::Gen<std::vector<Group>> markov_groups(const ModelPtr& m, LengthDist d) {
  const auto per_seg = std::max<std::int64_t>(1, m->spec.max_groups / 2);
  auto segment = rc::gen::mapcat(rc::gen::arbitrary<bool>(), [m, d, per_seg](bool busy) {
    return some(poisson_group(m, busy ? &FuzzModel::high : &FuzzModel::low, gen_len(m, d)),
                per_seg);
  });
  return rc::gen::map(some(std::move(segment), 4), [](std::vector<std::vector<Group>> segs) {
    std::vector<Group> out;
    for (auto& s : segs) out.insert(out.end(), s.begin(), s.end());
    return out;
  });
}

rc::Gen<std::vector<Group>> quiet_burst_groups(const ModelPtr& m, LengthDist d) {
  const auto short_cap = std::max<std::int64_t>(1, m->spec.max_prompt / 8);
  auto warm_len = m->params.classes.empty()
                      ? rc::gen::apply([](std::int64_t p, std::int64_t o) { return Len{p, o, 0}; },
                                       range(1, short_cap), length(m, d, false))
                      : class_len(m);
  auto warm = rc::gen::apply([](std::int64_t gap, std::int64_t n, Len l) { return make_group(gap, n, l); },
                             range(0, 3), range(1, 3), std::move(warm_len));
  return rc::gen::apply(
      [](std::vector<Group> w, std::int64_t quiet, std::int64_t n, Len l) {
        w.push_back(make_group(quiet, n, l));
        return w;
      },
      some(std::move(warm), std::max<std::int64_t>(1, m->spec.max_groups - 1)), range(10, 200),
      range(1, m->max_group), long_len(m, d));
}

/// Staggered single arrivals whose outputs end together (classless), or one class burst.
rc::Gen<std::vector<Group>> sync_finish_groups(const ModelPtr& m, LengthDist d) {
  if (!m->params.classes.empty())
    return rc::gen::apply([](std::int64_t n, Len l) { return std::vector<Group>{make_group(0, n, l)}; },
                          range(2, m->max_group), class_len(m));
  const auto nmax = std::clamp<std::int64_t>(std::min(m->max_group, m->spec.max_output), 1, 64);
  return rc::gen::mapcat(range(std::min<std::int64_t>(2, nmax), nmax), [m, d](std::int64_t n) {
    return rc::gen::apply(
        [n](std::int64_t prompt, std::int64_t base) {
          std::vector<Group> out;
          for (std::int64_t i = 0; i < n; ++i)
            out.push_back(Group{i == 0 ? 0 : 1, 1, prompt, base + (n - 1 - i), 0});
          return out;
        },
        length(m, d, true), range(1, std::max<std::int64_t>(1, m->spec.max_output - n + 1)));
  });
}

rc::Gen<std::vector<Group>> azure_groups(const ModelPtr& m) {
  auto len = rc::gen::map(rc::gen::inRange<std::size_t>(0, m->azure.size()), [m](std::size_t i) {
    return Len{m->azure[i].first, m->azure[i].second, 0};
  });
  return some(poisson_group(m, &FuzzModel::base, std::move(len)), m->spec.max_groups);
}

/// Per-class Poisson streams (one group per class per step) at the class rates or twice them.
rc::Gen<std::vector<Group>> class_mix_groups(const ModelPtr& m) {
  const auto n = m->params.classes.size();
  return rc::gen::mapcat(rc::gen::arbitrary<bool>(), [m, n](bool busy) {
    auto step = rc::gen::map(
        // per-step counts do not shrink (only the number of steps does): shrinking hundreds of
        // counts one by one costs a simulation each and made shrinking quadratic
        rc::gen::noShrink(
            rc::gen::container<std::vector<std::size_t>>(n, rc::gen::inRange<std::size_t>(0, 256))),
        [m, busy](const std::vector<std::size_t>& idx) {
          std::vector<Group> out;
          for (std::size_t k = 0; k < idx.size(); ++k) {
            const auto& t = busy ? m->class_busy[k] : m->class_base[k];
            const auto& c = m->params.classes[k];
            out.push_back(Group{k == 0 ? 1 : 0, t.per_step[std::min(idx[k], t.per_step.size() - 1)],
                                c.prompt, c.output, static_cast<std::int64_t>(k)});
          }
          return out;
        });
    // the span is drawn uniformly (not scaled with the size): overflow under class budgets
    // needs long saturated streams
    auto steps = rc::gen::mapcat(range(1, m->class_mix_span), [step](std::int64_t k) {
      return rc::gen::container<std::vector<std::vector<Group>>>(static_cast<std::size_t>(k), step);
    });
    return rc::gen::map(std::move(steps), [](std::vector<std::vector<Group>> all) {
      std::vector<Group> out;
      for (auto& s : all) out.insert(out.end(), s.begin(), s.end());
      return out;
    });
  });
}

rc::Gen<std::vector<Group>> groups_of(const ModelPtr& m, Shape s, LengthDist d) {
  switch (s) {
    case Shape::Poisson: return poisson_groups(m, d);
    case Shape::OnOff: return on_off_groups(m, d);
    case Shape::Markov: return markov_groups(m, d);
    case Shape::QuietBurst: return quiet_burst_groups(m, d);
    case Shape::SyncFinish: return sync_finish_groups(m, d);
    case Shape::Azure: return azure_groups(m);
    case Shape::ClassMix: return class_mix_groups(m);
  }
  return poisson_groups(m, d);
}

std::string dist_name(LengthDist d) {
  switch (d) {
    case LengthDist::Uniform: return "uniform";
    case LengthDist::LogNormal: return "lognormal";
    case LengthDist::Pareto: return "pareto";
  }
  return "?";
}

}  // namespace

rc::Gen<FuzzCase> gen_shape(const ModelPtr& m, Shape s) {
  const bool fixed_lengths = !m->params.classes.empty() || s == Shape::Azure;
  auto dist = fixed_lengths ? rc::gen::just(LengthDist::Uniform)
                            : rc::gen::element(LengthDist::Uniform, LengthDist::LogNormal,
                                               LengthDist::Pareto);
  return rc::gen::mapcat(std::move(dist), [m, s, fixed_lengths](LengthDist d) {
    // appended piecewise: GCC 12 -O2 reports a false -Wrestrict on the chained operator+
    std::string name = to_string(s);
    if (!fixed_lengths) name.append("/").append(dist_name(d));
    // classless: lengths raised to the envelope's shortest (the tables start at 1)
    return rc::gen::apply(
        [name, m](std::vector<Group> g, std::uint64_t seed) {
          for (auto& x : g) {
            x.prompt = std::max(x.prompt, m->min_prompt);
            x.output = std::max(x.output, m->min_output);
          }
          return FuzzCase{name, std::move(g), seed};
        },
        groups_of(m, s, d), rc::gen::arbitrary<std::uint64_t>());
  });
}

rc::Gen<FuzzCase> gen_case(const ModelPtr& m) {
  // class_mix, the shape of the class policies' own workloads, is drawn half the time
  std::vector<Shape> draw;
  for (const auto s : m->shapes) {
    const auto copies = s == Shape::ClassMix && m->shapes.size() > 1 ? m->shapes.size() - 1 : 1;
    draw.insert(draw.end(), copies, s);
  }
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, draw.size()),
                         [m, draw](std::size_t i) { return gen_shape(m, draw[i]); });
}

}  // namespace kvcheck::fuzz
