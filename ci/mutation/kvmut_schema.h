// Mutant schemata for ci/mutation.py (never part of the product build).
//
// Every sampled mutant is compiled into one build and switched on at run time by the
// environment variable KVMUT_ID, so a mutant costs one run of the fast tests instead of a
// rebuild. The script force-includes this header (-include) and rewrites each site:
//
//   literal   17            ->  (::kvmut::on(ID) ? 18 : 17)
//   boolean   true          ->  (::kvmut::on(ID) ? false : true)
//   operator  a < b         ->  a < ::kvmut::Site<::kvmut::Op::le>{ID} < b
//
// The operator form relies on C++ grammar alone: the inserted `< Site{} <` has the precedence
// and associativity of the original `<`, so `a < Site` binds exactly the left operand the
// original `<` had, giving Left{a}, and `Left < b` binds exactly its right operand. The second
// operator then evaluates `a < b` (KVMUT_ID unset or another id) or `a <= b` (this mutant on).
// Only same-precedence pairs are ever swapped (relational, equality, additive, * and /), and
// && / || are never rewritten this way (an overloaded && would lose short-circuiting): those
// mutants are rebuilt one at a time instead. A site whose rewrite does not compile (a constant
// expression, a template argument, a brace-init narrowing) is rebuilt one at a time as well.
#pragma once

#include <cstdlib>
#include <type_traits>
#include <utility>

namespace kvmut {

inline int active_id() {
  static const int id = [] {
    const char* s = std::getenv("KVMUT_ID");
    return s != nullptr ? std::atoi(s) : -1;
  }();
  return id;
}
inline bool on(int id) { return active_id() == id; }

enum class Op { lt, le, gt, ge, eq, ne, add, sub, mul, div };

template <Op To>
struct Site {
  int id;
};

template <class A, Op To>
struct Left {
  A a;  // a reference for an lvalue operand: lives to the end of the full expression
  int id;
};

template <Op To, class A, class B>
auto apply(A&& a, B&& b) {
  if constexpr (To == Op::lt) return a < b;
  else if constexpr (To == Op::le) return a <= b;
  else if constexpr (To == Op::gt) return a > b;
  else if constexpr (To == Op::ge) return a >= b;
  else if constexpr (To == Op::eq) return a == b;
  else if constexpr (To == Op::ne) return a != b;
  else if constexpr (To == Op::add) return a + b;
  else if constexpr (To == Op::sub) return a - b;
  else if constexpr (To == Op::mul) return a * b;
  else return a / b;
}

#define KVMUT_OPERATOR(OP)                                                        \
  template <class A, Op To>                                                       \
  Left<A, To> operator OP(A&& a, Site<To> s) {                                    \
    return Left<A, To>{std::forward<A>(a), s.id};                                 \
  }                                                                               \
  template <class A, Op To, class B>                                              \
  auto operator OP(Left<A, To>&& l, B&& b)->decltype(std::declval<A>() OP b) {    \
    using R = decltype(std::declval<A>() OP b);                                   \
    if (on(l.id)) return static_cast<R>(apply<To>(l.a, b));                       \
    return l.a OP b;                                                              \
  }

KVMUT_OPERATOR(<)
KVMUT_OPERATOR(<=)
KVMUT_OPERATOR(>)
KVMUT_OPERATOR(>=)
KVMUT_OPERATOR(==)
KVMUT_OPERATOR(!=)
KVMUT_OPERATOR(+)
KVMUT_OPERATOR(-)
KVMUT_OPERATOR(*)

#undef KVMUT_OPERATOR

}  // namespace kvmut
