#include "output.hpp"

#include "maparray/npy.hpp"
#include "maparray/raw_file.hpp"
#include "staged_output.hpp"

namespace maparray::cli {

output_array create_output(const std::filesystem::path& path, bool npy, const dtype& type,
                           const dims& shape, order layout, bool sparse) {
  create_options opts{.sparse = sparse, .order = layout};
  staged_output* staged = staged_output::find(path);
  const std::filesystem::path& name = staged ? staged->target() : path;
  if (staged) {
    opts.existing = staged->overwrite() ? if_exists::replace : if_exists::fail;
    opts.publish_later = true;
  }
  output_array out{npy ? create_npy(name, type, shape, opts) : create_file(name, type, shape, opts)};
  if (staged) staged->hold(out.array.storage());
  return out;
}

}  // namespace maparray::cli
