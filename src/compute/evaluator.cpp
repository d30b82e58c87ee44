// Running a bound program through the engine: elementwise results written block by block, and
// reductions over every element or along one axis.
//
// Reductions along an axis keep their results in an accumulator array (the output itself when
// it has the accumulator's type). A chunk adds its elements into the accumulator entries its
// rows map to; chunks whose entries overlap write in chunk order, so every entry sums its
// elements in the same order on every run. A chunk that maps to few entries (many rows into
// one) first reduces into a private partial buffer and adds that when its turn comes, so that
// chunks still compute in parallel; one that maps to many waits for its turn, then adds
// directly.
#include "evaluator.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "../sys.hpp"
#include "maparray/detail/engine.hpp"
#include "maparray/ops.hpp"

namespace maparray::detail {

namespace {

// One value of any numeric type, for accumulators and partial results.
struct number {
  alignas(16) unsigned char bytes[16] = {};
};

// The registers of one thread: a buffer of block_elements elements per register, and the
// pointer each holds for the current block (the buffer, or an array's memory used in place).
class workspace {
 public:
  explicit workspace(const program& p)
      : buffers_(p.registers.size()), pointers_(p.registers.size()) {
    std::size_t total = 0;
    std::vector<std::size_t> offsets;
    for (numeric_type t : p.registers) {
      offsets.push_back(total);
      total += (size_of(t) * static_cast<std::size_t>(block_elements) + 63) / 64 * 64;
    }
    memory_ = std::make_unique<std::byte[]>(total + 64);
    auto* base = memory_.get() + (64 - reinterpret_cast<std::uintptr_t>(memory_.get()) % 64) % 64;
    for (std::size_t r = 0; r < p.registers.size(); ++r) {
      buffers_[r] = base + offsets[r];
      pointers_[r] = buffers_[r];
    }
    for (const auto& c : p.constants) {
      const std::size_t size = size_of(p.registers[static_cast<std::size_t>(c.reg)]);
      auto* at = static_cast<std::byte*>(buffers_[static_cast<std::size_t>(c.reg)]);
      for (index_t i = 0; i < block_elements; ++i) std::memcpy(at + i * size, c.value, size);
    }
  }
  void* buffer(int r) const { return buffers_[static_cast<std::size_t>(r)]; }
  const void*& pointer(int r) { return pointers_[static_cast<std::size_t>(r)]; }

