#include "maparray/guard.hpp"

#include <atomic>
#include <csetjmp>
#include <csignal>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <system_error>

namespace maparray {
namespace {

// The jump buffer of the guarded copy running on this thread, or null. The handler only reads
// it; the guarded call sets it before the copy and clears it after.
thread_local sigjmp_buf* active_guard = nullptr;

struct sigaction previous_handler {};

void on_sigbus(int signal, siginfo_t* info, void* context) {
  if (active_guard != nullptr) siglongjmp(*active_guard, 1);
  // Not ours: behave as if this handler had never been installed.
  // A SIGBUS sent by kill() or raise() has si_code <= 0; one from a memory access, above.
  const bool from_fault = info != nullptr && info->si_code > 0;
  if (previous_handler.sa_flags & SA_SIGINFO) {
    previous_handler.sa_sigaction(signal, info, context);
  } else if (previous_handler.sa_handler == SIG_IGN && !from_fault) {
    return;
  } else if (previous_handler.sa_handler != SIG_DFL && previous_handler.sa_handler != SIG_IGN) {
    previous_handler.sa_handler(signal);
  } else {
    // Restore the default action; returning re-executes the faulting access, which then takes
    // it (and a raised signal is raised again). A fault cannot be ignored: without this
    // handler the kernel would kill the process even with SIGBUS ignored, and returning with
    // the signal still ignored would retry the access forever.
    ::signal(signal, SIG_DFL);
    if (!from_fault) ::raise(signal);
  }
}

void install_handler_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    // SA_NODEFER: the signal is not blocked while the handler runs, so after the long jump it
    // needs no mask restored and siglongjmp can skip the sigprocmask call.
    action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    if (::sigaction(SIGBUS, &action, &previous_handler) != 0) {
      throw std::system_error(errno, std::generic_category(), "sigaction SIGBUS");
    }
  });
}

// The copy itself, kept apart so that no object with a destructor lives between sigsetjmp and
// the copy. Returns false if the copy faulted.
[[gnu::noinline]] bool copy_or_fault(void* to, const void* from, std::size_t size) {
  sigjmp_buf jump;
  if (sigsetjmp(jump, 0) != 0) {
    active_guard = nullptr;
    return false;
  }
  // The fences keep the compiler from moving the stores across the copy: it knows memcpy does
  // not read active_guard, and would otherwise drop the first store as dead.
  active_guard = &jump;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::memcpy(to, from, size);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  active_guard = nullptr;
  return true;
}

}  // namespace

void guarded_copy(std::span<std::byte> to, std::span<const std::byte> from) {
  if (to.size() != from.size()) {
    throw std::invalid_argument("guarded_copy: " + std::to_string(from.size()) + " bytes into " +
                                std::to_string(to.size()));
  }
  if (from.empty()) return;
  install_handler_once();
  if (!copy_or_fault(to.data(), from.data(), from.size())) {
    throw std::system_error(EFAULT, std::generic_category(),
                            "guarded_copy: mapped memory is no longer backed by its file "
                            "(truncated by another process?)");
  }
}

}  // namespace maparray
