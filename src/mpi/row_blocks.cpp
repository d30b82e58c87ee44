// Block distributions of rows over ranks.
#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "maparray/mpi.hpp"

namespace maparray::mpi {
namespace {

void check_split(index_t rows, int ranks) {
  if (rows < 0) throw std::invalid_argument("cannot split " + std::to_string(rows) + " rows");
  if (ranks < 1) {
    throw std::invalid_argument("cannot split rows over " + std::to_string(ranks) + " ranks");
  }
}

}  // namespace

row_blocks row_blocks::even(index_t rows, int ranks) {
  check_split(rows, ranks);
  row_blocks b;
  b.ends_.resize(static_cast<std::size_t>(ranks));
  const index_t share = rows / ranks;
  const index_t extra = rows % ranks;
  index_t end = 0;
  for (int r = 0; r < ranks; ++r) {
    end += share + (r < extra ? 1 : 0);
    b.ends_[static_cast<std::size_t>(r)] = end;
  }
  return b;
}

row_blocks row_blocks::aligned(index_t rows, int ranks, index_t row_elements, std::size_t page) {
  check_split(rows, ranks);
  if (row_elements < 0 || page == 0 || page > (std::size_t{1} << 31)) {
    throw std::invalid_argument("cannot align rows of " + std::to_string(row_elements) +
                                " elements to pages of " + std::to_string(page));
  }
  row_blocks b = even(rows, ranks);
  const auto p = static_cast<index_t>(page);
  // Boundaries fall on multiples of `step` rows, whose element counts are multiples of the
  // page size: page boundaries for elements of any size, once the data starts on one.
  const index_t step = row_elements == 0 ? 1 : p / std::gcd(row_elements, p);
  for (std::size_t r = 0; r + 1 < b.ends_.size(); ++r) {
    const index_t ideal = b.ends_[r];
    const index_t below = ideal / step * step;
    // The nearest multiple of step, the lower one on a tie; the end of the array is a boundary
    // too, as no other rank's rows lie beyond it.
    index_t best = ideal - below <= step - (ideal - below) ? below : below + step;
    if (best > rows || rows - ideal < (best > ideal ? best - ideal : ideal - best)) best = rows;
    b.ends_[r] = best;
  }
  return b;
}

row_blocks row_blocks::from_counts(std::span<const index_t> counts) {
  if (counts.empty()) throw std::invalid_argument("row counts for no ranks");
  row_blocks b;
  b.ends_.clear();
  index_t end = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (counts[r] < 0) {
      throw std::invalid_argument("rank " + std::to_string(r) + " is given " +
                                  std::to_string(counts[r]) + " rows");
    }
    end = checked_add(end, counts[r], "rows of all ranks");
    b.ends_.push_back(end);
  }
  return b;
}

index_t row_blocks::first(int rank) const {
  end(rank);  // checks the rank
  return rank == 0 ? 0 : ends_[static_cast<std::size_t>(rank) - 1];
}

index_t row_blocks::end(int rank) const {
  if (rank < 0 || rank >= ranks()) {
    throw std::out_of_range("rank " + std::to_string(rank) + " of " + std::to_string(ranks()));
  }
  return ends_[static_cast<std::size_t>(rank)];
}

int row_blocks::owner(index_t row) const {
  if (row < 0 || row >= rows()) {
    throw std::out_of_range("row " + std::to_string(row) + " of " + std::to_string(rows()));
  }
  // The first rank whose block ends after the row; empty blocks end where the previous does.
  const auto it = std::upper_bound(ends_.begin(), ends_.end(), row);
  return static_cast<int>(it - ends_.begin());
}

std::vector<index_t> row_blocks::counts() const {
  std::vector<index_t> result(ends_.size());
  std::adjacent_difference(ends_.begin(), ends_.end(), result.begin());
  return result;
}

}  // namespace maparray::mpi