 private:
  std::unique_ptr<std::byte[]> memory_;
  std::vector<void*> buffers_;
  std::vector<const void*> pointers_;
};

// Computes elements [i0, i0 + m) of a row; the program's leaves are the plan operands from
// `first_leaf` on. The last kernel writes to `direct_out` if given. Returns the result's
// pointer.
const void* compute_block(const program& p, workspace& ws, std::span<std::byte* const> at,
                          std::span<const index_t> step, std::size_t first_leaf, index_t i0,
                          index_t m, void* direct_out) {
  for (std::size_t j = 0; j < p.leaves.size(); ++j) {
    const auto& leaf = p.leaves[j];
    const index_t s = step[first_leaf + j];
    const std::byte* source = at[first_leaf + j] + i0 * s;
    if (leaf.in_place && s == static_cast<index_t>(size_of(leaf.stored))) {
      ws.pointer(leaf.reg) = source;
    } else {
      leaf.load(m, ws.buffer(leaf.reg), source, s, leaf.swap);
      ws.pointer(leaf.reg) = ws.buffer(leaf.reg);
    }
  }
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    const auto& s = p.steps[k];
    void* out = direct_out != nullptr && k + 1 == p.steps.size() ? direct_out : ws.buffer(s.out);
    if (s.kernel != nullptr) {
      const void* in[3] = {ws.pointer(s.in[0]), s.in[1] >= 0 ? ws.pointer(s.in[1]) : nullptr,
                           s.in[2] >= 0 ? ws.pointer(s.in[2]) : nullptr};
      s.kernel(m, out, in);
    } else {
      s.conversion(m, out, ws.pointer(s.in[0]));
    }
    ws.pointer(s.out) = out;
  }
  return ws.pointer(p.result);
}

// The engine's views of the program's leaves, each broadcast to the program's shape.
struct leaf_views {
  std::vector<dims> strides;
  void add_to(const program& p, std::vector<operand_view>& views) {
    strides.reserve(p.leaves.size());
    for (const auto& leaf : p.leaves) {
      strides.push_back(
          broadcast_strides(leaf.array.shape(), leaf.array.byte_strides(), p.shape.span()));
      views.push_back({leaf.array.data(), static_cast<index_t>(size_of(leaf.stored)),
                       p.shape.span(), strides.back().span(), leaf.array.storage(), false});
    }
  }
};

bool is_aligned_native(const any_array& a, numeric_type type) {
  if (!a.type().is_native()) return false;
  const auto alignment = static_cast<std::uintptr_t>(size_of(type) == 16 ? 8 : size_of(type));
  if (reinterpret_cast<std::uintptr_t>(a.data()) % alignment != 0) return false;
  return std::ranges::all_of(
      a.byte_strides(), [&](index_t s) { return static_cast<std::uintptr_t>(s) % alignment == 0; });
}

// Sums of partial results added pairwise as they come (a binary counter of levels), for
// reducers that want it; others combine in order.
class cascade {
 public:
  explicit cascade(const reducer& r) : r_(r) {}
  void add(const number& value) {
    if (!r_.pairwise) {
      if (!any_) {
        total_ = value;
        any_ = true;
      } else {
        r_.combine(total_.bytes, value.bytes);
      }
      return;
    }
    number carry = value;
    std::size_t level = 0;
    while (level < levels_.size() && filled_[level]) {
      number sum = levels_[level];
      r_.combine(sum.bytes, carry.bytes);
      carry = sum;
      filled_[level] = false;
      ++level;
    }
    if (level == levels_.size()) {
      levels_.push_back(carry);
      filled_.push_back(true);
    } else {
      levels_[level] = carry;
      filled_[level] = true;
    }
  }
  // The combination of everything added, or the identity.
  number total() const {
    number result;
    r_.identity(result.bytes);
    if (!r_.pairwise) {
      if (any_) r_.combine(result.bytes, total_.bytes);
      return result;
    }
    for (std::size_t level = 0; level < levels_.size(); ++level) {
      if (filled_[level]) r_.combine(result.bytes, levels_[level].bytes);
    }
    return result;
  }

 private:
  const reducer& r_;
  std::vector<number> levels_;
  std::vector<bool> filled_;
  number total_;
  bool any_ = false;
};

// The reduction of a block of values into one number.
number fold_block(const reducer& r, index_t m, const void* values) {
  number n;
  r.identity(n.bytes);
  r.fold(m, values, n.bytes);
  return n;
}

// value / count in the accumulator type (for mean).
void divide_in_place(numeric_type type, void* value, index_t count) {
  visit(type, [&]<class A>(A) {
    if constexpr (is_inexact(numeric_type_of<A>()) && !std::is_same_v<A, float16>) {
      A& a = *static_cast<A*>(value);
      a = op::divide::apply(a, convert<A>(count));
    }
  });
}

[[noreturn]] void no_identity(reduction r) {
  throw std::invalid_argument("zero-size array to reduction operation " +
                              std::string(r == reduction::min ? "minimum" : "maximum") +
                              " which has no identity");
}

void check_writable(const any_array& out) {
  if (!out.writable()) throw std::invalid_argument("the output array is read-only");
}

// Elements of two arrays of one shape together, in C order: fn(a_element, b_element).
template <class Fn>
void for_each_pair(const any_array& a, const any_array& b, Fn fn) {
  const index_t count = element_count(a.shape());
  if (count == 0) return;
  const operand_view views[2] = {
      {a.data(), a.type().itemsize(), a.shape(), a.byte_strides(), {}, false},
      {b.data(), b.type().itemsize(), b.shape(), b.byte_strides(), {}, false}};
  const plan p = make_plan("reduce", views);
  for_each_row(p, 0, p.count,
               [&](std::span<std::byte* const> at, std::span<const index_t> step, index_t n) {
                 for (index_t i = 0; i < n; ++i) fn(at[0] + i * step[0], at[1] + i * step[1]);
               });
}

}  // namespace

