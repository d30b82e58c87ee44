// maparray append: grow a .npy file in place by the rows of other .npy files.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli_error.hpp"
#include "commands.hpp"
#include "elements.hpp"
#include "input.hpp"
#include "json_output.hpp"
#include "maparray/npy.hpp"
#include "progress.hpp"

namespace maparray::cli {
namespace {

struct append_options {
  std::string file;
  std::vector<std::string> more;
  bool json = false;
};

// An element as opaque bytes, so that append_npy checks the file's exact dtype (byte order
// included) through npy_options::expect rather than a C++ type's native one.
template <std::size_t N>
struct item {
  std::byte bytes[N];
};

// Rows are written in pieces of about this many bytes, so that a big MORE file is never copied
// into memory whole.
constexpr std::size_t piece_bytes = 16 << 20;

// The view of `a` whose C-order walk visits a's elements in Fortran order.
any_array reversed_axes(const any_array& a) {
  std::vector<index_t> shape(a.shape().rbegin(), a.shape().rend());
  std::vector<index_t> strides(a.byte_strides().rbegin(), a.byte_strides().rend());
  return any_array(a.data(), a.type(), dims(std::span<const index_t>(shape)),
                   dims(std::span<const index_t>(strides)), a.lease(), a.writable());
}

// Checks that `more` can be appended to a file of `head`. Throws user_error naming both.
void check_compatible(const std::string& file, const npy::header& head, const std::string& name,
                      const any_array& more) {
  if (!(more.type() == head.type)) {
    throw user_error(name + ": has dtype " + more.type().str() + " but " + file + " has " +
                     head.type.str() + " (convert it first: maparray convert " + name +
                     " -o converted.npy --dtype " + head.type.str() + ")");
  }
  if (head.shape.empty()) throw user_error(file + ": a 0-d array has no axis to grow");
  const std::size_t growing = head.fortran_order ? head.shape.size() - 1 : 0;
  bool fits = more.ndim() == head.shape.size();
  for (std::size_t k = 0; fits && k < more.ndim(); ++k)
    fits = k == growing || more.shape()[k] == head.shape[k];
  if (!fits) {
    throw user_error(name + ": shape " + to_string(more.shape()) + " cannot be appended to " +
                     file + " of shape " + to_string(head.shape.span()) + " along axis " +
                     std::to_string(growing));
  }
}

// The number of rows `more` adds along the growing axis of a file of `head`.
index_t rows_of(const npy::header& head, const any_array& more) {
  return more.shape()[head.fortran_order ? head.shape.size() - 1 : 0];
}

// Writes the elements of `more` to `append` in the file's memory order, in pieces.
template <std::size_t N>
void write_rows(npy_appender& append, const npy::header& head, const any_array& more,
                progress_bar& progress, std::uint64_t& done) {
  const any_array ordered = head.fortran_order ? reversed_axes(more) : more;
  const std::size_t total = ordered.size();
  const std::size_t piece = std::max<std::size_t>(1, piece_bytes / N);
  std::vector<item<N>> buffer;
  for (std::size_t first = 0; first < total; first += piece) {
    const std::size_t last = std::min(total, first + piece);
    buffer.resize(last - first);
    auto* out = reinterpret_cast<std::byte*>(buffer.data());
    walk<1>(ordered.shape(), {&ordered}, first, last, [&](const std::byte* p) {
      std::memcpy(out, p, N);
      out += N;
    });
    append.write(std::as_bytes(std::span<const item<N>>(buffer)));
    done += (last - first) * N;
    progress.update(done);
  }
}

void run(const append_options& o) {
  if (!is_npy_path(o.file)) throw user_error(o.file + ": append grows .npy files only");
  const npy::header head = about_file(o.file, [&] { return npy::read_header(o.file); });
  // Check every input before changing anything, so that a bad one leaves the file as it was.
  std::vector<opened_array> inputs;
  index_t rows = 0;
  for (const auto& name : o.more) {
    inputs.push_back(open_input(name, {}));
    if (!inputs.back().is_npy) throw user_error(name + ": append takes rows from .npy files");
    check_compatible(o.file, head, name, inputs.back().array);
    rows = about_file(name, [&] {
      return checked_add(rows, rows_of(head, inputs.back().array), "number of rows");
    });
  }
  // The bar counts the bytes appended.
  std::uint64_t total = 0, done = 0;
  for (const auto& in : inputs) total += in.array.size_bytes();
  about_file(o.file, [&] {
    // One append of every row: a full disk fails before anything is written, and the header
    // changes once, at the end, so that the file gets all the rows or none.
    npy_appender append(o.file, {.expect = head.type}, [&](const npy::header& now) {
      if (!(now.shape == head.shape) || now.fortran_order != head.fortran_order) {
        throw user_error(o.file + ": changed while the inputs were checked; try again");
      }
      return rows;
    });
    progress_bar progress(total);
    for (const auto& in : inputs) {
      switch (head.type.itemsize()) {
        case 1:
          write_rows<1>(append, head, in.array, progress, done);
          break;
        case 2:
          write_rows<2>(append, head, in.array, progress, done);
          break;
        case 4:
          write_rows<4>(append, head, in.array, progress, done);
          break;
        case 8:
          write_rows<8>(append, head, in.array, progress, done);
          break;
        case 16:
          write_rows<16>(append, head, in.array, progress, done);
          break;
        default:
          throw user_error(o.file + ": appending elements of dtype " + head.type.str() +
                           " is not supported");
      }
    }
    append.commit();
    progress.finish();
  });
  if (o.json) {
    const npy::header after = about_file(o.file, [&] { return npy::read_header(o.file); });
    json result;
    result["file"] = o.file;
    result["shape"] = shape_json(after.shape.span());
    result["appended_bytes"] = total;
    print_json(result);
  }
}

}  // namespace

void add_append_command(CLI::App& app) {
  auto opts = std::make_shared<append_options>();
  CLI::App* cmd =
      app.add_subcommand("append", "Grow a .npy file in place by the rows of other .npy files");
  cmd->add_option("FILE", opts->file, "the .npy file to grow")->required();
  cmd->add_option("MORE", opts->more,
                  ".npy files of the same dtype and shape apart from the growing axis (the "
                  "first, or the last for a Fortran-order file)")
      ->required();
  cmd->add_flag("--json", opts->json,
                "print a JSON object with keys file, shape (after appending), appended_bytes");
  cmd->footer(
      "The file gets every row or none: the space for all of them is reserved first, and the\n"
      "header's shape is rewritten once, after the data, so an interrupted append leaves the\n"
      "file loadable with its old shape. A progress bar is drawn when stderr is a terminal.\n\n"
      "Example:\n  maparray append log.npy today.npy");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace maparray::cli
