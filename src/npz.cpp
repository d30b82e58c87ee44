#include "maparray/npz.hpp"

#include <fcntl.h>

#include <stdexcept>
#include <string>

#include "maparray/error.hpp"

namespace maparray {
namespace {

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

}  // namespace

npz_archive npz_archive::open(const std::filesystem::path& path, const npz_options& opts) {
  if (opts.mode == mode::read_write) {
    throw std::invalid_argument("cannot map " + quoted(path) +
                                " read-write: writing into a member would leave its CRC wrong; "
                                "use mode read or copy_on_write");
  }
  // O_NONBLOCK keeps open() of a FIFO from waiting for a writer; adopt() refuses it.
  return open(file::open(path, O_RDONLY | O_NONBLOCK), opts);
}

npz_archive npz_archive::open(file f, const npz_options& opts) {
  if (opts.mode == mode::read_write) {
    throw std::invalid_argument("cannot map " + quoted(f.path()) +
                                " read-write: writing into a member would leave its CRC wrong; "
                                "use mode read or copy_on_write");
  }
  return npz_archive(mapping::adopt(std::move(f), {.mode = opts.mode}), opts);
}

npz_archive::npz_archive(mapping storage, npz_options opts)
    : storage_(std::move(storage)), opts_(opts) {
  const std::span<const std::byte> whole(storage_.data(), storage_.size());
  std::vector<zip::entry> entries;
  try {
    entries = zip::read_directory(whole);
  } catch (const format_error& e) {
    throw format_error(quoted(storage_.path()) + ": " + e.what());
  }
  members_.reserve(entries.size());
  for (auto& e : entries) {
    npz_member m;
    m.key = e.name.ends_with(".npy") ? e.name.substr(0, e.name.size() - 4) : e.name;
    m.entry = std::move(e);
    members_.push_back(std::move(m));
  }
}

const npz_member& npz_archive::member(std::string_view name) const {
  for (const npz_member& m : members_) {
    if (m.key == name || m.entry.name == name) return m;
  }
  std::string keys;
  for (const npz_member& m : members_) keys += (keys.empty() ? "" : ", ") + m.key;
  throw std::out_of_range(quoted(storage_.path()) + " has no member '" + std::string(name) +
                          "' (it has: " + (keys.empty() ? "nothing" : keys) + ")");
}

std::span<const std::byte> npz_archive::bytes(const npz_member& m) const {
  if (!m.mappable()) {
    throw format_error(quoted(storage_.path()) + ": member '" + m.entry.name + "' is " +
                       (m.entry.encrypted()
                            ? std::string("encrypted")
                            : "compressed (ZIP method " + std::to_string(m.entry.method) + ")") +
                       ", so it cannot be mapped in place; read it with numpy.load or unzip");
  }
  return {storage_.data() + m.entry.data_offset, static_cast<std::size_t>(m.entry.size)};
}

any_array npz_archive::array(const npz_member& m) const {
  const std::span<const std::byte> member = bytes(m);
  const std::string where = quoted(storage_.path()) + ", member '" + m.entry.name + "'";
  if (!m.is_npy()) throw format_error(where + ": not a .npy file");
  npy::header h;
  try {
    h = npy::parse_header(member, opts_.limits);
  } catch (const format_error& e) {
    throw format_error(where + ": " + e.what());
  }
  if (h.type.itemsize() == 0) {
    throw format_error(where + ": elements of zero bytes (dtype " + h.type.str() +
                       ") are not supported");
  }
  if (static_cast<std::int64_t>(member.size()) - h.data_offset < h.data_length) {
    throw format_error(where + ": truncated: the header says " + std::to_string(h.data_length) +
                       " bytes of data follow it, but the member has " +
                       std::to_string(member.size() - static_cast<std::size_t>(h.data_offset)));
  }
  const index_t count = element_count(h.shape.span());
  const auto layout = detail::layout_view(
      storage_, static_cast<index_t>(m.entry.data_offset) + h.data_offset, &count,
      h.type.itemsize(), 1, h.shape, h.fortran_order ? order::fortran : order::c);
  dims strides = layout.strides;
  for (auto& s : strides) s *= h.type.itemsize();
  return any_array(layout.data, h.type, layout.shape, strides, storage_.lease(),
                   opts_.mode == mode::copy_on_write);
}

}  // namespace maparray