void run_elementwise(const program& p, const any_array& out, const exec_options& opts) {
  check_writable(out);
  const numeric_type out_type = *numeric_type_of(out.type());
  const bool out_swap = !out.type().is_native();
  const bool direct_ok =
      !p.steps.empty() && out_type == p.result_type && is_aligned_native(out, out_type);
  const store_kernel store = store_for(p.result_type, out_type);
  const auto out_size = static_cast<index_t>(size_of(out_type));

  std::vector<operand_view> views;
  views.push_back({out.data(), out_size, out.shape(), out.byte_strides(), out.storage(), true});
  leaf_views leaves;
  leaves.add_to(p, views);
  plan planned = make_plan("evaluate", views, 0);
  planned_operand& target_operand = planned.operands.front();
  // A file-backed output that the iteration walks in one contiguous run is computed into a
  // buffer and written with pwrite, a chunk at a time: making new page-cache pages through
  // stores into a shared mapping costs a page fault per page (several times the cost of
  // pwrite), while pwrite goes through the same page cache, so mappings of the file see it.
  target_operand.written_by_pwrite = planned.shape.size() == 1 && target_operand.forward &&
                                     target_operand.strides[0] == out_size &&
                                     target_operand.storage.fd() >= 0 &&
                                     target_operand.storage.source() == memory_source::file &&
                                     target_operand.storage.mode() == mode::read_write;
  const schedule s = make_schedule(planned, opts);
  run(planned, opts, s, [&](index_t, index_t begin, index_t end) {
    workspace ws(p);
    std::unique_ptr<std::byte[]> buffer;
    std::byte* const chunk_start = target_operand.data + begin * out_size;
    if (target_operand.written_by_pwrite) {
      buffer = std::make_unique_for_overwrite<std::byte[]>(
          static_cast<std::size_t>((end - begin) * out_size));
    }
    for_each_row(planned, begin, end,
                 [&](std::span<std::byte* const> at, std::span<const index_t> step, index_t n) {
                   const bool direct = direct_ok && step[0] == out_size;
                   std::byte* const row = buffer ? buffer.get() + (at[0] - chunk_start) : at[0];
                   for (index_t i0 = 0; i0 < n; i0 += block_elements) {
                     const index_t m = std::min(block_elements, n - i0);
                     std::byte* target = row + i0 * step[0];
                     const void* result =
                         compute_block(p, ws, at, step, 1, i0, m, direct ? target : nullptr);
                     if (!direct) store(m, target, step[0], out_swap, result);
                   }
                 });
    if (buffer) {
      const mapping& storage = target_operand.storage;
      sys::write_at(storage.fd(), storage.path(),
                    {buffer.get(), static_cast<std::size_t>((end - begin) * out_size)},
                    storage.offset() + (chunk_start - storage.data()));
    }
  });
}

