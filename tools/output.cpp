#include "output.hpp"

#include "cli_error.hpp"

namespace maparray::cli {

output_array create_output(const std::filesystem::path& path, bool npy, const dtype& type,
                           const dims& shape, order layout, bool sparse) {
  if (npy)
    throw user_error(path.string() + ": writing .npy files is not supported by this build yet");
  return {create_file(path, type, shape, {.sparse = sparse, .order = layout})};
}

}  // namespace maparray::cli
