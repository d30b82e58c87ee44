// A progress bar with throughput and time left, drawn on stderr only when stderr is a
// terminal (so pipes and logs stay clean).
#pragma once

#include <chrono>
#include <cstdint>

namespace maparray::cli {

class progress_bar {
 public:
  // A bar for `total` bytes of work; shown only if stderr is a terminal and `enabled`.
  explicit progress_bar(std::uint64_t total, bool enabled = true);
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;
  // Erases an unfinished bar. Never throws.
  ~progress_bar();

  // Redraws for `done` bytes, at most ten times a second. Never throws.
  void update(std::uint64_t done);
  // Draws the final state and ends the line. Never throws.
  void finish();

 private:
  void draw(std::uint64_t done);

  std::uint64_t total_;
  bool shown_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace maparray::cli