namespace {

void run_full_reduction(const program& p, const any_array& out, const exec_options& opts) {
  if (out.size() != 1)
    throw std::invalid_argument("the output of a full reduction has one element");
  check_writable(out);
  const reducer r = reducer_for(*p.reducer, p.result_type);
  const index_t count = element_count(p.shape.span());
  if (count == 0 && (*p.reducer == reduction::min || *p.reducer == reduction::max)) {
    no_identity(*p.reducer);
  }
  std::vector<operand_view> views;
  leaf_views leaves;
  leaves.add_to(p, views);
  static std::byte nothing{};
  const std::vector<index_t> zeros(p.shape.size(), 0);
  const dims zero_strides{std::span<const index_t>(zeros)};
  if (views.empty()) views.push_back({&nothing, 1, p.shape.span(), zero_strides.span(), {}, false});
  const plan planned = make_plan("reduce", views, 0);
  const schedule s = make_schedule(planned, opts);
  std::vector<number> partial(static_cast<std::size_t>(s.chunks));
  run(planned, opts, s, [&](index_t c, index_t begin, index_t end) {
    workspace ws(p);
    cascade sum(r);
    for_each_row(planned, begin, end,
                 [&](std::span<std::byte* const> at, std::span<const index_t> step, index_t n) {
                   for (index_t i0 = 0; i0 < n; i0 += block_elements) {
                     const index_t m = std::min(block_elements, n - i0);
                     sum.add(fold_block(r, m, compute_block(p, ws, at, step, 0, i0, m, nullptr)));
                   }
                 });
    partial[static_cast<std::size_t>(c)] = sum.total();
  });
  cascade total(r);
  for (const number& n : partial) total.add(n);
  number result = total.total();
  if (*p.reducer == reduction::mean) divide_in_place(p.result_type, result.bytes, count);
  store_for(p.result_type, *numeric_type_of(out.type()))(1, out.data(), out.type().itemsize(),
                                                         !out.type().is_native(), result.bytes);
}

// Which accumulator entries chunks map to, and the order in which chunks may write them.
class write_turns {
 public:
  // The plan's acc operand has stride 0 along the reduced axis, plan axis `reduced` (or none).
  write_turns(const plan& planned, const schedule& s, std::optional<std::size_t> reduced)
      : s_(s), count_(planned.count), written_(static_cast<std::size_t>(s.chunks)) {
    outer_ = 1;
    inner_ = 1;
    length_ = 1;
    if (reduced) {
      for (std::size_t k = 0; k < *reduced; ++k) outer_ *= planned.shape[k];
      length_ = planned.shape[*reduced];
      for (std::size_t k = *reduced + 1; k < planned.shape.size(); ++k) inner_ *= planned.shape[k];
    } else {
      outer_ = planned.count;
    }
  }

  // The accumulator index of iteration position p: p without its reduced-axis coordinate.
  index_t entry(index_t position) const {
    return position / (length_ * inner_) * inner_ + position % inner_;
  }
  // The entries [first, last) chunk c may touch (a superset when they wrap around).
  std::pair<index_t, index_t> entries(index_t c) const {
    const auto [b, e] = s_.bounds(c, count_);
    const index_t period = length_ * inner_;
    const index_t o_b = b / period, o_e = (e - 1) / period;
    if (o_b != o_e) return {o_b * inner_, (o_e + 1) * inner_};
    const index_t j_b = b / inner_ % length_, j_e = (e - 1) / inner_ % length_;
    if (j_b == j_e) return {o_b * inner_ + b % inner_, o_b * inner_ + (e - 1) % inner_ + 1};
    return {o_b * inner_, (o_b + 1) * inner_};
  }

  // Waits until every earlier chunk whose entries meet c's has written. Returns false if the
  // computation failed meanwhile (the chunk should then give up).
  bool wait(index_t c) {
    const auto mine = entries(c);
    std::unique_lock guard(lock_);
    for (;;) {
      if (abandoned_) return false;
      bool clear = true;
      for (index_t k = lowest_; k < c && clear; ++k) {
        if (written_[static_cast<std::size_t>(k)]) continue;
        const auto theirs = entries(k);
        clear = theirs.second <= mine.first || mine.second <= theirs.first;
      }
      if (clear) return true;
      changed_.wait(guard);
    }
  }
  void written(index_t c) {
    const std::scoped_lock guard(lock_);
    written_[static_cast<std::size_t>(c)] = 1;
    while (lowest_ < s_.chunks && written_[static_cast<std::size_t>(lowest_)]) ++lowest_;
    changed_.notify_all();
  }
  void abandon() {
    const std::scoped_lock guard(lock_);
    abandoned_ = true;
    changed_.notify_all();
  }

