#include "output.hpp"

#include "maparray/npy.hpp"
#include "maparray/raw_file.hpp"

namespace maparray::cli {

output_array create_output(const std::filesystem::path& path, bool npy, const dtype& type,
                           const dims& shape, order layout, bool sparse) {
  const create_options opts{.sparse = sparse, .order = layout};
  return {npy ? create_npy(path, type, shape, opts) : create_file(path, type, shape, opts)};
}

}  // namespace maparray::cli
