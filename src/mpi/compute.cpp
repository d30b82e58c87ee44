// The untyped parts of the collective compute layer (maparray/mpi_compute.hpp).
#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "maparray/mpi.hpp"
#include "maparray/numeric_type.hpp"
#include "state.hpp"  // detail::check

namespace maparray::mpi::detail {

void check_conformable(const char* what, std::span<const any_global_array* const> arrays) {
  const any_global_array& first = *arrays.front();
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    const any_global_array& a = *arrays[i];
    if (!a.is_open()) {
      throw std::invalid_argument(std::string(what) + ": operand " + std::to_string(i) +
                                  " is closed or empty");
    }
    if (i == 0) continue;
    if (!std::ranges::equal(a.shape(), first.shape())) {
      throw std::invalid_argument(std::string(what) + ": operand " + std::to_string(i) +
                                  " has shape " + to_string(a.shape()) + ", operand 0 " +
                                  to_string(first.shape()));
    }
    if (!(a.blocks() == first.blocks())) {
      throw std::invalid_argument(
          std::string(what) + ": operand " + std::to_string(i) +
          " is distributed differently from operand 0 (rows per rank differ); open both with "
          "the same rows_per_rank");
    }
    int relation = MPI_UNEQUAL;
    check(MPI_Comm_compare(a.comm(), first.comm(), &relation), "MPI_Comm_compare");
    if (relation != MPI_IDENT && relation != MPI_CONGRUENT) {
      throw std::invalid_argument(std::string(what) + ": operand " + std::to_string(i) +
                                  " lives on other ranks than operand 0");
    }
  }
}

void begin_compute(std::span<const any_global_array* const> arrays) {
  for (const any_global_array* a : arrays) a->sync();
}

void end_compute(std::span<const any_global_array* const> arrays) {
  for (const any_global_array* a : arrays) a->sync();
}

void allgather_bytes(MPI_Comm comm, std::span<const std::byte> bytes, std::span<std::byte> all) {
  check(MPI_Allgather(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, all.data(),
                      static_cast<int>(bytes.size()), MPI_BYTE, comm),
        "MPI_Allgather");
}

}  // namespace maparray::mpi::detail

namespace maparray::mpi {
namespace {

// The arrays among `operands`, after `out`: the ones the collective call must check and sync.
std::vector<const any_global_array*> arrays_of(const any_global_array& out,
                                               const std::vector<const global_operand*>& operands) {
  std::vector<const any_global_array*> arrays{&out};
  for (const global_operand* o : operands) {
    if (const auto* a = std::get_if<any_global_array>(o)) arrays.push_back(a);
  }
  return arrays;
}

// An operand as this rank sees it: its slab, or the number.
operand local_operand(const global_operand& o) {
  if (const auto* a = std::get_if<any_global_array>(&o)) return operand(a->local());
  return operand(std::get<scalar>(o));
}

// Runs `local` collectively over `arrays` (detail::run's checks, synchronization and errors).
template <class Fn>
void run_over(const char* what, const std::vector<const any_global_array*>& arrays, Fn&& local) {
  const std::span<const any_global_array* const> all(arrays);
  MPI_Comm comm = arrays.front()->comm();
  collective(comm, [&] { detail::check_conformable(what, all); });
  detail::begin_compute(all);
  collective(comm, std::forward<Fn>(local));
  detail::end_compute(all);
}

}  // namespace

void apply(ufunc f, std::span<const global_operand> in, const any_global_array& out,
           const exec_options& opts) {
  std::vector<const global_operand*> operands;
  for (const global_operand& o : in) operands.push_back(&o);
  run_over("apply", arrays_of(out, operands), [&] {
    std::vector<operand> local;
    for (const global_operand& o : in) local.push_back(local_operand(o));
    maparray::apply(f, local, out.local(), opts);
  });
}

void evaluate(const expression& e, const global_operand_map& names, const any_global_array& out,
              const exec_options& opts, casting rule) {
  std::vector<const global_operand*> operands;
  for (const auto& [name, o] : names) operands.push_back(&o);
  run_over("evaluate", arrays_of(out, operands), [&] {
    operand_map local;
    for (const auto& [name, o] : names) local.emplace(name, local_operand(o));
    const expression_result r = describe(e, local);
    if (!std::ranges::equal(r.shape, out.local().shape())) {
      throw std::invalid_argument(
          "mpi::evaluate: the expression gives shape " + to_string(r.shape) +
          " on this rank where its out block has " + to_string(out.local().shape()) +
          "; operands must have out's shape, and reductions go through mpi::reduce");
    }
    maparray::evaluate(e, local, out.local(), opts, rule);
  });
}

void reduce(reduction r, const any_global_array& in, const any_array& out,
            const reduce_options& how, const exec_options& opts) {
  if (how.axis) {
    throw std::invalid_argument(
        "mpi::reduce reduces every element; along an axis, reduce each "
        "rank's local() block instead");
  }
  const auto input = numeric_type_of(in.type());
  const std::optional<numeric_type> requested =
      how.type ? numeric_type_of(*how.type) : std::optional<numeric_type>();
  // Each rank's partial result: the sum for a mean (divided once, by the global count, at the
  // end), the reduction itself otherwise, in the type numpy accumulates in.
  const reduction part = r == reduction::mean ? reduction::sum : r;
  numeric_type part_type = numeric_type::float64;
  if (input) {
    part_type = r == reduction::mean ? reduction_accumulator(r, *input, requested)
                                     : reduction_result(r, *input, requested);
  }
  const dtype part_dtype = to_dtype(part_type);
  struct partial {
    std::uint8_t has = 0;  // this rank had elements (min and max of none have no value)
    alignas(16) std::array<std::byte, 16> value{};
  };
  partial mine{};
  run_over("reduce", {&in}, [&] {
    if (!input) maparray::reduce(r, in.local(), out, how, opts);  // throws numpy's type error
    if (in.local().size() == 0) return;
    mine.has = 1;
    maparray::reduce(part, in.local(),
                     any_array(mine.value.data(), part_dtype, dims{}, dims{}, {}, true),
                     {.type = part_dtype}, opts);
  });
  std::vector<partial> all(static_cast<std::size_t>(in.ranks()));
  detail::allgather_bytes(in.comm(), std::as_bytes(std::span(&mine, 1)),
                          std::as_writable_bytes(std::span(all)));
  // The ranks' partial results, in rank order, combined by the same reduction (every rank
  // computes the same bits from the same inputs, so an error here is the same on every rank).
  std::vector<std::byte> values;
  index_t count = 0;
  for (const partial& p : all) {
    if (!p.has) continue;
    values.insert(values.end(), p.value.begin(), p.value.begin() + part_dtype.itemsize());
    ++count;
  }
  const any_array parts(values.data(), part_dtype, dims{count},
                        dims{static_cast<index_t>(part_dtype.itemsize())}, {}, false);
  if (r != reduction::mean) {
    maparray::reduce(part, parts, out, {.type = part_dtype}, opts);
    return;
  }
  alignas(16) std::array<std::byte, 16> total{};
  const any_array total_array(total.data(), part_dtype, dims{}, dims{}, {}, true);
  maparray::reduce(reduction::sum, parts, total_array, {.type = part_dtype}, opts);
  maparray::apply(ufunc::divide, {operand(total_array), operand(scalar(in.size()))}, out, opts);
}

}  // namespace maparray::mpi
