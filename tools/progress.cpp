#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "text.hpp"

namespace maparray::cli {

progress_bar::progress_bar(std::uint64_t total, bool enabled)
    : total_(total),
      shown_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

progress_bar::~progress_bar() {
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void progress_bar::update(std::uint64_t done) {
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(done);
}

void progress_bar::finish() {
  if (!shown_) return;
  draw(total_);
  std::fputc('\n', stderr);
  drawn_ = false;
}

void progress_bar::draw(std::uint64_t done) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  std::string eta = "--";
  if (done >= total_) {
    eta = "done in " + std::to_string(static_cast<long long>(seconds + 0.5)) + "s";
  } else if (rate > 0) {
    const auto left = static_cast<long long>(static_cast<double>(total_ - done) / rate + 0.5);
    eta = "ETA " + std::to_string(left / 60) + ":" + (left % 60 < 10 ? "0" : "") +
          std::to_string(left % 60);
  }
  std::fprintf(stderr, "\r\033[K%3d%% %s %s of %s  %s/s  %s", static_cast<int>(fraction * 100),
               bar(fraction, 30).c_str(), human_bytes(static_cast<double>(done)).c_str(),
               human_bytes(static_cast<double>(total_)).c_str(), human_bytes(rate).c_str(),
               eta.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace maparray::cli