 private:
  const schedule& s_;
  index_t count_;
  index_t outer_, length_, inner_;
  std::mutex lock_;
  std::condition_variable changed_;
  std::vector<char> written_;
  index_t lowest_ = 0;
  bool abandoned_ = false;
};

void run_axis_reduction(const program& p, const any_array& out, const exec_options& opts) {
  check_writable(out);
  const reduction kind = *p.reducer;
  const reducer r = reducer_for(kind, p.result_type);
  const int axis = *p.axis;
  const index_t length = p.shape[static_cast<std::size_t>(axis)];
  const dims reduced = result_shape(p);
  const index_t entries = element_count(reduced.span());
  if (length == 0 && entries > 0 && (kind == reduction::min || kind == reduction::max)) {
    no_identity(kind);
  }
  // The accumulator: the output when it has the accumulator's type, else a C-order buffer.
  const numeric_type out_type = *numeric_type_of(out.type());
  const auto acc_size = static_cast<index_t>(size_of(p.result_type));
  std::unique_ptr<number[]> buffer;
  any_array acc = out;
  if (out_type != p.result_type || !is_aligned_native(out, out_type)) {
    buffer = std::make_unique<number[]>(static_cast<std::size_t>(entries) *
                                            static_cast<std::size_t>(acc_size) / sizeof(number) +
                                        1);
    const dims strides = [&] {
      dims d = contiguous_strides(reduced.span(), order::c);
      for (auto& v : d) v *= acc_size;
      return d;
    }();
    acc = any_array(reinterpret_cast<std::byte*>(buffer.get()), to_dtype(p.result_type), reduced,
                    strides, {}, true);
  }
  // The accumulator as the plan sees it: the reduced axis back in, with stride 0 (an output
  // with keepdims has it already, of length 1).
  std::vector<index_t> acc_strides;
  {
    const bool kept = acc.ndim() == p.shape.size();
    std::size_t source = 0;
    for (std::size_t k = 0; k < p.shape.size(); ++k) {
      if (static_cast<int>(k) == axis) {
        acc_strides.push_back(0);
        if (kept) ++source;
      } else {
        acc_strides.push_back(acc.byte_strides()[source++]);
      }
    }
  }
  // Every entry starts at the identity.
  {
    number identity;
    r.identity(identity.bytes);
    for_each_pair(acc, acc, [&](std::byte* a, std::byte*) {
      std::memcpy(a, identity.bytes, static_cast<std::size_t>(acc_size));
    });
  }
  std::vector<operand_view> views;
  leaf_views leaves;
  leaves.add_to(p, views);
  const std::size_t acc_operand = views.size();
  views.push_back({acc.data(), acc_size, p.shape.span(), acc_strides, acc.storage(), true});
  const plan planned = make_plan("reduce", views, 0);
  const schedule s = make_schedule(planned, opts, acc_size);
  std::optional<std::size_t> reduced_axis;
  for (std::size_t k = 0; k < planned.shape.size(); ++k) {
    if (planned.operands[acc_operand].strides[k] == 0 && planned.shape[k] > 1) reduced_axis = k;
  }
  write_turns turns(planned, s, reduced_axis);
  const planned_operand& acc_op = planned.operands[acc_operand];
  const index_t row_axis = static_cast<index_t>(planned.shape.size()) - 1;
  const bool rows_reduce = reduced_axis && static_cast<index_t>(*reduced_axis) == row_axis;
  // Entries run over the plan's other axes; one period of positions covers the reduced axis.
  index_t inner = 1;
  if (reduced_axis) {
    for (std::size_t k = *reduced_axis + 1; k < planned.shape.size(); ++k)
      inner *= planned.shape[k];
  }
  const index_t period = reduced_axis ? planned.shape[*reduced_axis] * inner : 1;

  run(planned, opts, s, [&](index_t c, index_t begin, index_t end) {
    try {
      workspace ws(p);
      // Plain variables, which the row lambda below captures (clang before 16 cannot capture
      // structured bindings).
      const std::pair<index_t, index_t> range = turns.entries(c);
      const index_t first = range.first, last = range.second;
      const bool use_partial = last - first <= (end - begin) / 2;
      std::vector<number> partial;
      if (use_partial) {
        partial.resize(static_cast<std::size_t>((last - first) * acc_size) / sizeof(number) + 1);
        auto* base = reinterpret_cast<std::byte*>(partial.data());
        number identity;
        r.identity(identity.bytes);
        for (index_t e = 0; e < last - first; ++e)
          std::memcpy(base + e * acc_size, identity.bytes, static_cast<std::size_t>(acc_size));
      } else if (!turns.wait(c)) {
        return;
      }
      auto* partial_base = reinterpret_cast<std::byte*>(partial.data());
      index_t position = begin;
      for_each_row(
          planned, begin, end,
          [&](std::span<std::byte* const> at, std::span<const index_t> step, index_t n) {
            std::byte* target = use_partial
                                    ? partial_base + (turns.entry(position) - first) * acc_size
                                    : at[acc_operand];
            const index_t target_step = use_partial ? acc_size : step[acc_operand];
            if (rows_reduce) {
              cascade sum(r);
              for (index_t i0 = 0; i0 < n; i0 += block_elements) {
                const index_t m = std::min(block_elements, n - i0);
                sum.add(fold_block(r, m, compute_block(p, ws, at, step, 0, i0, m, nullptr)));
              }
              const number total = sum.total();
              r.combine(target, total.bytes);
            } else {
              for (index_t i0 = 0; i0 < n; i0 += block_elements) {
                const index_t m = std::min(block_elements, n - i0);
                r.accumulate(m, compute_block(p, ws, at, step, 0, i0, m, nullptr),
                             target + i0 * target_step, target_step);
              }
            }
            position += n;
          });
      if (use_partial) {
        if (!turns.wait(c)) return;
        for (index_t e = first; e < last; ++e) {
          // The position of entry e with reduced coordinate 0 finds its accumulator address.
          const index_t at = e / inner * period + e % inner;
          r.combine(acc_op.data + offset_of(planned, acc_op, at),
                    partial_base + (e - first) * acc_size);
        }
      }
      turns.written(c);
    } catch (...) {
      turns.abandon();
      throw;
    }
  });
  // Mean divides; an accumulator of another type than the output is stored into it.
  if (kind == reduction::mean) {
    for_each_pair(acc, acc,
                  [&](std::byte* a, std::byte*) { divide_in_place(p.result_type, a, length); });
  }
  if (buffer) {
    const store_kernel store = store_for(p.result_type, out_type);
    const bool swap = !out.type().is_native();
    // out may have the kept axis of length 1: view the buffer with out's shape.
    const any_array acc_as_out(
        acc.data(), acc.type(), dims(out.shape()),
        [&] {
          dims d = contiguous_strides(out.shape(), order::c);
          for (auto& v : d) v *= acc_size;
          return d;
        }(),
        {}, true);
    for_each_pair(out, acc_as_out, [&](std::byte* o, std::byte* a) { store(1, o, 0, swap, a); });
  }
}

}  // namespace

void run_reduction(const program& p, const any_array& out, const exec_options& opts) {
  if (p.axis) {
    run_axis_reduction(p, out, opts);
  } else {
    run_full_reduction(p, out, opts);
  }
}

}  // namespace maparray::detail
