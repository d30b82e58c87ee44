// Only includes maparray/mdspan.hpp: compiled where <mdspan> is missing, it must fail with the
// header's own message.
#include <maparray/mdspan.hpp>

int main() {
  return 0;
}
